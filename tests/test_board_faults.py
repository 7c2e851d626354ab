"""Faults end in a clear error within the time-out and leave no emulator behind: a QEMU killed mid-run, a
firmware that never answers, one that never prints m-ready, garbage on the line, a HardFault, a wrong port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from board_helpers import AD01, build_fixture, processes_running, require_tools, wait_gone
from edgec.board.boards import load_board
from edgec.board.errors import FirmwareFaultError, SerialError
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession, free_port

BOARD = load_board("mps2-an500")
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    require_tools()
    out = tmp_path_factory.mktemp("faults")
    return {mode: build_fixture(mode, out) for mode in ("SILENT", "NO_READY", "GARBAGE", "HARDFAULT")}


def run_until_error(elf, action, timeout=TIMEOUT):
    """Start QEMU, run `action(client)`, return (error, seconds) and check QEMU is gone afterwards."""
    t = time.monotonic()
    with pytest.raises(SerialError) as info:
        with QemuSession(BOARD, elf) as session, DutClient(session.url, timeout=timeout) as client:
            action(client)
    elapsed = time.monotonic() - t
    assert processes_running(str(elf)) == []
    return info.value, elapsed


def test_firmware_that_never_answers(fixtures):
    err, elapsed = run_until_error(fixtures["SILENT"], lambda c: c.wait_boot())
    assert "time-out" in str(err) and "boot banner" in str(err) and "nothing received" in str(err)
    assert elapsed < TIMEOUT + 5


def test_board_that_never_prints_ready(fixtures):
    err, elapsed = run_until_error(fixtures["NO_READY"], lambda c: c.wait_boot())
    assert "time-out" in str(err) and "last line: 'm-init-done'" in str(err)
    assert elapsed < TIMEOUT + 5


def test_garbage_on_the_line(fixtures):
    def action(c):
        c.wait_boot()
        c.command("name")

    err, elapsed = run_until_error(fixtures["GARBAGE"], action)
    assert "garbage on the serial line" in str(err)
    assert elapsed < TIMEOUT


def test_hardfault_is_reported(fixtures):
    def action(c):
        c.wait_boot()
        c.command("name")

    err, elapsed = run_until_error(fixtures["HARDFAULT"], action)
    assert isinstance(err, FirmwareFaultError)
    assert re_search(r"HardFault pc=0x[0-9a-f]{8} lr=0x[0-9a-f]{8} cfsr=0x00010000", str(err))  # UNDEFINSTR
    assert elapsed < TIMEOUT


def re_search(pattern, text):
    import re

    return re.search(pattern, text) is not None


def test_qemu_killed_mid_run(tmp_path):
    require_tools()
    elf = build_fixture("TIMER", tmp_path, defines={"LOOPS": "0xFFFFFFFFu"})  # 8.6e9 instructions: minutes
    t = time.monotonic()
    with pytest.raises(SerialError, match="connection to .* lost while waiting for reply to 'infer 1 0'"):
        with QemuSession(BOARD, elf) as session, DutClient(session.url, timeout=20) as client:
            client.wait_boot()
            threading.Timer(1.0, lambda: os.killpg(session.proc.pid, signal.SIGKILL)).start()
            client.command("infer 1 0")  # only the kill ends it
    assert time.monotonic() - t < 10
    assert processes_running(str(elf)) == []


def test_wrong_port():
    with pytest.raises(SerialError, match="cannot open serial port /dev/ttyEDGEC_NOPE"):
        DutClient("/dev/ttyEDGEC_NOPE")
    port = free_port()  # nothing listens there
    with pytest.raises(SerialError, match=f"cannot open serial port socket://127.0.0.1:{port}"):
        DutClient(f"socket://127.0.0.1:{port}")


def test_cli_wrong_port_is_a_clear_error(tmp_path):
    """`edgec bench --port` on a port that does not exist: exit 5, one clear line, no traceback."""
    require_tools()
    env = dict(os.environ, PYTHONPATH=str(__import__("edgec").__path__[0].rsplit("/", 1)[0]))
    proc = subprocess.run([sys.executable, "-m", "edgec", "bench", str(AD01), "--board", "nucleo-l4r5zi",
                           "--port", "/dev/ttyEDGEC_NOPE", "--no-flash", "--runs", "1", "-o", str(tmp_path / "fw")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 5, proc.stderr
    assert "edgec: error: cannot open serial port /dev/ttyEDGEC_NOPE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_interrupted_bench_leaves_no_qemu(tmp_path):
    """Ctrl-C (SIGINT) in the middle of `edgec bench`: exit 130 and the emulator is gone."""
    require_tools()
    env = dict(os.environ, PYTHONPATH=str(__import__("edgec").__path__[0].rsplit("/", 1)[0]))
    out = tmp_path / "fw"
    # as from a terminal: Ctrl-C's default action, even when the suite itself was started in the background
    # with SIGINT ignored (a shell's `cmd &` without job control), which the child would inherit
    proc = subprocess.Popen([sys.executable, "-m", "edgec", "bench", str(AD01), "--board", "mps2-an500",
                             "--runs", "100000", "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    qemu = f"-kernel {out / 'firmware.elf'}"  # QEMU's command line, not the linker's (-o .../firmware.elf)
    try:
        deadline = time.monotonic() + 120
        while not processes_running(qemu) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert processes_running(qemu), "QEMU never started"
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            still = processes_running(str(out))
            proc.kill()
            _, stderr = proc.communicate()
            pytest.fail(f"edgec bench still ran 30 s after SIGINT; processes on {out}: {still}; stderr: {stderr}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert wait_gone(str(out / "firmware.elf")) == []


def test_killed_edgec_takes_qemu_with_it(tmp_path):
    """SIGKILL leaves no chance to clean up: the kernel ends QEMU (PR_SET_PDEATHSIG) with its parent."""
    require_tools()
    elf = build_fixture("SILENT", tmp_path)
    code = ("import sys, time; from pathlib import Path; from edgec.board.boards import load_board; "
            "from edgec.board.qemu import QemuSession; "
            f"s = QemuSession(load_board('mps2-an500'), Path({str(elf)!r})).start(); print('up', flush=True); "
            "time.sleep(60)")
    env = dict(os.environ, PYTHONPATH=str(__import__("edgec").__path__[0].rsplit("/", 1)[0]))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "up"
        assert processes_running(str(elf))
        proc.kill()
        proc.wait(10)
        assert wait_gone(str(elf)) == []
    finally:
        if proc.poll() is None:
            proc.kill()
