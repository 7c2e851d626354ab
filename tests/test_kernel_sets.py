"""Every kernel twin can stand in for its portable version: a platform's kernel set (runtimes/<set>/) defines every
global function the portable file of the same name (runtimes/optimized/, else runtimes/reference/) defines.

The compiler and the app packages rely on it: `edgec export` builds the model C against the portable kernels and
then links each Android ABI's or Apple architecture's own set in their place, and a target's kernel set may ship
a file whose special entry points (`_packed`, `_dot4`, ...) the compiler only calls when it ships that file."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, require

RUNTIMES = REPO / "runtimes"
# (set, compiler, flags: the targets' own, -O0 to keep the test quick)
KERNEL_SETS = (("x86", "gcc", ["-march=x86-64"]), ("x86", "gcc", ["-march=native"]),
               ("neon", "aarch64-linux-gnu-gcc", ["-mcpu=cortex-a55"]),
               ("neon", "arm-linux-gnueabihf-gcc", ["-mcpu=cortex-a7", "-mfpu=neon-vfpv4"]),
               ("cortex-m", "arm-none-eabi-gcc", ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard"]),
               ("cortex-m55", "arm-none-eabi-gcc", ["-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"]))


def portable_twin(name: str) -> Path:
    for kset in ("optimized", "reference"):
        if (RUNTIMES / kset / name).exists():
            return RUNTIMES / kset / name
    raise AssertionError(f"{name} has no portable version in runtimes/optimized or runtimes/reference")


@functools.cache
def portable_functions(name: str) -> frozenset[str]:
    with tempfile.TemporaryDirectory(prefix="edgec-kernel-sets-") as tmp:
        return frozenset(defined_functions("gcc", [], portable_twin(name), Path(tmp) / "portable.o"))


def defined_functions(cc: str, flags: list[str], src: Path, obj: Path) -> set[str]:
    proc = subprocess.run([require(cc), "-O0", "-std=gnu99", *flags, "-I", RUNTIMES / "include", "-c", src, "-o", obj],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"{cc} {src}:\n{proc.stderr}"
    nm = subprocess.run([require(cc.removesuffix("gcc") + "nm"), "-g", "--defined-only", obj],
                        capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in nm.splitlines() if line.split()[1:2] == ["T"]}


@pytest.mark.parametrize("kset,cc,flags", KERNEL_SETS, ids=[f"{s}-{cc.split('-')[0]}-{f[0]}" for s, cc, f in KERNEL_SETS])
def test_kernel_twins_define_the_portable_functions(kset, cc, flags, tmp_path):
    twins = sorted((RUNTIMES / kset).glob("edgec_*.c"))
    assert twins, kset
    missing = {}
    for twin in twins:
        want = portable_functions(twin.name)
        got = defined_functions(cc, flags, twin, tmp_path / "twin.o")
        if want - got:
            missing[twin.name] = sorted(want - got)
    assert not missing, f"runtimes/{kset} files lack their portable functions: {missing}"
