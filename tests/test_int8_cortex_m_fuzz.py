"""The Cortex-M DSP kernels (runtimes/cortex-m/) against the portable reference kernels on random shapes: conv
(odd pixel and channel counts, K % 4 tails, in_c % 4 == 0 and not), depthwise (depth multiplier 1 and 2), fully
connected (filter offset 0 and not, both roundings), padding, strides, dilations, both requantisation modes; then
depthwise cases aimed at the 3x3 path: maps up to 24 x 100 (whole-map copies, the border frame around inside
pixels, column pieces), strides and dilations up to 3, paddings up to 3, in_c % 4 != 0, every shift from -31 to 8,
biases near the fast path's bound, INT32_MIN multipliers, clamped and full activation ranges.
Built for cortex-m7 with the DSP extension and run on QEMU mps2-an500; every case must match bit for bit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import require

REPO = Path(__file__).resolve().parents[1]
RUNTIMES = REPO / "runtimes"
SEMIHOST = Path(__file__).parent / "semihost"
FLAGS = ["-O2", "-std=c99", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-ffreestanding",
         "-nostartfiles", "-nostdlib", "-I", str(RUNTIMES / "include")]
KERNELS = {"conv2d": "ref_conv", "depthwise_conv2d": "ref_dw", "fully_connected": "ref_fc"}


def test_dsp_kernels_match_reference_on_random_shapes(tmp_path):
    cc = require("arm-none-eabi-gcc")
    objs = []
    for kernel, alias in KERNELS.items():
        obj = tmp_path / f"ref_{kernel}.o"
        subprocess.run([cc, *FLAGS, f"-Dedgec_{kernel}_s8={alias}", "-c",
                        str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"), "-o", str(obj)], check=True)
        objs.append(str(obj))
    elf = tmp_path / "fuzz.elf"
    subprocess.run([cc, *FLAGS, "-Wall", "-T", str(SEMIHOST / "link.ld"), str(SEMIHOST / "kernel_fuzz.c"), *objs,
                    *(str(RUNTIMES / "cortex-m" / f"edgec_{k}_s8.c") for k in KERNELS), "-lgcc", "-o", str(elf)],
                   check=True)
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", str(elf)], capture_output=True, text=True).stdout
    assert "smlad" in disasm and "smlabb" in disasm, "the DSP paths were not compiled in"
    proc = subprocess.run([require("qemu-system-arm"), "-M", "mps2-an500", "-nographic", "-monitor", "none",
                           "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode} random cases differ from the reference kernels"
