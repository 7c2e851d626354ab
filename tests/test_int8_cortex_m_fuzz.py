"""The Cortex-M kernels against the portable reference kernels on random shapes: conv (odd pixel and channel
counts, K % 4 and K % 16 tails, in_c % 4 == 0 and not), depthwise (depth multiplier 1 and 2), fully connected
(filter offset 0 and not, both roundings), padding, strides, dilations, both requantisation modes. One firmware
(tests/semihost/kernel_fuzz.c) per kernel set and core, on QEMU; every case must match bit for bit:
- runtimes/cortex-m/ (DSP: SMLAD, SMLABB) built for the Cortex-M7, on mps2-an500;
- runtimes/cortex-m55/ (Helium: VMLADAVA, VMULLB, VQRDMULH) built for the Cortex-M55, on mps3-an547: with the
  shipped chunk sizes, with tiny ones (so that every shape spans several K, channel and output-channel chunks),
  and without MVE (the scalar twins of the same loops);
- runtimes/cortex-m55/ built for the host under AddressSanitizer and UBSan (the scalar twins: the blocking, im2col
  and chunking that the Helium path shares with them stay inside their buffers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import require

REPO = Path(__file__).resolve().parents[1]
RUNTIMES = REPO / "runtimes"
SEMIHOST = Path(__file__).parent / "semihost"
COMMON = ["-O2", "-std=c99", "-mthumb", "-mfloat-abi=hard", "-ffreestanding", "-nostartfiles", "-nostdlib",
          "-I", str(RUNTIMES / "include")]
M7 = ["-mcpu=cortex-m7", "-mfpu=fpv5-d16"]
KERNELS = {"conv2d": "ref_conv", "depthwise_conv2d": "ref_dw", "fully_connected": "ref_fc"}
TINY_CHUNKS = ["-DEDGEC_HL_K_CHUNK=40", "-DEDGEC_HL_OC_CHUNK=24", "-DEDGEC_HL_MAX_C=24"]
HELIUM = ["vmlava.s8", "vmullb.s16", "vqrdmulh.s32"]  # objdump's names (VMLAV is VMLADAV's alias)

# id: (kernel set, cpu flags, extra flags, QEMU machine, linker script, instructions that must be in the ELF,
#      instructions that must not be)
CASES = {
    "cortex-m7-dsp": ("cortex-m", M7, [], "mps2-an500", "link.ld", ["smlad", "smlabb"], []),
    "cortex-m55-helium": ("cortex-m55", ["-mcpu=cortex-m55"], [], "mps3-an547", "link_an547.ld", HELIUM, []),
    "cortex-m55-helium-tiny-chunks": ("cortex-m55", ["-mcpu=cortex-m55"], TINY_CHUNKS, "mps3-an547",
                                      "link_an547.ld", HELIUM, []),
    "cortex-m55-no-mve": ("cortex-m55", ["-mcpu=cortex-m55+nomve"], TINY_CHUNKS, "mps3-an547", "link_an547.ld", [],
                          ["vmlava", "vldrb"]),
}


@pytest.mark.parametrize("case", CASES)
def test_kernels_match_reference_on_random_shapes(tmp_path, case):
    kernel_set, cpu, extra, machine, link, present, absent = CASES[case]
    cc = require("arm-none-eabi-gcc")
    flags = [*cpu, *COMMON]
    objs = []
    for kernel, alias in KERNELS.items():
        obj = tmp_path / f"ref_{kernel}.o"
        subprocess.run([cc, *flags, f"-Dedgec_{kernel}_s8={alias}", "-c",
                        str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"), "-o", str(obj)], check=True)
        objs.append(str(obj))
    elf = tmp_path / "fuzz.elf"
    subprocess.run([cc, *flags, *extra, "-Wall", "-T", str(SEMIHOST / link), str(SEMIHOST / "kernel_fuzz.c"), *objs,
                    *(str(RUNTIMES / kernel_set / f"edgec_{k}_s8.c") for k in KERNELS), "-lgcc", "-o", str(elf)],
                   check=True)
    # objdump needs the architecture spelled out to decode MVE
    arch = ["-m", "armv8.1-m.main"] if "cortex-m55" in cpu[0] else []
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", *arch, str(elf)], capture_output=True,
                            text=True).stdout
    assert all(i in disasm for i in present) and not any(i in disasm for i in absent), \
        f"the {case} paths were not compiled in as expected"
    proc = subprocess.run([require("qemu-system-arm"), "-M", machine, "-nographic", "-monitor", "none",
                           "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode} random cases differ from the reference kernels"


def test_helium_kernels_scalar_twins_under_sanitizers(tmp_path):
    cc = require("gcc")
    flags = ["-O1", "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=all", "-DEDGEC_FUZZ_HOST", *TINY_CHUNKS, "-I", str(RUNTIMES / "include")]
    objs = []
    for kernel, alias in KERNELS.items():
        obj = tmp_path / f"ref_{kernel}.o"
        subprocess.run([cc, *flags, f"-Dedgec_{kernel}_s8={alias}", "-c",
                        str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"), "-o", str(obj)], check=True)
        objs.append(str(obj))
    exe = tmp_path / "fuzz"
    subprocess.run([cc, *flags, str(SEMIHOST / "kernel_fuzz.c"), *objs,
                    *(str(RUNTIMES / "cortex-m55" / f"edgec_{k}_s8.c") for k in KERNELS), "-o", str(exe)], check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode}: {proc.stderr[-2000:]}"
