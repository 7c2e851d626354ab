"""Liveness of activation buffers over the node schedule."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import SCRATCH_OPS, Graph, scratch_buffer

ALIGN = 16  # bytes; enough for any kernel's vector loads (NEON, Helium, SIMD)


def align_up(n: int, a: int = ALIGN) -> int:
    return (n + a - 1) // a * a


@dataclass(frozen=True)
class Buffer:
    """One block of arena memory, live from step `first` to step `last` inclusive.

    Step i is the execution of node i; graph inputs are live from step -1 (they are written before the first
    node runs) and graph outputs to step len(nodes) (they are read after the last one).
    """

    name: str
    size: int
    first: int
    last: int

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last


def buffers_of(graph: Graph, merged: dict[str, str] | None = None) -> list[Buffer]:
    """One buffer per storage root (a tensor and its views); `merged` ({storage root: buffer root}, from
    inplace.in_place_merges) folds in-place outputs into the buffer of the input they overwrite. A node whose
    kernel needs scratch (ir.SCRATCH_OPS) gets a buffer of its own, live at its step only."""
    from .. import ops

    ops.load_all()  # operator modules register their scratch ops on import
    merged = merged or {}
    first: dict[str, int] = {}
    last: dict[str, int] = {}

    def touch(tensor: str, step: int) -> None:
        t = graph.tensors[tensor]
        if t.is_const:
            return
        root = graph.storage_root(tensor)
        if graph.outside_arena(root) or graph.tensors[root].state:  # the caller's buffer, or kept between runs
            return
        root = merged.get(root, root)
        first[root] = min(first.get(root, step), step)
        last[root] = max(last.get(root, step), step)

    for name in graph.inputs:
        touch(name, -1)
    for step, node in enumerate(graph.nodes):
        for name in node.inputs + node.outputs:
            touch(name, step)
    for name in graph.outputs:
        touch(name, len(graph.nodes))
    scratch = [Buffer(scratch_buffer(node), align_up(SCRATCH_OPS[node.op](graph, node)), step, step)
               for step, node in enumerate(graph.nodes) if node.op in SCRATCH_OPS]
    return sorted([Buffer(root, align_up(graph.tensors[root].nbytes), first[root], last[root]) for root in first]
                  + scratch, key=lambda b: (b.first, b.name))


def live_bytes_per_step(buffers: list[Buffer], steps: int) -> list[int]:
    """Sum of live buffer sizes at each step from -1 to `steps` (index 0 is step -1)."""
    live = [0] * (steps + 2)
    for b in buffers:
        for s in range(b.first, b.last + 1):
            live[s + 1] += b.size
    return live


def lower_bound(buffers: list[Buffer], steps: int) -> int:
    """No placement can use less than the largest set of buffers live at one time."""
    return max(live_bytes_per_step(buffers, steps), default=0)
