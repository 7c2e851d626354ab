"""Ping-pong: buffers in order of first use, each at the bottom or the top of an arena of fixed size.

In a chain every layer's output goes to the side its input does not occupy, so the arena needs only the
largest input + output pair, which is the lower bound. TFLite Micro's greedy-by-size cannot do this: it
fills from the bottom only. The top depends on the arena size, so the planner tries sizes from the lower
bound up (binary search between it and what first fit needs) and keeps the smallest that works.
"""

from __future__ import annotations

from .liveness import ALIGN, Buffer, lower_bound
from .placement import arena_size, gaps_between, place_in_order


def place_two_sided(order: list[Buffer], cap: int) -> dict[str, int] | None:
    """Each buffer goes to the end opposite the most recently placed buffer it meets in time (the lowest gap
    when that one sits high, the highest gap below `cap` when it sits low); None when one does not fit. Placed
    buffers are indexed by the steps they live at (placement.place_in_order), so a buffer meets only those it
    overlaps in time."""
    at_step: dict[int, list[tuple[int, int, int]]] = {}  # step -> (start, end, placement index)
    offsets: dict[str, int] = {}
    for k, buf in enumerate(order):
        seen: dict[int, tuple[int, int]] = {}
        for step in range(buf.first, buf.last + 1):
            for start, end, j in at_step.get(step, ()):
                seen[j] = (start, end)
        gaps, top = gaps_between(sorted(seen.values()), buf.size)
        if cap - top >= buf.size:
            gaps.append((top, cap - top))
        if not gaps:
            return None
        neighbour = seen[max(seen)] if seen else None  # (start, end) of the most recently placed one
        go_low = neighbour is None or neighbour[0] + (neighbour[1] - neighbour[0]) / 2 >= cap / 2
        if go_low:
            chosen = gaps[0][0]
        else:
            start, length = gaps[-1]
            chosen = (start + length - buf.size) // ALIGN * ALIGN
            if chosen < start:
                chosen = start
        offsets[buf.name] = chosen
        for step in range(buf.first, buf.last + 1):
            at_step.setdefault(step, []).append((chosen, chosen + buf.size, k))
    return offsets


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    order = sorted(buffers, key=lambda b: (b.first, -b.size, b.name))
    fallback = place_in_order(order, best_fit=False)
    lo, hi = lower_bound(buffers, steps), arena_size(buffers, fallback)
    best = fallback
    for cap in (lo, hi):  # the bound itself first: for a chain it is met exactly
        offsets = place_two_sided(order, cap)
        if offsets is not None and arena_size(buffers, offsets) < arena_size(buffers, best):
            best = offsets
    lo_u, hi_u = lo // ALIGN, (arena_size(buffers, best) - 1) // ALIGN
    while lo_u <= hi_u:  # feasibility is not monotone in the cap; binary search finds a good one, not the best
        mid = (lo_u + hi_u) // 2
        offsets = place_two_sided(order, mid * ALIGN)
        if offsets is not None and arena_size(buffers, offsets) < arena_size(buffers, best):
            best = offsets
            hi_u = (arena_size(buffers, best) - 1) // ALIGN
        else:
            lo_u = mid + 1
    return best
