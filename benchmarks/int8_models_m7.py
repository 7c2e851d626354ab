"""The four MLPerf Tiny int8 models on the emulated Cortex-M7 (QEMU mps2-an500): arena, flash, instructions and
estimated cycles per inference with the portable kernels and with the Cortex-M DSP kernels, against TFLite Micro
with CMSIS-NN kernels and with its reference kernels, all measured in one run on the same emulated board. Writes a
markdown and a JSON report.

    python benchmarks/int8_models_m7.py [--runs 2] [--out benchmarks/results] [--src NAME=DIR ...] [--models ad01]

The DSP build is measured with both `--optimize` settings: speed (the default: fully connected weights stored wide,
two bytes each, while the model leaves an eighth of the flash free) and size (one byte each); flash beside each.

TFLite Micro is built by benchmarks/tflm_baseline from its public sources at pinned commits (cloned once into
~/.cache/edgec/tflm/src, or the local copies given with --src), with arm-none-eabi-gcc -O2 and edgec's flags for the
core, into edgec's own benchmark firmware, and measured as edgec's (the same timed window, QEMU -icount shift=0,
the same instruction-mix plugin and targets/timing/cortex-m7.toml); its outputs are checked bit for bit against
the tflite-micro package. Figures are guest instructions and a cycle model, not time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from m7 import BOARD, REPO, by_op, config_with_kernels, measure, models_dir, write_report
from tflm_baseline import PINS, baseline, measure_tflm
from tflm_baseline.cli import parse_src


# model -> edgec's arena goal in bytes (issue targets)
MODELS = {
    "pretrainedResnet_quant.tflite": 49_152,
    "vww_96_int8.tflite": 55_296,
    "kws_ref_model.tflite": 16_000,
    "ad01_int8.tflite": 768,
}
MIX_LABELS = {"portable": "edgec portable", "dsp": "edgec DSP", "dsp_size": "edgec DSP, --optimize size",
              "tflm_cmsis_nn": "TFLM + CMSIS-NN",
              "tflm_reference": "TFLM reference"}
CYCLES_GOAL = 0.40  # edgec DSP / TFLM + CMSIS-NN, estimated cycles (issue 15)
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


def ratio(a, b) -> str:
    return f"{a / b:.3f}" if a and b else ""


def fc_wide(d: dict) -> str:
    """How many of a build's packed fully connected layers got their weights wide."""
    layers = d.get("fully_connected_layouts", {}).get("layers", [])
    return f"{sum(c['layout'] == 'wide' for c in layers)} of {len(layers)}" if layers else "none packed"


def optimize_table(rows: list[dict]) -> list[str]:
    """Speed against size: estimated cycles, the ratio to TFLM + CMSIS-NN and the firmware's flash, side by side."""
    lines = ["", "## `--optimize speed` (default) and `--optimize size`", "",
             "The DSP build with each setting (edgec/fc_layouts.py): speed stores a fully connected layer's weights "
             "wide (each weight word beside its SXTB16 result: two bytes per weight, 25 instead of 29 estimated "
             "cycles per 32 MACs) while the model leaves 1/8 of the flash budget free for the application; size "
             "keeps one byte per weight. Flash is the whole benchmark firmware's (text + data), TFLite Micro's "
             "likewise.", "",
             "| model | --optimize | FC layers wide | est. cycles | / TFLM + CMSIS-NN | "
             f"<= {CYCLES_GOAL:.2f} | flash B | TFLM + CMSIS-NN flash B | outputs match |",
             "|---|---|---|---:|---:|---|---:|---:|---|"]
    for r in rows:
        c = r["tflm_cmsis_nn"]
        for key, label in (("dsp", "speed"), ("dsp_size", "size")):
            d = r.get(key)
            if not d or "error" in d or "error" in c:
                continue
            dc, cc = d.get("cycles_estimate"), c.get("cycles_estimate")
            met = ("yes" if dc / cc <= CYCLES_GOAL else "no") if dc and cc else ""
            lines.append(f"| {r['model']} | {label} | {fc_wide(d)} | {cycles(d)} | {ratio(dc, cc)} | {met} | "
                         f"{d['flash_bytes']:,} | {c['flash_bytes']:,} | {'yes' if d['outputs_match'] else 'NO'} |")
    return lines


def markdown(rows: list[dict], runs: int, sources: dict) -> str:
    references = sorted({r[k]["reference"] for r in rows for k in ("portable", "dsp") if "reference" in r[k]})
    lines = [
        f"# MLPerf Tiny int8 models on the emulated Cortex-M7 ({BOARD})",
        "",
        f"Median of {runs} runs after one warm-up; QEMU guest instructions (-icount shift=0), not time. "
        f"Outputs are checked against {' and '.join(references) or 'the reference executor'}; TFLite Micro's "
        f"firmware outputs bit for bit against the tflite-micro package on the same input. DSP: edgec's default, "
        f"`--optimize speed`; `--optimize size` below.",
        "",
        "| model | portable instructions | DSP instructions | DSP / portable | TFLM + CMSIS-NN | DSP / CMSIS-NN | "
        "TFLM reference | DSP est. cycles | TFLM + CMSIS-NN est. cycles | DSP / CMSIS-NN est. cycles | "
        f"<= {CYCLES_GOAL:.2f} | TFLM reference est. cycles | portable est. cycles | arena B | arena goal B | "
        "TFLM arena B | flash B | TFLM + CMSIS-NN flash B | outputs match |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        p, d, c, f = r["portable"], r["dsp"], r["tflm_cmsis_nn"], r["tflm_reference"]
        if any("error" in x for x in (p, d, c, f)):
            cells = [r["model"], *(x.get("error", "") for x in (p, d, c, f))]
            lines.append("| " + " | ".join(cells + [""] * (19 - len(cells))) + " |")
            continue
        dc, cc = d.get("cycles_estimate"), c.get("cycles_estimate")
        met = ("yes" if dc / cc <= CYCLES_GOAL else "no") if dc and cc else ""
        match = all(x["outputs_match"] for x in (p, d, c, f))
        lines.append(
            f"| {r['model']} | {round(p['instructions']):,} | {round(d['instructions']):,} | "
            f"{d['instructions'] / p['instructions']:.2f} | {round(c['instructions']):,} | "
            f"{ratio(d['instructions'], c['instructions'])} | {round(f['instructions']):,} | "
            f"{cycles(d)} | {cycles(c)} | {ratio(dc, cc)} | {met} | {cycles(f)} | {cycles(p)} | "
            f"{d['arena_bytes']:,} | {r['arena_goal_bytes']:,} | {c['arena_used_bytes']:,} | {d['flash_bytes']:,} | "
            f"{c['flash_bytes']:,} | {'yes' if match else 'NO'} "
            f"(edgec max abs err {max(p['max_abs_error'], d['max_abs_error']):.3g}) |")
    lines += optimize_table(rows)
    lines += [
        "",
        "TFLite Micro is built by `benchmarks/tflm_baseline` from its public sources, at the commits below (the "
        "third-party libraries at the commits tflite-micro's own Makefile downloads), with arm-none-eabi-gcc -O2 and "
        "edgec's Cortex-M7 flags, into edgec's benchmark firmware (the same start-up, serial protocol and timed "
        "window: one input copy and one `Invoke()`); its arena is what `arena_used_bytes()` reports.",
        "",
        *(f"- {name}: `{PINS[name].commit}` ({how})" for name, how in sources.items()),
    ]
    lines += [
        "",
        "Estimated cycles (`edgec bench --json`: `cycles_estimate`) are the instruction mix of one timed inference, "
        "counted by edgec's QEMU plugin, weighed by `targets/timing/cortex-m7.toml` (single issue, 1 cycle per "
        "instruction, LDM/STM/PUSH/POP/LDRD 1 cycle per 64 bits moved, +1 per taken branch): a model, not a "
        "measurement, the same for edgec and TFLite Micro.",
        "",
        "| model | kernels | alu | load | store | load_multiple (words) | store_multiple (words) | mul | dsp | "
        "branch (taken / not) | other |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for key, label in MIX_LABELS.items():
            m = r[key].get("instruction_mix")
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
    p.add_argument("--models", default="", metavar="STEM,...",
                   help="only these models (file stems or their starts, e.g. ad01), for iterating; the report then "
                        "has only their rows")
    p.add_argument("--src", action="append", default=[], metavar="NAME=DIR",
                   help=f"a local copy of a pinned TFLite Micro source ({', '.join(PINS)}); default: git clone")
    args = p.parse_args()

    from rich.progress import Progress

    from edgec.board.boards import load_board

    wanted = [m for m in args.models.split(",") if m]
    models = {name: goal for name, goal in MODELS.items() if not wanted or any(name.startswith(w) for w in wanted)}
    if not models:
        raise SystemExit(f"--models {args.models}: none of {', '.join(MODELS)}")
    base = baseline(load_board(BOARD), parse_src(args.src))
    rows = []
    with Progress(transient=True) as progress:
        for variant in ("cmsis-nn", "reference"):
            base.library(variant, progress.console.print)
        task = progress.add_task("benchmarking", total=6 * len(models))
        for name, goal in models.items():
            row = {"model": name, "arena_goal_bytes": goal}
            for label, kernels in (("portable", PORTABLE_KERNELS), ("dsp", None)):
                progress.update(task, description=f"{name} ({label} kernels) on {BOARD}")
                row[label] = measure(models_dir() / name, args.runs, config_with_kernels("cortex-m7", kernels))
                progress.advance(task)
            progress.update(task, description=f"{name} (DSP kernels, --optimize size) on {BOARD}")
            row["dsp_size"] = measure(models_dir() / name, args.runs, config_with_kernels("cortex-m7", None),
                                      optimize="size")
            progress.advance(task)
            for variant in ("cmsis-nn", "reference"):
                progress.update(task, description=f"{name} (TFLite Micro, {variant} kernels) on {BOARD}")
                key = "tflm_" + variant.replace("-", "_")
                try:
                    row[key] = measure_tflm(base, models_dir() / name, variant, args.runs,
                                            progress=progress.console.print)
                except Exception as exc:  # one failing baseline build must not lose the other figures
                    row[key] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
                progress.advance(task)
            progress.update(task, description=f"{name} (DSP kernels, per-layer profile) on {BOARD}")
            row["profile"] = measure(models_dir() / name, 1, config_with_kernels("cortex-m7", None), layers=True)
            progress.advance(task)
            rows.append(row)
    sources = {name: how for name, (_path, how) in base.src.items()}
    write_report(args.out, "int8_models_m7", BOARD, args.runs, rows, markdown(rows, args.runs, sources))
    keys = ("portable", "dsp", "dsp_size", "tflm_cmsis_nn", "tflm_reference")
    return 0 if all(r[k].get("outputs_match") for r in rows for k in keys) else 1


if __name__ == "__main__":
    sys.exit(main())
