"""Memory planning: every activation gets an offset in one static arena.

Several small planners each propose a placement; the smallest valid one wins (ties go to the first listed).
Before planning, element-wise outputs are merged into the buffer of an input that dies at their node
(inplace.py), so the buffers, the arena and the lower bound are all those of the merged buffers. Depthwise layers
may then write over their own input band by band (inplace_depthwise.py), where that makes the arena smaller. The report
shows the arena against the lower bound (the largest set of buffers live at one time), so a gap is visible,
never hidden.

What the planners see is deliberately small: a buffer is (name, size, first step, last step), so what comes
next changes liveness, not the planners:
  - int8 / ternary kernels: sizes come from the element size (DTYPE_BYTES); in-place needs equal element sizes,
    so a requantising int8 op registers in ir.IN_PLACE_OPS only if its kernel writes what it reads;
  - patch-by-patch stages: the stage's loop becomes steps of its own (one per patch and layer), its per-patch
    buffers get short intervals and the stage output one spanning the loop; the planners place them unchanged;
  - a backward pass: an activation kept for its gradient is live from its forward step to its backward step,
    gradient accumulators from first to last write; element-wise backward ops may run in place the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import Graph
from . import best_fit_orderings, branch_and_bound, greedy_by_breadth, greedy_by_size, ping_pong
from . import inplace_depthwise
from .inplace import in_place_merges
from .liveness import Buffer, buffers_of, live_bytes_per_step, lower_bound
from .placement import arena_size, check_no_overlap

PLANNERS = {
    "greedy-by-size": greedy_by_size.plan,
    "greedy-by-breadth": greedy_by_breadth.plan,
    "ping-pong": ping_pong.plan,
    "best-fit-orderings": best_fit_orderings.plan,
    "branch-and-bound": branch_and_bound.plan,
}


@dataclass
class MemoryPlan:
    buffers: list[Buffer]
    offsets: dict[str, int]
    arena_bytes: int
    lower_bound: int
    planner: str
    live_bytes: list[int]  # per step, from step -1 (inputs written) to len(nodes) (outputs read)
    in_place: dict[str, str] = field(default_factory=dict)  # in-place output -> buffer it writes into
    # in-place depthwise outputs (also in in_place) -> their band schedule (inplace_depthwise.py)
    depthwise_bands: dict[str, inplace_depthwise.BandSchedule] = field(default_factory=dict)

    def offset_of(self, root: str) -> int:
        """Offset of a storage root (Graph.storage_root); an in-place output lives in its input's buffer."""
        return self.offsets[self.in_place.get(root, root)]


def best_placement(buffers: list[Buffer], steps: int, planner: str = "best") -> tuple[int, str, dict[str, int]]:
    """(arena bytes, planner name, offsets) of the smallest valid placement among the planners asked for."""
    best = None
    names = list(PLANNERS) if planner == "best" else [planner]
    if planner == "best" and len(buffers) > branch_and_bound.MAX_BUFFERS:
        names.remove("branch-and-bound")  # it would return the best of three planners already in the list
    for name in names:
        offsets = PLANNERS[name](buffers, steps)
        check_no_overlap(buffers, offsets)
        size = arena_size(buffers, offsets)
        if best is None or size < best[0]:
            best = (size, name, offsets)
    return best


def plan_memory(graph: Graph, planner: str = "best", in_place: bool = True, depthwise: str = "auto") -> MemoryPlan:
    """depthwise: "auto" | "always" | "never", which depthwise layers run over their own input
    (inplace_depthwise.choose); only with in_place."""
    merged = in_place_merges(graph) if in_place else {}
    steps = len(graph.nodes)

    def place(merges: dict[str, str], extra: list[Buffer], bands: dict) -> MemoryPlan:
        buffers = sorted(buffers_of(graph, merges) + extra, key=lambda b: (b.first, b.name))
        size, name, offsets = best_placement(buffers, steps, planner)
        return MemoryPlan(buffers, offsets, size, lower_bound(buffers, steps), name,
                          live_bytes_per_step(buffers, steps), merges, bands)

    plan = place(merged, [], {})
    if in_place:  # depthwise layers over their own input, where that shrinks the arena
        plan = inplace_depthwise.choose(graph, merged, place, plan, depthwise)
    return plan


def arena_excluding_inputs(graph: Graph, plan: MemoryPlan, planner: str = "best") -> int:
    """The arena if the graph inputs lived outside it (a camera or DMA buffer of the application's): the figure
    MCUNet and MCUNetV2 report as peak memory. The plan's other buffers placed on their own, not the arena minus the
    input's size. Only for the report: the planning searches (patch schedules, in-place choices) never need it."""
    input_roots = {graph.storage_root(t) for t in graph.inputs}  # never merged (inplace.py, inplace_depthwise.py)
    others = [b for b in plan.buffers if b.name not in input_roots]
    if len(others) == len(plan.buffers):
        return plan.arena_bytes
    return best_placement(others, len(graph.nodes), planner)[0]
