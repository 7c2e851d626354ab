"""Float32 models on the emulated Cortex-M7 (QEMU mps2-an500): instructions per inference and per MAC, arena,
flash and RAM, with outputs checked against the reference executor. Writes a markdown and a JSON report.

    python benchmarks/float_models_m7.py [--runs 3] [--out benchmarks/results] [MODEL ...]

Default models: the MLPerf Tiny float models, and the three architectures onnx2c was measured on (MobileNetV2
width 0.35 at 96x96, a 256-256-256-10 MLP, a small CNN), built by the model_zoo scripts. For those the report
sets our instructions per MAC beside onnx2c's (measured on the same emulated board, -O2, as given in the boards
issue); the goal is at most half of onnx2c's, and an arena at or below the live-tensor peak.

Figures are guest instructions counted by QEMU (-icount shift=0), not time: QEMU models neither the
Cortex-M7's pipeline nor its caches. MACs come from the compile report (multiply-accumulates of conv,
depthwise conv and matmul layers). Kernel optimisation is another task; this only measures honestly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from m7 import BOARD, REPO, measure, models_dir, write_report

FLOAT_MODELS = ["ad01_fp32.tflite", "pretrainedResnet.tflite", "vww_96_float.tflite", "kws_ref_model_float32.tflite"]

# model_zoo script -> onnx2c's instructions per MAC on the same emulated Cortex-M7 (the peer to beat).
ONNX2C_PEERS = {"mobilenet_v2": 9.7, "mlp": 5.1, "small_cnn": 17.3}


def build_peer_models(folder: Path) -> list[Path]:
    """Build the onnx2c peer architectures with the model_zoo scripts (random weights: only shapes matter here)."""
    import importlib

    import onnx

    sys.path.insert(0, str(REPO / "model_zoo"))
    paths = []
    for script in ONNX2C_PEERS:
        path = folder / f"{script}.onnx"
        onnx.save(importlib.import_module(script).build(), str(path))
        paths.append(path)
    return paths


def markdown(rows: list[dict], runs: int) -> str:
    lines = [
        f"# Float32 models on the emulated Cortex-M7 ({BOARD})",
        "",
        f"Median of {runs} runs after one warm-up. Instructions are QEMU guest instructions (-icount shift=0), "
        "not cycles or time. Flash = .text + .rodata, RAM = .data + .bss of the firmware ELF.",
        "",
        "| model | instructions / inference | MACs | instructions / MAC | arena B | flash B | RAM B | stack B | outputs match |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | failed: {r['error']} | | | | | | | |")
            continue
        ipm = f"{r['instructions_per_mac']:.2f}" if r["instructions_per_mac"] else "-"
        lines.append(f"| {r['model']} | {round(r['instructions']):,} | {r['macs']:,} | {ipm} | {r['arena_bytes']:,} | "
                     f"{r['flash_bytes']:,} | {r['ram_bytes']:,} | {r['stack_high_water_bytes']:,} | "
                     f"{'yes' if r['outputs_match'] else 'NO'} (max abs err {r['max_abs_error']:.2g}) |")
    peers = [r for r in rows if Path(r["model"]).stem in ONNX2C_PEERS and "error" not in r]
    if peers:
        lines += [
            "",
            "## Against onnx2c (same architectures, same emulated board)",
            "",
            "| model | edgec instructions / MAC | onnx2c instructions / MAC | ratio | goal (<= 0.5) | arena B | live-tensor peak B |",
            "|---|---:|---:|---:|---|---:|---:|",
        ]
        for r in peers:
            peer = ONNX2C_PEERS[Path(r["model"]).stem]
            ratio = r["instructions_per_mac"] / peer
            lines.append(f"| {r['model']} | {r['instructions_per_mac']:.2f} | {peer} | {ratio:.2f} | "
                         f"{'met' if ratio <= 0.5 else 'NOT met'} | {r['arena_bytes']:,} | {r['arena_lower_bound_bytes']:,} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="*", type=Path, help="models (default: the MLPerf Tiny float models)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = p.parse_args()

    from rich.progress import Progress

    peer_dir = tempfile.TemporaryDirectory(prefix="edgec-peers-")
    models = args.models or [models_dir() / m for m in FLOAT_MODELS] + build_peer_models(Path(peer_dir.name))
    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("benchmarking", total=len(models))
        for m in models:
            progress.update(task, description=f"{m.name} on {BOARD}")
            rows.append(measure(m, args.runs))
            progress.advance(task)
    write_report(args.out, "float_models_m7", BOARD, args.runs, rows, markdown(rows, args.runs))
    return 0 if all(r.get("outputs_match") for r in rows if "error" not in r) else 1


if __name__ == "__main__":
    sys.exit(main())
