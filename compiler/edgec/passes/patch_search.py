"""Choosing the patch-based schedule (`--patch off|auto|SPLIT:N[,SPLIT:N...]`) and planning memory for it.

An explicit schedule may list several stages, in order, each with its own grid (patch_schedule.patch_stages).

auto's rule: the smallest arena among the schedules whose extra MACs (patched MACs / original MACs - 1, whole
model) and extra instructions as ops/cost.py estimates them (per-call set-up, crops and pastes, which small
patches multiply beyond their MACs) both stay within `max_overhead`; ties go to the smaller estimated instruction
overhead; none at all (layer by layer) unless that arena is smaller than the layer-by-layer graph's. The schedules
tried: every valid split (patch_schedule.valid_stages) with every n x n grid, n = 2 .. 8, and every pair of such
stages one after the other (the second from the node after the first's split on), their overheads added.

Nothing is built to be weighed: passes/patch_estimate.py counts each stage's MACs, instructions and a lower bound on
its arena from the patches' geometry. Schedules are then built and planned with a fast planner (greedy by size)
in order of that bound, and the search stops when no remaining schedule's bound can beat the best arena found;
pairs are only counted where their bound can beat the best single stage. The winner is planned with the configured
planner and kept only if its arena is smaller than the layer-by-layer graph's planned the same way: auto is never
worse than off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import EdgecError
from ..ir import Graph
from ..memory.plan import MemoryPlan, plan_memory
from ..ops.cost import graph_instructions
from ..ops.macs import node_macs
from .patch_estimate import GraphCounts, StageCost
from .patch_schedule import Bands, Stage, grid_label, patch_stages, resolve_split, valid_stages

SEARCH_PLANNER = "greedy-by-size"
GRIDS = range(2, 9)
DEFAULT_MAX_OVERHEAD = 0.10


@dataclass
class PatchOptions:
    mode: str = "off"  # off | auto | SPLIT:N[,SPLIT:N...]
    max_overhead: float = DEFAULT_MAX_OVERHEAD


@dataclass
class Candidate:
    """A schedule of one or more stages, each (Stage, grid), with its counted overheads and arena bound."""

    stages: list[tuple[Stage, int]]
    labels: list[str]  # the splits' node names
    mac_overhead: float
    instruction_overhead: float  # estimated (ops/cost.py)
    lower_bound: int
    arena: int | None = field(default=None)  # planned with SEARCH_PLANNER (None: pruned by its lower bound)

    @property
    def mode(self) -> str:
        return ",".join(f"{label}:{n}" for label, (_, n) in zip(self.labels, self.stages))

    def row(self) -> dict:
        return {"split": self.labels[0], "grid": self.stages[0][1], "bands": isinstance(self.stages[0][1], Bands),
                "schedule": self.mode,
                "stages": [{"split": label, "grid": n, "bands": isinstance(n, Bands)}
                           for label, (_, n) in zip(self.labels, self.stages)],
                "arena_bytes": self.arena, "lower_bound_bytes": self.lower_bound,
                "mac_overhead": self.mac_overhead, "instruction_overhead_estimate": self.instruction_overhead}


def stage_specs(text: str) -> list[tuple[str, int]]:
    """SPLIT:N[,SPLIT:N...] as (split, n) pairs; a comma inside a node name stays in it (a part without :N is
    joined to the next)."""
    specs, pending = [], ""
    for part in text.split(","):
        pending = f"{pending},{part}" if pending else part
        split, sep, n = pending.rpartition(":")
        bands = n.endswith("r")
        n = n[:-1] if bands else n
        if part and sep and split and n.isdigit() and int(n) >= 1:
            specs.append((split, Bands(int(n)) if bands else int(n)))
            pending = ""
    if pending or not specs or text.endswith(","):
        raise EdgecError(f"--patch '{text}': expected off, auto or SPLIT:N (a node name or index, and the grid size "
                         "N >= 1), SPLIT:Nr (N row bands that keep the rows they share), or several SPLIT:N separated by commas, one per stage, in order")
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


def within(counts: GraphCounts, costs: list[StageCost], max_overhead: float) -> bool:
    return max(counts.overheads(costs)) <= max_overhead


def candidate(graph: Graph, counts: GraphCounts, costs: list[StageCost], outside: int) -> Candidate:
    macs, instructions = counts.overheads(costs)
    return Candidate([(c.stage, c.n) for c in costs], [node_label(graph, c.stage.end) for c in costs], macs,
                     instructions, max([outside] + [counts.peak(c) for c in costs]))


def single_stages(graph: Graph, counts: GraphCounts, max_overhead: float) -> tuple[list[Candidate], int]:
    """Every split x grid within the overhead limit (and how many were over it)."""
    found, over = [], 0
    for stage in valid_stages(graph):
        outside = counts.outside([stage])
        for n in GRIDS:
            cost = counts.stage_cost(stage, n)
            if cost is None:
                continue
            if not within(counts, [cost], max_overhead):
                over += 1
                continue
            found.append(candidate(graph, counts, [cost], outside))
    return found, over


def two_stages(graph: Graph, counts: GraphCounts, singles: list[Candidate], max_overhead: float,
               ceiling: float) -> list[Candidate]:
    """Every pair of stages within the overhead limit whose bound is below `ceiling`, the first stage taken from
    `singles` (those within the limit alone). A pair's bound is no less than the bytes live outside both stages
    or inside either, so most pairs are dropped before their second stage's bytes are counted."""
    found = []
    later: dict[int, list[Stage]] = {}
    for first in singles:
        cost1 = counts.stage_cost(*first.stages[0])
        s1 = cost1.stage
        if counts.peak(cost1) >= ceiling:
            continue
        if s1.end not in later:
            later[s1.end] = valid_stages(graph, s1.end + 1)
        for s2 in later[s1.end]:
            outside = counts.outside([s1, s2])
            if outside >= ceiling:
                continue
            for n in GRIDS:
                cost2 = counts.stage_cost(s2, n)
                if cost2 is None or not within(counts, [cost1, cost2], max_overhead) or counts.peak(cost2) >= ceiling:
                    continue
                found.append(candidate(graph, counts, [cost1, cost2], outside))
    return found


def candidates(graph: Graph, max_overhead: float, depthwise: str = "auto") -> tuple[list[Candidate], int]:
    """Every schedule of one or two stages within the overhead limit, unpruned (and how many single stages were
    over it): the search's candidates before its bound prunes them (tests compare with the built graphs)."""
    counts = GraphCounts(graph, depthwise)
    singles, over = single_stages(graph, counts, max_overhead)
    return singles + two_stages(graph, counts, singles, max_overhead, float("inf")), over


def search_arena(graph: Graph, depthwise: str) -> int:
    """A schedule's arena as the search weighs it: planned with SEARCH_PLANNER, with every depthwise layer that may
    run in place doing so if that is smaller (inplace_depthwise.choose's "first": two plans, where "auto" makes one
    more per layer to drop those that do not pay, which matters to the code, not the arena)."""
    return plan_memory(graph, SEARCH_PLANNER, depthwise="first" if depthwise == "auto" else depthwise).arena_bytes


def plan_in_order(graph: Graph, cands: list[Candidate], best: Candidate | None, depthwise: str) -> Candidate | None:
    """Plan the candidates in order of their bound until none left can beat the best arena (ties: the smaller
    estimated instruction overhead)."""
    for c in sorted(cands, key=lambda c: (c.lower_bound, c.instruction_overhead)):
        if best is not None and (c.lower_bound > best.arena or (c.lower_bound == best.arena and
                                                                 c.instruction_overhead >= best.instruction_overhead)):
            continue
        c.arena = search_arena(patch_stages(graph, c.stages), depthwise)
        if best is None or (c.arena, c.instruction_overhead) < (best.arena, best.instruction_overhead):
            best = c
    return best


def search(graph: Graph, max_overhead: float, depthwise: str = "auto") -> tuple[Candidate | None, list[Candidate], int, int]:
    """(best schedule or None, the schedules counted within the limit best first (planned ones by their arena,
    pruned ones by their bound), how many single stages were over the limit, the layer-by-layer arena under
    SEARCH_PLANNER)."""
    off_arena = search_arena(graph, depthwise)
    counts = GraphCounts(graph, depthwise)
    singles, over = single_stages(graph, counts, max_overhead)
    best = plan_in_order(graph, [c for c in singles if c.lower_bound < off_arena], None, depthwise)
    ceiling = min(off_arena, best.arena) if best is not None else off_arena
    pairs = two_stages(graph, counts, singles, max_overhead, ceiling + 1)  # + 1: a tie may cost fewer instructions
    best = plan_in_order(graph, pairs, best, depthwise)
    ranked = sorted(singles + pairs, key=lambda c: (c.arena if c.arena is not None else c.lower_bound,
                                                    c.arena is None, c.instruction_overhead))
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
        stages = best.stages if best else []
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
    rows = [{"split": node_label(graph, stage.end), "grid": n, "bands": isinstance(n, Bands), "stage_output": stage.output,
             "stage_nodes": [node_label(graph, i) for i in range(stage.start, stage.end + 1)]} for stage, n in stages]
    info.update(rows[0])  # split, grid, stage_nodes, stage_output: the first stage's (and "stages": all of them)
    info.update(stages=rows, arena_bytes=patched_plan.arena_bytes,
                mac_overhead=total_macs(patched) / (total_macs(graph) or 1) - 1.0,
                instruction_overhead_estimate=graph_instructions(patched) / (graph_instructions(graph) or 1.0) - 1.0)
    return patched, patched_plan, info
