"""edgec's generated C for the host against onnxruntime and LiteRT (XNNPACK) on this x86 machine, single thread,
in the same run: median wall time per inference and the ratio edgec / runtime. Writes a markdown and JSON report.

    python benchmarks/x86_runtimes.py [--out benchmarks/results] [--runs 50] [--rounds 3] [--models all|mlperf]
                                      [--cflags "-O3 -march=native"] [--kernels x86,optimized,reference]

Every engine is timed from the same Python loop, so each pays one call from Python per inference: edgec's C
is built (the flags above; the compile flags a user would pick for speed) as a shared library and called through
ctypes, LiteRT through Interpreter.invoke() (inputs set beforehand), onnxruntime through InferenceSession.run().
Each engine runs `--rounds` x `--runs` inferences after warm-up runs, the engines taking turns inference by
inference (so a slow moment of the shared machine hits all of them); the figure is the median of all timed runs
(the minimum is in the JSON). onnxruntime: intra_op and inter_op threads 1, all graph optimizations. LiteRT:
num_threads=1 with its default delegate (XNNPACK for float and int8).

Each model runs on the runtimes that read its format: the MLPerf Tiny .tflite files on LiteRT, the ONNX models
(MobileNetV2 float, and int8 as onnxruntime's quantize_static QDQ) on onnxruntime. The outputs of edgec and of
each runtime on the same input are compared (max abs difference), so a fast wrong answer shows.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from m7 import REPO, models_dir

from edgec.build.toolchain import c_sources, run_tool  # noqa: E402
from edgec.config import load_config  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402

MLPERF = [("pretrainedResnet.tflite", "pretrainedResnet_quant.tflite"), ("vww_96_float.tflite", "vww_96_int8.tflite"),
          ("kws_ref_model_float32.tflite", "kws_ref_model.tflite"), ("ad01_fp32.tflite", "ad01_int8.tflite")]


# -- edgec -------------------------------------------------------------------------------------------------------
class EdgecModel:
    """The generated C built as a shared library, run through ctypes with numpy buffers."""

    def __init__(self, model: Path, work: Path, cflags: list[str], kernels: list[str] | None):
        config = load_config()
        if kernels:
            config.target_overrides = {**config.target_overrides, "host": {"kernels": kernels}}
        out = work / "c"
        result = compile_model(model, "host", out, CompileOptions(measure_code=False), config=config)
        self.report = report = result.report
        lib = work / "libmodel.so"
        run_tool(["gcc", *cflags, "-fPIC", "-shared", "-I", str(out), *map(str, c_sources(out)),
                  "-o", str(lib), "-lm"], f"building {model.name}")
        self.lib = ctypes.CDLL(str(lib))
        self.fn = getattr(self.lib, f"{report['name']}_run")
        self.fn.restype = ctypes.c_int
        self.inputs = [np.zeros(t["shape"], t["dtype"]) for t in report["inputs"]]
        self.outputs = [np.zeros(t["shape"], t["dtype"]) for t in report["outputs"]]
        self.args = [ctypes.c_void_p(a.ctypes.data) for a in self.inputs + self.outputs]
        self.kernels = sorted({layer["kernel"] for layer in report["layers"] if layer.get("kernel")})

    def set_inputs(self, arrays: list[np.ndarray]) -> None:
        for dst, src in zip(self.inputs, arrays):
            dst[...] = src.reshape(dst.shape)

    def run(self) -> None:
        if self.fn(*self.args) != 0:
            raise RuntimeError("edgec model run failed")


# -- runtimes ----------------------------------------------------------------------------------------------------
class LiteRT:
    def __init__(self, model: Path):
        from ai_edge_litert.interpreter import Interpreter

        self.interp = Interpreter(model_path=str(model), num_threads=1)
        self.interp.allocate_tensors()
        self.inp = self.interp.get_input_details()
        self.out = self.interp.get_output_details()
        self.input_specs = [(d["shape"].tolist(), np.dtype(d["dtype"])) for d in self.inp]

    def set_inputs(self, arrays):
        for d, a in zip(self.inp, arrays):
            self.interp.set_tensor(d["index"], a.reshape(d["shape"]).astype(d["dtype"]))

    def run(self):
        self.interp.invoke()

    def results(self):
        return [self.interp.get_tensor(d["index"]) for d in self.out]


class OnnxRuntime:
    def __init__(self, model: Path):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
        self.names = [i.name for i in self.sess.get_inputs()]
        self.input_specs = [(list(i.shape), np.dtype(np.float32)) for i in self.sess.get_inputs()]
        self.feed = {}
        self.last = None

    def set_inputs(self, arrays):
        self.feed = {n: a.reshape(s).astype(d) for n, a, (s, d) in zip(self.names, arrays, self.input_specs)}

    def run(self):
        self.last = self.sess.run(None, self.feed)

    def results(self):
        return self.last


# -- timing ------------------------------------------------------------------------------------------------------
def random_inputs(specs, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for shape, dtype in specs:
        if dtype.kind == "f":
            out.append(rng.uniform(-1, 1, shape).astype(dtype))
        else:
            info = np.iinfo(dtype)
            out.append(rng.integers(info.min, info.max + 1, shape).astype(dtype))
    return out


def time_engines(engines: dict, runs: int, rounds: int, warmup: int = 3) -> dict[str, dict[str, list[float]]]:
    """Each inference of each engine timed alone, wall clock and the calling thread's CPU time (every engine runs
    its single thread in the caller's); the engines take turns run by run, so a busy moment of the shared machine
    falls on all of them alike."""
    times = {k: {"wall": [], "cpu": []} for k in engines}
    for eng in engines.values():
        for _ in range(warmup):
            eng.run()
    for _ in range(runs * rounds):
        for key, eng in engines.items():
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            eng.run()
            t1, c1 = time.perf_counter_ns(), time.thread_time_ns()
            times[key]["wall"].append((t1 - t0) / 1e3)
            times[key]["cpu"].append((c1 - c0) / 1e3)
    return times


def runs_for(macs: int, runs: int) -> int:
    """Fewer runs for the big models so that a row takes seconds, not minutes."""
    return max(10, min(runs, int(runs * 20e6 / max(macs, 1)))) if macs > 20e6 else runs


def bench_row(label: str, edgec_model: Path, runtimes: dict[str, Path], work: Path, args) -> dict:
    row = {"model": label, "file": edgec_model.name}
    try:
        ed = EdgecModel(edgec_model, work / label, args.cflags.split(), args.kernels)
    except Exception as exc:  # noqa: BLE001 - a model edgec cannot compile is a row, not the end of the run
        row["error"] = str(exc).splitlines()[0][:200]
        return row
    row["macs"] = ed.report["macs"]
    row["edgec_kernels"] = ed.kernels
    engines = {"edgec": ed}
    for name, path in runtimes.items():
        engines[name] = LiteRT(path) if name == "litert" else OnnxRuntime(path)
    ref = next(e for k, e in engines.items() if k != "edgec")
    inputs = random_inputs(ref.input_specs)
    for e in engines.values():
        e.set_inputs(inputs)
        e.run()
    want = {k: e.results()[0].astype(np.float64).ravel() for k, e in engines.items() if k != "edgec"}
    got = ed.outputs[0].astype(np.float64).ravel()
    row["max_abs_diff"] = {k: float(np.max(np.abs(got - w))) for k, w in want.items()}
    n = runs_for(row["macs"], args.runs)
    times = time_engines(engines, n, args.rounds)
    row["runs"] = n * args.rounds
    for k, t in times.items():
        row[f"{k}_median_us"] = float(np.median(t["wall"]))
        row[f"{k}_min_us"] = float(np.min(t["wall"]))
        row[f"{k}_cpu_median_us"] = float(np.median(t["cpu"]))
    for k in runtimes:
        row[f"ratio_{k}"] = row["edgec_cpu_median_us"] / row[f"{k}_cpu_median_us"]
        row[f"ratio_{k}_wall"] = row["edgec_median_us"] / row[f"{k}_median_us"]
    print(f"{label}: " + ", ".join(f"{k} {row[f'{k}_cpu_median_us']:,.0f} us" for k in engines), flush=True)
    return row


# -- models ------------------------------------------------------------------------------------------------------
def mobilenet_v2(work: Path, width: float, resolution: int, classes: int) -> Path:
    sys.path.insert(0, str(REPO / "model_zoo"))
    import onnx
    from mobilenet_v2 import build as build_mobilenet

    path = work / f"mobilenet_v2_{width}_{resolution}.onnx"
    onnx.save(build_mobilenet(width, resolution, classes), str(path))
    return path


def quantize_qdq(model: Path, work: Path) -> Path:
    """onnxruntime's quantize_static, QDQ, int8 activations and per-channel int8 weights, 16 random samples."""
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre, qdq = work / f"{model.stem}_pre.onnx", work / f"{model.stem}_qdq.onnx"
    quant_pre_process(str(model), str(pre))
    (inp,) = ort.InferenceSession(str(pre), providers=["CPUExecutionProvider"]).get_inputs()

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(0)
            self.data = iter([{inp.name: rng.uniform(-1, 1, inp.shape).astype(np.float32)} for _ in range(16)])

        def get_next(self):
            return next(self.data, None)

    quantize_static(str(pre), str(qdq), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
    return qdq


def cases(work: Path, which: str) -> list[tuple[str, Path, dict]]:
    out = []
    zoo = models_dir()
    for f32, i8 in MLPERF:
        out.append((f32.removesuffix(".tflite"), zoo / f32, {"litert": zoo / f32}))
        out.append((i8.removesuffix(".tflite"), zoo / i8, {"litert": zoo / i8}))
    if which == "all":
        for width, res in ((1.0, 224), (0.35, 96)):
            m = mobilenet_v2(work, width, res, 1000 if res == 224 else 10)
            out.append((m.stem, m, {"onnxruntime": m}))
            q = quantize_qdq(m, work)
            out.append((q.stem, q, {"onnxruntime": q}))
    return out


NOTES = """
## Reading the figures

- The goal is edgec at most 1.0x the runtimes' time on every model (ratio column). LiteRT runs XNNPACK's
  hand-written AVX-512 / AVX-VNNI micro-kernels with weights repacked at load time; onnxruntime its MLAS GEMM
  kernels (and, in the QDQ models, its int8 u8s8 kernels). edgec's host kernels are C: runtimes/x86 (GNU C
  vectors), then runtimes/optimized and runtimes/reference for the rest. In runtimes/x86, with the weights of the
  convolutions packed at compile time (ops/conv.py pack_conv_f32_x86, ops/quantized_s8.py pack_conv_s8_dot4): the
  float conv as FMA tiles over any pixels through a pointer table (XNNPACK's indirection idea: a tap outside the
  input reads a zero pixel), with AVX-512 12 pixels x 32 channels in 24 zmm accumulators (6 to 12 pixels, sized to
  the map), else 6 pixels x 16 channels, pointwise layers a matrix product reading their pixels in place (with
  AVX-512, a first layer of 1-4 input channels and at most 8 outputs as two window values x 8 channels a zmm, and
  pointwise layers of 8-32 inputs without tables); the int8 conv and the QDQ fused conv + add as unsigned x
  signed byte dot products (vpdpbusd with AVX-VNNI, 4 pixels x 16 channels; an exact pmaddwd form without it); the
  hybrid conv (TFLite's modes) as byte dot products too, its weights packed at compile time with their sums (with
  AVX-512 VNNI 4 pixels x 64 channels per tile, kernel rows read in place from a padded copy of the input); the
  int8 fully connected as byte dot products; the float 3x3 depthwise (stride 1 or 2) in tiles of 8 pixels x 16
  channels that load each input vector once per kernel row for every pixel using it (other float depthwise
  kernels: 4-pixel tiles, rows of up to 8 pixels a whole row at a time); the float fully connected layer on one
  sample (matmul of fewer than 4 rows by constant weights) on weights packed at compile time in blocks of 64
  columns, [K][64] (ops/matmul.py pack_matmul_f32_x86), read as 4 sequential streams; other float matmuls, int8
  add, QDQ quantize and add eight lanes at a time; float transpose with short innermost dims interleaved by the
  compiler's shuffles (MobileNetV2's NCHW input) and float mean with the kept channels as vectors; the int8 depthwise sixteen channels at a time as sign-extending loads and 16-bit multiply-adds
  (vpdpwssd), in tiles of up to 8 vectors along a row (a column where the map is taller than wide) that load each
  input vector once, two pixels per vector at 8 channels, requantised from registers; the int8 average pooling's
  sums and the fixed-point requantisation sixteen channels at a time, the latter with its constants prepared once
  (edgec_rq16, vpmuldq); float pooling over NHWC windows eight channels at a time.
- Where the time still goes (per-layer CPU time of the host C, -O3 -march=native: benchmarks/x86_layers.py): in
  the float models, the float convs (50-75 GMAC/s on AVX-512 where K is in the hundreds, 40-60 GMAC/s on 8-16
  input channels, and in VWW's first conv, 96 x 96 x 3 -> 8 channels, about 31 GMAC/s: a tenth of that model, 15
  FMAs a pixel), the stride-2 float depthwise 112 -> 56 in MobileNetV2 1.0 (its 4.8 MB input comes from L3 or
  memory: about 9 GMAC/s, run in place in bands, whose copies add about 50 us) and the classifier's 1280 x 1000
  matrix (memory-bound: about 4 GMAC/s; the other float depthwise layers 20-30 GMAC/s); in the int8 models, the
  requantisation after the byte dot products and in the int8 depthwise (about 20 vector operations per 16
  outputs) and the first layers on 1- or 3-channel inputs (about 17 ns a pixel).
- Engines taking turns move each other's figures: LiteRT's time on the float ResNet is about 240 us when it runs
  alone and about 285 us when it alternates with edgec's AVX-512 build (measured both ways in the same session:
  its core clock or caches after the other engine), so against LiteRT alone that ratio is nearer 0.85 than 0.72.
  ad01 (fully connected layers only, about 1 MB of weights) is the thinnest margin: run alone, LiteRT's float
  ad01 has measured 9.7 us against edgec's 12.7, where taking turns both refetch the weights from L3.
- int8 max abs diff: against LiteRT's optimized XNNPACK kernels, which round differently from TFLite Micro's
  reference (edgec's default `--int8-rounding tflm`): 0 or 1 LSB here; the QDQ MobileNetV2 against onnxruntime's
  optimized session, which is not bit-exact with its own unoptimized one (README, int8 models); edgec is checked
  against the unoptimized session in the tests.
- Each engine is called once per inference from Python (ctypes, Interpreter.invoke, InferenceSession.run), so a
  few microseconds of call overhead weigh on the smallest model (ad01) on every side.
"""


def markdown(rows: list[dict], args) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    kernels = ",".join(args.kernels) if args.kernels else "the host target's (targets/host.toml)"
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# edgec on x86 against onnxruntime and LiteRT (single thread, time per inference)",
        "",
        f"Machine load (1 / 5 / 15 min averages, {os.cpu_count()} CPUs): {args.load_start} at the start, {load} at "
        "the end; the CPU medians below are each engine's own thread time, but a loaded machine still slows every "
        "engine (shared caches, hyper-threads), so read each ratio as +-20-30 %.",
        "",
        f"CPU: {cpu}. edgec's C built with `gcc {args.cflags}` ({gcc}; its default dialect; the float kernels fuse their multiply-adds explicitly, so -std=c99 builds the same code: x86_fma_iso_c.md); kernel sets: "
        f"{kernels}. Median of `runs` timed inferences per engine, "
        f"the engines taking turns inference by inference, each engine called from the same Python loop (benchmarks/x86_runtimes.py).",
        "Ratio (CPU) = edgec's median CPU time per inference / the runtime's (the calling thread's CPU time, "
        "time.thread_time_ns: the machine is shared by other jobs, and a preempted run's wall time counts the other "
        "jobs' time slices, more often the longer the run); ratio (wall) the same with wall-clock medians. Below 1.0 "
        "edgec is faster.",
        "",
        "| model | MACs | runs | edgec CPU (us) | runtime | runtime CPU (us) | ratio (CPU) | ratio (wall) | "
        "edgec wall min (us) | runtime wall min (us) | max abs diff |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | | | edgec: {r['error']} | | | | |")
            continue
        for k in ("litert", "onnxruntime"):
            if f"ratio_{k}" in r:
                lines.append(f"| {r['model']} | {r['macs']:,} | {r['runs']} | {r['edgec_cpu_median_us']:,.1f} | {k} | "
                             f"{r[f'{k}_cpu_median_us']:,.1f} | {r[f'ratio_{k}']:.2f} | {r[f'ratio_{k}_wall']:.2f} | "
                             f"{r['edgec_min_us']:,.1f} | {r[f'{k}_min_us']:,.1f} | {r['max_abs_diff'][k]:.3g} |")
    return "\n".join(lines) + "\n" + NOTES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    ap.add_argument("--stem", default="x86_runtimes")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", choices=["all", "mlperf"], default="all")
    ap.add_argument("--only", help="comma-separated labels to run (default: every model)")
    ap.add_argument("--cflags", default="-O3 -march=native")
    ap.add_argument("--kernels", type=lambda s: s.split(","), help="host kernel sets (default: targets/host.toml)")
    args = ap.parse_args()
    args.load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = []
    with tempfile.TemporaryDirectory(prefix="edgec-x86-") as tmp:
        work = Path(tmp)
        for label, model, runtimes in cases(work, args.models):
            if args.only and label not in args.only.split(","):
                continue
            rows.append(bench_row(label, model, runtimes, work, args))
    md = markdown(rows, args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.stem}.json").write_text(json.dumps({"cflags": args.cflags, "kernels": args.kernels,
                                                             "rounds": args.rounds, "models": rows}, indent=2) + "\n")
    (args.out / f"{args.stem}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
