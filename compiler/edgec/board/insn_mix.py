"""The instruction mix of the benchmark's timed window on an emulated board: edgec's QEMU TCG plugin
(qemu_plugin/insn_mix.c), built on first use with the host C compiler into a cache folder keyed by its source,
loaded into QEMU with the addresses of the firmware's window markers, and its counts read back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..build.toolchain import require_tool, run_tool
from ..errors import ToolchainError

PLUGIN_DIR = Path(__file__).resolve().parent / "qemu_plugin"
PLUGIN_SOURCES = (PLUGIN_DIR / "insn_mix.c", PLUGIN_DIR / "qemu_plugin_api.h")
WINDOW_MARKERS = ("edgec_bench_window_begin", "edgec_bench_window_end")  # firmware_templates/common/bench_main.c
HOST_CC_ENV = "EDGEC_HOST_CC"  # the host compiler that builds the plugin (default gcc)
CACHE_ENV = "EDGEC_CACHE_DIR"  # where built plugins are kept (default ~/.cache/edgec)
CFLAGS = ("-O2", "-std=gnu99", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror")
NO_CYCLES_HINT = "or run `edgec bench` with --no-cycles for instructions only"


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "edgec"


def host_compiler() -> str:
    name = os.environ.get(HOST_CC_ENV) or "gcc"
    path = shutil.which(name)
    if path is None:
        raise ToolchainError(f"the QEMU instruction-mix plugin (estimated cycles) is built with a host C compiler: "
                             f"'{name}' not found on PATH (install gcc: apt-get install gcc; or set {HOST_CC_ENV}), "
                             f"{NO_CYCLES_HINT}")
    return path


def build_plugin() -> Path:
    """The plugin's shared object, built once per source (and compiler) into the cache folder."""
    cc = host_compiler()
    key = hashlib.sha256()
    for src in PLUGIN_SOURCES:
        key.update(src.read_bytes())
    key.update(" ".join((cc, *CFLAGS)).encode())
    so = cache_dir() / "qemu_plugin" / f"insn_mix-{key.hexdigest()[:16]}.so"
    if so.exists():
        return so
    so.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=so.parent)  # then renamed: parallel builds never see half a file
    os.close(fd)
    cmd = [cc, *CFLAGS, "-o", tmp, str(PLUGIN_SOURCES[0])]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode != 0:
            raise ToolchainError(f"building the QEMU instruction-mix plugin failed (exit {proc.returncode}), "
                                 f"{NO_CYCLES_HINT}:\n$ {' '.join(cmd)}\n{proc.stderr.strip()[-4000:]}")
        os.replace(tmp, so)
    except subprocess.TimeoutExpired:
        raise ToolchainError(f"building the QEMU instruction-mix plugin timed out: {' '.join(cmd)}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return so


def window_markers(elf: Path, nm: str = "arm-none-eabi-nm") -> tuple[int, int]:
    """Addresses of the firmware's two window markers (Thumb bit cleared). `nm`: the binutils that read `elf`
    (aarch64-linux-gnu-nm for a Linux user-space executable run under qemu-aarch64 with the plugin)."""
    out = run_tool([require_tool(nm), str(elf)], f"reading the symbols of {Path(elf).name}")
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in WINDOW_MARKERS:
            found[parts[2]] = int(parts[0], 16) & ~1
    missing = [m for m in WINDOW_MARKERS if m not in found]
    if missing:
        raise ToolchainError(f"{elf}: the firmware has no {' / '.join(missing)} (built from an older bench_main.c?): "
                             f"cannot count its timed window's instructions")
    return found[WINDOW_MARKERS[0]], found[WINDOW_MARKERS[1]]


def plugin_args(plugin: Path, elf: Path, out: Path, dump: Path | None = None,
                nm: str = "arm-none-eabi-nm") -> tuple[str, ...]:
    """QEMU options that load the plugin for `elf`, its counts going to `out`."""
    begin, end = window_markers(elf, nm)

    def esc(p: Path) -> str:  # QEMU's option syntax doubles a literal comma
        return str(p).replace(",", ",,")

    spec = f"{esc(plugin)},out={esc(out)},begin=0x{begin:x},end=0x{end:x}"
    if dump is not None:
        spec += f",dump={esc(dump)}"
    return ("-plugin", spec)


def read_mix(path: Path) -> dict:
    """The plugin's counts, summed over the windows it saw: {windows, instructions, classes{...},
    load_multiple_words, store_multiple_words, branches_taken, branches_not_taken, unknown}."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise ToolchainError(f"the QEMU instruction-mix plugin wrote no readable counts ({path}: {e})") from None


def per_window(mix: dict) -> dict:
    """The counts of one window (one timed inference when every window is one run), as integers."""
    n = mix["windows"]
    if n < 1:
        raise ToolchainError("the QEMU instruction-mix plugin saw no timed window (were the markers called?)")

    def one(v: int) -> int:
        return round(v / n)

    return {"instructions": one(mix["instructions"]),
            "classes": {k: one(v) for k, v in mix["classes"].items()},
            **{k: one(mix[k]) for k in ("load_multiple_words", "store_multiple_words", "branches_taken",
                                        "branches_not_taken", "unknown")}}
