"""Greedy by breadth (Pisarchyk & Lee, 2020): visit the steps with the most live memory first and place
their buffers, largest first, into the tightest gap that holds them (best fit)."""

from __future__ import annotations

from .liveness import Buffer, live_bytes_per_step
from .placement import place_in_order


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    live = live_bytes_per_step(buffers, steps)
    order: list[Buffer] = []
    seen: set[str] = set()
    for step in sorted(range(-1, steps + 1), key=lambda s: (-live[s + 1], s)):
        at_step = [b for b in buffers if b.first <= step <= b.last and b.name not in seen]
        for b in sorted(at_step, key=lambda b: (-b.size, b.name)):
            order.append(b)
            seen.add(b.name)
    return place_in_order(order, best_fit=True)
