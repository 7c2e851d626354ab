"""Firmware for every board builds with the real cross compiler; a model that does not fit fails at link time
with the region and the overflow; the build/flash/boards commands work end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from board_helpers import AD01, mlp_onnx, require_tools
from edgec.board.boards import board_names, load_board
from edgec.board.errors import BoardError
from edgec.board.firmware import build_firmware
from edgec.board.flash import choose_tool, flash_board, flash_command
from edgec.board.linker import linker_script
from edgec.errors import DoesNotFitError, ToolchainError

REAL_BOARDS = ["stm32f746g-disco", "nucleo-h743zi", "nucleo-l4r5zi", "nrf52840-dk"]
ENV = dict(os.environ, PYTHONPATH=str(Path(__import__("edgec").__path__[0]).parent))


def edgec(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "edgec", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=ENV)


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    return mlp_onnx(tmp_path_factory.mktemp("mlp") / "mlp.onnx")


def test_all_boards_load():
    names = board_names()
    assert set(REAL_BOARDS) | {"mps2-an500", "mps2-an386"} <= set(names)
    for name in names:
        b = load_board(name)
        assert b.emulated == (name.startswith("mps")), name
        script = linker_script(b)
        for r in b.regions:
            assert f"{r.name} (" in script and f"ORIGIN = 0x{r.origin:08x}" in script


@pytest.mark.parametrize("board_name", REAL_BOARDS)
def test_real_board_firmware_links(tmp_path, mlp, board_name):
    require_tools()
    board = load_board(board_name)
    fw = build_firmware(mlp, board, tmp_path)
    assert fw.elf.exists() and fw.map.exists()
    s = fw.sizes
    assert s["flash_bytes"] == s["text"] + s["rodata"] > 0 and s["ram_bytes"] == s["data"] + s["bss"]
    assert s["flash_bytes"] <= board.region("code").length
    assert s["stack"] == board.stack_bytes
    # the vector table is at the start of the code region, where the chip boots from
    nm = subprocess.run(["arm-none-eabi-nm", str(fw.elf)], capture_output=True, text=True, check=True).stdout
    vectors = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(" edgec_vectors"))
    assert vectors == board.region("code").origin
    assert "uart_init" in nm and "timer_init" in nm and "board_init" in nm


def test_model_too_big_for_flash_names_region_and_overflow(tmp_path):
    require_tools()
    with pytest.raises(DoesNotFitError) as info:
        build_firmware(AD01, load_board("stm32f746g-disco"), tmp_path)  # ~1.04 MB of weights + code > 1 MiB
    msg = str(info.value)
    assert "does not fit board stm32f746g-disco" in msg
    assert "region 'flash' (1,048,576 B at 0x08000000) overflowed by" in msg


def test_model_too_big_for_ram_via_cli(tmp_path):
    """A 320 KB activation on the 256 KiB nRF52840: `edgec build` exits 3 naming the RAM region."""
    require_tools()
    big = mlp_onnx(tmp_path / "wide.onnx", n_in=80_000, hidden=1, n_out=1)
    proc = edgec("build", big, "--board", "nrf52840-dk", "-o", tmp_path / "out")
    assert proc.returncode == 3, proc.stderr
    assert "region 'ram' (262,144 B at 0x20000000) overflowed by" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_build_and_flash_cli_on_emulated_board(tmp_path, mlp):
    require_tools()
    out = tmp_path / "out"
    proc = edgec("build", mlp, "--board", "mps2-an500", "-o", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "firmware.elf").exists() and (out / "firmware.map").exists()
    sizes = json.loads((out / "size.json").read_text())
    assert sizes["flash_bytes"] > 0 and "ram_bytes" in sizes
    assert "flash (.text+.rodata)" in proc.stdout, proc.stdout
    proc = edgec("flash", out, "--board", "mps2-an500", timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mps2-an500 (QEMU mps2-an500) booted" in proc.stdout and "model mlp" in proc.stdout


def test_boards_cli_lists_every_board():
    proc = edgec("boards")
    assert proc.returncode == 0, proc.stderr
    for name in board_names():
        assert name in proc.stdout
    assert "QEMU mps2-an500" in proc.stdout and "hardware" in proc.stdout


def test_flash_commands():
    elf = Path("/tmp/fw/firmware.elf")
    b = load_board("nucleo-l4r5zi")
    assert flash_command(b, elf, "pyocd") == [["pyocd", "load", "--target", "stm32l4r5zitx", str(elf)]]
    assert flash_command(b, elf, "openocd") == [["openocd", "-f", "board/st_nucleo_l4.cfg", "-c",
                                                 f"program {elf} verify reset exit"]]
    objcopy, stflash = flash_command(b, elf, "st-flash")
    assert objcopy == ["arm-none-eabi-objcopy", "-O", "binary", str(elf), "/tmp/fw/firmware.bin"]
    assert stflash == ["st-flash", "--reset", "write", "/tmp/fw/firmware.bin", "0x08000000"]
    with pytest.raises(BoardError, match="cannot be flashed with st-flash"):
        choose_tool(load_board("nrf52840-dk"), "st-flash")
    with pytest.raises(BoardError, match="is emulated"):
        flash_board(load_board("mps2-an500"), elf)


def test_missing_flash_tool_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pyocd, openocd or st-flash here
    with pytest.raises(ToolchainError, match="no flashing tool for board nucleo-h743zi found on PATH"):
        flash_board(load_board("nucleo-h743zi"), tmp_path / "firmware.elf")
