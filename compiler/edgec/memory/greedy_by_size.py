"""TFLite Micro's greedy planner: largest buffers first, each at the lowest offset where it fits."""

from __future__ import annotations

from .liveness import Buffer
from .placement import place_in_order


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    order = sorted(buffers, key=lambda b: (-b.size, b.first, b.name))
    return place_in_order(order, best_fit=False)
