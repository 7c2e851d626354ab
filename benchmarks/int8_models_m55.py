"""The four MLPerf Tiny int8 models on the emulated Cortex-M55 (QEMU mps3-an547): instructions per inference with
the portable kernels, the Cortex-M DSP kernels (runtimes/cortex-m/, SMLAD) and the Helium kernels
(runtimes/cortex-m55/, MVE), all built for the Cortex-M55 and measured in one run. Writes a markdown and a JSON
report.

    python benchmarks/int8_models_m55.py [--runs 2] [--out benchmarks/results]

Figures are QEMU guest instructions (-icount shift=0): an MVE instruction counts as one, however many beats it
takes on the core, so they are not time. AD is compiled with `--int8-rounding litert` so that its outputs match
LiteRT's bit for bit (the other three match with TFLite Micro's default rounding).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from m7 import REPO, config_with_kernels, measure, models_dir, write_report

from edgec.frontend import ImportOptions

BOARD, TARGET = "mps3-an547", "cortex-m55"
MODELS = {"pretrainedResnet_quant.tflite": "tflm", "vww_96_int8.tflite": "tflm", "kws_ref_model.tflite": "tflm",
          "ad01_int8.tflite": "litert"}
# label -> the Cortex-M55 target's kernel sets (None: its own list, Helium first)
KERNELS = {"portable": ["optimized", "reference"], "dsp": ["cortex-m", "optimized", "reference"], "helium": None}



def markdown(rows: list[dict], runs: int) -> str:
    lines = [
        f"# MLPerf Tiny int8 models on the emulated Cortex-M55 ({BOARD})",
        "",
        f"Median of {runs} runs after one warm-up; QEMU guest instructions (-icount shift=0), not time.",
        "",
        "| model | portable instructions | DSP instructions | Helium instructions | Helium / portable | "
        "Helium / DSP | flash B (Helium) | outputs match |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        cells = [r[k] for k in KERNELS]
        if any("error" in c for c in cells):
            lines.append(f"| {r['model']} | " + " | ".join(c.get("error", "") for c in cells) + " | | | | |")
            continue
        p, d, h = (c["instructions"] for c in cells)
        lines.append(f"| {r['model']} | {round(p):,} | {round(d):,} | {round(h):,} | {h / p:.2f} | {h / d:.2f} | "
                     f"{r['helium']['flash_bytes']:,} | {'yes' if all(c['outputs_match'] for c in cells) else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = p.parse_args()

    from rich.progress import Progress

    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("benchmarking", total=len(KERNELS) * len(MODELS))
        for name, rounding in MODELS.items():
            row = {"model": name, "int8_rounding": rounding}
            for label, kernels in KERNELS.items():
                progress.update(task, description=f"{name} ({label} kernels) on {BOARD}")
                row[label] = measure(models_dir() / name, args.runs, config_with_kernels(TARGET, kernels), BOARD,
                                     ImportOptions(int8_rounding=rounding))
                progress.advance(task)
            rows.append(row)
    write_report(args.out, "int8_models_m55", BOARD, args.runs, rows, markdown(rows, args.runs))
    return 0 if all(r[k].get("outputs_match") for r in rows for k in KERNELS) else 1


if __name__ == "__main__":
    sys.exit(main())
