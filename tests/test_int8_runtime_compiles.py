"""Every int8 kernel file (portable reference, Cortex-M and Cortex-M55 Helium twins) compiles warning-free as freestanding C99
under gcc, clang and arm-none-eabi-gcc for M0 (no DSP), M4, M7 and M55; generated int8 C is deterministic."""

from __future__ import annotations

import filecmp
import subprocess

import pytest

from conftest import MLPERF, require
from edgec.paths import RUNTIMES
from edgec.pipeline import CompileOptions, compile_model

SOURCES = (sorted((RUNTIMES / "reference").glob("edgec_*_s8.c")) + sorted((RUNTIMES / "cortex-m").glob("*.c"))
           + sorted((RUNTIMES / "cortex-m55").glob("*.c")))
COMPILERS = [
    ("gcc", []), ("clang", []),
    ("arm-none-eabi-gcc", ["-mcpu=cortex-m0", "-mthumb"]),
    ("arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]),
    ("arm-none-eabi-gcc", ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]),
    ("arm-none-eabi-gcc", ["-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"]),
]


@pytest.mark.parametrize("cc,flags", COMPILERS, ids=[f"{c}{' '.join(f[:1])}" for c, f in COMPILERS])
def test_int8_kernels_compile_warning_free(cc, flags, tmp_path):
    assert len(SOURCES) >= 11
    for src in SOURCES:
        subprocess.run([require(cc), *flags, "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffreestanding",
                        "-I", str(RUNTIMES / "include"), "-c", str(src), "-o", str(tmp_path / "k.o")],
                       check=True, capture_output=True, text=True)


def test_int8_output_is_deterministic(tmp_path):
    options = CompileOptions(measure_code=False)
    for run in ("a", "b"):
        compile_model(MLPERF / "kws_ref_model.tflite", "cortex-m7", tmp_path / run, options)
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix in (".c", ".h"))
    assert names and filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)[0] == names
