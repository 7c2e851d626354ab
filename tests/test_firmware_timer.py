"""The instruction counter counts instructions: a loop of known length, timed by the firmware's SysTick
driver under QEMU -icount shift=0, gives ticks x instructions_per_tick from the board description."""

from __future__ import annotations

import pytest

from board_helpers import build_fixture, require_tools
from edgec.board.boards import load_board
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession

LOOPS = 2_000_000  # subs + bne: 2 instructions each


@pytest.mark.parametrize("board_name", ["mps2-an500", "mps2-an386", "mps2-an505", "mps3-an547"])
def test_ticks_times_instructions_per_tick_is_instructions(tmp_path, board_name):
    require_tools()
    board = load_board(board_name)
    elf = build_fixture("TIMER", tmp_path, board_name, defines={"LOOPS": f"{LOOPS}u"})
    with QemuSession(board, elf) as session, DutClient(session.url, timeout=20) as client:
        client.wait_boot()
        runs = [int(client.command("t")[0][len("m-ticks-"):]) for _ in range(3)]
    measured = [t * board.instructions_per_tick for t in runs]
    for m in measured:
        assert abs(m - 2 * LOOPS) <= 2 * board.instructions_per_tick + 40, (measured, 2 * LOOPS)
    assert max(runs) - min(runs) <= 1  # repeatable to within one tick
