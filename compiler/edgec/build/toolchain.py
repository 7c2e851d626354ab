"""Running C compilers: find them, compile generated code, measure object sizes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import ToolchainError

WARNING_FLAGS = ("-Wall", "-Wextra", "-Werror")

INSTALL_HINT = {
    "arm-none-eabi-gcc": "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi",
    "gcc": "apt-get install gcc",
    "clang": "apt-get install clang",
    "aarch64-linux-gnu-gcc": "apt-get install gcc-aarch64-linux-gnu",
}


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        hint = INSTALL_HINT.get(Path(name).name)
        raise ToolchainError(f"compiler '{name}' not found on PATH" + (f" (install it: {hint})" if hint else ""))
    return path


def run_tool(cmd: list[str], what: str, cwd: Path | None = None, timeout: float = 600) -> str:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolchainError(f"{what} timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
    if proc.returncode != 0:
        raise ToolchainError(f"{what} failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n{proc.stderr.strip()}")
    return proc.stdout


def c_sources(out_dir: Path) -> list[Path]:
    return sorted(Path(out_dir).glob("*.c"))


def compile_objects(cc: str, cflags: list[str], out_dir: Path, obj_dir: Path) -> list[Path]:
    """Compile every generated .c in out_dir to an object in obj_dir (-ffreestanding, warnings are errors)."""
    cc_path = require_tool(cc)
    obj_dir.mkdir(parents=True, exist_ok=True)
    objs = []
    for src in c_sources(out_dir):
        obj = obj_dir / (src.stem + ".o")
        run_tool([cc_path, *cflags, *WARNING_FLAGS, "-ffreestanding", "-I", str(out_dir), "-c", str(src), "-o", str(obj)],
                 f"compiling {src.name} with {cc}")
        objs.append(obj)
    return objs


def section_sizes(cc: str, objs: list[Path]) -> dict[str, int]:
    """text/data/bss of objects, with the `size` tool that belongs to the compiler."""
    size_tool = cc[: -len("gcc")] + "size" if cc.endswith("gcc") else "size"
    tool = shutil.which(size_tool) or shutil.which("size")
    if tool is None:
        raise ToolchainError(f"'{size_tool}' not found: cannot measure code size")
    out = run_tool([tool, "-A", *map(str, objs)], "measuring sections")
    sizes = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        sec, n = parts[0], int(parts[1])
        for key in sizes:
            if sec == f".{key}" or sec.startswith(f".{key}."):
                sizes[key] += n
    return sizes
