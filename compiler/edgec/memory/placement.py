"""Placing buffers one by one into the arena: the step shared by the planners."""

from __future__ import annotations

from .liveness import Buffer


def free_gaps(placed: list[tuple[Buffer, int]], buf: Buffer) -> tuple[list[tuple[int, int]], int]:
    """The gaps (start, length) between placed buffers live at the same time as `buf` that can hold it, in
    address order, and the end of the highest of those buffers (above it everything is free)."""
    busy = sorted((off, off + b.size) for b, off in placed if b.overlaps_in_time(buf))
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for start, end in busy:
        if start - cursor >= buf.size:
            gaps.append((cursor, start - cursor))
        cursor = max(cursor, end)
    return gaps, cursor


def place_in_order(order: list[Buffer], best_fit: bool) -> dict[str, int]:
    """Give each buffer, in order, an offset that does not collide with any buffer placed before it that is
    live at the same time: the lowest such offset (first fit) or the one in the tightest gap (best fit)."""
    placed: list[tuple[Buffer, int]] = []
    offsets: dict[str, int] = {}
    for buf in order:
        gaps, top = free_gaps(placed, buf)
        chosen = top
        if gaps:
            chosen = min(gaps, key=lambda g: (g[1], g[0]))[0] if best_fit else gaps[0][0]
        offsets[buf.name] = chosen
        placed.append((buf, chosen))
    return offsets


def arena_size(buffers: list[Buffer], offsets: dict[str, int]) -> int:
    return max((offsets[b.name] + b.size for b in buffers), default=0)


def check_no_overlap(buffers: list[Buffer], offsets: dict[str, int]) -> None:
    """Raise if two buffers live at the same time share bytes: a planner bug, never a user error."""
    for i, a in enumerate(buffers):
        for b in buffers[i + 1 :]:
            if a.overlaps_in_time(b):
                a0, b0 = offsets[a.name], offsets[b.name]
                if a0 < b0 + b.size and b0 < a0 + a.size:
                    raise AssertionError(f"planner overlap: {a} at {a0} and {b} at {b0}")
