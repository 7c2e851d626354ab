"""In-place depthwise convolution (compiler/edgec/memory/inplace_depthwise.py): the arena without it and with it
(the default, `depthwise_in_place = "auto"`: a layer runs in place only where that shrinks the arena) on the
MLPerf Tiny models and on MobileNetV2 (model_zoo/mobilenet_v2.py: 0.35/96 float and int8, 1.0/224 int8, quantized
by edgec's PTQ on random calibration data); and what the band loop costs in instructions on the emulated Cortex-M7
(QEMU mps2-an500, DSP kernels) with every depthwise layer forced in place ("always") against none ("never").

    python benchmarks/inplace_depthwise.py [--runs 2] [--out benchmarks/results] [--skip-m7]

Arena figures come from the compiler's planner; the instruction figures are QEMU guest instructions
(-icount shift=0), not time.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

from m7 import BOARD, REPO, measure, models_dir, write_report

sys.path.insert(0, str(REPO / "model_zoo"))
from mobilenet_v2 import build as build_mobilenet_v2  # noqa: E402

from edgec.config import load_config  # noqa: E402
from edgec.memory.inplace_depthwise import is_depthwise  # noqa: E402
from edgec.memory.plan import plan_memory  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402
from edgec.quantize.ptq import QuantizeOptions  # noqa: E402

MLPERF = ["vww_96_int8.tflite", "kws_ref_model.tflite", "pretrainedResnet_quant.tflite", "ad01_int8.tflite",
          "vww_96_float.tflite"]
MOBILENETS = [(0.35, 96, None), (0.35, 96, "int8"), (1.0, 224, "int8")]  # width, resolution, quantization
M7_MODELS = ["vww_96_int8.tflite", "kws_ref_model.tflite"]


def config_with(mode: str):
    config = load_config()
    return dataclasses.replace(config, passes={**config.passes, "depthwise_in_place": mode})


def arena_row(label: str, model: Path, tmp: Path, quantize=None) -> dict:
    """Compile once with the default ("auto"); plan the same graph again without in-place depthwise."""
    options = CompileOptions(measure_code=False, quantize=quantize)
    r = compile_model(model, "cortex-m7", tmp / label, options, config_with("auto"), check_fit=False)
    never = plan_memory(r.graph, r.plan.planner, depthwise="never")
    always = plan_memory(r.graph, r.plan.planner, depthwise="always")
    peak = max(range(len(r.graph.nodes)), key=lambda s: never.live_bytes[s + 1])
    node = r.graph.nodes[peak]
    return {"model": label, "arena_before": never.arena_bytes, "arena_after": r.plan.arena_bytes,
            "arena_always": always.arena_bytes, "lower_bound_after": r.plan.lower_bound,
            "depthwise_layers": sum(is_depthwise(n) for n in r.graph.nodes),
            "candidates": len(always.depthwise_bands), "in_place": len(r.plan.depthwise_bands),
            "peak_before": f"{peak}: {node.op} -> {'x'.join(map(str, r.graph.tensors[node.outputs[0]].shape))}"}


def arena_rows(tmp: Path) -> list[dict]:
    rows = [arena_row(name, models_dir() / name, tmp) for name in MLPERF]
    rng = np.random.default_rng(0)
    for width, res, quant in MOBILENETS:
        label = f"mobilenet_v2_{width}_{res}" + (f"_{quant}" if quant else "_float")
        model = tmp / f"mobilenet_v2_{width}_{res}.onnx"
        if not model.exists():
            onnx.save(build_mobilenet_v2(width, res), str(model))
        q = None
        if quant:
            calib = tmp / f"calib_{res}.npy"
            np.save(calib, rng.uniform(-1, 1, (8, 1, 3, res, res)).astype(np.float32))
            q = QuantizeOptions(calib)
        rows.append(arena_row(label, model, tmp, q))
    return rows


def m7_rows(runs: int) -> list[dict]:
    rows = []
    for name in M7_MODELS:
        row = {"model": name}
        for mode in ("never", "always"):
            row[mode] = measure(models_dir() / name, runs, config_with(mode))
        rows.append(row)
    return rows


def markdown(arenas: list[dict], m7: list[dict], runs: int) -> str:
    lines = [
        "# In-place depthwise convolution: arena and cost",
        "",
        "Arena of the generated C (bytes) without in-place depthwise (`depthwise_in_place = \"never\"`) and with "
        "the default (`\"auto\"`: a layer runs over its own input only where that makes the arena smaller); "
        "`always` forces every candidate in place. MobileNetV2 from model_zoo/mobilenet_v2.py (random weights; "
        "int8 through `--quantize int8` with 8 random calibration samples); all for cortex-m7.",
        "",
        "| model | arena before | arena after | saved | always | depthwise layers | candidates | in place | "
        "peak layer before |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in arenas:
        saved = r["arena_before"] - r["arena_after"]
        lines.append(f"| {r['model']} | {r['arena_before']:,} | {r['arena_after']:,} | {saved:,} "
                     f"({100 * saved / r['arena_before']:.1f} %) | {r['arena_always']:,} | {r['depthwise_layers']} | "
                     f"{r['candidates']} | {r['in_place']} | {r['peak_before']} |")
    if m7:
        lines += [
            "",
            f"## Cost on the emulated Cortex-M7 ({BOARD}, DSP kernels)",
            "",
            f"Every depthwise candidate forced in place against none; median of {runs} runs, QEMU guest "
            "instructions (-icount shift=0), not time. Outputs checked against the reference executor.",
            "",
            "| model | instructions never | instructions always | overhead | arena never | arena always | "
            "outputs match |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for r in m7:
            a, b = r["never"], r["always"]
            if "error" in a or "error" in b:
                lines.append(f"| {r['model']} | {a.get('error', '')} | {b.get('error', '')} | | | | |")
                continue
            lines.append(f"| {r['model']} | {round(a['instructions']):,} | {round(b['instructions']):,} | "
                         f"{100 * (b['instructions'] / a['instructions'] - 1):+.2f} % | {a['arena_bytes']:,} | "
                         f"{b['arena_bytes']:,} | {'yes' if a['outputs_match'] and b['outputs_match'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--skip-m7", action="store_true", help="arena figures only")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgec-inplace-") as tmp:
        arenas = arena_rows(Path(tmp))
    m7 = [] if args.skip_m7 else m7_rows(args.runs)
    rows = [{"arena": r} for r in arenas] + [{"m7": r} for r in m7]
    write_report(args.out, "inplace_depthwise", BOARD, args.runs, rows, markdown(arenas, m7, args.runs))


if __name__ == "__main__":
    main()
