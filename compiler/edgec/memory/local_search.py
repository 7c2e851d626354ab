"""Local search over placement orders: start from TFLite Micro's largest-first order, then repeatedly move
one buffer to an earlier place in the order, keeping the move whenever the first-fit arena shrinks.
Deterministic, stops at the lower bound or when no single move helps (or after a fixed budget of trials).

Greedy orders get stuck where a chain of equal-size buffers blocks a larger one (MobileNet's first
blocks: VWW needs 64,512 B greedy, 55,296 B here, which is the lower bound)."""

from __future__ import annotations

from .liveness import Buffer, lower_bound
from .placement import arena_size, place_in_order

WORK_BUDGET = 4_000_000  # ~ trials x buffers^2: a few seconds of Python at most


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    order = sorted(buffers, key=lambda b: (-b.size, b.first, b.name))
    best = place_in_order(order, best_fit=False)
    best_size = arena_size(buffers, best)
    floor = lower_bound(buffers, steps)
    trials = 0
    max_trials = max(20, WORK_BUDGET // max(1, len(order)) ** 2)
    improved = True
    while improved and best_size > floor and trials < max_trials:
        improved = False
        for i in range(1, len(order)):
            for j in range(i):
                trials += 1
                cand = order[:j] + [order[i]] + order[j:i] + order[i + 1 :]
                offsets = place_in_order(cand, best_fit=False)
                size = arena_size(buffers, offsets)
                if size < best_size:
                    order, best, best_size, improved = cand, offsets, size, True
                    break
                if trials >= max_trials:
                    break
            if improved or trials >= max_trials:
                break
    return best
