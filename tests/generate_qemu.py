"""Greedy decoding with a compiled step model (`edgec compile --generate`): on the host through ctypes, and on
the emulated Cortex-M7 (QEMU mps2-an500) in the semihosting firmware tests/semihost/generate_main.c. Shared by
tests/test_matmulfree_lm.py and benchmarks/matmulfree_lm_m7.py."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np

from conftest import require
from semihost_qemu import M7_FLAGS, SEMIHOST

MAX_PROMPT, MAX_N = 64, 128
IN_RECORD = np.dtype([("prompt_len", "<i4"), ("n", "<i4"), ("prompt", "<i4", (MAX_PROMPT,))])
OUT_RECORD = np.dtype([("status", "<i4"), ("ticks", "<u4"), ("stack_bytes", "<u4"), ("tokens", "<i4", (MAX_N,))])


def host_generate(out_dir: Path, name: str, work: Path, cc: str = "gcc"):
    """The generated C as a host shared library; returns generate(prompt: bytes | list[int], n) -> list[int]."""
    require(cc)
    lib_path = work / f"lib{name}.so"
    subprocess.run([cc, "-O2", "-std=c99", "-shared", "-fPIC", "-I", str(out_dir), *map(str, sorted(out_dir.glob("*.c"))),
                    "-lm", "-o", str(lib_path)], check=True, capture_output=True, text=True)
    lib = ctypes.CDLL(str(lib_path))
    fn = getattr(lib, f"{name}_generate")
    fn.argtypes = [ctypes.POINTER(ctypes.c_int32), ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(ctypes.c_int32)]
    fn.restype = ctypes.c_int

    def generate(prompt, n: int) -> list[int]:
        p = (ctypes.c_int32 * len(prompt))(*prompt)
        out = (ctypes.c_int32 * max(n, 1))()
        assert fn(p, len(prompt), n, out) == 0
        return list(out[:n])

    return generate


def build_generate_firmware(out_dir: Path, name: str, elf: Path) -> Path:
    cc = require("arm-none-eabi-gcc")
    subprocess.run([cc, *M7_FLAGS, "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-nostartfiles",
                    "-T", str(SEMIHOST / "link.ld"), f"-DGEN_FN={name}_generate", f"-DGEN_MAX_PROMPT={MAX_PROMPT}",
                    f"-DGEN_MAX_N={MAX_N}", "-I", str(out_dir), "-I", str(SEMIHOST), str(SEMIHOST / "generate_main.c"),
                    *map(str, sorted(out_dir.glob("*.c"))), "-lm", "-o", str(elf)],
                   check=True, capture_output=True, text=True)
    return elf


def run_generate_qemu(elf: Path, requests: list[tuple[bytes | list[int], int]], work: Path,
                      icount: bool = False) -> np.ndarray:
    """One QEMU run of all requests (prompt, n); returns OUT_RECORD records. With icount, ticks count guest
    instructions (x the board's instructions_per_tick)."""
    qemu = require("qemu-system-arm")
    work.mkdir(parents=True, exist_ok=True)
    recs = np.zeros(len(requests), IN_RECORD)
    for rec, (prompt, n) in zip(recs, requests):
        assert 1 <= len(prompt) <= MAX_PROMPT and 0 <= n <= MAX_N
        rec["prompt_len"], rec["n"] = len(prompt), n
        rec["prompt"][:len(prompt)] = list(prompt)
    (work / "in.bin").write_bytes(recs.tobytes())
    cmd = [qemu, "-M", "mps2-an500", "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf.resolve())]
    if icount:
        cmd[1:1] = ["-icount", "shift=0"]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"firmware exit {proc.returncode}: {proc.stderr}"
    out = np.frombuffer((work / "out.bin").read_bytes(), OUT_RECORD)
    assert len(out) == len(requests)
    return out
