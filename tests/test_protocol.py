"""Drive the benchmark firmware on the emulated Cortex-M7 with every command of docs/PROTOCOL.md, including each
error case, and check every reply line."""

from __future__ import annotations

import re

import numpy as np
import pytest

from board_helpers import AD01, require_tools
from edgec.board.boards import load_board
from edgec.board.firmware import build_firmware
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession

BOARD = "mps2-an500"


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    require_tools()
    return build_firmware(AD01, load_board(BOARD), tmp_path_factory.mktemp("proto"))


@pytest.fixture(scope="module")
def dut(firmware):
    with QemuSession(firmware.board, firmware.elf) as session, DutClient(session.url, timeout=30) as client:
        client.boot = client.read_until_ready("boot banner")
        yield client


def test_boot_banner(dut):
    assert dut.boot[0] == "m-timestamp-mode-performance"
    assert re.fullmatch(r"m-lap-us-\d+", dut.boot[1])
    assert dut.boot[2:] == ["m-init-done"]


def test_name(dut):
    assert dut.command("name") == [f"m-name-dut-[{BOARD}]"]


def test_profile(dut, firmware):
    lines = dut.command("profile")
    assert lines[:2] == ["m-profile-[edgec-bench-1]", "m-model-[ad01_fp32]"]
    assert lines[2:] == [f"m-arena-bytes-{firmware.report['arena_bytes']}", f"m-stack-size-{firmware.sizes['stack']}"]


def test_timestamp_increases(dut):
    a, b = dut.command("timestamp"), dut.command("timestamp")
    assert re.fullmatch(r"m-lap-us-\d+", a[0]) and len(a) == 1 and len(b) == 1
    assert int(b[0][9:]) >= int(a[0][9:])


def test_help(dut):
    lines = dut.command("help")
    assert lines[0] == "edgec-bench-1"
    for word in ("help", "name", "timestamp", "db SUBCMD", "load N", "print", "infer N", "results"):
        assert any(word in line for line in lines), word


@pytest.mark.parametrize("cmd, reply", [
    ("db", "e-[Command 'db' requires a subcommand]"),
    ("db load", "e-[Command 'db load' requires the # of bytes]"),
    ("db load 0", "e-[Command 'db load' must be >0 bytes]"),
    ("db load -3", "e-[Command 'db load' must be >0 bytes]"),
    ("db load 100000", "Supplied buffer size 100000 exceeds maximum of 2560"),
    ("infer 0", "e-[Inference iterations must be >0]"),
    ("infer -2 1", "e-[Inference iterations must be >0]"),
    ("infer 1 -1", "e-[Inference warmup must be >=0]"),
    ("layers", "e-[Per-layer profile not built in: edgec bench --layers]"),
    ("bogus", "e-[Unknown command: bogus]"),
    ("", "e-[Unknown command: ]"),
])
def test_error_replies(dut, cmd, reply):
    assert dut.command(cmd) == [reply]


def test_db_load_hex_errors_and_print(dut):
    assert dut.command("db load 10") == ["m-[Expecting 10 bytes]"]
    assert dut.command("db 012") == ["e-[Insufficent number of hex digits]"]
    assert dut.command("db 01zz") == ["e-[Invalid hex digit 'zz']"]
    assert dut.command("db load 10") == ["m-[Expecting 10 bytes]"]
    assert dut.command("db 0001020304") == []
    assert dut.command("db 05060708A9") == ["m-load-done"]
    assert dut.command("db print") == ["m-buffer-00-01-02-03-04-05-06-07", "m-buffer-08-a9"]
    assert dut.command("db ffff") == []  # nothing expected any more: dropped, never written past the buffer
    assert dut.command("db print") == ["m-buffer-00-01-02-03-04-05-06-07", "m-buffer-08-a9"]


def test_command_buffer_holds_80_characters(dut):
    assert dut.command("x" * 100) == [f"e-[Unknown command: {'x' * 80}]"]
    assert dut.command("name") == [f"m-name-dut-[{BOARD}]"]  # and the next command is parsed afresh


def test_31_byte_chunks_like_the_reference_runner(dut):
    data = bytes(range(256)) * 10
    dut.load(data)  # db load 2560, then "db " + 62 hex digits per command
    lines = dut.command("db print")
    assert len(lines) == 320
    assert lines[0] == "m-buffer-00-01-02-03-04-05-06-07" and lines[-1] == "m-buffer-f8-f9-fa-fb-fc-fd-fe-ff"


def check_infer_lines(lines, n, w):
    i = 0
    if w > 0:
        assert lines[:2] == [f"m-warmup-start-{w}", "m-warmup-done"]
        i = 2
    assert lines[i] == f"m-infer-start-{n}"
    t0, t1 = (int(re.fullmatch(r"m-lap-us-(\d+)", l).group(1)) for l in lines[i + 1:i + 3])
    assert t1 > t0
    assert lines[i + 3] == "m-infer-done"
    assert re.fullmatch(r"m-results-\[(-?\d+\.\d{3},){639}-?\d+\.\d{3}\]", lines[i + 4])
    assert re.fullmatch(r"m-instructions-\d+", lines[i + 5])  # extensions, after the table's lines
    assert re.fullmatch(r"m-stack-high-water-\d+", lines[i + 6])
    assert len(lines) == i + 7
    return lines[i + 4]


def test_infer_and_results(dut):
    x = np.random.default_rng(1).uniform(-1, 1, 640).astype(np.float32)
    dut.load(x.tobytes())
    r1 = check_infer_lines(dut.command("infer 1 2"), 1, 2)
    r2 = check_infer_lines(dut.command("infer 2 0"), 2, 0)
    r3 = check_infer_lines(dut.command("infer"), 1, 10)  # defaults N=1, W=10
    assert r1 == r2 == r3
    assert dut.command("results") == [r1]


def test_instructions_scale_with_iterations(dut):
    one, three = dut.infer(1, 0).instructions, dut.infer(3, 0).instructions
    assert abs(three - 3 * one) <= 3 * 80  # within a couple of SysTick ticks per run
