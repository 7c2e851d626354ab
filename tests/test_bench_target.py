"""`edgec bench --target`: the host (real time) and a Linux target under QEMU user mode (emulated time plus the
TCG plugin's instructions per inference), in benchmark_model's shape, with the outputs checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require

ENV = dict(os.environ, PYTHONPATH=str(Path(__import__("edgec").__path__[0]).parent))
AD01_INT8 = REPO / "model_zoo" / "mlperf_tiny" / "ad01_int8.tflite"


def bench(tmp_path, target: str, runs: int) -> tuple[str, dict]:
    out = tmp_path / f"{target}.json"
    proc = subprocess.run([sys.executable, "-m", "edgec", "bench", str(AD01_INT8), "--target", target, "--runs",
                           str(runs), "--warmup", "2", "--json", str(out)], capture_output=True, text=True,
                          timeout=600, env=ENV)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout, json.loads(out.read_text())


def check_stats(r: dict, runs: int) -> None:
    st = r["inference_us"]
    assert st["count"] == runs and r["warmup_runs"] == 2 and r["first_inference_us"] > 0
    assert 0 < st["min"] <= st["p50"] <= st["p90"] <= st["p99"] <= st["max"] and st["std"] >= 0
    assert st["min"] <= st["mean"] <= st["max"]
    assert r["outputs_match"] is True and r["max_abs_error"] == 0 and r["macs"] == 264_192


def test_bench_target_host_and_qemu(tmp_path):
    require("qemu-aarch64")
    text, host = bench(tmp_path, "host", 20)
    check_stats(host, 20)
    assert host["emulated"] is False and "instructions_per_inference" not in host
    assert "Inference timings in us: Init: 0, First inference:" in text and "EMULATED" not in text
    assert "count=20 min=" in text and " p99=" in text

    text, a53 = bench(tmp_path, "cortex-a53", 3)
    check_stats(a53, 3)
    assert a53["emulated"] is True and "EMULATED" in text and "qemu-aarch64" in a53["emulator"]
    assert "neon" in a53["kernels"]
    # the whole inference's guest instructions: above the products' own floor without the dot product (SMULL +
    # SMLAL + SADALP, 3 instructions per 16 MACs: 0.1875 per MAC; ad01 runs about 0.23), below the portable
    # kernels' ~8
    assert 0.1875 < a53["instructions_per_mac"] < 4, a53["instructions_per_mac"]
    assert "Instructions per inference:" in text
