"""Patch-based scheduling on the emulated Cortex-M7, end to end: for the MCUNet family, MobileNetV2 and the int8
MLPerf Tiny models, the arena layer by layer (`--patch off`) and with `--patch auto`, the MAC overhead, and the
instructions of one inference on QEMU's mps2-an500 with the Cortex-M7 target's kernels (DSP first) for both, from
one run of this script. The patched build's outputs must equal the layer-by-layer build's (as the firmware prints them), and both are
compared with the reference executor (onnxruntime with graph optimizations off for QDQ; TFLite Micro or LiteRT
for TFLite): QDQ models differ from it by float ties that a deep random network propagates (see
benchmarks/results/mcunet_int8_m7.md), which is why the error is reported, not asserted.

    python benchmarks/patch_models_m7.py [--runs 1] [--only mcunet-in0,vww_96_int8,...] [--keep]
        [--modes auto conv_104:4,conv_187:2 ...]

`--only` with `--keep` re-measures those models and keeps the other rows of the existing report (all marked as
from an earlier run). `--modes`: the patch modes measured against `--patch off` (default auto); a mode besides the
first gets a row of its own, named `<model> (--patch MODE)`, for the models where that mode applies (an explicit
split names nodes of one model).

The VWW MCUNets also run as int8 TFLite ("mcunet-vww0.tflite" ...: model_zoo/mcunet_tflite.py writes the same
quantized network as the flatbuffer; its reference is TFLite Micro). ONNX models (random weights) are quantized by
edgec's own PTQ (`--quantize int8`, 8 random calibration samples)
and compiled with `--int8-input`, as a camera-fed MCU runs them (the float image is not in the arena). "excl.
input" is the arena if the input lived outside it (MCUNetV2's metric). "fits": the arena and the firmware's .text +
.rodata within the budget of the chip the model was designed for (BUDGETS: cortex-m7, the STM32F746's 320 KiB SRAM
and 1 MiB flash, or cortex-m7-h743, the STM32H743's 512 KiB and 2 MiB). Figures are guest instructions
(QEMU -icount shift=0), not time. Writes benchmarks/results/patch_models_m7.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

from m7 import BOARD, REPO, measure, models_dir, write_report

sys.path.insert(0, str(REPO / "model_zoo"))

import calibration  # noqa: E402
import mcunet  # noqa: E402
import mcunet_tflite  # noqa: E402
import mobilenet_v2  # noqa: E402
from edgec.config import load_config, load_target  # noqa: E402
from edgec.frontend import ImportOptions  # noqa: E402
from edgec.passes.patch_search import PatchOptions  # noqa: E402
from edgec.quantize.ptq import QuantizeOptions, quantize_onnx  # noqa: E402
from edgec.report import stage_grid_text  # noqa: E402

# The chip each model was designed for, as its target: the MCUNet zoo's mcunet-in4 is "mcunet-512kb-2mb" and
# mcunetv2-large is MCUNetV2's (TinyEngine's) large ImageNet model, both for the STM32H743's 512 KiB SRAM and 2 MiB
# flash; the others for the STM32F746 (320 KiB, 1 MiB), the cortex-m7 target.
BUDGETS = {"mcunet-in4": "cortex-m7-h743", "mcunetv2-large": "cortex-m7-h743"}
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


def markdown(rows: list[dict], runs: int) -> str:
    kib = lambda b: f"{b / 1024:.1f}"  # noqa: E731
    lines = [
        f"# Patch-based scheduling on the emulated Cortex-M7 ({BOARD})",
        "",
        f"`python benchmarks/patch_models_m7.py`. Median of {runs} run(s) after one warm-up; QEMU guest instructions "
        "(-icount shift=0), not time. Arena in KiB; 'excl. input': the arena if the input lived outside it (MCUNetV2's "
        "metric). ONNX models: random weights, edgec PTQ, `--int8-input`. '.tflite': the same quantized MCUNet written "
        "as int8 TFLite (model_zoo/mcunet_tflite.py; explicit PADs before its strided convs, as MCUNet's own files "
        "have them), reference TFLite Micro. 'fits': arena and firmware .text + .rodata within the budget of the chip "
        "the model was designed for: `cortex-m7` (STM32F746: 320 KiB SRAM, 1 MiB flash), or `cortex-m7-h743` "
        "(STM32H743: 512 KiB SRAM, 2 MiB flash) for mcunet-in4 (the MCUNet zoo's 'mcunet-512kb-2mb') and mcunetv2-large "
        "(MCUNetV2's large ImageNet model); the code is the same for both (same core and kernels). 'est. instruction overhead': what the search estimated "
        "(compiler/edgec/ops/cost.py) and held within 10 % with the MAC overhead.",
        "",
        "| model | MMACs | arena off | arena auto | excl. input off | excl. input auto | schedule | MAC overhead | "
        "est. instruction overhead | instructions off | instructions auto | instruction overhead | flash KiB | fits off / auto (target) | auto = off | max error vs reference |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    if any(r.get("earlier_run") for r in rows):
        lines[2] += (" Rows marked * are kept from an earlier run of this script (`--keep`), not re-measured with "
                     "the code the other rows were measured with: a change since may give them another schedule or "
                     "other counts.")
    for r in rows:
        off, auto = r["off"], r["auto"]
        if "error" in off or "error" in auto:
            lines.append(f"| {r['model']} | {off.get('error', '')} {auto.get('error', '')} |" + " |" * 15)
            continue
        patch = auto["patch"] or {}
        stages = patch.get("stages") or ([patch] if patch.get("grid") else [])
        schedule = (" + ".join(f"{stage_grid_text(st)}, {len(st['stage_nodes'])} layers" for st in stages)
                    or "layer by layer")
        lines.append(
            f"| {r['model']}{' *' if r.get('earlier_run') else ''} | {off['macs'] / 1e6:.1f} | {kib(off['arena_bytes'])} | {kib(auto['arena_bytes'])} | "
            f"{kib(off['arena_bytes_excluding_input'])} | {kib(auto['arena_bytes_excluding_input'])} | {schedule} | "
            f"{patch.get('mac_overhead', 0.0):+.1%} | {patch.get('instruction_overhead_estimate', 0.0):+.1%} | "
            f"{off['instructions']:,.0f} | {auto['instructions']:,.0f} | "
            f"{auto['instructions'] / off['instructions'] - 1:+.1%} | {auto['flash_bytes'] / 1024:.0f} | "
            f"{'yes' if r['fits_off'] else 'no'} / {'yes' if r['fits_auto'] else 'no'} "
            f"({r.get('budget', 'cortex-m7')}) | "
            f"{'yes' if off['outputs'] == auto['outputs'] else 'NO'} | {off['max_abs_error']:.3g} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--only", help="comma-separated model names")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--timeout", type=float, default=600, help="seconds per board command (MobileNetV2 1.0 / 224 "
                   "runs 2 billion instructions)")
    p.add_argument("--keep", action="store_true", help="with --only: keep the existing report's other rows")
    p.add_argument("--modes", nargs="+", default=["auto"], help="patch modes measured against off")
    a = p.parse_args()
    config = load_config()
    rows = []

    def fits(res: dict, budget: str) -> bool:
        target = load_target(budget, config)
        return res["arena_bytes"] <= target.sram_bytes and res["flash_bytes"] <= target.flash_bytes
    with tempfile.TemporaryDirectory(prefix="edgec-patch-bench-") as tmp:
        for name, path, imports in models(Path(tmp), set(a.only.split(",")) if a.only else None):
            print(f"{name}: --patch off", file=sys.stderr, flush=True)
            off = measure(path, a.runs, import_options=imports, patch=PatchOptions("off"), timeout=a.timeout)
            for k, mode in enumerate(a.modes):
                if k and not applies(path, imports, mode):
                    continue
                print(f"{name}: --patch {mode}", file=sys.stderr, flush=True)
                r = measure(path, a.runs, import_options=imports, patch=PatchOptions(mode), timeout=a.timeout)
                budget = BUDGETS.get(name, "cortex-m7")
                row = {"model": name if k == 0 else f"{name} (--patch {mode})", "mode": mode, "off": off, "auto": r,
                       "budget": budget}
                for key, res in (("off", off), ("auto", r)):
                    if "error" not in res:
                        row[f"fits_{key}"] = fits(res, budget)
                rows.append(row)
    if a.keep and a.out.joinpath("patch_models_m7.json").exists():
        measured = {r["model"] for r in rows}
        earlier = json.loads(a.out.joinpath("patch_models_m7.json").read_text())["models"]
        rows += [{**r, "earlier_run": True} for r in earlier if r["model"] not in measured]
        order = {r["model"]: i for i, r in enumerate(earlier)}
        rows.sort(key=lambda r: order.get(r["model"], order.get(r["model"].split(" (")[0], len(order)) + 0.5))
    write_report(a.out, "patch_models_m7", BOARD, a.runs, rows, markdown(rows, a.runs))


def applies(model: Path, imports: ImportOptions, mode: str) -> bool:
    """Whether an explicit mode's split nodes are this model's (a mode naming another model's nodes is skipped)."""
    from edgec.errors import EdgecError
    from edgec.passes.patch_search import resolve_stages
    from patch_schedule import int8_input, load_graph

    graph = load_graph(model)
    if imports.int8_input:
        graph = int8_input(graph)
    try:
        resolve_stages(graph, mode)
    except EdgecError:
        return False
    return True


if __name__ == "__main__":
    main()
