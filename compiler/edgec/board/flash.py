"""Flashing real boards with pyOCD, OpenOCD or st-flash (whichever the board lists and is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import ToolchainError
from .boards import Board
from .errors import BoardError

TOOLS = ("pyocd", "openocd", "st-flash")
INSTALL = "pyocd (pip install pyocd), openocd (apt-get install openocd) or st-flash (apt-get install stlink-tools)"


def board_tools(board: Board) -> list[str]:
    """The flashing tools this board's description supports, in order of preference."""
    f = board.flash
    return [t for t, key in (("pyocd", "pyocd_target"), ("openocd", "openocd_config"), ("st-flash", "st_flash"))
            if f.get(key)]


def flash_command(board: Board, elf: Path, tool: str) -> list[list[str]]:
    """The command(s) that write `elf` to the board with `tool`."""
    f = board.flash
    if tool == "pyocd":
        return [["pyocd", "load", "--target", f["pyocd_target"], str(elf)]]
    if tool == "openocd":
        return [["openocd", "-f", f["openocd_config"], "-c", f"program {elf} verify reset exit"]]
    if tool == "st-flash":
        # st-flash writes raw binaries at the flash origin
        binary = elf.with_suffix(".bin")
        return [["arm-none-eabi-objcopy", "-O", "binary", str(elf), str(binary)],
                ["st-flash", "--reset", "write", str(binary), f"0x{board.region('code').origin:08x}"]]
    raise BoardError(f"unknown flashing tool '{tool}' (known: {', '.join(TOOLS)})")


def choose_tool(board: Board, tool: str | None = None) -> str:
    tools = board_tools(board)
    if tool is not None:
        if tool not in tools:
            raise BoardError(f"board {board.name} cannot be flashed with {tool} (it supports: {', '.join(tools) or 'none'})")
        if shutil.which(tool) is None:
            raise ToolchainError(f"'{tool}' not found on PATH; install {INSTALL}")
        return tool
    for t in tools:
        if shutil.which(t):
            return t
    raise ToolchainError(f"no flashing tool for board {board.name} found on PATH (it supports: {', '.join(tools)}); "
                         f"install {INSTALL}")


def flash_board(board: Board, elf: Path, tool: str | None = None, timeout: float = 120) -> str:
    if board.emulated:
        raise BoardError(f"board {board.name} is emulated: it is run in QEMU, not flashed")
    tool = choose_tool(board, tool)
    for cmd in flash_command(board, Path(elf), tool):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ToolchainError(f"flashing {board.name} with {tool} timed out after {timeout:.0f} s") from None
        if proc.returncode != 0:
            raise ToolchainError(f"flashing {board.name} failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n"
                                 f"{(proc.stderr or proc.stdout).strip()[-3000:]}")
    return tool
