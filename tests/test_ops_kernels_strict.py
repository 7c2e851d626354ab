"""Every kernel source in runtimes/ compiles on its own, freestanding, warning-free under each compiler."""

from __future__ import annotations

import subprocess

import pytest

from conftest import REPO, require

RUNTIMES = REPO / "runtimes"
SOURCES = sorted(p for p in RUNTIMES.glob("*/*.c"))
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-c"]
COMPILERS = {
    "gcc": ["-O2"],
    "clang": ["-O2"],
    "arm-none-eabi-gcc": ["-O2", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"],
}


def test_there_are_kernels():
    assert len(SOURCES) >= 10


@pytest.mark.parametrize("cc", list(COMPILERS))
def test_kernels_compile_strict(cc, tmp_path):
    require(cc)
    failures = []
    for src in SOURCES:
        proc = subprocess.run([cc, *COMPILERS[cc], *STRICT, "-I", str(RUNTIMES / "include"), str(src),
                               "-o", str(tmp_path / (src.stem + ".o"))], capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f"{src.relative_to(RUNTIMES)}:\n{proc.stderr}")
    assert not failures, "\n".join(failures)
