"""The four MLPerf Tiny int8 models on the emulated Cortex-M7 (QEMU mps2-an500): arena, flash, and instructions
per inference with the portable kernels and with the Cortex-M DSP kernels, measured in one run, against TFLite
Micro (reference kernels and CMSIS-NN) on the same emulated board. Writes a markdown and a JSON report.

    python benchmarks/int8_models_m7.py [--runs 2] [--out benchmarks/results]

Each edgec row has estimated cycles too (the instruction mix counted by edgec's QEMU plugin x
targets/timing/cortex-m7.toml). The TFLM figures are the ones given in the int8 issue (mps2-an500, QEMU -icount shift=0, arm-none-eabi-gcc 12.2
-O2 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard). Figures are guest instructions, not time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from m7 import BOARD, REPO, by_op, config_with_kernels, measure, models_dir, write_report


# model -> (TFLM + CMSIS-NN instructions, TFLM reference-kernel instructions, TFLM arena bytes, arena goal bytes)
TFLM = {
    "pretrainedResnet_quant.tflite": (30_027_080, 109_411_400, 54_996, 49_152),
    "vww_96_int8.tflite": (24_025_560, 103_214_760, 100_708, 55_296),
    "kws_ref_model.tflite": (7_642_680, 44_213_080, 22_820, 16_000),
    "ad01_int8.tflite": (583_240, 1_962_000, 2_580, 768),
}
# Kernel sets: the Cortex-M7 target's own list (DSP first), and the same without the DSP set.
PORTABLE_KERNELS = ["optimized", "reference"]



def cycles(row: dict) -> str:
    return f"{row['cycles_estimate']:,}" if "cycles_estimate" in row else ""


def cycles_ratio(row: dict) -> str:
    return f"{row['cycles_estimate'] / row['instructions']:.3f}" if "cycles_estimate" in row else ""


def mix_row(model: str, label: str, m: dict) -> str:
    c = m["classes"]
    shown = ("alu", "load", "store", "load_multiple", "store_multiple", "mul", "dsp", "branch")
    other = sum(v for k, v in c.items() if k not in shown)
    return (f"| {model} | {label} | {c['alu']:,} | {c['load']:,} | {c['store']:,} | "
            f"{c['load_multiple']:,} ({m['load_multiple_words']:,}) | {c['store_multiple']:,} "
            f"({m['store_multiple_words']:,}) | {c['mul']:,} | {c['dsp']:,} | {c['branch']:,} "
            f"({m['branches_taken']:,} / {m['branches_not_taken']:,}) | {other:,} |")


def markdown(rows: list[dict], runs: int) -> str:
    references = sorted({r[k]["reference"] for r in rows for k in ("portable", "dsp") if "reference" in r[k]})
    lines = [
        f"# MLPerf Tiny int8 models on the emulated Cortex-M7 ({BOARD})",
        "",
        f"Median of {runs} runs after one warm-up; QEMU guest instructions (-icount shift=0), not time. "
        f"Outputs are checked against {' and '.join(references) or 'the reference executor'}.",
        "",
        "| model | portable instructions | DSP instructions | DSP / portable | TFLM + CMSIS-NN | DSP / CMSIS-NN | "
        "TFLM reference | portable est. cycles | DSP est. cycles | DSP cycles / instructions | arena B | "
        "arena goal B | TFLM arena B | flash B | outputs match |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        cmsis, ref, tflm_arena, goal = TFLM[r["model"]]
        p, d = r["portable"], r["dsp"]
        if "error" in p or "error" in d:
            lines.append(f"| {r['model']} | {p.get('error', '')} | {d.get('error', '')} | | | | | | | | | | | | |")
            continue
        lines.append(
            f"| {r['model']} | {round(p['instructions']):,} | {round(d['instructions']):,} | "
            f"{d['instructions'] / p['instructions']:.2f} | {cmsis:,} | {d['instructions'] / cmsis:.2f} | {ref:,} | "
            f"{cycles(p)} | {cycles(d)} | {cycles_ratio(d)} | "
            f"{d['arena_bytes']:,} | {goal:,} | {tflm_arena:,} | {d['flash_bytes']:,} | "
            f"{'yes' if p['outputs_match'] and d['outputs_match'] else 'NO'} "
            f"(max abs err {max(p['max_abs_error'], d['max_abs_error']):.3g}) |")
    lines += [
        "",
        "Estimated cycles (`edgec bench --json`: `cycles_estimate`) are the instruction mix of one timed inference, "
        "counted by edgec's QEMU plugin, weighed by `targets/timing/cortex-m7.toml` (single issue, 1 cycle per "
        "instruction, LDM/STM/PUSH/POP/LDRD 1 cycle per 64 bits moved, +1 per taken branch): a model, not a "
        "measurement. The TFLite Micro columns are copied instructions (see the script); they have no cycle "
        "estimate yet.",
        "",
        "| model | kernels | alu | load | store | load_multiple (words) | store_multiple (words) | mul | dsp | "
        "branch (taken / not) | other |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for label in ("portable", "dsp"):
            m = r[label].get("instruction_mix")
            if m:
                lines.append(mix_row(r["model"], label, m))
    lines += [
        "",
        "edgec compiles with its default rounding, TFLite Micro's, and is checked against TFLite Micro itself when "
        "the tflite-micro package is installed. LiteRT's reference kernels requantise fully connected layers "
        "differently (once, in double, where TFLM rounds twice in fixed point): AD, all fully connected, ends up "
        "to 4 LSB away from LiteRT that way. Compiled with `--int8-rounding litert` edgec matches LiteRT on the "
        "board (tests/test_bench.py).",
    ]
    lines += ["", "## Where the DSP build's instructions go", "",
              "One run of a profiled build (`edgec bench --layers`: the timer is read after every layer), summed "
              "per kernel.", "",
              "| model | kernel | layers | instructions | share | instructions / MAC |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        for op, o in by_op(r.get("profile", {}).get("layers", [])).items():
            per_mac = f"{o['instructions'] / o['macs']:.2f}" if o["macs"] else ""
            lines.append(f"| {r['model']} | {op} | {o['layers']} | {o['instructions']:,} | {100 * o['share']:.1f} % | "
                         f"{per_mac} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = p.parse_args()

    from rich.progress import Progress

    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("benchmarking", total=3 * len(TFLM))
        for name in TFLM:
            row = {"model": name}
            for label, kernels in (("portable", PORTABLE_KERNELS), ("dsp", None)):
                progress.update(task, description=f"{name} ({label} kernels) on {BOARD}")
                row[label] = measure(models_dir() / name, args.runs, config_with_kernels("cortex-m7", kernels))
                progress.advance(task)
            progress.update(task, description=f"{name} (DSP kernels, per-layer profile) on {BOARD}")
            row["profile"] = measure(models_dir() / name, 1, config_with_kernels("cortex-m7", None), layers=True)
            progress.advance(task)
            rows.append(row)
    write_report(args.out, "int8_models_m7", BOARD, args.runs, rows, markdown(rows, args.runs))
    return 0 if all(r[k].get("outputs_match") for r in rows for k in ("portable", "dsp")) else 1


if __name__ == "__main__":
    sys.exit(main())
