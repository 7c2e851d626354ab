"""NEON kernels and whole models on aarch64, counted under qemu-aarch64 (user mode): instructions per
multiply-accumulate against the limit of the instructions the kernels use. Writes a markdown and a JSON report.

    python benchmarks/neon_aarch64.py [--out benchmarks/results] [--models all|int8|none] [--layers]
                                      [--baseline GIT_REF] [--xnnpack | --xnnpack-from JSON]

--layers adds, for the int8 models and KWS float, each kind of layer's instructions (one window per layer: the
model built with -DEDGEC_PROFILE_LAYERS, its per-layer hook closing one window and opening the next). --baseline
counts the NEON kernels and the models again with the compiler and kernels of an earlier commit (its compiler/,
runtimes/ and targets/ from `git archive`, the models compiled by that tree in a subprocess; a kernel its NEON set
lacks comes from the next set, as that compiler picks it), for before / after ratios measured in the same run.

Counts come from edgec's QEMU TCG plugin (compiler/edgec/board/qemu_plugin/insn_mix.c, built by board/insn_mix.py),
loaded into qemu-aarch64: the guest instructions between two marker calls, one window per kernel call or per
inference (after one warm-up inference). They are instructions, not time: QEMU models no pipeline, and a SDOT
counts as one like an ADD. The limits: an FMLA does 4 float MACs (0.25 instructions per MAC), a SMLAL 8 int8 MACs
(0.125; the SMULL + SADALP pairs used where there is no dot product do 8 per 2 instructions, 0.25), a SDOT 16
(0.0625). cortex-a53 builds (-mcpu=cortex-a53) have no dot product, cortex-a55 builds have SDOT.

--xnnpack counts LiteRT's own aarch64 build (its Python wheel, XNNPACK delegate on, one thread) on the same tflite
models with the same plugin (xnnpack_rows: an aarch64 CPython from Debian's arm64 packages, set up by
neon/xnnpack_sysroot.py in edgec's cache folder on first use; needs apt-get and pip to reach their registries).
--xnnpack-from takes those counts from an earlier report's JSON instead: they do not depend on edgec's code.

Models: each is compiled for cortex-a55 with the NEON kernel set; the "portable" column compiles it again with the
portable kernel sets only (runtimes/optimized, runtimes/reference).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import tarfile
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
KERNELS = ("conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "fully_connected_s8_dot4", "conv2d_nhwc_f32",
           "depthwise_conv2d_f32", "matmul_f32", "conv2d_hybrid", "hybrid_quantize")
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
    ("hybrid conv 1x1, 25x5x64 -> 64 (float in and out)", True, 25 * 5 * 64 * 64),
]
LIMIT_F32 = 0.25  # FMLA: 4 MACs
LIMIT_S8 = {"cortex-a53": 0.125, "cortex-a55": 0.0625}  # SMLAL: 8 MACs; SDOT: 16 MACs
# A lower bound for bit-exact int8 kernels, in units of LIMIT_S8 (floor_rows): the products alone (without the dot
# product at most two int8 products fit an int16 lane, so SMULL + SMLAL + SADALP do 16 MACs in 3 instructions), plus
# each output's requantisation: per 16 int32 sums 4 SQRDMULH, 4 SRSHL, 6 narrowing 32 -> 16 -> 8 and one store; the
# rounding fix-up (TFLite rounds half away from zero, SRSHL half up: 4 more) only where no ReLU clamps the negative
# results away, so it is left out, as are the zero point and the clamp.
PRODUCTS_FLOOR_S8 = {"cortex-a53": 1.5, "cortex-a55": 1.0}
REQUANT_PER_OUTPUT = 15 / 16
REQUANTISED_OPS = ("conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8")

MLPERF_INT8 = ["pretrainedResnet_quant.tflite", "vww_96_int8.tflite", "kws_ref_model.tflite", "ad01_int8.tflite"]
MLPERF_FLOAT = ["pretrainedResnet.tflite", "vww_96_float.tflite", "kws_ref_model_float32.tflite", "ad01_fp32.tflite"]
LAYERS_FLOAT = ["kws_ref_model_float32.tflite"]  # --layers: the float models broken down too (hybrid conv)

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


def kernel_rows(work: Path, baseline: Path | None = None) -> list[dict]:
    rows = [{"shape": label, "int8": int8, "macs": macs} for label, int8, macs in SHAPES]
    ksets = [("reference", RUNTIMES, "reference"), ("neon", RUNTIMES, "neon")]
    if baseline:
        ksets.append(("neon_before", baseline / "runtimes", "neon"))
    for target_name in ("cortex-a53", "cortex-a55"):
        target = load_target(target_name)
        for column, runtimes, kset in ksets:
            # a kernel the set lacks comes from the next set, as the compiler picks it (an earlier commit's NEON set);
            # one no set has is newer than that commit
            found = ([runtimes / s / f"edgec_{k}.c" for s in (kset, "optimized", "reference")] for k in KERNELS)
            files = [next(f for f in paths if f.exists()) for paths in found if any(f.exists() for f in paths)]
            srcs = [REPO / "benchmarks" / "neon" / "kernel_bench.c", *files]
            defines = ("-DEDGEC_BENCH_NEON",) if kset == "neon" else ()
            if kset == "neon" and (runtimes / "neon" / "edgec_conv2d_hybrid.c").exists():
                defines += ("-DEDGEC_BENCH_HYBRID_DOT4",)
            header = (runtimes / "include" / "edgec_conv2d_s8.h").read_text()
            if kset == "neon" and "edgec_conv2d_s8_dot4_neon" in header:
                defines += ("-DEDGEC_BENCH_DOT4_SYM",)  # the entry TFLite's symmetric int8 weights get
            if kset == "neon" and (runtimes / "neon" / "edgec_fully_connected_s8_dot4.c").exists():
                defines += ("-DEDGEC_BENCH_FC_DOT4",)  # the packed entry the compiler emits for constant weights
            exe = build(target, srcs, [runtimes / "include"], work / f"kernels_{target_name}_{column}", defines)
            for row, n in zip(rows, count_windows(exe, target, work)):
                row[f"{target_name}_{column}"] = n
    return rows


def baseline_tree(ref: str, work: Path) -> Path:
    """compiler/, runtimes/, targets/ and toolchain.toml of commit `ref`, unpacked under work."""
    dst = work / "baseline"
    archive = work / "baseline.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), ref, "compiler", "runtimes", "targets",
                    "toolchain.toml"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dst, filter="data")
    return dst


def compile_a55(model: Path, out: Path, tree: Path | None = None) -> dict:
    """The model compiled for cortex-a55 (the NEON kernel set) into out; with tree, by that tree's compiler in a
    subprocess. Returns report.json."""
    if tree is None:
        return compile_model(model, "cortex-a55", out, CompileOptions(measure_code=False)).report
    code = ("import sys; from pathlib import Path; from edgec.pipeline import CompileOptions, compile_model; "
            "compile_model(Path(sys.argv[1]), 'cortex-a55', Path(sys.argv[2]), CompileOptions(measure_code=False))")
    env = {**os.environ, "PYTHONPATH": str(tree / "compiler")}
    proc = subprocess.run([sys.executable, "-c", code, str(model), str(out)], env=env, capture_output=True, text=True,
                          timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"baseline compile of {model.name} failed: {proc.stderr[-2000:]}")
    return json.loads((out / "report.json").read_text())


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


LAYER_MARKERS = """
static int edgec_profiling;
void edgec_layer_done(int32_t index) { /* the model's per-layer hook: one window per layer */
    if (!edgec_profiling) return;
    if (index >= 0) edgec_bench_window_end();
    edgec_bench_window_begin();
}
"""


def layer_main(report: dict) -> str:
    """model_main with one window per layer of the second run instead of one for the inference."""
    src = model_main(report).replace("    edgec_bench_window_begin();\n", "    edgec_profiling = 1;\n", 1)
    src = src.replace("    edgec_bench_window_end();\n", "", 1)
    return "#include <stdint.h>\n" + src.replace(MARKERS, MARKERS + LAYER_MARKERS)


def layer_shares(model: Path, work: Path, baseline: Path | None = None) -> dict:
    """Instructions per kind of layer of one inference, on cortex-a55 and cortex-a53 (with a baseline tree, also its
    counts: `<target>_before`)."""
    kinds: dict[str, dict] = {}
    report = None
    for tree, suffix in ((None, ""), (baseline, "_before")):
        if suffix and tree is None:
            continue
        out = work / model.stem / f"layers{suffix}"
        rep = compile_a55(model, out, tree)
        report = report or rep
        (out / "bench_main.c").write_text(layer_main(rep))
        for target_name in ("cortex-a55", "cortex-a53"):
            target = load_target(target_name)
            exe = build(target, c_sources(out), [out], work / model.stem / f"layers{suffix}_{target_name}",
                        ("-DEDGEC_PROFILE_LAYERS",))
            counts = count_windows(exe, target, work)
            if len(counts) != len(rep["layers"]):
                raise RuntimeError(f"{model.name}: {len(counts)} layer windows for {len(rep['layers'])} layers")
            for i, (layer, n) in enumerate(zip(rep["layers"], counts)):
                kind = layer_kind(i, layer)
                k = kinds.setdefault(kind, {"kind": kind, "layers": 0, "macs": 0})
                if target_name == "cortex-a55" and not suffix:
                    k["layers"] += 1
                    k["macs"] += layer["macs"]
                k[target_name + suffix] = k.get(target_name + suffix, 0) + n
    return {"model": model.name, "macs": report["macs"],
            "int8": any(layer["op"].endswith("_s8") for layer in report["layers"]),
            "kinds": sorted(kinds.values(), key=lambda k: -k["cortex-a55"])}


def layer_kind(index: int, layer: dict) -> str:
    """The op; a first convolution (few input channels: the window copy path) on its own."""
    return f"{layer['op']} (first layer)" if index == 0 and layer["op"].startswith("conv2d") else layer["op"]


def portable_build(model: Path, dst: Path) -> Path:
    """The model compiled for cortex-a55 with the portable kernel sets only (runtimes/optimized, reference): the
    NEON set's calls may differ (its conv takes weights packed at compile time), so this is its own compile."""
    target = dataclasses.replace(load_target("cortex-a55"), kernels=("optimized", "reference"))
    compile_model(model, target, dst, CompileOptions(measure_code=False))
    return dst


def model_row(model: Path, work: Path, baseline: Path | None = None) -> dict:
    row = {"model": model.name}
    try:
        out = work / model.stem / "neon"
        report = compile_a55(model, out)
    except Exception as exc:  # noqa: BLE001 - a model edgec cannot compile is a row, not the end of the run
        row["error"] = str(exc).splitlines()[0][:200]
        return row
    row["macs"] = report["macs"]
    row["int8"] = any(layer["op"].endswith("_s8") for layer in report["layers"])
    row["requantised_outputs"] = sum(math.prod(layer["output_shape"]) for layer in report["layers"]
                                     if layer["op"] in REQUANTISED_OPS)
    builds = {"neon": out, "portable": portable_build(model, work / model.stem / "portable")}
    if baseline:
        builds["before"] = work / model.stem / "before"
        compile_a55(model, builds["before"], baseline)
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


# --xnnpack: LiteRT's aarch64 wheel under the same plugin. qemu 7.2 has no cortex-a55 model: cortex-a76 has its
# ISA (Armv8.2-A with the dot product and fp16; no SVE, no i8mm), which is what XNNPACK's kernel choice reads
# (HWCAP); the core's part number comes from the /proc/cpuinfo of neon/xnnpack_sysroot.py's cpu_root.
XNNPACK_QEMU_CPU = {"cortex-a53": "cortex-a53", "cortex-a55": "cortex-a76"}
HWCAP_ASIMDDP = 1 << 20  # the kernel's HWCAP bit for the dot product (SDOT / UDOT)
LITERT_INVOKE = REPO / "benchmarks" / "neon" / "litert_invoke.py"


def is_sdot(word: int) -> bool:
    """SDOT / UDOT (vector or by element) in the A64 encoding: QEMU 7.2's disassembler prints them as .byte."""
    return (word & 0xBF20FC00) == 0x0E809400 or (word & 0xBF00F400) == 0x0F00E000


def litert_run(root: Path, qemu_cpu: str, markers: Path, model: Path | None = None,
               plugin: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    sys.path.insert(0, str(REPO / "benchmarks" / "neon"))
    from xnnpack_sysroot import PYTHON, SITE

    cmd = [require_tool("qemu-aarch64"), "-cpu", qemu_cpu, *plugin, "-L", str(root), str(root / PYTHON), "-S",
           str(LITERT_INVOKE), str(markers), *([str(model)] if model else [])]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": "/" + SITE, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"LiteRT under qemu-aarch64 -cpu {qemu_cpu} failed ({proc.returncode}): "
                           f"{(proc.stderr + proc.stdout)[-2000:]}")
    return proc


def xnnpack_count(root: Path, qemu_cpu: str, markers: Path, model: Path, work: Path) -> dict:
    """One invoke's instructions (the window of two invokes less the window of one: the Python call of
    interpreter.invoke() included, start-up, loading and the warm-up invoke outside), and the SDOTs among the
    instructions QEMU translated (run at least once) in the whole process."""
    (addresses,) = [line for line in litert_run(root, qemu_cpu, markers).stdout.splitlines()
                    if line.startswith("markers")]
    begin, end = (int(a, 16) for a in addresses.split()[1:])
    out, dump = work / f"xnnpack_{model.stem}_{qemu_cpu}.json", work / f"xnnpack_{model.stem}_{qemu_cpu}.dump"
    spec = ",".join((str(build_plugin()), f"out={out}", f"begin=0x{begin:x}", f"end=0x{end:x}", f"dump={dump}"))
    proc = litert_run(root, qemu_cpu, markers, model, ("-plugin", spec))
    if addresses not in proc.stdout:  # the markers moved: the plugin watched the wrong addresses
        raise RuntimeError(f"{model.name}: marker addresses differ between runs ({addresses} / {proc.stdout[:200]})")
    empty, one, two = json.loads(out.read_text())["per_window"]
    sdots = 0
    with dump.open() as f:
        for line in f:
            fields = line.split(" ", 5)
            sdots += is_sdot(int.from_bytes(bytes.fromhex(fields[4]), "little"))
    dump.unlink()
    return {"instructions": two - one, "one_invoke_window": one - empty, "sdot_translated": sdots}


def xnnpack_rows(models: list[dict], work: Path) -> list[dict]:
    """LiteRT / XNNPACK on the tflite models of `models` (edgec's rows: their MACs are the denominators)."""
    sys.path.insert(0, str(REPO / "benchmarks" / "neon"))
    from xnnpack_sysroot import cpu_root, sysroot

    root = sysroot()
    markers_c = work / "xnnpack_markers.c"
    markers_c.write_text(MARKERS)
    markers = work / "xnnpack_markers.so"
    run_tool([require_tool("aarch64-linux-gnu-gcc"), "-O2", "-shared", "-fPIC", str(markers_c), "-o", str(markers)],
             "building the marker library")
    rows = []
    for r in models:
        if "error" in r or not r["model"].endswith(".tflite"):
            continue
        row = {"model": r["model"], "macs": r["macs"], "int8": r["int8"]}
        for target_name, qemu_cpu in XNNPACK_QEMU_CPU.items():
            print(f"{r['model']}: LiteRT / XNNPACK, qemu -cpu {qemu_cpu} ...", flush=True)
            croot = cpu_root(root, target_name)
            hwcap = litert_hwcap(croot, qemu_cpu, markers)
            counts = xnnpack_count(croot, qemu_cpu, markers, models_dir() / r["model"], work)
            row[f"{target_name}_xnnpack"] = counts["instructions"]
            row[f"{target_name}_xnnpack_one_invoke_window"] = counts["one_invoke_window"]
            row[f"{target_name}_xnnpack_sdot_translated"] = counts["sdot_translated"]
            row[f"{target_name}_hwcap_dotprod"] = bool(hwcap & HWCAP_ASIMDDP)
            row[f"{target_name}_edgec"] = r[f"{target_name}_neon"]
        rows.append(row)
    return rows


def earlier_xnnpack_counts(report_json: Path) -> dict[str, dict]:
    """--xnnpack-from: the XNNPACK counts of an earlier report, by model. They do not depend on edgec's code (the
    same LiteRT wheel, qemu and plugin; a window's count is the same in every run), so a rerun after a kernel
    change need not count them again (about 14 minutes). Read before the edgec counts: a bad file stops the run
    at once."""
    try:
        blocks = [b["xnnpack"] for b in json.loads(report_json.read_text())["models"] if "xnnpack" in b]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"--xnnpack-from: {report_json} is not a neon_aarch64 report's JSON: {exc}") from None
    if not blocks:
        raise SystemExit(f"--xnnpack-from: {report_json} has no XNNPACK counts (a run with --xnnpack writes them)")
    return {r["model"]: dict(r, reused_from=report_json.name) for r in blocks[0]}


def reused_xnnpack_rows(earlier: dict[str, dict], models: list[dict]) -> list[dict]:
    """The earlier XNNPACK counts (earlier_xnnpack_counts) with this run's edgec figures beside them."""
    rows = []
    for r in models:
        if "error" in r or not r["model"].endswith(".tflite"):
            continue
        if r["model"] not in earlier or earlier[r["model"]]["macs"] != r["macs"]:
            raise SystemExit(f"--xnnpack-from: no XNNPACK count for {r['model']} ({r['macs']:,} MACs) in "
                             f"{next(iter(earlier.values()))['reused_from']}: run with --xnnpack")
        row = dict(earlier[r["model"]])
        for target_name in XNNPACK_QEMU_CPU:
            row[f"{target_name}_edgec"] = r[f"{target_name}_neon"]
        rows.append(row)
    return rows


def litert_hwcap(root: Path, qemu_cpu: str, markers: Path) -> int:
    """AT_HWCAP as the guest sees it under this -cpu model (what XNNPACK's cpuinfo reads)."""
    code = "import ctypes; c = ctypes.CDLL(None); c.getauxval.restype = ctypes.c_ulong; print(c.getauxval(16))"
    sys.path.insert(0, str(REPO / "benchmarks" / "neon"))
    from xnnpack_sysroot import PYTHON

    proc = subprocess.run([require_tool("qemu-aarch64"), "-cpu", qemu_cpu, "-L", str(root), str(root / PYTHON), "-S",
                           "-c", code], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"reading HWCAP under qemu-aarch64 -cpu {qemu_cpu} failed: {proc.stderr[-1000:]}")
    return int(proc.stdout.split()[-1])


def xnnpack_table(rows: list[dict]) -> list[str]:
    lines = [
        "## Against LiteRT / XNNPACK on aarch64 (the same plugin)",
        "",
        *([f"XNNPACK's counts are those of an earlier run (`--xnnpack-from {rows[0]['reused_from']}`: they do not "
           "depend on edgec's code, and each window counts the same in every run); edgec's are this run's.", ""]
          if rows and "reused_from" in rows[0] else ["Both counted in this run.", ""]),
        "| model | MACs | a55 edgec | a55 XNNPACK | a55 edgec / XNNPACK | a53 edgec | a53 XNNPACK | "
        "a53 edgec / XNNPACK | XNNPACK SDOTs run (a55 / a53) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        m = r["macs"]
        cells = []
        for t in ("cortex-a55", "cortex-a53"):
            cells += [fmt_ratio(r[f"{t}_edgec"], m), fmt_ratio(r[f"{t}_xnnpack"], m),
                      f"{r[f'{t}_edgec'] / r[f'{t}_xnnpack']:.2f}"]
        sdots = f"{r['cortex-a55_xnnpack_sdot_translated']} / {r['cortex-a53_xnnpack_sdot_translated']}"
        lines.append(f"| {r['model']} | {m:,} | {' | '.join(cells)} | {sdots} |")
    dotprod = {t: all(r[f"{t}_hwcap_dotprod"] for r in rows) for t in XNNPACK_QEMU_CPU}
    lines += [
        "",
        "(instructions per MAC of one inference, the model's MACs as edgec counts them; edgec / XNNPACK below 1:",
        "edgec runs fewer instructions. SDOTs run: SDOT / UDOT instructions among those QEMU translated in the whole",
        "LiteRT process, i.e. executed at least once: the dot-product kernels were taken, or not)",
        "",
        "Method: LiteRT's own aarch64 wheel (ai-edge-litert 2.3.0, numpy 2.4.6; manylinux aarch64, CPython 3.11)",
        "in Debian 12's arm64 CPython 3.11 under qemu-aarch64 user mode (benchmarks/neon/xnnpack_sysroot.py sets",
        "it up), benchmarks/neon/litert_invoke.py: `Interpreter(model_path, num_threads=1)`, the default op",
        "resolver (XNNPACK delegate on, what a user gets), zero inputs, one warm-up invoke, then marker windows",
        "counted by the same plugin as edgec's: one invoke's instructions = the window of two invokes less the",
        "window of one (interpreter start-up, model loading, XNNPACK's weight packing and the warm-up outside; the",
        "Python call of `invoke()` inside: for scale, the empty window, two ctypes calls from Python, is about",
        "1,300 instructions). The window of one invoke less the empty window gives the same figure (JSON:",
        "`*_xnnpack_one_invoke_window`). edgec's column: the models table's NEON figure of the same run (its",
        "window: one `<model>_run` call after a warm-up).",
        "",
        "Caveats: XNNPACK picks its kernels at run time from HWCAP and the core's part number. QEMU 7.2 has no",
        "cortex-a55 model: the a55 column runs `-cpu cortex-a76` (Armv8.2-A with the dot product and fp16, no SVE,",
        f"no i8mm: the A55's ISA; HWCAP's ASIMDDP bit {'set' if dotprod['cortex-a55'] else 'NOT set'}), the a53 column "
        f"`-cpu cortex-a53` (no dot",
        f"product; ASIMDDP {'set' if dotprod['cortex-a53'] else 'not set'}). qemu-user shows the host's x86 "
        "/proc/cpuinfo, on which XNNPACK's cpuinfo",
        "crashes, so the emulated root has a /proc/cpuinfo of one Cortex-A55 (part 0xd05) or Cortex-A53 (0xd03)",
        "core, as the device would show, and XNNPACK takes the kernels it picks for that core. edgec's builds need",
        "no run-time choice (-mcpu at compile time) and run under qemu's default cpu (`max`); only glibc's string",
        "functions choose by the cpu: KWS int8's edgec window under `-cpu cortex-a76` / `cortex-a53` instead is 20",
        "instructions more of 547,321 / 999,593 (checked once, by hand). Instructions are not time: an SDOT counts",
        "as one like an ADD, and QEMU models no pipeline (XNNPACK has kernels scheduled for the in-order A53 / A55).",
        "kws_ref_model_float32.tflite has int8 weights with float activations (dynamic range): LiteRT runs it as",
        "it chooses (its SDOTs on a55 say XNNPACK's dynamically quantized int8 kernels), counted as is.",
        "",
    ]
    return lines


NOTES = [
    "## Reading the figures",
    "",
    "- The issue's goal, within 2x of the limit on conv-heavy models, holds for every float model: ResNet 1.6x,",
    "  VWW 1.8x, KWS 1.3x on cortex-a55 and 1.8x (1.80; 1.98 on commit 1095dd5) on cortex-a53 (its convs are int8",
    "  products: SMULL there), ad01 1.8x, MobileNetV2 0.35 / 96 2.0x (1.98). Float conv / pointwise / matmul",
    "  kernels run at 0.32-0.43 per MAC (1.3-1.7x): the conv weights are",
    "  packed at compile time (blocks of 16 output channels, k-major) for a 4-pixel x 16-channel tile of FMLA by",
    "  element; pointwise layers run their tiles in one loop per block (the tile's set-up once per block, not per",
    "  tile: half a tile's instructions when in_c is 8) and a layer's last 8 channels as 4-pixel x 8-channel tiles.",
    "  Depthwise 3x3: the interior without GCC's pre-allocation scheduling (16 instructions a stride-1 pixel",
    "  instead of 24), stride 2 sharing a column between neighbours, border pixels from nine tap pointers (a row",
    "  of zeros in the padding) instead of the general loop; still 0.81 per MAC on 16 x 16 (3.2x) and about 1.1 on",
    "  6 x 6 and 3 x 3 maps, where most pixels are border pixels. Pooling, the binary ops, mean and transpose have",
    "  NEON twins (bit-exact: tests/neon/float_fuzz.c); 3-channel first convolutions stay near 0.5 per MAC.",
    "- kws_ref_model_float32.tflite's convs are hybrid (TFLite dynamic range: float activations quantized per call,",
    "  int8 weights): edgec_conv2d_hybrid_dot4 takes the x86 kernel's packing (ops/hybrid.py, blocks of 16",
    "  channels [K/4][16][4] and each channel's weight sum) with the input kept signed (sum (x - zp) w = sum x w -",
    "  zp sum w, the second term the accumulators' start): SDOT by element, 4 pixels x 16 channels a tile on",
    "  cortex-a55; SMULL + SADALP on cortex-a53, SMULL + SMLAL + SADALP when the weights are within [-127, 127]",
    "  (checked per call; the int8 conv's two-pixel assembly loop, below; kernel rows",
    "  shorter than 16 bytes gathered into one run so that their quads pair up: KWS's first layer);",
    "  every window in place in a zp-padded copy of the quantized input; the float epilogue per",
    "  block in registers, the reference's expressions (bit-exact). Its quantizer has a NEON twin (FMINNM / FMAXNM",
    "  range, FCVTAS rounding). Per layer (the table above) the hybrid pointwise convs are 0.57 units of the",
    "  model's FMLA limit on a55, 1.05 on a53 (1.20 before; the SMULL floor: 0.1875 per MAC); the float depthwise",
    "  0.49.",
    "- int8, the goal: within 2x on cortex-a55 for every int8 model: ResNet 1.73x the SDOT limit, ad01 (fully",
    "  connected layers only) 1.56x, VWW 1.99x, KWS 1.95x (2.13x and 2.09x on 7e742ed; 2.81x and 2.64x on e40f9b6).",
    "  On cortex-a53, against the SMLAL limit, ResNet 1.94x, ad01 1.86x and KWS 1.993x (661,870 instructions against",
    "  664,192; 2.10x on 8bf503c, the before / after table) are within it; VWW is not: 2.04x (1,905,745 instructions",
    "  against 1,872,416; 2.15x on 8bf503c). The floor table above says why 2x is hard there: their many small layers",
    "  have few MACs per output (depthwise 9, pointwise 8-256), and every output is requantised; the floor of a",
    "  bit-exact kernel is 1.46 / 1.73 (VWW) and 1.41 / 1.70 (KWS) units of the limit (a55 / a53), so the goal leaves",
    "  0.54 / 0.27 and 0.59 / 0.30 units for every load, address, padding and loop (ResNet: 0.90 / 0.45); edgec",
    "  spends 0.52 / 0.30 and 0.54 / 0.29 there (ResNet 0.62 / 0.39). XNNPACK takes 4.7x / 4.3x the limit on VWW.",
    "- int8 requantisation: SQRDMULH, the rounding fix-up (SSRA of the sign: TFLite rounds ties away from zero, SRSHL",
    "  up), SRSHL, narrowing, zero point and clamp. Outputs of TFLite's ReLU (zero point -128, int8's bounds: every",
    "  VWW and KWS layer, most of ResNet's and ad01's) need no fix-up, since a negative product rounds to <= 0 either",
    "  way and every such value gives -128: SQRDMULH + SRSHL, then SQXTUN, UQXTN, EOR 0x80 (no zero-point add, no",
    "  clamp); channels of no shift need no mask then (edgec_neon_narrow16_relu_s8, shared by the conv and the fully",
    "  connected; the depthwise has its own in assembly).",
    "- int8 conv: weights interleaved at compile time (ops/quantized_s8.py pack_conv_s8_dot4, the x86 layout: blocks",
    "  of 16 output channels, [K/4][16][4] bytes) with the input offset folded into the bias, through",
    "  edgec_conv2d_s8_dot4_neon, whose flags say what the compiler knows of the weights.",
    "  - cortex-a55: one SDOT by element multiplies 4 k of 4 channels by 4 bytes of one pixel; a tile is 4 pixels x",
    "    16 channels, so each 64-byte weight load feeds 16 SDOTs and there is no horizontal reduction. Tiles whose",
    "    windows are read in place go a strip at a time (dot4_strip): pointwise layers, the interior tiles of a row,",
    "    an output row of whole tiles, read from the input or, at the borders, from a padded band of input rows.",
    "    Pointwise layers of whole ReLU blocks run every block's tiles in one assembly call (dot4_relu_tiles: each",
    "    pixel's 32 bytes one LD1, two 32-byte steps a pass, the multipliers reloaded after a tile's sums; K = 16 or",
    "    32 dot4_relu_tiles_k32, a tile's pixels one or two 64-byte LD1s; K = 8 dot4_relu_tiles_k8, the block's",
    "    weights in registers; pixels % 4 == 1 end with a 5-pixel tile, dot4_relu_tile5, where a tile and a one-pixel",
    "    loop loaded the weights twice). Where every channel is ReLU's with no left shift (dot4_relu_channels,",
    "    checked once a layer) the bias, multipliers and shifts are read as they are, nothing prepared a block (about",
    "    100 instructions a block before). At K = 128 a tile spends 128 instructions beside its 512 SDOTs (149",
    "    before): 65 requantisation and stores, 48 loads, 15 other. Other blocks requantise in C with their constants",
    "    in registers for the tile.",
    "  - cortex-a53 (no dot product): weights within [-127, 127] (every TFLite model; EDGEC_CONV2D_S8_DOT4_SYM) sum",
    "    two quads' products in int16 before widening: SMULL + SMLAL + SADALP, 3 instructions per 16 MACs (1.5x the",
    "    SMLAL limit), two pixels x 16 channels per assembly loop over the whole window (edgec_neon.h",
    "    EDGEC_NEON_SYM_LOOP2), 52 instructions per 256 MACs (1.63x); pointwise and flat-window strips of blocks with",
    "    right shifts only run a block's tiles in one assembly loop with the requantisation and stores",
    "    (dot4_sym2_tiles_rq: four pairs of quads a pass, an odd last pixel through the one-pixel loop). ReLU blocks",
    "    (pointwise layers, and flat windows such as KWS's first layer) take the one-lane tile: LD4 .8h splits a",
    "    quad's packed weights into even / odd channels x (k0k1, k2k3), LD4R .8h broadcasts a pixel's halfwords, and",
    "    SMULL + SMLAL + SADALP leave a channel's 4-k sum in one int32 lane, so there is no ADDP and 16 accumulators",
    "    hold 4 pixels x 16 channels, each weight load feeding 4 pixels: 102 instructions per 8 k and 4 pixels (512",
    "    MACs), where the two-pixel tile took 104 for 256. The bias, multipliers and right shifts are laid out once a",
    "    block in the even / odd order, and ST2 interleaves the outputs back into channel order (dot4_eo4_blocks:",
    "    every block's tiles in one loop, the steps eight a pass, the first pass entered part-way, a BTI landing pad",
    "    at each entry in builds with branch protection; pixels % 4 by the one-pixel dot4_eo1_blocks); K = 8 (VWW's",
    "    48 x 48 x 8 -> 16) dot4_eo_k8, weights and constants in registers, two pixels a pass (43 instructions a",
    "    pixel, 46.5 before). Each row's last step moves the weights' pointer back to the block's start and the",
    "    pixels' on to the next tile with its loads' post-increments; rows of up to 8 steps (K <= 64) run in one pass",
    "    with no test (dot4_eo4_one), longer ones in passes of eight over their first n - 1 steps; flat-window strips",
    "    send up to 4 ReLU blocks through one call. KWS's pointwise layers 118,790 -> 112,216 instructions each",
    "    (237.6 -> 223 a pixel and block), its first layer 87,256 -> 80,952; VWW's K = 8 layer 109,827 -> 99,424, its",
    "    128 -> 128 layers 129,078 -> 124,036 (session 14). Code: the a53 conv object 53.6 -> 64.1 KB. Weights with a",
    "    -128 keep SMULL + SADALP.",
    "  - first layers (in_c % 4 != 0: 1 or 3 channels) read their windows flat from a ring of padded input rows, laid",
    "    out once (dot4_ring_init) and copied by counted loops, the last 64 bytes the ones ending the row (VWW: 91 ->",
    "    50 instructions a row); a layer whose rows all fit 8 KB (KWS's 58 rows of 28 bytes) fills them up front, so",
    "    its kernel rows need no look-ups. 3x3 windows of 17-32 bytes are gathered two at a time by TBL from three",
    "    16-byte row loads (5.5 instructions a window), kernel rows of one word (KWS's 10 x 4 x 1) by three TBLs of",
    "    four rows (7). Windows of 7 quads (3x3x3, 5x5x1) into multiples of 8 channels go 8 channels and two pixels a",
    "    pass, the 14 weight registers and the constants held for the call; a batch of output rows a call",
    "    (dot4_flat8_rows). cortex-a55: the TBL gather feeds the SDOTs straight from the row loads, the windows never",
    "    in memory (dot4_flat8_tbl, 59 instructions a pair of pixels where the copy and the loop took 11 + 54).",
    "    cortex-a53 (dot4_flat8_q7, SMLAL pairs): the seventh quad's bytes come ordered so that it pairs like the",
    "    others; the quads come broadcast by LD4R from the windows gathered for the batch by one dot4_tbl3_rows call",
    "    (a gather into registers would cost a DUP a quad); each pixel is rounded and narrowed on its own, so the",
    "    constants stay in registers for the call, ReLU's outputs skip the rounding's fix-up, and VWW's 8 channels go",
    "    two pairs of pixels a pass: 111.5 instructions a pair of pixels (118 before). Input rows without left",
    "    padding (VWW's) are read in place for the pairs whose 16-byte loads lie within the row (dot4_ring_fill",
    "    copied each row, about 50 instructions). A chunk of one window (a map of one pixel, or a last odd one) goes",
    "    through the tiles, which read the windows as packed: before session 14 it got the seventh quad in",
    "    dot4_flat8_q7's order and wrong outputs (2 of 4,000 fuzz cases; the fuzz now has maps of 1-4 pixels). Flat",
    "    windows into whole ReLU blocks (KWS's -> 64) go through the one-lane ReLU tiles as a strip of K = the",
    "    window. VWW's layer 0: a55 92,404 -> 77,017 instructions, a53 166,796 -> 161,665 -> 144,230 (sessions 13,",
    "    14); ResNet's a53 131,950 -> 124,452; KWS's: a55 45,230 -> 39,513, a53 87,256 -> 81,832.",
    "- int8 3x3 depthwise, 16 channels a vector over every pixel, borders included; the weights come as the reference",
    "  takes them and each call arranges them per group.",
    "  - cortex-a55 (SDOT): a 32-bit lane holds one channel's kernel row, [x0 x1 x2 *] . [w0 w1 w2 0], 12 SDOTs a",
    "    pixel. Each input row is built once into that layout, a band, by TBL from a padded copy of the strip's row",
    "    (a step's columns loaded in order into consecutive registers, so that each entry's four columns are a TBL",
    "    table: 6.75 instructions an entry at stride 1, 8.25 at stride 2, where two levels of ZIPs took 8.5-10), all",
    "    groups in one call a row, a ring of three bands; a batch of up to eight groups set up in one assembly loop",
    "    (weights packed by TBL, the base as bias minus the SDOT of the packed weights with -input_offset: 64",
    "    instructions a group, about 200 in C); pad rows and columns stored by a 64-byte ST1 loop; the ring's band",
    "    pointers rotate with the rows and one call runs a strip's rows (d8-d15 saved once a strip). With ReLU's",
    "    outputs the loop takes 32.5 instructions per 16 outputs (12 SDOTs, 4 loads, 15 to requantise, 1 store; 41",
    "    before). Beside the loop: a row's build is one call, the copy of the input's row (128 bytes a step) inside",
    "    the TBL fill's assembly and the fill's operands worked out once a strip; the ring's position stays in",
    "    registers; a row's last entries load each column once; the output loop takes its operands for the strip from",
    "    a block and its constant loads step on to the next group's. VWW's 8-channel layer runs through the same loop",
    "    (two pixels a vector), its bands from tables of two columns a register (24 instructions per 8 entries, 30",
    "    before). KWS's depthwise layers 27,088 -> 24,930 instructions each, VWW's 48 x 48 x 8 57,586 -> 51,297. Pad",
    "    rows' bands are stored eight 64-byte blocks a pass (a 3,072-byte band about 65 instructions, 99 before), row",
    "    copies 256 bytes a pass. What remains beside the loop a call is mostly the weights' conversion, 62",
    "    instructions a group (about 5,300 on VWW), which only packing them at compile time would remove. Stack 36 KB",
    "    (40 before).",
    "  - cortex-a53 (SMULL): the usual layer (no -128 weight, right shifts, stride 1 or 2 across) runs a group's",
    "    every output row in one assembly call (dw_rows_asm) over a padded copy of its input: up to 8 groups of 16",
    "    channels whose padded rows fit 16 KB copied once (a small map's whole image: VWW's 6 x 6 and 3 x 3, KWS's 25",
    "    x 5; larger maps in bands of rows, wide ones in column strips), the weights loaded once a band; two taps per",
    "    int16 product (SMULL + SMLAL), then SADDW; VWW's 8-channel layer four pixels a step (two a vector, the odd",
    "    taps by a second load 8 bytes on, one store a step when the layer has 8 channels in all). 117 instructions",
    "    per two 16-channel pixels at stride 1 with ReLU (0.41 per MAC; 131 before): 76 products (40 of them SADDW,",
    "    at their floor while channels are lanes: SADALP needs a channel's taps side by side, and the zips cost what",
    "    they save), 18 rounding, 16 narrowing and stores. Beside the loop: the padded image is filled in assembly",
    "    (four, two or one groups a pass, one group 8 columns a step; contiguous rows of 8- and 16-channel layers 256",
    "    bytes a step; a row's right and the next row's left pad columns in one pass) and its pad rows by a 64-byte",
    "    ST1 loop (42,000 -> 20,000 of VWW's depthwise instructions: GCC's loops took 80-150 instructions a row",
    "    beside their copies); a run's groups are set up in one assembly loop (about 60 instructions a group; 165 in",
    "    C, then 115), the constants common to all groups set once a call; one dw_rows_asm call runs a run's groups,",
    "    its pointers running on from row to row (7 instructions a row beside its steps, 10 before), an odd row's",
    "    one-pixel tail (61) stepping its loads on to the next row. KWS's 32,535 instructions a layer were 23,400 of",
    "    two-pixel steps, 6,700 of odd-pixel tails and row ends (the tail costs no more a pixel than the pair loop,",
    "    so pairing rows' odd pixels would save at most 2.5 a row), about 1,400 of fill and 1,000 of set-up; at the",
    "    loop's rate its floor is 29,250. KWS's depthwise layers 32,535 -> 31,969 each; VWW's 48 x 48 x 8 75,415 ->",
    "    71,531, 6 x 6 x 128 19,628 -> 19,174. Other layers keep a ring of padded rows.",
    "- int8 fully connected: the conv's packing (pack_fc_s8_dot4: blocks of 16 units, input_offset * each unit's",
    "  weight sum in the bias; a last block of at most 8 units packed as a half block, [K/4][8][4], not padded to 16)",
    "  through edgec_fully_connected_s8_dot4: SDOT by element, 16 units a block, no horizontal reduction, depths of",
    "  whole 8s two blocks a pass in an assembly loop sharing the input loads (cortex-a55: 32 input bytes a pass, 83",
    "  instructions per 1024 MACs, 1.30x; cortex-a53: SMULL + SMLAL + SADALP, two pairs of quads a pass, the half",
    "  sums started from the bias and left reduced in fixed registers, 108 per 512 MACs, 1.69x); a partial block's",
    "  outputs stored 8/4/2/1 bytes at a time.",
    "- int8 average pooling divides by a multiply: TFLite's rounding is sign(acc) floor((|acc| + d/2) / d), and with",
    "  2^t < d <= 2^(t+1), m = ceil(2^(31+t) / d), SQDMULH then a right shift by t is exactly floor(n / d) for",
    "  windows up to 2^30 / 129 taps (d = 1 and larger windows keep the reference's division); sums 64 channels and",
    "  two taps a step, a window of whole rows (the global pools) one run: VWW's 3x3x256 6,636 -> 1,992 instructions,",
    "  KWS's 25x5x64 6,968 -> 2,194. The int8 add goes 16 elements a step with TFLite's left_shift (20), its",
    "  constants in registers; where an input's rescaling is TFLite's exact halving (multiplier 2^30, shift 0: the",
    "  input of the larger scale) one SMLSL by -2^15 replaces SHLL + SQRDMULH + ADD (ResNet's residual adds 68.2 ->",
    "  60.2 instructions per 16 elements).",
    "- What is left, by the layer tables (units of the model's limit, a55 / a53): VWW's pointwise convs 1.22 / 1.49,",
    "  depthwise 0.59 / 0.39, first conv 0.16 / 0.15; KWS's 1.09 / 1.35, 0.60 / 0.39, 0.24 / 0.24. On cortex-a55 the",
    "  pointwise tile is near its floor (requantisation 65 per 64 outputs, weight loads one per 16 SDOTs), the",
    "  depthwise loop at its layout's (32.5 instructions per 16 outputs), and about 650 instructions of set-up a",
    "  depthwise call and 65 of C a row remain; the first layer's pair loop is at 59. On cortex-a53 (VWW 2.04x:",
    "  33,329 instructions, 1.8%, above 2x) the one-lane pointwise tile runs its steps at about 1.6x the limit (96",
    "  products and 6 loads per 512 MACs, every vector register in use) and spends about 16.5 instructions a pixel on",
    "  rounding, narrowing and stores; the depthwise loop's 40 SADDW of 117 are at their floor while channels are",
    "  lanes, and beside the loop about 2,300 instructions a 6 x 6 x 128 layer remain (fill, set-up, tails); the",
    "  first layer's pixel loop is at 47 a pixel of products, with about 6,000 of bookkeeping and 10,500 of gathers",
    "  beside it. Tried and dropped: 32-byte SDOT steps in C (GCC copies accumulators around), the zero point folded",
    "  into the rounding (SQRDMLAH), three taps per int16 lane in the depthwise (few groups' weights allow it),",
    "  vqtbl4q / x4 intrinsics in set-up code (GCC sends them through memory), a53's first layer gathered into",
    "  registers (a DUP a quad: 66 instructions a pixel against 66.5), pairing the odd pixels of two depthwise rows",
    "  (at most 2.5 a row). VWW's last six pointwise convs have 90-99% zero weights; a kernel that used that (more",
    "  than two products an int16 lane where the weights allow it, or skipped zeros) would beat the limit on this",
    "  model alone, and is not done.",
    "- cortex-a53 builds have no SDOT: the table divides by the SMLAL limit (0.125), which no bit-exact int8 kernel",
    "  reaches with int16 products (at most two of them fit an int16 lane: SMULL + SMLAL + SADALP, 0.1875); the",
    "  kernel table's int8 conv rows use weights within [-127, 127], as TFLite's are.",
    "- Not measured here: the x86 ratios of edgec's host C against onnxruntime and LiteRT (single thread);",
    "  XNNPACK's aarch64 build: with --xnnpack (the table above, when present).",
    "",
]


def fmt_ratio(insns: float, macs: int) -> str:
    return f"{insns / macs:.3f}"


def markdown(kernels: list[dict], models: list[dict], layers: list[dict], baseline: str | None,
             xnnpack: list[dict] | None = None) -> str:
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
        lines += floor_table(models)
    if xnnpack:
        lines += xnnpack_table(xnnpack)
    if baseline:
        lines += before_after(kernels, models, baseline)
    for entry in layers:
        lines += layer_table(entry, baseline)
    lines += NOTES
    return "\n".join(lines)


def floor_x_limit(row: dict, target: str) -> float:
    """The int8 model's lower bound in units of its limit: products, then every MAC layer's outputs requantised."""
    requant = row["requantised_outputs"] * REQUANT_PER_OUTPUT
    return PRODUCTS_FLOOR_S8[target] + requant / (row["macs"] * LIMIT_S8[target])


def floor_table(models: list[dict]) -> list[str]:
    """What the issue's goal (2x the limit) leaves above a bit-exact kernel's floor, per int8 model and core."""
    rows = [r for r in models if r.get("int8") and "requantised_outputs" in r]
    if not rows:
        return []
    lines = ["### int8: the limit, a bit-exact kernel's floor and the 2x goal (units of the model's limit)", "",
             "| model | MACs | outputs requantised | a55 floor | a55 now | a55 beyond the floor: goal leaves / "
             "edgec's | a53 floor | a53 now | a53 beyond the floor: goal leaves / edgec's |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cells = []
        for target in ("cortex-a55", "cortex-a53"):
            floor = floor_x_limit(r, target)
            now = r[f"{target}_neon"] / r["macs"] / LIMIT_S8[target]
            cells.append(f"{floor:.2f} | {now:.2f} | {max(2.0 - floor, 0):.2f} / {now - floor:.2f}")
        outputs = r["requantised_outputs"]
        lines.append(f"| {r['model']} | {r['macs']:,} | {outputs:,} | {' | '.join(cells)} |")
    note = ("(floor: the products at the limit (cortex-a53: 1.5, SMULL + SMLAL + SADALP, as no more than two int8 "
            "products fit an int16 lane) plus 15 instructions per 16 outputs of the conv, depthwise and fully "
            "connected layers (SQRDMULH and SRSHL per 4 sums, 6 narrowing, a store; the rounding fix-up, zero point "
            "and clamp free). A lower bound, not a kernel: loads, addressing, padding and the other layers come on "
            "top. goal leaves: 2.0 less the floor; edgec's: now less the floor)")
    return lines + ["", note, ""]


def before_after(kernels: list[dict], models: list[dict], baseline: str) -> list[str]:
    """Every row against the baseline commit's kernels (and compiler, for the models), counted in this run."""
    def cells(r: dict, m: int, target: str, before: str, after: str) -> str:
        limit = LIMIT_S8[target] if r["int8"] else LIMIT_F32
        return (f"{r[f'{target}_{before}'] / m / limit:.1f} | {r[f'{target}_{after}'] / m / limit:.1f} | "
                f"{r[f'{target}_{before}'] / r[f'{target}_{after}']:.2f}x")

    lines = [f"## Before / after (this run; before: commit {baseline})", "",
             "| kernel or model | a55 before x limit | a55 now x limit | a55 speed-up | a53 before x limit | "
             "a53 now x limit | a53 speed-up |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in kernels:
        lines.append(f"| {r['shape']} | {cells(r, r['macs'], 'cortex-a55', 'neon_before', 'neon')} | "
                     f"{cells(r, r['macs'], 'cortex-a53', 'neon_before', 'neon')} |")
    for r in models:
        if "cortex-a55_before" in r:
            lines.append(f"| {r['model']} | {cells(r, r['macs'], 'cortex-a55', 'before', 'neon')} | "
                         f"{cells(r, r['macs'], 'cortex-a53', 'before', 'neon')} |")
    return lines + ["", "(x limit: instructions per MAC over the limit: int8 rows the SDOT limit on cortex-a55, the "
                        "SMLAL limit on cortex-a53; float rows the FMLA limit)", ""]


def layer_table(entry: dict, baseline: str | None) -> list[str]:
    """One model's instructions by kind of layer, in units of the whole model's limit (the model's MACs times the
    limit per MAC: int8's, or FMLA's for a float model): the kinds' figures add up to the model's `x limit`."""
    m = entry["macs"]
    head = "| layer kind | layers | MACs | a55 now | a53 now |"
    rule = "|---|---:|---:|---:|---:|"
    if baseline:
        head = "| layer kind | layers | MACs | a55 before | a55 now | a53 before | a53 now |"
        rule = "|---|---:|---:|---:|---:|---:|---:|"
    lines = [f"### {entry['model']}: instructions by kind of layer (in units of the model's limit)", "", head, rule]
    for k in entry["kinds"]:
        def unit(col: str, target: str) -> str:
            limit = LIMIT_S8[target] if entry.get("int8", True) else LIMIT_F32
            return f"{k[col] / m / limit:.2f}" if col in k else "-"

        cols = ([unit("cortex-a55_before", "cortex-a55"), unit("cortex-a55", "cortex-a55"),
                 unit("cortex-a53_before", "cortex-a53"), unit("cortex-a53", "cortex-a53")] if baseline else
                [unit("cortex-a55", "cortex-a55"), unit("cortex-a53", "cortex-a53")])
        lines.append(f"| {k['kind']} | {k['layers']} | {k['macs']:,} | {' | '.join(cols)} |")
    return lines + [""]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    p.add_argument("--models", choices=["all", "int8", "none"], default="all")
    p.add_argument("--layers", action="store_true",
                   help="instructions by kind of layer of the int8 models and of KWS float")
    p.add_argument("--baseline", metavar="GIT_REF", help="also count the kernels and models of this commit")
    p.add_argument("--xnnpack", action="store_true",
                   help="also count LiteRT / XNNPACK's aarch64 build on the tflite models (fetches it on first use)")
    p.add_argument("--xnnpack-from", type=Path, metavar="JSON",
                   help="instead of --xnnpack: take the XNNPACK counts from an earlier report's JSON (they do not "
                        "depend on edgec's code) beside this run's edgec figures")
    args = p.parse_args()
    if args.xnnpack:  # fetched (once) before the edgec counts, so that a failed download stops the run at once
        sys.path.insert(0, str(REPO / "benchmarks" / "neon"))
        from xnnpack_sysroot import SysrootError, sysroot

        try:
            sysroot()
        except SysrootError as exc:
            raise SystemExit(f"--xnnpack: setting up the aarch64 LiteRT failed: {exc}") from None
    earlier = earlier_xnnpack_counts(args.xnnpack_from) if args.xnnpack_from and not args.xnnpack else None
    with tempfile.TemporaryDirectory(prefix="edgec-neon-bench-") as tmp:
        work = Path(tmp)
        tree = baseline_tree(args.baseline, work) if args.baseline else None
        kernels = kernel_rows(work, tree)
        paths = []
        if args.models != "none":
            paths = [models_dir() / m for m in MLPERF_INT8]
            if args.models == "all":
                paths += [models_dir() / m for m in MLPERF_FLOAT] + [mobilenet_v2(work)]
        models = []
        for path in paths:
            print(f"{path.name} ...", flush=True)
            models.append(model_row(path, work, tree))
        layers = []
        if args.layers:
            for name in [*MLPERF_INT8, *LAYERS_FLOAT]:
                print(f"{name}: layers ...", flush=True)
                layers.append(layer_shares(models_dir() / name, work, tree))
        xnnpack = xnnpack_rows(models, work) if args.xnnpack else []
        if earlier is not None:
            xnnpack = reused_xnnpack_rows(earlier, models)
    rows = [{"kernels": kernels}, {"models": models}, {"layers": layers, "baseline": args.baseline}]
    if xnnpack:
        rows.append({"xnnpack": xnnpack})
    write_report(args.out, "neon_aarch64", "qemu-aarch64 (user mode)", 1, rows,
                 markdown(kernels, models, layers, args.baseline, xnnpack))
    return 0

if __name__ == "__main__":
    sys.exit(main())
