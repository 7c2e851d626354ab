"""A small exact search: branch and bound over the order in which buffers are placed by first fit.

Why an order is enough: take any valid placement and place its buffers by first fit in order of their
offsets; each lands at or below where it was, so the arena does not grow. Repeating this reaches a placement
that first fit reproduces with non-decreasing offsets. So the search only extends an order with a buffer
whose first-fit offset is >= the last one (ties in index order), and bounds a partial order by the
unplaced buffers live at one step stacked above that offset. It starts from the best of the heuristics, stops at the
lower bound, and gives up after a fixed number of first-fit evaluations: deterministic, and exact whenever it
finishes within the budget (small graphs). Larger graphs get the heuristic answer back.
"""

from __future__ import annotations

from . import best_fit_orderings, greedy_by_breadth, ping_pong
from .liveness import Buffer, lower_bound
from .placement import arena_size, free_gaps

MAX_BUFFERS = 64
BUDGET = 20_000  # first-fit evaluations: ~0.3 s of Python at most


def first_fit(placed: list[tuple[Buffer, int]], buf: Buffer) -> int:
    gaps, top = free_gaps(placed, buf)
    return gaps[0][0] if gaps else top


def search(buffers: list[Buffer], steps: int, upper: dict[str, int], budget: int = BUDGET) -> tuple[dict[str, int], bool]:
    """The best placement found and whether it is proven optimal."""
    bufs = sorted(buffers, key=lambda b: (b.first, b.name))
    lb = lower_bound(bufs, steps)
    best = dict(upper)
    best_size = arena_size(bufs, best)
    if best_size <= lb:
        return best, True
    lo_step = min(b.first for b in bufs)
    width = max(b.last for b in bufs) - lo_step + 1
    unplaced_live = [0] * width
    for b in bufs:
        for s in range(b.first, b.last + 1):
            unplaced_live[s - lo_step] += b.size
    placed: list[tuple[Buffer, int]] = []
    used = [False] * len(bufs)
    left = [budget]

    def dfs(last_off: int, last_idx: int, top: int) -> bool:  # True: stop (lower bound reached or budget spent)
        nonlocal best, best_size
        if len(placed) == len(bufs):
            if top < best_size:
                best, best_size = {b.name: off for b, off in placed}, top
            return best_size <= lb
        candidates = []
        for i, b in enumerate(bufs):
            if used[i]:
                continue
            if left[0] <= 0:
                return True
            left[0] -= 1
            off = first_fit(placed, b)
            if off < last_off or (off == last_off and i < last_idx):
                continue
            if max(top, off + b.size) >= best_size:
                continue
            candidates.append((off, -b.size, i))
        for off, _, i in sorted(candidates):
            b = bufs[i]
            used[i] = True
            placed.append((b, off))
            for s in range(b.first, b.last + 1):
                unplaced_live[s - lo_step] -= b.size
            bound = max(top, off + b.size, off + max(unplaced_live))
            stop = bound < best_size and dfs(off, i, max(top, off + b.size))
            for s in range(b.first, b.last + 1):
                unplaced_live[s - lo_step] += b.size
            placed.pop()
            used[i] = False
            if stop or left[0] <= 0:
                return True
        return False

    dfs(0, -1, 0)
    return best, best_size <= lb or left[0] > 0


def plan(buffers: list[Buffer], steps: int) -> dict[str, int]:
    starts = [m.plan(buffers, steps) for m in (best_fit_orderings, ping_pong, greedy_by_breadth)]
    start = min(starts, key=lambda offsets: arena_size(buffers, offsets))
    if len(buffers) > MAX_BUFFERS:
        return start
    return search(buffers, steps, start)[0]
