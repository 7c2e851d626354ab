"""The numbers printed after every compile, and written to report.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .config import Target
from .ir import Graph
from .memory.plan import MemoryPlan
from .ops.macs import node_macs


def tensor_info(graph: Graph, name: str) -> dict:
    t = graph.tensors[name]
    info = {"name": name, "shape": list(t.shape), "dtype": t.dtype, "bytes": t.nbytes}
    if t.quant is not None:
        info["scale"] = np.ravel(t.quant.scale).astype(float).tolist()
        info["zero_point"] = np.ravel(t.quant.zero_point).astype(int).tolist()
    return info


def build_report(graph: Graph, plan: MemoryPlan, target: Target, name: str, code_sizes: dict | None,
                 weights_bytes: int | None = None, node_weights_bytes: list[int] | None = None) -> dict:
    """weights_bytes / node_weights_bytes: what the generated C really holds (emitters may re-lay constants out
    for their kernel set, codegen/c_emitter.py); by default the graph's constants."""
    if weights_bytes is None:
        weights_bytes = sum(t.nbytes for t in graph.tensors.values()
                            if t.is_const and any(t.name in n.inputs for n in graph.nodes))
    layers = []
    for step, node in enumerate(graph.nodes):
        out = graph.tensors[node.outputs[0]]
        layers.append({
            "name": node.name or node.outputs[0],
            "op": node.op,
            "output_shape": list(out.shape),
            "output_bytes": out.nbytes if out.alias_of is None and node.outputs[0] not in plan.in_place else 0,
            "weights_bytes": (node_weights_bytes[step] if node_weights_bytes is not None
                              else sum(graph.tensors[i].nbytes for i in node.inputs if graph.tensors[i].is_const)),
            "live_bytes": plan.live_bytes[step + 1],
            "macs": node_macs(graph, node),
            # written over its input's buffer: element-wise (memory/inplace.py) or depthwise in bands
            "in_place": node.outputs[0] in plan.in_place,
        })
    code_bytes = (code_sizes["text"] + code_sizes["rodata"] - weights_bytes) if code_sizes else None
    flash_bytes = weights_bytes + (code_bytes or 0)
    ram_bytes = plan.arena_bytes
    report = {
        "name": name,
        "target": target.name,
        "arena_bytes": plan.arena_bytes,
        "arena_bytes_excluding_input": plan.arena_bytes_excluding_inputs,
        "arena_lower_bound_bytes": plan.lower_bound,
        "planner": plan.planner,
        # The lower bound is over the buffers the arena holds: after in-place ops took over their inputs' buffers.
        "in_place_ops": len(plan.in_place),
        "weights_bytes": weights_bytes,
        "code_bytes": code_bytes,
        "macs": sum(layer["macs"] for layer in layers),
        "flash_bytes": flash_bytes,
        "sram_budget_bytes": target.sram_bytes,
        "flash_budget_bytes": target.flash_bytes,
        "fits_sram": ram_bytes <= target.sram_bytes,
        "fits_flash": flash_bytes <= target.flash_bytes,
        "inputs": [tensor_info(graph, n) for n in graph.inputs],
        "outputs": [tensor_info(graph, n) for n in graph.outputs],
        "layers": layers,
    }
    report["fits"] = report["fits_sram"] and report["fits_flash"]
    return report


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=2) + "\n")


def fit_problems(report: dict) -> list[str]:
    problems = []
    if not report["fits_sram"]:
        over = report["arena_bytes"] - report["sram_budget_bytes"]
        problems.append(f"SRAM: the arena needs {report['arena_bytes']:,} B but {report['target']} has "
                        f"{report['sram_budget_bytes']:,} B ({over:,} B over)")
    if not report["fits_flash"]:
        over = report["flash_bytes"] - report["flash_budget_bytes"]
        problems.append(f"flash: weights and code need {report['flash_bytes']:,} B but {report['target']} has "
                        f"{report['flash_budget_bytes']:,} B ({over:,} B over)")
    return problems + report.get("fit_hints", [])


def print_report(report: dict, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"{report['name']} on {report['target']}: per-layer memory", show_lines=False)
    for col, just in (("#", "right"), ("layer", "left"), ("op", "left"), ("output shape", "left"),
                      ("output B", "right"), ("weights B", "right"), ("live B", "right")):
        table.add_column(col, justify=just)
    for i, layer in enumerate(report["layers"]):
        op = layer["op"] + (" (in place)" if layer.get("in_place") else "")
        table.add_row(str(i), layer["name"], op, "x".join(map(str, layer["output_shape"])),
                      f"{layer['output_bytes']:,}", f"{layer['weights_bytes']:,}", f"{layer['live_bytes']:,}")
    console.print(table)

    def pct(a, b):
        return f"{100.0 * a / b:.1f} %" if b else "-"

    summary = Table(show_header=True, title="memory")
    for col in ("", "bytes", "budget", "used"):
        summary.add_column(col, justify="right" if col else "left")
    summary.add_row("arena (SRAM)", f"{report['arena_bytes']:,}", f"{report['sram_budget_bytes']:,}",
                    pct(report["arena_bytes"], report["sram_budget_bytes"]))
    summary.add_row("  without the input", f"{report['arena_bytes_excluding_input']:,}", "",
                    "if the input lived outside the arena")
    summary.add_row("  lower bound", f"{report['arena_lower_bound_bytes']:,}", "",
                    f"planner: {report['planner']}; after {report['in_place_ops']} in-place ops")
    summary.add_row("MACs per inference", f"{report['macs']:,}", "", "")
    summary.add_row("weights (flash)", f"{report['weights_bytes']:,}", "", "")
    code = report["code_bytes"]
    summary.add_row("code (flash)", f"{code:,}" if code is not None else "not measured", "", "")
    summary.add_row("flash total", f"{report['flash_bytes']:,}", f"{report['flash_budget_bytes']:,}",
                    pct(report["flash_bytes"], report["flash_budget_bytes"]))
    console.print(summary)
    verdict = "[green]fits[/green]" if report["fits"] else "[red]does NOT fit[/red]"
    console.print(f"{report['name']} {verdict} {report['target']}")
