"""Memory planning: every activation gets an offset in one static arena.

Several small planners each propose a placement; the smallest valid one wins. The report shows it against
the lower bound (the largest set of buffers live at one time), so a gap is visible, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import Graph
from . import greedy_by_breadth, greedy_by_size, local_search
from .liveness import Buffer, buffers_of, live_bytes_per_step, lower_bound
from .placement import arena_size, check_no_overlap

PLANNERS = {"greedy-by-size": greedy_by_size.plan, "greedy-by-breadth": greedy_by_breadth.plan,
            "local-search": local_search.plan}


@dataclass
class MemoryPlan:
    buffers: list[Buffer]
    offsets: dict[str, int]
    arena_bytes: int
    lower_bound: int
    planner: str
    live_bytes: list[int]  # per step, from step -1 (inputs written) to len(nodes) (outputs read)

    def offset_of(self, root: str) -> int:
        return self.offsets[root]


def plan_memory(graph: Graph, planner: str = "best") -> MemoryPlan:
    buffers = buffers_of(graph)
    steps = len(graph.nodes)
    names = list(PLANNERS) if planner == "best" else [planner]
    best = None
    for name in names:
        offsets = PLANNERS[name](buffers, steps)
        check_no_overlap(buffers, offsets)
        size = arena_size(buffers, offsets)
        if best is None or size < best[0]:
            best = (size, name, offsets)
    size, name, offsets = best
    return MemoryPlan(buffers, offsets, size, lower_bound(buffers, steps), name, live_bytes_per_step(buffers, steps))
