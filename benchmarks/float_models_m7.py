"""Float32 models on the emulated Cortex-M7 (QEMU mps2-an500): instructions per inference and per MAC, arena,
flash and RAM, with outputs checked against the reference executor. Writes a markdown and a JSON report.

    python benchmarks/float_models_m7.py [--runs 3] [--out benchmarks/results] [MODEL ...]

Figures are guest instructions counted by QEMU (-icount shift=0), not time: QEMU models neither the
Cortex-M7's pipeline nor its caches. MACs come from the compile report (multiply-accumulates of conv,
depthwise conv and matmul layers). Kernel optimisation is another task; this only measures honestly.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))

from edgec.board.bench import BenchOptions, run_bench  # noqa: E402
from edgec.board.boards import load_board  # noqa: E402
from edgec.errors import EdgecError  # noqa: E402

BOARD = "mps2-an500"
FLOAT_MODELS = ["ad01_fp32.tflite", "pretrainedResnet.tflite", "vww_96_float.tflite", "kws_ref_model_float32.tflite"]


def models_dir() -> Path:
    for base in REPO.parents:
        d = base / "shared" / "models" / "mlperf_tiny"
        if d.is_dir():
            return d
    raise SystemExit("MLPerf Tiny models not found (expected shared/models/mlperf_tiny beside the repository)")


def measure(model: Path, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="edgec-m7-") as tmp:
        try:
            r = run_bench(model, load_board(BOARD), Path(tmp), BenchOptions(runs=runs))
        except EdgecError as exc:
            return {"model": model.name, "error": str(exc).splitlines()[0][:200]}
    inst = r["latency"]["median"]
    return {
        "model": model.name, "instructions": inst, "instructions_min": r["latency"]["min"],
        "instructions_max": r["latency"]["max"], "macs": r["macs"],
        "instructions_per_mac": inst / r["macs"] if r["macs"] else None,
        "arena_bytes": r["arena_bytes"], "weights_bytes": r["weights_bytes"], "flash_bytes": r["flash_bytes"],
        "ram_bytes": r["ram_bytes"], "stack_high_water_bytes": r["stack_high_water_bytes"],
        "outputs_match": r["outputs_match"], "max_abs_error": r["max_abs_error"],
    }


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
        lines.append(f"| {r['model']} | {r['instructions']:,} | {r['macs']:,} | {ipm} | {r['arena_bytes']:,} | "
                     f"{r['flash_bytes']:,} | {r['ram_bytes']:,} | {r['stack_high_water_bytes']:,} | "
                     f"{'yes' if r['outputs_match'] else 'NO'} (max abs err {r['max_abs_error']:.2g}) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="*", type=Path, help=f"models (default: the MLPerf Tiny float models)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = p.parse_args()

    from rich.progress import Progress

    models = args.models or [models_dir() / m for m in FLOAT_MODELS]
    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("benchmarking", total=len(models))
        for m in models:
            progress.update(task, description=f"{m.name} on {BOARD}")
            rows.append(measure(m, args.runs))
            progress.advance(task)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "float_models_m7.json").write_text(json.dumps({"board": BOARD, "runs": args.runs, "models": rows},
                                                              indent=2) + "\n")
    md = markdown(rows, args.runs)
    (args.out / "float_models_m7.md").write_text(md)
    print(md)
    print(f"wrote {args.out / 'float_models_m7.md'} and float_models_m7.json")
    return 0 if all(r.get("outputs_match") for r in rows if "error" not in r) else 1


if __name__ == "__main__":
    sys.exit(main())
