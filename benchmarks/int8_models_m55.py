"""The four MLPerf Tiny int8 models on the emulated Cortex-M55 (QEMU mps3-an547): instructions per inference with
the portable kernels, the Cortex-M DSP kernels (runtimes/cortex-m/, SMLAD) and the Helium kernels
(runtimes/cortex-m55/, MVE), all built for the Cortex-M55 and measured in one run. Writes a markdown and a JSON
report.

    python benchmarks/int8_models_m55.py [--runs 2] [--out benchmarks/results] [--src NAME=DIR ...]

Figures are QEMU guest instructions (-icount shift=0): an MVE instruction counts as one, however many beats it
takes on the core, so they are not time. AD is compiled with `--int8-rounding litert` so that its outputs match
LiteRT's bit for bit (the other three match with TFLite Micro's default rounding).

TFLite Micro with CMSIS-NN (its Helium paths, built for the Cortex-M55 by benchmarks/tflm_baseline from pinned
sources, see int8_models_m7.py) runs in the same run, measured the same way, its outputs checked bit for bit
against the tflite-micro package. Estimated cycles use targets/timing/cortex-m55.toml, whose MVE figures are
assumptions (see that file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from m7 import REPO, config_with_kernels, measure, models_dir, write_report
from tflm_baseline import PINS, baseline, measure_tflm
from tflm_baseline.cli import parse_src

from edgec.frontend import ImportOptions

BOARD, TARGET = "mps3-an547", "cortex-m55"
MODELS = {"pretrainedResnet_quant.tflite": "tflm", "vww_96_int8.tflite": "tflm", "kws_ref_model.tflite": "tflm",
          "ad01_int8.tflite": "litert"}
# label -> the Cortex-M55 target's kernel sets (None: its own list, Helium first)
KERNELS = {"portable": ["optimized", "reference"], "dsp": ["cortex-m", "optimized", "reference"], "helium": None}



def cycles(row: dict) -> str:
    return f"{row['cycles_estimate']:,}" if "cycles_estimate" in row else ""


def ratio(a, b) -> str:
    return f"{a / b:.3f}" if a and b else ""


def markdown(rows: list[dict], runs: int, sources: dict) -> str:
    lines = [
        f"# MLPerf Tiny int8 models on the emulated Cortex-M55 ({BOARD})",
        "",
        f"Median of {runs} runs after one warm-up; QEMU guest instructions (-icount shift=0), not time.",
        "",
        "| model | portable instructions | DSP instructions | Helium instructions | Helium / portable | "
        "Helium / DSP | TFLM + CMSIS-NN | Helium / CMSIS-NN | Helium est. cycles | TFLM + CMSIS-NN est. cycles | "
        "Helium / CMSIS-NN est. cycles | flash B (Helium) | TFLM arena B | outputs match |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        cells = [r[k] for k in KERNELS]
        t = r["tflm_cmsis_nn"]
        if any("error" in c for c in (*cells, t)):
            errors = [r["model"], *(c.get("error", "") for c in (*cells, t))]
            lines.append("| " + " | ".join(errors + [""] * (14 - len(errors))) + " |")
            continue
        p, d, h = (c["instructions"] for c in cells)
        match = all(c["outputs_match"] for c in (*cells, t))
        lines.append(f"| {r['model']} | {round(p):,} | {round(d):,} | {round(h):,} | {h / p:.2f} | {h / d:.2f} | "
                     f"{round(t['instructions']):,} | {ratio(h, t['instructions'])} | {cycles(r['helium'])} | "
                     f"{cycles(t)} | {ratio(r['helium'].get('cycles_estimate'), t.get('cycles_estimate'))} | "
                     f"{r['helium']['flash_bytes']:,} | {t['arena_used_bytes']:,} | {'yes' if match else 'NO'} |")
    lines += [
        "",
        "TFLite Micro + CMSIS-NN is built by `benchmarks/tflm_baseline` (arm-none-eabi-gcc -O2, edgec's Cortex-M55 "
        "flags, so CMSIS-NN takes its MVE paths) into edgec's benchmark firmware and measured in the same window; "
        "its outputs are checked bit for bit against the tflite-micro package. Estimated cycles: the instruction mix x "
        "`targets/timing/cortex-m55.toml` (its MVE figures are assumptions). Sources:",
        "",
        *(f"- {name}: `{PINS[name].commit}` ({how})" for name, how in sources.items()),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--src", action="append", default=[], metavar="NAME=DIR",
                   help=f"a local copy of a pinned TFLite Micro source ({', '.join(PINS)}); default: git clone")
    args = p.parse_args()

    from rich.progress import Progress

    from edgec.board.boards import load_board

    base = baseline(load_board(BOARD), parse_src(args.src))
    rows = []
    with Progress(transient=True) as progress:
        base.library("cmsis-nn", progress.console.print)
        task = progress.add_task("benchmarking", total=(len(KERNELS) + 1) * len(MODELS))
        for name, rounding in MODELS.items():
            row = {"model": name, "int8_rounding": rounding}
            for label, kernels in KERNELS.items():
                progress.update(task, description=f"{name} ({label} kernels) on {BOARD}")
                row[label] = measure(models_dir() / name, args.runs, config_with_kernels(TARGET, kernels), BOARD,
                                     ImportOptions(int8_rounding=rounding))
                progress.advance(task)
            progress.update(task, description=f"{name} (TFLite Micro + CMSIS-NN) on {BOARD}")
            try:
                row["tflm_cmsis_nn"] = measure_tflm(base, models_dir() / name, "cmsis-nn", args.runs,
                                                    progress=progress.console.print)
            except Exception as exc:  # a failing baseline must not lose edgec's figures
                row["tflm_cmsis_nn"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
            progress.advance(task)
            rows.append(row)
    sources = {name: how for name, (_path, how) in base.src.items()}
    write_report(args.out, "int8_models_m55", BOARD, args.runs, rows, markdown(rows, args.runs, sources))
    return 0 if all(r[k].get("outputs_match") for r in rows for k in (*KERNELS, "tflm_cmsis_nn")) else 1


if __name__ == "__main__":
    sys.exit(main())
