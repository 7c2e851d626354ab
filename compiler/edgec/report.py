"""The numbers printed after every compile, and written to report.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .config import Target
from .ir import Graph
from .memory.plan import MemoryPlan, arena_excluding_inputs
from .ops.macs import node_macs


def tensor_info(graph: Graph, name: str) -> dict:
    t = graph.tensors[name]
    info = {"name": name, "shape": list(t.shape), "dtype": t.dtype, "bytes": t.nbytes}
    if t.quant is not None:
        info["scale"] = np.ravel(t.quant.scale).astype(float).tolist()
        info["zero_point"] = np.ravel(t.quant.zero_point).astype(int).tolist()
    index_range = gather_index_range(graph, name)
    if index_range is not None:
        info["index_range"] = index_range
    return info


def gather_index_range(graph: Graph, name: str) -> list[int] | None:
    """[low, high) of the valid values of an integer tensor read only as indices of run-time Gathers (a token id):
    what random test inputs draw from (reference.random_inputs); None for any other tensor."""
    users = graph.consumers(name)
    if not users or any(n.op != "gather" or n.inputs[1:] != [name] for n in users):
        return None
    n = min(graph.tensors[u.inputs[0]].shape[u.attrs["axis"]] for u in users)
    return [-n, n]


def build_report(graph: Graph, plan: MemoryPlan, target: Target, name: str, code_sizes: dict | None,
                 weights_bytes: int | None = None, node_weights_bytes: list[int] | None = None,
                 planner: str = "best") -> dict:
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
    kept = graph.state_bytes()  # kept between runs, beside the arena
    ram_bytes = plan.arena_bytes + kept
    report = {
        "name": name,
        "target": target.name,
        "arena_bytes": plan.arena_bytes,
        "arena_bytes_excluding_input": arena_excluding_inputs(graph, plan, planner),
        "arena_lower_bound_bytes": plan.lower_bound,
        **({"state_bytes": kept} if kept else {}),
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


def add_adaptation_report(report: dict, eco, adapt_c, target: Target) -> None:
    """--ecotta: the meta-networks and what an adaptation step costs in RAM (codegen/adaptation.py)."""
    report["adaptation_bytes"] = adapt_c.adaptation_bytes
    report["ecotta"] = {
        "meta_networks": eco.layout(),
        "parameters": int(eco.theta.size), "statistics": int(eco.stats.size),
        "groups": eco.options.groups, "block": eco.options.block, "lr": eco.options.lr, "reg_weight": eco.options.reg_weight,
        "momentum": eco.options.momentum,
        "eps": eco.options.eps, "entropy_threshold": eco.threshold,
        "adapt_arena_bytes": adapt_c.adapt_arena_bytes, "arena_bytes_with_adaptation": adapt_c.arena_bytes,
        "state_bytes": adapt_c.state_bytes,
    }
    ram = adapt_c.arena_bytes + adapt_c.state_bytes
    report["fits_sram"] = ram <= target.sram_bytes
    report["fits"] = report["fits_sram"] and report["fits_flash"]


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=2) + "\n")


def fit_problems(report: dict) -> list[str]:
    problems = []
    if not report["fits_sram"]:
        need = report["arena_bytes"] + report.get("adaptation_bytes", 0)
        over = need - report["sram_budget_bytes"]
        what = "the arena and adaptation need" if "adaptation_bytes" in report else "the arena needs"
        problems.append(f"SRAM: {what} {need:,} B but {report['target']} has "
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
    formats = any(layer.get("format", "int8") != "int8" for layer in report["layers"])
    if formats:  # a model with ternary layers: each weighted layer's format, and the ternarization's error
        table.add_column("format", justify="left")
    gpu = {"opencl": "OpenCL kernel", "vulkan": "Vulkan shader"}.get(report.get("backend"))
    if gpu:  # the OpenCL C / GLSL template that runs each layer (runtimes/opencl/, runtimes/vulkan/)
        table.add_column(gpu, justify="left")
    for first, last, layer in layer_rows(report):
        index = str(first) if first == last else f"{first}-{last}"
        op = layer["op"] + (" (in place)" if layer.get("in_place") else "")
        row = [index, layer["name"], op, "x".join(map(str, layer["output_shape"])), f"{layer['output_bytes']:,}",
               f"{layer['weights_bytes']:,}", f"{layer['live_bytes']:,}"]
        if formats:
            row.append(format_cell(layer))
        if gpu:
            row.append(layer.get("kernel", "").replace("edgec_", ""))
        table.add_row(*row)
    console.print(table)
    if report.get("patch"):
        print_patch_schedule(report["patch"], console)

    def pct(a, b):
        return f"{100.0 * a / b:.1f} %" if b else "-"

    summary = Table(show_header=True, title="memory")
    for col in ("", "bytes", "budget", "used"):
        summary.add_column(col, justify="right" if col else "left")
    summary.add_row("device arena" if gpu else "arena (SRAM)", f"{report['arena_bytes']:,}",
                    f"{report['sram_budget_bytes']:,}",
                    pct(report["arena_bytes"], report["sram_budget_bytes"]))
    if report.get("inputs_outside_arena"):
        in_bytes = sum(t["bytes"] for t in report["inputs"])
        summary.add_row("  inputs (not in it)", f"{in_bytes:,}", "", "--input-outside-arena: the caller's buffers")
    else:
        summary.add_row("  without the input", f"{report['arena_bytes_excluding_input']:,}", "",
                        "--input-outside-arena would make it this")
    summary.add_row("  lower bound", f"{report['arena_lower_bound_bytes']:,}", "",
                    f"planner: {report['planner']}; after {report['in_place_ops']} in-place ops")
    if report.get("state_bytes"):
        summary.add_row("state (SRAM)", f"{report['state_bytes']:,}", "",
                        "kept between runs, beside the arena; <name>_reset_state() resets it")
    if "adaptation_bytes" in report:
        eco = report["ecotta"]
        summary.add_row("  + adaptation", f"{report['adaptation_bytes']:,}", "",
                        f"{len(eco['meta_networks'])} meta-networks: arena {eco['arena_bytes_with_adaptation']:,} B "
                        f"while adapting, state {eco['state_bytes']:,} B")
    summary.add_row("MACs per inference", f"{report['macs']:,}", "", "")
    summary.add_row("weights (flash)", f"{report['weights_bytes']:,}", "", "")
    code = report["code_bytes"]
    summary.add_row("code (flash)", f"{code:,}" if code is not None else "not measured", "", "")
    summary.add_row("flash total", f"{report['flash_bytes']:,}", f"{report['flash_budget_bytes']:,}",
                    pct(report["flash_bytes"], report["flash_budget_bytes"]))
    console.print(summary)
    if report.get("fully_connected_layouts"):
        print_fc_layouts(report, console)
    verdict = "[green]fits[/green]" if report["fits"] else "[red]does NOT fit[/red]"
    console.print(f"{report['name']} {verdict} {report['target']}")


def print_fc_layouts(report: dict, console) -> None:
    """--optimize: the layout each packed fully connected layer's weights got, and why (fc_layouts.py)."""
    from rich.markup import escape

    from .fc_layouts import summary

    layouts = report["fully_connected_layouts"]
    console.print(escape(summary(layouts)), soft_wrap=True)
    for c in layouts["layers"]:
        console.print(escape(f"  {c['name']}: {c['layout']} ({c['reason']})"), soft_wrap=True)


def format_cell(layer: dict) -> str:
    if "format" not in layer:
        return ""
    text = layer["format"].replace("ternary-", "") + (f" {layer['kernel']}" if "kernel" in layer else "")
    error = layer.get("ternarization", {}).get("relative_l2_error")
    return text + (f", err {error:.0%}" if error is not None else "")


def patch_stage_rows(patch: dict) -> list[dict]:
    """The patched stages (split, grid, stage_nodes) of a report's `patch` object; older reports have one, at
    its top level."""
    if not patch.get("grid"):
        return []
    return patch.get("stages") or [{k: patch[k] for k in ("split", "grid", "stage_nodes") if k in patch}]


def stage_grid_text(stage: dict) -> str:
    """A patched stage's schedule: '4x4' (a grid of patches) or '28 row bands' (bands that keep their halo rows)."""
    n = stage["grid"]
    return f"{int(n)} row bands" if stage.get("bands") else f"{n}x{n}"


def layer_rows(report: dict) -> list[tuple[int, int, dict]]:
    """The per-layer table's rows: (first index, last index, layer). A patch-based stage (layers named
    `<node>@p<k>...`, passes/patch_schedule.py) is one row: the stage output's shape and bytes, the weights
    read once, the largest live bytes inside the stage."""
    layers = report["layers"]
    stages = patch_stage_rows(report.get("patch") or {})
    stage_of = {name: k for k, st in enumerate(stages) for name in st["stage_nodes"]}

    def stage_index(layer: dict) -> int | None:
        name = layer["name"]
        return stage_of.get(name.split("@p")[0], -1) if "@p" in name else None

    rows: list[tuple[int, int, dict]] = []
    i = 0
    while i < len(layers):
        k = stage_index(layers[i]) if stages else None
        if k is None:
            rows.append((i, i, layers[i]))
            i += 1
            continue
        j = i
        while j + 1 < len(layers) and stage_index(layers[j + 1]) == k:
            j += 1
        stage = layers[i:j + 1]
        pastes = [layer for layer in stage if layer["op"] == "paste"]
        st = stages[k] if k >= 0 else stages[0]
        rows.append((i, j, {
            "name": f"patched stage ({stage_grid_text(st)})",
            "op": f"{len(st['stage_nodes'])} layers",
            "output_shape": pastes[-1]["output_shape"] if pastes else [],
            "output_bytes": pastes[0]["output_bytes"] if pastes else 0,
            "weights_bytes": sum(layer["weights_bytes"] for layer in stage),
            "live_bytes": max(layer["live_bytes"] for layer in stage),
        }))
        i = j + 1
    return rows


def print_patch_schedule(patch: dict, console) -> None:
    """The chosen patch-based schedule and the trade-offs the search weighed."""
    from rich.table import Table

    def short(name: str) -> str:  # TFLite names are ';'-joined lists of every op fused into the layer
        return name.split(";")[0]

    off = patch["arena_bytes_layer_by_layer"]
    if patch.get("target_default"):  # the user did not ask for it: say where it came from and how to turn it off
        console.print("patch-based scheduling: --patch auto, the target's default (--patch off: layer by layer)")
    if patch.get("grid"):
        stages = ", then ".join(f"{len(st['stage_nodes'])} layers up to {short(st['split'])} in "
                                f"{stage_grid_text(st)}{'' if st.get('bands') else ' patches'}"
                                for st in patch_stage_rows(patch))
        console.print(f"patch-based schedule: {stages}; arena {patch['arena_bytes']:,} B vs {off:,} B "
                      f"layer by layer, {patch['mac_overhead']:+.1%} MACs, about "
                      f"{patch.get('instruction_overhead_estimate', 0.0):+.1%} instructions (estimated)")
    else:
        console.print(f"patch-based schedule: none better than layer by layer ({off:,} B) within "
                      f"{patch['max_mac_overhead']:.0%} more MACs and estimated instructions")
    if patch.get("candidates"):
        table = Table(title="best patch candidates (arena planned by greedy-by-size, or its lower bound)")
        for col in ("split after", "grid", "arena B", "lower bound B", "MAC overhead", "instructions (est.)"):
            table.add_column(col, justify="left" if col == "split after" else "right")
        for c in patch["candidates"]:
            arena = f"{c['arena_bytes']:,}" if c["arena_bytes"] is not None else "not planned"
            stages = c.get("stages") or [c]  # a schedule of several stages: each split and grid, in order
            table.add_row(", ".join(short(st["split"]) for st in stages),
                          ", ".join(stage_grid_text(st) for st in stages), arena, f"{c['lower_bound_bytes']:,}",
                          f"{c['mac_overhead']:+.1%}", f"{c.get('instruction_overhead_estimate', 0.0):+.1%}")
        console.print(table)


WEIGHTED_INT8_OPS = ("conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "fully_connected_hybrid", "conv2d_add_s8",
                     "conv2d_add_q8")


def add_ternary_report(report: dict, graph: Graph, ternarized: list[dict] | None = None) -> None:
    """Per weighted int8 layer: its format (int8, ternary-2bit, ternary-base3), its weight bytes and, for a ternary
    layer, the kernel (addsub / lut) and the int8 weight bytes it replaces. Weight bytes are the weight array as
    the kernel reads it: int8 weights, or the packed ternary rows plus a_c per channel when the channels' a_c
    differ (one a for the whole layer sits in the kernel's parameters). The per-channel real scales are in the
    requantisation multipliers, the same for both, and not counted. With --quantize ternary, each layer also
    gets the ternarization's relative L2 error (quantize/ternary.py), and report["ternary"] lists them all."""
    from .quantize.ternary_pack import NAMES

    errors = {t["name"]: t for t in ternarized or []}
    for layer, node in zip(report["layers"], graph.nodes):
        if node.op in ("ternary_conv_s8", "ternary_fc_hybrid"):
            a = node.attrs
            layer["format"] = NAMES[a["format"]]
            layer["kernel"] = ("addsub", "lut")[a["method"]]
            layer["weight_bytes"] = sum(graph.tensors[t].nbytes for t in node.inputs[1:2] + node.inputs[5:])
            layer["int8_weight_bytes"] = a["int8_weight_bytes"]
        elif node.op in WEIGHTED_INT8_OPS:
            layer["format"] = "int8"
            layer["weight_bytes"] = layer["int8_weight_bytes"] = graph.tensors[node.inputs[1]].nbytes
        else:
            continue
        source = errors.get(layer["name"])
        if source is not None:
            layer["ternarization"] = {"method": source["method"], "relative_l2_error": source["error"]}
    if ternarized is not None:
        report["ternary"] = {"layers": ternarized}
