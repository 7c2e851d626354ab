"""Choosing the patch-based schedule (`--patch off|auto|SPLIT:N[,SPLIT:N...]`) and planning memory for it.

An explicit schedule may list several stages, in order, each with its own grid (patch_schedule.patch_stages);
auto searches one stage.

auto tries every valid split (patch_schedule.valid_stages) with every n x n grid, n = 2 .. 8: each candidate's
MAC overhead (patched MACs / original MACs - 1, whole model) and its estimated instruction overhead (ops/cost.py:
per-call set-up, crops and pastes, which small patches multiply beyond their MACs) must both stay within
`max_overhead`; among those the smallest arena wins (ties: the smaller estimated overhead). Candidates are planned with a fast planner (greedy by size)
in order of their lower bound (the largest set of buffers live at one time), and the search stops when no
remaining candidate's lower bound can beat the best arena found. The winner is then planned with the
configured planner, and kept only if its arena is smaller than the layer-by-layer graph's planned the same way:
auto is never worse than off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import EdgecError
from ..ir import Graph
from ..memory.inplace import in_place_merges
from ..memory import inplace_depthwise
from ..memory.liveness import buffers_of, lower_bound
from ..memory.plan import MemoryPlan, plan_memory
from ..ops.cost import graph_instructions
from ..ops.macs import node_macs
from .patch_schedule import Stage, patch_stage, patch_stages, resolve_split, valid_stages

SEARCH_PLANNER = "greedy-by-size"
GRIDS = range(2, 9)
DEFAULT_MAX_OVERHEAD = 0.10


@dataclass
class PatchOptions:
    mode: str = "off"  # off | auto | SPLIT:N
    max_overhead: float = DEFAULT_MAX_OVERHEAD


@dataclass
class Candidate:
    stage: Stage
    split: str  # name of the node the stage ends after
    n: int
    mac_overhead: float
    instruction_overhead: float  # estimated (ops/cost.py)
    lower_bound: int
    graph: Graph = field(repr=False)
    arena: int | None = None  # planned with SEARCH_PLANNER (None: pruned by its lower bound)

    def row(self) -> dict:
        return {"split": self.split, "grid": self.n, "arena_bytes": self.arena, "lower_bound_bytes": self.lower_bound,
                "mac_overhead": self.mac_overhead, "instruction_overhead_estimate": self.instruction_overhead}


def stage_specs(text: str) -> list[tuple[str, int]]:
    """SPLIT:N[,SPLIT:N...] as (split, n) pairs; a comma inside a node name stays in it (a part without :N is
    joined to the next)."""
    specs, pending = [], ""
    for part in text.split(","):
        pending = f"{pending},{part}" if pending else part
        split, sep, n = pending.rpartition(":")
        if part and sep and split and n.isdigit() and int(n) >= 1:
            specs.append((split, int(n)))
            pending = ""
    if pending or not specs or text.endswith(","):
        raise EdgecError(f"--patch '{text}': expected off, auto or SPLIT:N (a node name or index, and the grid size "
                         "N >= 1), or several SPLIT:N separated by commas, one per stage, in order")
    return specs


def parse_patch_mode(text: str) -> str:
    """Validate the syntax of --patch (the splits' names are checked against the graph later)."""
    if text in ("off", "auto"):
        return text
    stage_specs(text)
    return text


def resolve_stages(graph: Graph, mode: str) -> list[tuple[Stage, int]]:
    """The stages of an explicit SPLIT:N[,SPLIT:N...]: each starts after the previous one's split."""
    stages, first = [], 0
    for split, n in stage_specs(mode):
        stage = resolve_split(graph, split, first)
        stages.append((stage, n))
        first = stage.end + 1
    return stages


def total_macs(graph: Graph) -> int:
    return sum(node_macs(graph, nd) for nd in graph.nodes)


def node_label(graph: Graph, index: int) -> str:
    nd = graph.nodes[index]
    return nd.name or nd.outputs[0]


def candidates(graph: Graph, max_overhead: float, depthwise: str = "auto") -> tuple[list[Candidate], int]:
    """Every split x grid within the overhead limit, MACs and estimated instructions (and how many were over
    it), each with a lower bound on its arena that holds whatever the planner then runs in place."""
    base = total_macs(graph) or 1
    base_instructions = graph_instructions(graph) or 1.0
    found, over = [], 0
    for stage in valid_stages(graph):
        _, h, w, _ = graph.tensors[stage.output].shape
        for n in GRIDS:
            if n > h or n > w:
                break
            try:
                g = patch_stage(graph, stage, n)
            except EdgecError:
                continue
            overhead = total_macs(g) / base - 1.0
            instructions = graph_instructions(g) / base_instructions - 1.0
            if max(overhead, instructions) > max_overhead:
                over += 1
                continue
            merged = in_place_merges(g)
            buffers = buffers_of(g, merged)
            lb = (lower_bound(buffers, len(g.nodes)) if depthwise == "never" else
                  inplace_depthwise.lower_bound(g, merged, buffers))
            found.append(Candidate(stage, node_label(graph, stage.end), n, overhead, instructions, lb, g))
    return found, over


def search(graph: Graph, max_overhead: float, depthwise: str = "auto") -> tuple[Candidate | None, list[Candidate], int, int]:
    """(best candidate or None, every candidate within the MAC limit best first (planned ones by their arena,
    pruned ones by their lower bound), how many were over the limit, the layer-by-layer arena under
    SEARCH_PLANNER)."""
    off_arena = plan_memory(graph, SEARCH_PLANNER, depthwise=depthwise).arena_bytes
    cands, over = candidates(graph, max_overhead, depthwise)
    cands.sort(key=lambda c: (c.lower_bound, c.instruction_overhead))
    best: Candidate | None = None
    for c in cands:
        if best is not None and (c.lower_bound > best.arena or (c.lower_bound == best.arena and
                                                                 c.instruction_overhead >= best.instruction_overhead)):
            continue
        c.arena = plan_memory(c.graph, SEARCH_PLANNER, depthwise=depthwise).arena_bytes
        if best is None or (c.arena, c.instruction_overhead) < (best.arena, best.instruction_overhead):
            best = c
    ranked = sorted(cands, key=lambda c: (c.arena if c.arena is not None else c.lower_bound, c.arena is None,
                                          c.instruction_overhead))
    if best is not None and best.arena >= off_arena:
        best = None
    return best, ranked, over, off_arena


def schedule_patches(graph: Graph, options: PatchOptions, planner: str,
                     depthwise: str = "auto") -> tuple[Graph, MemoryPlan, dict | None]:
    """The graph to emit (patched or not), its memory plan, and the report's `patch` object (None when off).
    `depthwise`: which depthwise layers may run over their own input (memory/inplace_depthwise.py), in every plan."""
    mode = parse_patch_mode(options.mode)
    if mode == "off":
        return graph, plan_memory(graph, planner, depthwise=depthwise), None
    off_plan = plan_memory(graph, planner, depthwise=depthwise)
    info: dict = {"mode": mode, "max_mac_overhead": options.max_overhead,
                  "arena_bytes_layer_by_layer": off_plan.arena_bytes}
    if mode == "auto":
        best, ranked, over, _ = search(graph, options.max_overhead, depthwise)
        info["candidates"] = [c.row() for c in ranked[:8]]
        info["candidates_over_mac_limit"] = over
        stages = [(best.stage, best.n)] if best else []
    else:
        stages = resolve_stages(graph, mode)
    chosen = None
    if stages:
        patched = patch_stages(graph, stages)
        patched_plan = plan_memory(patched, planner, depthwise=depthwise)
        if mode != "auto" or patched_plan.arena_bytes < off_plan.arena_bytes:
            chosen = (patched, patched_plan)
    if chosen is None:  # auto found nothing better than layer by layer
        info.update(split=None, grid=None, stage_nodes=[], stages=[], arena_bytes=off_plan.arena_bytes,
                    mac_overhead=0.0, instruction_overhead_estimate=0.0)
        return graph, off_plan, info
    patched, patched_plan = chosen
    rows = [{"split": node_label(graph, stage.end), "grid": n, "stage_output": stage.output,
             "stage_nodes": [node_label(graph, i) for i in range(stage.start, stage.end + 1)]} for stage, n in stages]
    info.update(rows[0])  # split, grid, stage_nodes, stage_output: the first stage's (and "stages": all of them)
    info.update(stages=rows, arena_bytes=patched_plan.arena_bytes,
                mac_overhead=total_macs(patched) / (total_macs(graph) or 1) - 1.0,
                instruction_overhead_estimate=graph_instructions(patched) / (graph_instructions(graph) or 1.0) - 1.0)
    return patched, patched_plan, info
