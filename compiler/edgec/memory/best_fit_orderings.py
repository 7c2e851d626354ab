"""Best fit and first fit over several orderings of the buffers; the smallest arena wins.

Greedy-by-size is one ordering (largest first); a chain or a residual block is often packed better in order
of first use, by lifetime, or by how much memory a buffer competes with. Cheap: a handful of O(n^2) passes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from .liveness import Buffer
from .placement import arena_size, place_in_order


def competing_bytes(buffers: list[Buffer]) -> dict[str, int]:
    """{buffer: total size of the buffers live at some step it is (itself included)}: all of them but those that
    die before it is born or are born after it dies, counted with prefix sums (a patched graph has thousands)."""
    by_last = sorted(buffers, key=lambda b: b.last)
    by_first = sorted(buffers, key=lambda b: b.first)
    lasts, firsts = [b.last for b in by_last], [b.first for b in by_first]
    died = list(accumulate((b.size for b in by_last), initial=0))  # died[i]: sizes of the i earliest to die
    born = list(accumulate((b.size for b in by_first), initial=0))
    total = born[-1]
    return {b.name: total - died[bisect_left(lasts, b.first)] - (total - born[bisect_right(firsts, b.last)])
            for b in buffers}


def orderings(buffers: list[Buffer]) -> list[list[Buffer]]:
    conflict = competing_bytes(buffers)
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
