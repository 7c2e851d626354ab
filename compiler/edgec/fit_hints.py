"""What would make a model fit: when a compile does not fit its target, say which option would, with its figures,
instead of only by how much it is over.

The figures are estimates from the compiled graph, not compiles: for int8, every float32 activation planned at one
byte (the same planner, the same liveness) and float32 weights at one byte (biases and other 1-D constants stay
four bytes, as int32 biases do, and the requantisation constants per channel), with the code size of this compile. They say which way to go; the compile with
that option prints the real figures. Those are --optimize size's: with speed (the default) the int8 compile may
store fully connected weights wide, but only while its flash stays within 7/8 of the budget (fc_layouts.py), so
the verdict holds.
"""

from __future__ import annotations

import dataclasses

from .ir import Graph
from .memory.plan import plan_memory


def as_int8(graph: Graph) -> Graph:
    """The graph with every float32 activation as int8: the memory shape of its post-training quantized twin."""
    tensors = {name: (dataclasses.replace(t, dtype="int8") if t.dtype == "float32" and not t.is_const else t)
               for name, t in graph.tensors.items()}
    return Graph(tensors, graph.nodes, graph.inputs, graph.outputs, graph.inputs_outside_arena)


SOFTMAX_TABLE_BYTES = 256 * 4  # the int8 softmax's exp table (ops/quantized_s8.py)


def int8_weight_bytes(graph: Graph) -> int:
    """Flash of the int8 twin: one byte per float weight, plus what the int8 kernels keep beside the weights:
    an int32 multiplier and shift per output channel, int32 biases, the softmax's exp table."""
    total, seen = 0, set()
    for node in graph.nodes:
        if node.op == "softmax":
            total += SOFTMAX_TABLE_BYTES
        for name in node.inputs:
            t = graph.tensors[name]
            if not t.is_const or name in seen:
                continue
            seen.add(name)
            if t.dtype == "float32" and len(t.shape) >= 2:
                total += t.elems + 8 * graph.tensors[node.outputs[0]].shape[-1]
            else:
                total += t.nbytes
    return total


def describe(options: str, arena: int, flash: int, report: dict) -> str:
    sram, budget = report["sram_budget_bytes"], report["flash_budget_bytes"]
    over = [f"SRAM {arena - sram:,} B over" if arena > sram else "",
            f"flash {flash - budget:,} B over" if flash > budget else ""]
    verdict = "would fit" if not any(over) else "would still not fit (" + ", ".join(o for o in over if o) + ")"
    return f"with {options}: arena about {arena:,} B, flash about {flash:,} B: {verdict}"


def larger_targets(report: dict, arena: int, flash: int) -> list:
    """The targets of the same core (same -mcpu) as the report's whose budgets hold `arena` and `flash`: the chip
    with more memory that a model too large for this one was designed for (cortex-m7-h743 beside cortex-m7). None
    when the budget was set by hand (--sram, --flash): that is the device, whatever the target file says."""
    from .config import load_target, target_names
    from .errors import EdgecError

    try:
        current = load_target(report.get("target"))
    except (EdgecError, TypeError):
        return []
    if (current.sram_bytes, current.flash_bytes) != (report["sram_budget_bytes"], report["flash_budget_bytes"]):
        return []
    cpu = [f for f in current.cflags if f.startswith("-mcpu=")]
    others = [load_target(n) for n in target_names() if n != current.name]
    return [t for t in others if cpu and [f for f in t.cflags if f.startswith("-mcpu=")] == cpu
            and t.sram_bytes >= arena and t.flash_bytes >= flash]


def fit_hints(graph: Graph, report: dict, planner: str = "best", patch_mode: str = "off") -> list[str]:
    """Hints for a report that does not fit: for a float model, its int8 twin (`--quantize int8`, with the input
    taken as int8), patch-scheduled as the compile was if it searched (`patch_mode` auto); with `--patch auto`
    if the compile ran layer by layer (`patch_mode` off; an explicit SPLIT:N is the user's choice); if that still
    does not fit, a target of the same core with more memory that would hold it. Patch schedules are searched and
    planned with the search's fast planner: an estimate."""
    if report["fits"]:
        return []
    from .passes.patch_search import SEARCH_PLANNER, PatchOptions, schedule_patches

    hints = []
    is_float = any(t.dtype == "float32" and not t.is_const for t in graph.tensors.values())
    if is_float:
        options, graph = "--quantize int8 --calibration DATA --int8-input", as_int8(graph)
        arena = plan_memory(graph, planner).arena_bytes
        flash = int8_weight_bytes(graph) + (report["code_bytes"] or 0)
        hints.append(describe(options, arena, flash, report))
    else:
        options, arena, flash = "", report["arena_bytes"], report["flash_bytes"]
    if patch_mode == "off":
        patched = schedule_patches(graph, PatchOptions("auto"), SEARCH_PLANNER)[1].arena_bytes
        if patched < arena:
            options, arena = f"{options} --patch auto".strip(), patched
            hints.append(describe(options, arena, flash, report))
    elif patch_mode == "auto" and is_float:  # the int8 twin, scheduled as its compile would be by default
        already = bool((report.get("patch") or {}).get("grid"))  # the twin of the patched graph
        patched = arena if already else schedule_patches(graph, PatchOptions("auto"), SEARCH_PLANNER)[1].arena_bytes
        if already or patched < arena:
            arena = patched
            hints[-1] = describe(f"{options} (patch-scheduled, as by default)", arena, flash, report)
    if arena > report["sram_budget_bytes"] or flash > report["flash_budget_bytes"]:
        hints += [f"{f'with {options} ' if options else ''}on --target {t.name} ({t.description}) it would fit"
                  for t in larger_targets(report, arena, flash)]
    if hints and is_float:
        hints.append("(estimated from this graph at one byte per activation and weight; the compile with those "
                     "options prints the real figures)")
    return hints
