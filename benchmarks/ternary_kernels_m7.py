"""Ternary (MatMul-free) kernels against edgec's int8 DSP kernels on the emulated Cortex-M7 (QEMU mps2-an500):
a 256x256 fully connected layer and a 3x3 convolution (16x16x32 -> 32, SAME), each a one-layer int8 TFLite model
whose int8 weights are 127 * T, T in {-1, 0, 1} (a third zeros). The same model runs with
`[passes] ternary_kernels = "never"` (the int8 kernels of runtimes/cortex-m/: the packed SXTB16 + SMLAD loops) and
with the ternary kernels forced to each method and packing (add/subtract or look-up; 2-bit or base 3) and left to
the cost model ("auto"). Every build's outputs are checked against TFLite Micro by `edgec bench`; all must match.

    python benchmarks/ternary_kernels_m7.py [--runs 3] [--out benchmarks/results]

Per layer: the instructions of that layer alone (the profiled build, `edgec bench --layers`), instructions per
MAC, and the weight bytes (the weight array as the kernel reads it: int8 weights, or the packed rows; the layer's
one a = 127 sits in the kernel parameters; bias and requantisation tables are the same for all and not counted).
QEMU figures are guest instructions (-icount shift=0), not time.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np

from m7 import BOARD, REPO, measure, write_report

sys.path.insert(0, str(REPO / "tests"))
from tflite_builder import TFLiteBuilder, schema  # noqa: E402

from edgec.config import load_config  # noqa: E402
from edgec.passes.ternary_kernels import estimated_instructions  # noqa: E402
from edgec.quantize import ternary_pack as tp  # noqa: E402

VARIANTS = [  # label, ternary_kernels, ternary_format
    ("int8 (DSP)", "never", "auto"),
    ("ternary add/sub 2-bit", "addsub", "2bit"),
    ("ternary add/sub base-3", "addsub", "base3"),
    ("ternary look-up 2-bit", "lut", "2bit"),
    ("ternary look-up base-3", "lut", "base3"),
    ("ternary auto (cost model)", "auto", "auto"),
]


def ternary_weights(rng, shape) -> np.ndarray:
    return (127 * rng.choice([-1, 0, 1], size=shape)).astype(np.int8)


def conv_model(path: Path, seed: int = 0) -> dict:
    b = TFLiteBuilder(seed)
    x = b.act([1, 16, 16, 32], 0.0005, 3)  # small real values: `bench` compares printed %.3f
    y = b.conv2d(x, 32, (3, 3), relu=False)
    op = b.operators[-1]
    w = b.tensors[op.inputs[1]]
    b.buffers[w.buffer].data = np.frombuffer(ternary_weights(b.rng, (32, 3, 3, 32)).tobytes(), np.uint8)
    path.write_bytes(b.finish([x], [y]))
    return {"layer": "conv 3x3, 16x16x32 -> 32", "k": 288, "channels": 32, "pixels": 256}


def fc_model(path: Path, seed: int = 0) -> dict:
    b = TFLiteBuilder(seed)
    x = b.act([1, 256], 0.0005, 3)
    w = ternary_weights(b.rng, (256, 256))
    w_scale = 0.004
    wt = b.tensor(w.shape, "int8", w_scale, 0, w)
    bias = b.rng.integers(-2000, 2000, 256, dtype=np.int32)
    bt = b.tensor(bias.shape, "int32", 0.0005 * w_scale, 0, bias)
    y = b.act([1, 256], np.sqrt(256 * 2 / 3) * 74 * 127 * 0.0005 * w_scale / 60, None)
    opts = schema.FullyConnectedOptionsT()
    opts.fusedActivationFunction = schema.ActivationFunctionType.NONE
    b.op("FULLY_CONNECTED", [x, wt, bt], [y], opts)
    path.write_bytes(b.finish([x], [y]))
    return {"layer": "fully connected 256 -> 256", "k": 256, "channels": 256, "pixels": 1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = ap.parse_args()
    base = load_config()
    rows = []
    with tempfile.TemporaryDirectory(prefix="edgec-ternary-bench-") as tmp:
        for build in (fc_model, conv_model):
            model = Path(tmp) / f"{build.__name__}.tflite"
            info = build(model)
            int8_count = None
            for label, mode, fmt in VARIANTS:
                config = dataclasses.replace(base, passes={**base.passes, "ternary_kernels": mode,
                                                           "ternary_format": fmt})
                r = measure(model, args.runs, config, layers=True)
                if "error" in r:
                    raise SystemExit(f"{info['layer']}, {label}: {r['error']}")
                layer = max(r["layers"], key=lambda la: la["macs"])
                count = layer["count"]
                if mode == "never":
                    int8_count = count
                row = {**info, "variant": label, "op": layer["op"], "kernel": layer.get("kernel"),
                       "format": layer.get("format"), "instructions": count, "macs": layer["macs"],
                       "instructions_per_mac": count / layer["macs"], "vs_int8": count / int8_count,
                       "weight_bytes": layer["weight_bytes"],
                       "outputs_match": r["outputs_match"], "reference": r["reference"],
                       "model_instructions": r["instructions"]}
                row["weight_bytes_vs_int8"] = row["weight_bytes"] / (info["k"] * info["channels"])
                if mode in ("addsub", "lut"):
                    method = 0 if mode == "addsub" else 1
                    row["cost_model_estimate"] = info["pixels"] * estimated_instructions(
                        method, tp.FORMATS[fmt], info["k"], info["channels"], info["pixels"])
                rows.append(row)
                print(f"{info['layer']:28s} {label:26s} {count:>10,} instr  {row['instructions_per_mac']:.3f}/MAC "
                      f"x{row['vs_int8']:.2f}  {row['weight_bytes']:>6,} B  match={r['outputs_match']}", flush=True)
    if not all(row["outputs_match"] for row in rows):
        raise SystemExit("some outputs do not match the reference")
    md = [f"# Ternary kernels on the emulated Cortex-M7 ({BOARD})", "",
          "Generated by `python benchmarks/ternary_kernels_m7.py`. One run, one model per layer (int8 TFLite, weights "
          "127 x {-1, 0, 1}); the layer's own instructions from the profiled build (median of "
          f"{args.runs} runs), QEMU guest instructions (-icount shift=0), not time. Every build's outputs equal "
          "TFLite Micro's. Weight bytes: the weight array the kernel reads (the one a = 127 is a parameter).", ""]
    for layer in dict.fromkeys(row["layer"] for row in rows):
        md += [f"## {layer}", "", "| kernel | format | instructions | per MAC | vs int8 | cost model | weight bytes | vs int8 |",
               "|---|---|---:|---:|---:|---:|---:|---:|"]
        for row in (r for r in rows if r["layer"] == layer):
            est = f"{row['cost_model_estimate']:,}" if "cost_model_estimate" in row else "-"
            kind = row["variant"] + (f" -> {row['kernel']}" if row["variant"].endswith("model)") else "")
            md.append(f"| {kind} | {row['format'] or 'int8'} | {row['instructions']:,} | "
                      f"{row['instructions_per_mac']:.3f} | {row['vs_int8']:.2f} | {est} | {row['weight_bytes']:,} | "
                      f"{row['weight_bytes_vs_int8']:.3f} |")
        md.append("")
    best = {layer: min((r for r in rows if r["layer"] == layer and r["op"] == "ternary_conv_s8"),
                       key=lambda r: r["instructions"]) for layer in dict.fromkeys(row["layer"] for row in rows)}
    md += ["## Reading", "",
           "Best ternary kernel against int8, per layer: " + "; ".join(
               f"{layer}: {r['variant']} at {r['vs_int8']:.2f}x the instructions, {r['weight_bytes_vs_int8']:.3f}x "
               "the weight bytes" for layer, r in best.items()) + ". The issue's goal (at most 0.6x) is not reached "
           "on this core: the int8 kernels do two MACs per SMLAD (16 MACs in 14 instructions in the packed fully "
           "connected loop), while a ternary weight needs its code decoded before anything is added: the "
           "add/subtract kernel spends EOR, AND and USADA8 on four weights plus two mask loads per packed byte "
           "(shared by four pixels in convolutions), the look-up kernel one extract, one load and one add per "
           "packed byte and channel (0.6 per MAC at best with base 3) plus the tables, which only many output "
           "channels amortise. What the ternary layers buy on the Cortex-M7 is 4x (2-bit) to 5x (base 3) smaller "
           "weights, exactly the int8 layer's outputs.", ""]
    write_report(args.out, "ternary_kernels_m7", BOARD, args.runs, rows, "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
