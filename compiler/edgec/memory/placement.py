"""Placing buffers one by one into the arena: the step shared by the planners."""

from __future__ import annotations

from .liveness import Buffer


def free_gaps(placed: list[tuple[Buffer, int]], buf: Buffer) -> tuple[list[tuple[int, int]], int]:
    """The gaps (start, length) between placed buffers live at the same time as `buf` that can hold it, in
    address order, and the end of the highest of those buffers (above it everything is free)."""
    return gaps_between(sorted((off, off + b.size) for b, off in placed if b.overlaps_in_time(buf)), buf.size)


def gaps_between(busy: list[tuple[int, int]], size: int) -> tuple[list[tuple[int, int]], int]:
    """free_gaps over the (start, end) ranges of the buffers in the way, sorted by start."""
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for start, end in busy:
        if start - cursor >= size:
            gaps.append((cursor, start - cursor))
        cursor = max(cursor, end)
    return gaps, cursor


def place_in_order(order: list[Buffer], best_fit: bool) -> dict[str, int]:
    """Give each buffer, in order, an offset that does not collide with any buffer placed before it that is
    live at the same time: the lowest such offset (first fit) or the one in the tightest gap (best fit).
    Placed buffers are indexed by the steps they live at, so a buffer meets only those it overlaps in time (a
    patched graph has hundreds of short-lived tiles; the patch search plans many such graphs)."""
    at_step: dict[int, list[tuple[int, int, int]]] = {}  # step -> (start, end, placement index)
    offsets: dict[str, int] = {}
    for k, buf in enumerate(order):
        seen: set[int] = set()
        busy = []
        for step in range(buf.first, buf.last + 1):
            for start, end, j in at_step.get(step, ()):
                if j not in seen:
                    seen.add(j)
                    busy.append((start, end))
        gaps, top = gaps_between(sorted(busy), buf.size)
        chosen = top
        if gaps:
            chosen = min(gaps, key=lambda g: (g[1], g[0]))[0] if best_fit else gaps[0][0]
        offsets[buf.name] = chosen
        for step in range(buf.first, buf.last + 1):
            at_step.setdefault(step, []).append((chosen, chosen + buf.size, k))
    return offsets


def arena_size(buffers: list[Buffer], offsets: dict[str, int]) -> int:
    return max((offsets[b.name] + b.size for b in buffers), default=0)


def check_no_overlap(buffers: list[Buffer], offsets: dict[str, int]) -> None:
    """Raise if two buffers live at the same time share bytes: a planner bug, never a user error. A sweep over
    the buffers by first step, each checked against those still live then."""
    live: list[Buffer] = []
    for b in sorted(buffers, key=lambda x: x.first):
        live = [a for a in live if a.last >= b.first]
        b0 = offsets[b.name]
        for a in live:
            a0 = offsets[a.name]
            if a0 < b0 + b.size and b0 < a0 + a.size:
                raise AssertionError(f"planner overlap: {a} at {a0} and {b} at {b0}")
        live.append(b)
