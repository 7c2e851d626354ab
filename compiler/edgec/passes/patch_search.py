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
TARGET_DEFAULT = "default"  # --patch not given: the target's own (targets/*.toml `patch`: auto on Cortex-M)


@dataclass
class PatchOptions:
    mode: str = TARGET_DEFAULT  # default | off | auto | SPLIT:N[,SPLIT:N...]
    max_overhead: float = DEFAULT_MAX_OVERHEAD
    from_target: bool = False  # resolved from the target's default rather than asked for (the report says so)


def resolve_patch(options: PatchOptions, target_default: str, layer_by_layer_only: str = "") -> PatchOptions:
    """The mode to compile with: --patch as given, else the target's default. A default yields to a feature that
    runs layer by layer (`layer_by_layer_only`, e.g. EcoTTA's adaptation step), which an explicit --patch is
    refused with instead."""
    if options.mode != TARGET_DEFAULT:
        return options
    mode = "off" if layer_by_layer_only else target_default
    return PatchOptions(mode, options.max_overhead, from_target=True)


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
    if text in ("off", "auto", TARGET_DEFAULT):
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


def band_counts(graph: Graph, stage: Stage, finest_only: bool = False) -> list[Bands]:
    """The row-band schedules weighed for a stage: every output row its own band (the fewest bytes), or two or four
    rows a band (fewer calls, where per-call set-up counts; not weighed inside pairs, whose count they would
    triple)."""
    h = graph.tensors[stage.output].shape[1]
    return [Bands(b) for b in sorted({h} if finest_only else {h, (h + 1) // 2, (h + 3) // 4}, reverse=True) if b >= 2]


def band_stages(graph: Graph, counts: GraphCounts, max_overhead: float, ceiling: float) -> list[Candidate]:
    """Every split in row bands within the overhead limit whose bytes live outside the stage stay below `ceiling`
    (bands are built to be counted: only where they could win)."""
    found = []
    for stage in valid_stages(graph):
        outside = counts.outside([stage])
        if outside >= ceiling:
            continue
        for n in band_counts(graph, stage):
            if counts.band_floor(stage, n) >= ceiling:
                continue
            cost = counts.stage_cost(stage, n)
            if cost is not None and within(counts, [cost], max_overhead) and cost.peak < ceiling:
                found.append(candidate(graph, counts, [cost], outside))
    return found


def pair_options(graph: Graph, counts: GraphCounts, singles: list[Candidate], max_overhead: float,
                 ceiling: float) -> list[tuple[int, int, Stage, int, Stage, int, int]]:
    """The pairs of stages that may beat `ceiling`: (a bound below it, a tie-break, stage 1 and its grid or bands,
    stage 2 and its grid or bands, the bytes live outside both). The first stage in a grid is taken from `singles`
    (those within the limit alone) or in row bands, the second in a grid or in row bands. The bound is the bytes
    live outside both stages or inside either, with a row-band stage's floor (GraphCounts.band_floor) until it is
    built."""
    options = []
    later: dict[int, list[Stage]] = {}
    firsts = [c.stages[0] for c in singles if len(c.stages) == 1 and not isinstance(c.stages[0][1], Bands)]
    firsts += [(s, n) for s in valid_stages(graph) for n in band_counts(graph, s, finest_only=True)]
    for s1, n1 in firsts:
        if s1.end not in later:
            later[s1.end] = valid_stages(graph, s1.end + 1)
        seconds = [(s2, outside) for s2 in later[s1.end] if (outside := counts.outside([s1, s2])) < ceiling]
        if not seconds:
            continue
        if isinstance(n1, Bands):
            bound1 = counts.band_floor(s1, n1)
        else:
            cost1 = counts.stage_cost(s1, n1)
            bound1 = counts.peak(cost1)
        if bound1 >= ceiling:
            continue
        for s2, outside in seconds:
            for n2 in list(GRIDS) + band_counts(graph, s2, finest_only=True):
                if isinstance(n2, Bands):
                    bound2 = counts.band_floor(s2, n2)
                else:  # (a row-band stage's extra instructions are not counted yet, and never below zero)
                    cost2 = counts.stage_cost(s2, n2)
                    if cost2 is None or not within(counts, [cost2] if isinstance(n1, Bands) else [cost1, cost2],
                                                   max_overhead):
                        continue
                    bound2 = counts.peak(cost2)
                bound = max(outside, bound1, bound2)
                if bound < ceiling:
                    options.append((bound, len(options), s1, n1, s2, n2, outside))
    return options


def two_stages(graph: Graph, counts: GraphCounts, singles: list[Candidate], max_overhead: float,
               ceiling: float, plan=None) -> list[Candidate]:
    """Every pair of stages within the overhead limit whose bound is below `ceiling` (pair_options), counted in
    order of their bound. `plan(candidate)`, if given, plans each one found and returns the new ceiling (the best
    arena so far): the pairs whose bound cannot beat it are then never counted, so few row-band stages are built."""
    found = []
    for _, _, s1, n1, s2, n2, outside in sorted(pair_options(graph, counts, singles, max_overhead, ceiling),
                                                key=lambda o: o[:2]):
        if counts.outside([s1, s2]) >= ceiling:
            continue
        costs = [counts.stage_cost(s1, n1), counts.stage_cost(s2, n2)]
        if None in costs or not within(counts, costs, max_overhead) or max(map(counts.peak, costs)) >= ceiling:
            continue
        found.append(candidate(graph, counts, costs, outside))
        if plan is not None:
            ceiling = plan(found[-1])
    return found


def candidates(graph: Graph, max_overhead: float, depthwise: str = "auto") -> tuple[list[Candidate], int]:
    """Every schedule of one or two stages within the overhead limit, unpruned (and how many single stages were
    over it): the search's candidates before its bound prunes them (tests compare with the built graphs)."""
    counts = GraphCounts(graph, depthwise)
    singles, over = single_stages(graph, counts, max_overhead)
    singles += band_stages(graph, counts, max_overhead, float("inf"))
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
    bands = band_stages(graph, counts, max_overhead, ceiling + 1)  # + 1: a tie may cost fewer instructions
    best = plan_in_order(graph, bands, best, depthwise)
    ceiling = min(off_arena, best.arena) if best is not None else off_arena
    state = {"best": best}

    def plan(c: Candidate) -> float:  # + 1: a tie may cost fewer instructions
        state["best"] = plan_in_order(graph, [c], state["best"], depthwise)
        return min(off_arena, state["best"].arena) + 1

    pairs = two_stages(graph, counts, singles, max_overhead, ceiling + 1, plan)
    best = state["best"]
    singles += bands
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
    if mode == TARGET_DEFAULT:
        raise ValueError("schedule_patches: resolve the target's default first (resolve_patch)")
    if mode == "off":
        return graph, plan_memory(graph, planner, depthwise=depthwise), None
    off_plan = plan_memory(graph, planner, depthwise=depthwise)
    info: dict = {"mode": mode, "target_default": options.from_target, "max_mac_overhead": options.max_overhead,
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
