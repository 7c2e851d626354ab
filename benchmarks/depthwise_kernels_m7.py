"""int8 depthwise convolution on the emulated Cortex-M7 (QEMU mps2-an500): instructions per MAC of the Cortex-M
DSP kernel (runtimes/cortex-m/edgec_depthwise_conv2d_s8.c) and of the portable reference kernel on the layer shapes
of VWW (3x3, stride 1 and 2), KWS (3x3 on 25x5: an odd width) and MCUNet (3x3, 5x5, 7x7, stride 1 and 2; ONNX QDQ models requantise in float),
each layer alone in a small firmware (benchmarks/depthwise_kernels_m7.c) whose outputs must be identical between
the two builds; then the depthwise layers of whole int8 models (`edgec bench --layers`, DSP kernels): VWW and KWS
(MLPerf Tiny), MCUNet.

    python benchmarks/depthwise_kernels_m7.py [--out benchmarks/results]

Instructions are QEMU guest instructions counted by edgec's QEMU plugin in the layer's window, not time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from m7 import BOARD, REPO, config_with_kernels, measure, models_dir, write_report

sys.path.insert(0, str(REPO / "model_zoo"))
sys.path.insert(0, str(REPO / "benchmarks"))
from edgec.board.insn_mix import build_plugin, plugin_args, read_mix  # noqa: E402

# (where the shape comes from, H, W, C, k, stride, pad, float requantisation)
SHAPES = [
    ("VWW", 48, 48, 8, 3, 1, 1, 0), ("VWW", 48, 48, 16, 3, 2, 1, 0), ("VWW", 24, 24, 32, 3, 1, 1, 0),
    ("VWW", 12, 12, 64, 3, 1, 1, 0), ("VWW", 6, 6, 128, 3, 1, 1, 0), ("VWW", 3, 3, 256, 3, 1, 1, 0),
    ("VWW", 24, 24, 32, 3, 2, 1, 0), ("VWW", 12, 12, 64, 3, 2, 1, 0), ("VWW", 6, 6, 128, 3, 2, 1, 0),
    ("KWS", 25, 5, 64, 3, 1, 1, 0),
    ("MCUNet", 24, 24, 24, 3, 1, 1, 1), ("MCUNet", 20, 20, 48, 5, 1, 2, 0), ("MCUNet", 20, 20, 48, 5, 1, 2, 1),
    ("MCUNet", 20, 20, 48, 7, 1, 3, 0), ("MCUNet", 20, 20, 48, 7, 1, 3, 1), ("MCUNet", 40, 40, 16, 7, 2, 3, 0),
    ("MCUNet", 10, 10, 96, 5, 1, 2, 1), ("MCUNet", 10, 10, 160, 7, 1, 3, 1), ("MCUNet", 6, 6, 160, 7, 1, 3, 1),
]
MCUNET_MODELS = ["mcunet-in0", "mcunet-vww1"]
MLPERF_MODELS = ["vww_96_int8.tflite", "kws_ref_model.tflite"]  # the Done-when figure: their depthwise layers' share
CC = ["arm-none-eabi-gcc", "-O2", "-std=c99", "-mthumb", "-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard",
      "-ffreestanding", "-nostartfiles", "-nostdlib"]


def run_layer(shape: tuple, kernels: str, plugin: Path, work: Path) -> tuple[int, int]:
    """(instructions, output hash) of one layer with one kernel set."""
    _, h, w, c, k, s, pad, fl = shape
    tag = f"{kernels}_{h}x{w}x{c}_k{k}s{s}f{fl}"
    elf, counts = work / f"{tag}.elf", work / f"{tag}.json"
    defs = [f"-DDW_{n}={v}" for n, v in zip(("H", "W", "C", "K", "S", "PAD", "FLOAT"), shape[1:])]
    defs.append(f"-DDW_ACT_MAX={127 if shape[0] in ('VWW', 'KWS') else 100}")  # ReLU into zero point -128; MCUNet: ReLU6
    subprocess.run([*CC, "-I", str(REPO / "runtimes" / "include"), "-I", str(REPO / "tests" / "semihost"), *defs,
                    "-T", str(REPO / "tests" / "semihost" / "link.ld"), str(REPO / "benchmarks" / "depthwise_kernels_m7.c"),
                    str(REPO / "runtimes" / kernels / "edgec_depthwise_conv2d_s8.c"), "-lgcc", "-o", str(elf)],
                   check=True)
    proc = subprocess.run(["qemu-system-arm", "-M", BOARD, "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", *plugin_args(plugin, elf, counts),
                           "-kernel", str(elf)], capture_output=True, timeout=600)
    return read_mix(counts)["instructions"], proc.returncode


def mcunet_row(name: str, work: Path) -> dict:
    import mcunet
    import onnx
    from mcunet_int8_m7 import ARCHS

    from edgec.quantize.ptq import QuantizeOptions, quantize_onnx

    res = ARCHS[name]["resolution"]
    onnx.save(mcunet.build(name), str(work / f"{name}.onnx"))
    np.save(work / "calib.npy", np.random.default_rng(0).uniform(-1, 1, (8, 1, 3, res, res)).astype(np.float32))
    quantize_onnx(work / f"{name}.onnx", work / f"{name}_int8.onnx", QuantizeOptions(work / "calib.npy"))
    return model_row(name, work / f"{name}_int8.onnx")


def model_row(name: str, model: Path) -> dict:
    """A whole model's depthwise layers (`edgec bench --layers`, DSP kernels) and its outputs against a build with
    the reference kernels only."""
    r = measure(model, 1, config_with_kernels("cortex-m7", None), layers=True)
    ref = measure(model, 1, config_with_kernels("cortex-m7", ["reference"]))
    dw = [layer for layer in r["layers"] if layer["op"] == "depthwise_conv2d_s8"]
    return {"model": name, "instructions": r["instructions"], "macs": r["macs"],
            "depthwise_instructions": sum(layer["count"] for layer in dw),
            "depthwise_macs": sum(layer["macs"] for layer in dw), "reference_instructions": ref["instructions"],
            "same_as_reference": r["outputs"] == ref["outputs"]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = p.parse_args()
    plugin = build_plugin()
    layers, models = [], []
    with tempfile.TemporaryDirectory(prefix="edgec-dw-") as tmp:
        for shape in SHAPES:
            dsp, dsp_hash = run_layer(shape, "cortex-m", plugin, Path(tmp))
            ref, ref_hash = run_layer(shape, "reference", plugin, Path(tmp))
            src, h, w, c, k, s, pad, fl = shape
            macs = ((h + 2 * pad - k) // s + 1) * ((w + 2 * pad - k) // s + 1) * c * k * k
            layers.append({"source": src, "shape": f"{h}x{w}x{c}", "kernel": f"{k}x{k}", "stride": s,
                           "requantisation": "float" if fl else "fixed", "macs": macs, "dsp_instructions": dsp,
                           "reference_instructions": ref, "identical": dsp_hash == ref_hash})
            print(layers[-1], flush=True)
        for name in MLPERF_MODELS:
            models.append(model_row(name, models_dir() / name))
            print(models[-1], flush=True)
        for name in MCUNET_MODELS:
            models.append(mcunet_row(name, Path(tmp)))
            print(models[-1], flush=True)
    lines = [f"# int8 depthwise convolution on the emulated Cortex-M7 ({BOARD})", "",
             "`python benchmarks/depthwise_kernels_m7.py`. One layer per firmware (benchmarks/depthwise_kernels_m7.c): "
             "instructions counted by edgec's QEMU plugin around the kernel call (edgec_depthwise_conv2d_s8, which builds its "
             "weight tables per call: compiled models on the 2 x 2 path call edgec_depthwise_conv2d_s8_packed with tables "
             "built at compile time, int8_models_m7.md); *identical*: the DSP kernel's output "
             "equals the reference kernel's byte for byte. Float requantisation is what ONNX QDQ models (MCUNet) use; the "
             "MCUNet layers clamp their output (ReLU6), the VWW and KWS ones do not need to (ReLU into zero point -128).",
             "", "| from | input | kernel | stride | requantisation | MACs | DSP instructions / MAC | "
             "reference instructions / MAC | identical |", "|---|---|---|---:|---|---:|---:|---:|---|"]
    for r in layers:
        lines.append(f"| {r['source']} | {r['shape']} | {r['kernel']} | {r['stride']} | {r['requantisation']} | "
                     f"{r['macs']:,} | {r['dsp_instructions'] / r['macs']:.2f} | "
                     f"{r['reference_instructions'] / r['macs']:.2f} | {'yes' if r['identical'] else 'NO'} |")
    lines += ["", "Whole int8 models, DSP kernels, `edgec bench --layers` (compiled: the 2 x 2 path's tables built "
              "at compile time): the depthwise layers' share, the figure int8_models_m7.md gives per kernel; MLPerf "
              "Tiny's VWW and KWS, and MCUNet (random weights, onnxruntime PTQ as in benchmarks/mcunet_int8_m7.py). "
              "*same outputs*: the outputs the firmware prints equal those of a build with the reference kernels only "
              "(whose instructions are given too).", "",
              "| model | instructions | reference-kernel instructions | depthwise instructions | depthwise MACs | "
              "depthwise instructions / MAC | same outputs |", "|---|---:|---:|---:|---:|---:|---|"]
    for r in models:
        lines.append(f"| {r['model']} | {r['instructions']:,} | {r['reference_instructions']:,} | "
                     f"{r['depthwise_instructions']:,} | {r['depthwise_macs']:,} | "
                     f"{r['depthwise_instructions'] / r['depthwise_macs']:.2f} | "
                     f"{'yes' if r['same_as_reference'] else 'NO'} |")
    write_report(args.out, "depthwise_kernels_m7", BOARD, 1, layers + models, "\n".join(lines) + "\n")
    return 0 if all(r["identical"] for r in layers) and all(r["same_as_reference"] for r in models) else 1


if __name__ == "__main__":
    sys.exit(main())
