"""Best fit and first fit over several orderings of the buffers; the smallest arena wins.

Greedy-by-size is one ordering (largest first); a chain or a residual block is often packed better in order
of first use, by lifetime, or by how much memory a buffer competes with. Cheap: a handful of O(n^2) passes.
"""

from __future__ import annotations

from .liveness import Buffer
from .placement import arena_size, place_in_order


def orderings(buffers: list[Buffer]) -> list[list[Buffer]]:
    conflict = {b.name: sum(o.size for o in buffers if o.overlaps_in_time(b)) for b in buffers}
    keys = [
        lambda b: (-b.size, b.first, b.name),
        lambda b: (b.first, -b.size, b.name),
        lambda b: (-b.last, -b.size, b.name),
        lambda b: (-(b.last - b.first), -b.size, b.name),
        lambda b: (-b.size * (b.last - b.first + 1), b.name),
        lambda b: (-conflict[b.name], -b.size, b.name),
    ]
    return [sorted(buffers, key=k) for k in keys]


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    best, best_size = {}, None
    for order in orderings(buffers):
        for best_fit in (False, True):
            offsets = place_in_order(order, best_fit)
            size = arena_size(buffers, offsets)
            if best_size is None or size < best_size:
                best, best_size = offsets, size
    return best
