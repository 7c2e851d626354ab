"""Every kernel source in runtimes/ compiles on its own, freestanding, warning-free under each compiler that
builds its kernel set."""

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
    "aarch64-linux-gnu-gcc": ["-O2", "-mcpu=cortex-a55"],  # with the dot product: the SDOT paths
    "arm-linux-gnueabihf-gcc": ["-O2", "-mcpu=cortex-a7", "-mfpu=neon-vfpv4", "-mfloat-abi=hard"],
}
PORTABLE = ("gcc", "clang", "arm-none-eabi-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
# The sets that are not portable C: NEON intrinsics build for the Arm application processors only; the OpenCL
# host loads libOpenCL with dlopen, which a bare-metal C library does not have; the Vulkan host (libvulkan, dlopen)
# builds for the host and the Linux boards' 64- and 32-bit Arm (its 64-bit handles are uint64_t on both); the x86
# set (the host's) uses GNU C vector extensions and stack buffers of up to about 100 KB (packed weights), for the
# host compilers only.
SET_COMPILERS = {"neon": ("aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc"), "opencl": ("gcc", "clang"),
                 "x86": ("gcc", "clang"), "vulkan": ("gcc", "clang", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc"),
                 "cortex-m": ("gcc", "clang", "arm-none-eabi-gcc"), "cortex-m55": ("gcc", "clang", "arm-none-eabi-gcc")}


def sources_for(cc: str) -> list:
    return [src for src in SOURCES if cc in SET_COMPILERS.get(src.parent.name, PORTABLE)]


def test_there_are_kernels():
    assert len(SOURCES) >= 10


@pytest.mark.parametrize("cc", list(COMPILERS))
def test_kernels_compile_strict(cc, tmp_path):
    require(cc)
    failures = []
    assert sources_for(cc)
    for src in sources_for(cc):
        proc = subprocess.run([cc, *COMPILERS[cc], *STRICT, "-I", str(RUNTIMES / "include"), str(src),
                               "-o", str(tmp_path / (src.stem + ".o"))], capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f"{src.relative_to(RUNTIMES)}:\n{proc.stderr}")
    assert not failures, "\n".join(failures)
