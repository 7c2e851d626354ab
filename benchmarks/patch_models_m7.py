"""Patch-based scheduling on the emulated Cortex-M7, end to end: for the MCUNet family, MobileNetV2 and the int8
MLPerf Tiny models, the arena layer by layer (`--patch off`) and with `--patch auto`, the MAC overhead, and the
instructions of one inference on QEMU's mps2-an500 with the Cortex-M7 target's kernels (DSP first) for both, from
one run of this script. The patched build's outputs must equal the layer-by-layer build's (as the firmware prints them), and both are
compared with the reference executor (onnxruntime with graph optimizations off for QDQ; TFLite Micro or LiteRT
for TFLite): QDQ models differ from it by float ties that a deep random network propagates (see
benchmarks/results/mcunet_int8_m7.md), which is why the error is reported, not asserted.

    python benchmarks/patch_models_m7.py [--runs 1] [--only mcunet-in0,vww_96_int8,...] [--merge]

`--merge` (with `--only`) replaces those models' rows in the committed report and keeps the others; each row so
added carries the commit it was measured at.

The VWW MCUNets also run as int8 TFLite ("mcunet-vww0.tflite" ...: model_zoo/mcunet_tflite.py writes the same
quantized network as the flatbuffer; its reference is TFLite Micro). ONNX models (random weights) are quantized by
edgec's own PTQ (`--quantize int8`, 8 random calibration samples)
and compiled with `--int8-input`, as a camera-fed MCU runs them (the float image is not in the arena). "excl.
input" is the arena if the input lived outside it (MCUNetV2's metric). "fits" is the Cortex-M7 target's budget
(320 KiB SRAM, 1 MiB flash) against the arena and the firmware's .text + .rodata. Figures are guest instructions
(QEMU -icount shift=0), not time. Writes benchmarks/results/patch_models_m7.{md,json}.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

from m7 import BOARD, REPO, git_commit, measure, merge_rows, models_dir, write_report

sys.path.insert(0, str(REPO / "model_zoo"))

import calibration  # noqa: E402
import mcunet  # noqa: E402
import mcunet_tflite  # noqa: E402
import mobilenet_v2  # noqa: E402
from edgec.config import load_config, load_target  # noqa: E402
from edgec.frontend import ImportOptions  # noqa: E402
from edgec.passes.patch_search import PatchOptions  # noqa: E402
from edgec.quantize.ptq import QuantizeOptions, quantize_onnx  # noqa: E402

MLPERF = ["vww_96_int8.tflite", "pretrainedResnet_quant.tflite", "kws_ref_model.tflite", "ad01_int8.tflite"]
MCUNET_TFLITE = ["mcunet-vww0", "mcunet-vww1", "mcunet-vww2"]


def ptq(model: onnx.ModelProto, name: str, work: Path) -> Path:
    f = work / f"{name}.onnx"
    onnx.save(model, str(f))
    cal = work / f"{name}_cal.npy"
    np.save(cal, calibration.random_samples(calibration.input_shape(model), 8))
    q = work / f"{name}_int8.onnx"
    quantize_onnx(f, q, QuantizeOptions(cal))
    return q


def models(work: Path, only: set[str] | None) -> list[tuple[str, Path, ImportOptions]]:
    found = []
    onnx_models = [(arch, lambda a=arch: mcunet.build(a)) for arch in mcunet.ARCHS]
    onnx_models += [("mobilenet_v2_1.0_224", lambda: mobilenet_v2.build(1.0, 224)),
                    ("mobilenet_v2_0.35_96", lambda: mobilenet_v2.build(0.35, 96))]
    for name, build in onnx_models:
        if only is None or name in only:
            found.append((name, ptq(build(), name, work), ImportOptions(int8_input=True)))
    for arch in MCUNET_TFLITE:
        name = f"{arch}.tflite"
        if only is None or name in only:
            path = work / f"{arch}_int8.tflite"
            path.write_bytes(mcunet_tflite.build(arch)[0])
            found.append((name, path, ImportOptions()))
    for stem in MLPERF:
        name = stem.removesuffix(".tflite")
        if only is None or name in only:
            found.append((name, models_dir() / stem, ImportOptions()))
    return found


def model_names() -> list[str]:
    return list(mcunet.ARCHS) + ["mobilenet_v2_1.0_224", "mobilenet_v2_0.35_96"] + \
        [f"{a}.tflite" for a in MCUNET_TFLITE] + [s.removesuffix(".tflite") for s in MLPERF]


def markdown(rows: list[dict], runs: int) -> str:
    kib = lambda b: f"{b / 1024:.1f}"  # noqa: E731
    lines = [
        f"# Patch-based scheduling on the emulated Cortex-M7 ({BOARD})",
        "",
        f"`python benchmarks/patch_models_m7.py`. Median of {runs} run(s) after one warm-up; QEMU guest instructions "
        "(-icount shift=0), not time. Arena in KiB; 'excl. input': the arena if the input lived outside it (MCUNetV2's "
        "metric). ONNX models: random weights, edgec PTQ, `--int8-input`. '.tflite': the same quantized MCUNet written "
        "as int8 TFLite (model_zoo/mcunet_tflite.py; explicit PADs before its strided convs, as MCUNet's own files "
        "have them), reference TFLite Micro. 'fits': the cortex-m7 target's 320 KiB SRAM "
        "and 1 MiB flash (arena; firmware .text + .rodata). 'est. instruction overhead': what the search estimated "
        "(compiler/edgec/ops/cost.py) and held within 10 % with the MAC overhead.",
        "",
        "| model | MMACs | arena off | arena auto | excl. input off | excl. input auto | schedule | MAC overhead | "
        "est. instruction overhead | instructions off | instructions auto | instruction overhead | flash KiB | fits off / auto | auto = off | max error vs reference |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        off, auto = r["off"], r["auto"]
        if "error" in off or "error" in auto:
            lines.append(f"| {r['model']} | {off.get('error', '')} {auto.get('error', '')} |" + " |" * 15)
            continue
        patch = auto["patch"] or {}
        schedule = (f"{patch['grid']}x{patch['grid']}, {len(patch['stage_nodes'])} layers" if patch.get("grid")
                    else "layer by layer")
        lines.append(
            f"| {r['model']} | {off['macs'] / 1e6:.1f} | {kib(off['arena_bytes'])} | {kib(auto['arena_bytes'])} | "
            f"{kib(off['arena_bytes_excluding_input'])} | {kib(auto['arena_bytes_excluding_input'])} | {schedule} | "
            f"{patch.get('mac_overhead', 0.0):+.1%} | {patch.get('instruction_overhead_estimate', 0.0):+.1%} | "
            f"{off['instructions']:,.0f} | {auto['instructions']:,.0f} | "
            f"{auto['instructions'] / off['instructions'] - 1:+.1%} | {auto['flash_bytes'] / 1024:.0f} | "
            f"{'yes' if r['fits_off'] else 'no'} / {'yes' if r['fits_auto'] else 'no'} | "
            f"{'yes' if off['outputs'] == auto['outputs'] else 'NO'} | {off['max_abs_error']:.3g} |")
    later = {}
    for r in rows:
        if "commit" in r:
            later.setdefault(r["commit"], []).append(r["model"])
    for commit, names in later.items():
        lines.append(f"\nRows measured later, at commit {commit} (`--only ... --merge`; the others are from the "
                     f"run before): {', '.join(names)}.")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--only", help="comma-separated model names")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--merge", action="store_true", help="keep the report's rows of the models not in --only")
    p.add_argument("--timeout", type=float, default=600, help="seconds per board command (MobileNetV2 1.0 / 224 "
                   "runs 2 billion instructions)")
    a = p.parse_args()
    target = load_target("cortex-m7", load_config())
    commit = git_commit()
    rows = []
    with tempfile.TemporaryDirectory(prefix="edgec-patch-bench-") as tmp:
        for name, path, imports in models(Path(tmp), set(a.only.split(",")) if a.only else None):
            row = {"model": name}
            for mode in ("off", "auto"):
                print(f"{name}: --patch {mode}", file=sys.stderr, flush=True)
                r = measure(path, a.runs, import_options=imports, patch=PatchOptions(mode), timeout=a.timeout)
                row[mode] = r
                if "error" not in r:
                    row[f"fits_{mode}"] = (r["arena_bytes"] <= target.sram_bytes
                                           and r["flash_bytes"] <= target.flash_bytes)
            rows.append(row)
    if a.merge:
        rows = merge_rows(a.out / "patch_models_m7.json", rows, model_names(), commit)
    write_report(a.out, "patch_models_m7", BOARD, a.runs, rows, markdown(rows, a.runs))


if __name__ == "__main__":
    main()
