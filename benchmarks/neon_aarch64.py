"""NEON kernels and whole models on aarch64, counted under qemu-aarch64 (user mode): instructions per
multiply-accumulate against the limit of the instructions the kernels use. Writes a markdown and a JSON report.

    python benchmarks/neon_aarch64.py [--out benchmarks/results] [--models all|int8|none]

Counts come from edgec's QEMU TCG plugin (compiler/edgec/board/qemu_plugin/insn_mix.c, built by board/insn_mix.py),
loaded into qemu-aarch64: the guest instructions between two marker calls, one window per kernel call or per
inference (after one warm-up inference). They are instructions, not time: QEMU models no pipeline, and a SDOT
counts as one like an ADD. The limits: an FMLA does 4 float MACs (0.25 instructions per MAC), a SMLAL 8 int8 MACs
(0.125; the SMULL + SADALP pairs used where there is no dot product do 8 per 2 instructions, 0.25), a SDOT 16
(0.0625). cortex-a53 builds (-mcpu=cortex-a53) have no dot product, cortex-a55 builds have SDOT.

Models: each is compiled for cortex-a55 with the NEON kernel set; the "portable" column compiles it again with the
portable kernel sets only (runtimes/optimized, runtimes/reference).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from m7 import REPO, models_dir, write_report

from edgec.board.insn_mix import build_plugin, plugin_args  # noqa: E402
from edgec.build.host import emulator_command  # noqa: E402
from edgec.build.toolchain import WARNING_FLAGS, c_sources, require_tool, run_tool  # noqa: E402
from edgec.config import load_target  # noqa: E402
from edgec.paths import RUNTIMES  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402

NM = "aarch64-linux-gnu-nm"
KERNELS = ("conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "conv2d_nhwc_f32", "depthwise_conv2d_f32",
           "matmul_f32")
# benchmarks/neon/kernel_bench.c's windows, in order: (label, int8?, MACs)
SHAPES = [
    ("int8 conv 1x1, 16x16x64 -> 64", True, 16 * 16 * 64 * 64),
    ("int8 conv 3x3, 16x16x32 -> 32", True, 16 * 16 * 32 * 32 * 9),
    ("int8 depthwise 3x3, 16x16x64", True, 16 * 16 * 64 * 9),
    ("int8 fully connected 1024 -> 256", True, 1024 * 256),
    ("float conv 1x1, 16x16x64 -> 64", False, 16 * 16 * 64 * 64),
    ("float conv 3x3, 16x16x32 -> 32", False, 16 * 16 * 32 * 32 * 9),
    ("float depthwise 3x3, 16x16x64", False, 16 * 16 * 64 * 9),
    ("float matmul 64x256 * 256x64", False, 64 * 256 * 64),
    ("float fully connected 1024 -> 256", False, 1024 * 256),
]
LIMIT_F32 = 0.25  # FMLA: 4 MACs
LIMIT_S8 = {"cortex-a53": 0.125, "cortex-a55": 0.0625}  # SMLAL: 8 MACs; SDOT: 16 MACs

MLPERF_INT8 = ["pretrainedResnet_quant.tflite", "vww_96_int8.tflite", "kws_ref_model.tflite", "ad01_int8.tflite"]
MLPERF_FLOAT = ["pretrainedResnet.tflite", "vww_96_float.tflite", "kws_ref_model_float32.tflite", "ad01_fp32.tflite"]

MARKERS = """
__attribute__((noinline)) void edgec_bench_window_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void edgec_bench_window_end(void) { __asm__ volatile("nop" ::: "memory"); }
"""


def count_windows(exe: Path, target, work: Path) -> list[int]:
    """Instructions of each marker window of `exe` run under the target's QEMU user-mode emulator."""
    out = work / f"{exe.name}.counts.json"
    cmd = [*emulator_command(target), *plugin_args(build_plugin(), exe, out, nm=NM), str(exe)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{exe.name} failed under QEMU: {proc.stderr[-2000:]}")
    return json.loads(out.read_text())["per_window"]


def build(target, sources: list[Path], include: list[Path], exe: Path, defines: tuple[str, ...] = ()) -> Path:
    """A non-PIE executable (the plugin's marker addresses are the link-time ones)."""
    incs = [a for d in include for a in ("-I", str(d))]
    run_tool([require_tool(target.cc), *target.cflags, *WARNING_FLAGS, *defines, "-no-pie", *incs, *map(str, sources),
              "-o", str(exe), "-lm"], f"building {exe.name}")
    return exe


def kernel_rows(work: Path) -> list[dict]:
    rows = [{"shape": label, "int8": int8, "macs": macs} for label, int8, macs in SHAPES]
    for target_name in ("cortex-a53", "cortex-a55"):
        target = load_target(target_name)
        for kset in ("reference", "neon"):
            srcs = [REPO / "benchmarks" / "neon" / "kernel_bench.c", *(RUNTIMES / kset / f"edgec_{k}.c" for k in KERNELS)]
            exe = build(target, srcs, [RUNTIMES / "include"], work / f"kernels_{target_name}_{kset}",
                        ("-DEDGEC_BENCH_NEON",) if kset == "neon" else ())
            for row, n in zip(rows, count_windows(exe, target, work)):
                row[f"{target_name}_{kset}"] = n
    return rows


def model_main(report: dict) -> str:
    """The model run once (warm-up), then once inside the window; zero inputs (the counts barely depend on them)."""
    n_in, n_out = len(report["inputs"]), len(report["outputs"])
    lines = ["#include <stdlib.h>", '#include "model.h"', MARKERS, "int main(void) {"]
    lines += [f"    void *in{i} = calloc({max(t['bytes'], 1)}, 1);" for i, t in enumerate(report["inputs"])]
    lines += [f"    void *out{i} = calloc({max(t['bytes'], 1)}, 1);" for i, t in enumerate(report["outputs"])]
    args = ", ".join([f"in{i}" for i in range(n_in)] + [f"out{i}" for i in range(n_out)])
    lines += [f"    if ({report['name']}_run({args}) != 0) return 1;", "    edgec_bench_window_begin();",
              f"    if ({report['name']}_run({args}) != 0) return 1;", "    edgec_bench_window_end();",
              "    return 0;", "}", ""]
    return "\n".join(lines)


def portable_build(model: Path, dst: Path) -> Path:
    """The model compiled for cortex-a55 with the portable kernel sets only (runtimes/optimized, reference): the
    NEON set's calls may differ (its conv takes weights packed at compile time), so this is its own compile."""
    target = dataclasses.replace(load_target("cortex-a55"), kernels=("optimized", "reference"))
    compile_model(model, target, dst, CompileOptions(measure_code=False))
    return dst


def model_row(model: Path, work: Path) -> dict:
    row = {"model": model.name}
    try:
        out = work / model.stem / "neon"
        result = compile_model(model, "cortex-a55", out, CompileOptions(measure_code=False))
    except Exception as exc:  # noqa: BLE001 - a model edgec cannot compile is a row, not the end of the run
        row["error"] = str(exc).splitlines()[0][:200]
        return row
    report = result.report
    row["macs"] = report["macs"]
    row["int8"] = any(layer["op"].endswith("_s8") for layer in report["layers"])
    builds = {"neon": out, "portable": portable_build(model, work / model.stem / "portable")}
    for kset, src_dir in builds.items():
        (src_dir / "bench_main.c").write_text(model_main(report))
        for target_name in ("cortex-a53", "cortex-a55"):
            if kset == "portable" and target_name == "cortex-a53":
                continue
            target = load_target(target_name)
            exe = build(target, c_sources(src_dir), [src_dir], work / model.stem / f"{kset}_{target_name}")
            (n,) = count_windows(exe, target, work)
            row[f"{target_name}_{kset}"] = n
    return row


def mobilenet_v2(work: Path) -> Path:
    sys.path.insert(0, str(REPO / "model_zoo"))
    import onnx
    from mobilenet_v2 import build as build_mobilenet

    path = work / "mobilenet_v2_0.35_96.onnx"
    onnx.save(build_mobilenet(0.35, 96), str(path))
    return path


NOTES = [
    "## Reading the figures",
    "",
    "- The issue's goal, within 2x of the limit on conv-heavy models, holds for float ResNet (1.7x) and ad01 float",
    "  (1.8x); VWW float sits on the line (0.503 instructions per MAC: 2.01x); MobileNetV2 0.35 / 96 float misses",
    "  it (2.6x). Float conv / pointwise / matmul kernels run at 0.32-0.43 per MAC (1.3-1.7x): the conv weights",
    "  are packed at compile time (blocks of 16 output channels, k-major) for a 4-pixel x 16-channel tile of FMLA",
    "  by element. What is left in float: depthwise border pixels (the general per-pixel loop, 1.3-2 per MAC; on",
    "  6x6 and 3x3 maps most pixels are border, so MobileNetV2's and VWW's late depthwise layers stay near 1.3),",
    "  3-channel first convolutions (1.05 per MAC: 9-float rows, short inner loops), pooling and element-wise",
    "  kernels without a NEON twin.",
    "- int8 misses the goal, closer than before: ResNet 3.3x the SDOT limit (a55; 10.6x before) and 3.9x the",
    "  SMLAL limit (a53; 7.0x), VWW 7.5x / 6.2x (11.4x / 7.2x), KWS 6.7x / 5.5x (32.5x / 17.6x), ad01 15.0x /",
    "  9.0x (unchanged: all fully connected). The conv takes its weights interleaved at compile time",
    "  (ops/quantized_s8.py pack_conv_s8_dot4, the x86 layout: blocks of 16 output channels, [K/4][16][4] bytes)",
    "  with the input offset folded into the bias: one SDOT by element multiplies 4 k of 4 channels by 4 bytes of",
    "  one pixel, a tile is 4 pixels x 16 channels, so each 64-byte weight load feeds 16 SDOTs and there is no",
    "  horizontal reduction; the 16 outputs of a pixel are requantised together (about 2.7 instructions per",
    "  output). Interior pixels read the input in place when in_c % 4 == 0, others go through a per-pixel window",
    "  copy. The 3x3 conv kernel row is 2.0x the SDOT limit, the 1x1 row 2.7x (small K: the per-tile overhead and",
    "  requantisation weigh more). ResNet's residual adds, half its instructions before, have a NEON twin",
    "  (edgec_add_s8: 8 elements a step, about 11 instructions per element where the reference took 96). What is",
    "  left: the depthwise layers (1.3-2.2 per MAC: VWW's and KWS's), first convolutions with 3 input channels (a",
    "  window copy per pixel, about 2 per MAC), layers with fewer than 16 output channels (the tile's padded",
    "  channels multiply zeros), the int8 fully connected layer (ad01), pooling.",
    "- kws_ref_model_float32.tflite is a hybrid model (int8 weights, float activations: conv2d_hybrid): edgec has",
    "  no NEON twin of that kernel yet, hence 1.0x.",
    "- cortex-a53 builds use SMULL + SADALP (2 instructions per 8 MACs, 0.25 per MAC: twice the SMLAL limit the",
    "  table divides by; the interleaved tile is 2 pixels x 16 channels there); SMLAL pairs would overflow int16",
    "  on (-128) x (-128) twice, which the bit-exact kernels must allow. TFLite's int8 weights are symmetric",
    "  ([-127, 127]), so a packer that checks it could choose an SMULL + SMLAL + SADALP form (0.19 per MAC): not",
    "  done.",
    "- Not measured here: XNNPACK's aarch64 build under qemu-aarch64, and the x86 ratios of edgec's host C against",
    "  onnxruntime and LiteRT (single thread).",
    "",
]


def fmt_ratio(insns: float, macs: int) -> str:
    return f"{insns / macs:.3f}"


def markdown(kernels: list[dict], models: list[dict]) -> str:
    lines = [
        "# NEON kernels and models on aarch64 (qemu-aarch64, instructions per MAC)",
        "",
        "Guest instructions counted by edgec's QEMU TCG plugin in qemu-aarch64 user mode, not time. Limit: the",
        "instructions per MAC of the widest multiply-accumulate the build can use (FMLA 0.25; int8: SMLAL 0.125 on",
        "cortex-a53, SDOT 0.0625 on cortex-a55). `x limit` = NEON instructions per MAC / limit.",
        "",
        "## Kernels (one call each, benchmarks/neon/kernel_bench.c)",
        "",
        "| layer | MACs | a53 reference | a53 NEON | a53 x limit | a55 reference | a55 NEON | a55 x limit | "
        "NEON speed-up (a55) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in kernels:
        m = r["macs"]
        l53 = LIMIT_S8["cortex-a53"] if r["int8"] else LIMIT_F32
        l55 = LIMIT_S8["cortex-a55"] if r["int8"] else LIMIT_F32
        lines.append(f"| {r['shape']} | {m:,} | {fmt_ratio(r['cortex-a53_reference'], m)} | "
                     f"{fmt_ratio(r['cortex-a53_neon'], m)} | {r['cortex-a53_neon'] / m / l53:.1f} | "
                     f"{fmt_ratio(r['cortex-a55_reference'], m)} | {fmt_ratio(r['cortex-a55_neon'], m)} | "
                     f"{r['cortex-a55_neon'] / m / l55:.1f} | {r['cortex-a55_reference'] / r['cortex-a55_neon']:.1f}x |")
    lines += ["", "(columns a53/a55 reference and NEON: instructions per MAC)", ""]
    if models:
        lines += [
            "## Models (one inference after a warm-up)",
            "",
            "| model | MACs | a55 portable kernels | a55 NEON | a55 x limit | a53 NEON | a53 x limit | "
            "NEON speed-up (a55) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in models:
            if "error" in r:
                lines.append(f"| {r['model']} | not compiled: {r['error']} | | | | | | |")
                continue
            m = r["macs"]
            l53 = LIMIT_S8["cortex-a53"] if r["int8"] else LIMIT_F32
            l55 = LIMIT_S8["cortex-a55"] if r["int8"] else LIMIT_F32
            lines.append(f"| {r['model']} | {m:,} | {fmt_ratio(r['cortex-a55_portable'], m)} | "
                         f"{fmt_ratio(r['cortex-a55_neon'], m)} | {r['cortex-a55_neon'] / m / l55:.1f} | "
                         f"{fmt_ratio(r['cortex-a53_neon'], m)} | {r['cortex-a53_neon'] / m / l53:.1f} | "
                         f"{r['cortex-a55_portable'] / r['cortex-a55_neon']:.1f}x |")
        lines += ["", "(instructions per MAC; the whole inference, every layer included, over the model's MACs)", ""]
    lines += NOTES
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--models", choices=["all", "int8", "none"], default="all")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgec-neon-bench-") as tmp:
        work = Path(tmp)
        kernels = kernel_rows(work)
        paths = []
        if args.models != "none":
            paths = [models_dir() / m for m in MLPERF_INT8]
            if args.models == "all":
                paths += [models_dir() / m for m in MLPERF_FLOAT] + [mobilenet_v2(work)]
        models = []
        for path in paths:
            print(f"{path.name} ...", flush=True)
            models.append(model_row(path, work))
    rows = [{"kernels": kernels}, {"models": models}]
    write_report(args.out, "neon_aarch64", "qemu-aarch64 (user mode)", 1, rows, markdown(kernels, models))
    return 0


if __name__ == "__main__":
    sys.exit(main())
