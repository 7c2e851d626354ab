"""Run a generated model on the emulated Cortex-M7 (QEMU mps2-an500): linked into the semihosting firmware of
tests/semihost/ (main.c reads in.bin, runs the model once per record, writes out.bin). Shared by the tests that
check kernels or schedules bit for bit on the target."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from conftest import require

SEMIHOST = Path(__file__).parent / "semihost"
M7_FLAGS = ["-O2", "-std=c99", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]
M55_FLAGS = ["-O2", "-std=c99", "-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"]
# board: (compiler flags, linker script in tests/semihost/, QEMU machine)
BOARDS = {"cortex-m7": (M7_FLAGS, "link.ld", "mps2-an500"), "cortex-m55": (M55_FLAGS, "link_an547.ld", "mps3-an547")}


def build_firmware(out_dir: Path, report: dict, cpu: str = "cortex-m7") -> Path:
    cc = require("arm-none-eabi-gcc")
    flags, link, _ = BOARDS[cpu]
    name, upper = report["name"], report["name"].upper()
    elf = out_dir / "fw.elf"
    subprocess.run([cc, *flags, "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-nostartfiles",
                    "-T", str(SEMIHOST / link), f"-DMODEL_INPUT0_BYTES={upper}_INPUT0_BYTES",
                    f"-DMODEL_OUTPUT0_BYTES={upper}_OUTPUT0_BYTES", f"-DMODEL_RUN={name}_run", "-I", str(out_dir),
                    str(SEMIHOST / "main.c"), *map(str, sorted(out_dir.glob("*.c"))), "-lm",  # float models: expf, ...
                    "-o", str(elf)],
                   check=True, capture_output=True, text=True)
    return elf


def run_on_qemu(elf: Path, inputs: np.ndarray, out_bytes: int, work: Path, cpu: str = "cortex-m7") -> np.ndarray:
    qemu = require("qemu-system-arm")
    work.mkdir(parents=True, exist_ok=True)
    (work / "in.bin").write_bytes(inputs.tobytes())
    proc = subprocess.run([qemu, "-M", BOARDS[cpu][2], "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf.resolve())],
                          cwd=work, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return np.fromfile(work / "out.bin", dtype=np.int8).reshape(len(inputs), out_bytes)
