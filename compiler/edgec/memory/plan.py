"""Memory planning: every activation gets an offset in one static arena.

Several small planners each propose a placement; the smallest valid one wins (ties go to the first listed).
Before planning, element-wise outputs are merged into the buffer of an input that dies at their node
(inplace.py), so the buffers, the arena and the lower bound are all those of the merged buffers. The report
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
    # The arena if the graph inputs lived outside it (a camera or DMA buffer of the application's): the figure
    # MCUNet and MCUNetV2 report as peak memory. Planned on its own, not the arena minus the input's size.
    arena_bytes_excluding_inputs: int = 0

    def offset_of(self, root: str) -> int:
        """Offset of a storage root (Graph.storage_root); an in-place output lives in its input's buffer."""
        return self.offsets[self.in_place.get(root, root)]


def best_placement(buffers: list[Buffer], steps: int, planner: str = "best") -> tuple[int, str, dict[str, int]]:
    """(arena bytes, planner name, offsets) of the smallest valid placement among the planners asked for."""
    best = None
    for name in (list(PLANNERS) if planner == "best" else [planner]):
        offsets = PLANNERS[name](buffers, steps)
        check_no_overlap(buffers, offsets)
        size = arena_size(buffers, offsets)
        if best is None or size < best[0]:
            best = (size, name, offsets)
    return best


def plan_memory(graph: Graph, planner: str = "best", in_place: bool = True) -> MemoryPlan:
    merged = in_place_merges(graph) if in_place else {}
    buffers = buffers_of(graph, merged)
    steps = len(graph.nodes)
    size, name, offsets = best_placement(buffers, steps, planner)
    input_roots = {graph.storage_root(t) for t in graph.inputs}  # never merged (inplace.py)
    others = [b for b in buffers if b.name not in input_roots]
    excluding_inputs = best_placement(others, steps, planner)[0] if len(others) < len(buffers) else size
    return MemoryPlan(buffers, offsets, size, lower_bound(buffers, steps), name, live_bytes_per_step(buffers, steps),
                      merged, excluding_inputs)
