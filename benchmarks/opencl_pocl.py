"""--target opencl on PoCL: per-layer kernel times from OpenCL profiling events, achieved FLOP/s, and onnxruntime's CPU
provider on the same machine in the same run as a ratio.

PoCL runs the OpenCL kernels on the CPU (its pthread device): these are NOT GPU figures. They show where the
kernel templates spend their time and that the host / profiling path works; a phone GPU is the target. Each model is
compiled with `--target opencl`, checked against its reference executor on one random input (onnxruntime for ONNX,
LiteRT for TFLite), then a harness runs one warm-up inference (PoCL compiles the kernels there), RUNS profiled
inferences (one kernel at a time, each timed by its event; per layer the median) and RUNS unprofiled ones (wall
time of <name>_run, median). FLOP/s counts 2 FLOPs per MAC (report.json's MACs) over the kernel time; a hybrid
layer's (KWS's conv2d_hybrid) MACs are int8 multiply-adds, and its time includes its range reduction and
quantisation launches.

    python benchmarks/opencl_pocl.py [--runs 10] [--only mobilenet_v2_0.35_96,vww_96_float,...]

Writes benchmarks/results/opencl_pocl.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))
sys.path.insert(0, str(REPO / "model_zoo"))

import mobilenet_v2  # noqa: E402
from edgec.build.toolchain import WARNING_FLAGS, c_sources, run_tool  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402
from edgec.reference import random_inputs  # noqa: E402
from edgec.verify import verify_compiled  # noqa: E402

MLPERF = REPO / "model_zoo" / "mlperf_tiny"
MODELS = {
    "mobilenet_v2_0.35_96": None,  # written by model_zoo/mobilenet_v2.py (random weights)
    "mcunet-vww1_torch": REPO / "model_zoo" / "models" / "mcunet-vww1_torch.onnx",
    "vww_96_float": MLPERF / "vww_96_float.tflite",
    "pretrainedResnet": MLPERF / "pretrainedResnet.tflite",
    "kws_ref_model_float32": MLPERF / "kws_ref_model_float32.tflite",  # hybrid: int8 conv weights, float activations
    "ad01_fp32": MLPERF / "ad01_fp32.tflite",
}


def bench_harness(report: dict, runs: int) -> str:
    """main(): one input from argv[1], a warm-up, `runs` profiled runs (per-layer ns, one line each), `runs` timed
    plain runs; JSON on stdout."""
    name, n_layers = report["name"], len(report["layers"])
    ins = [f"in{i}" for i in range(len(report["inputs"]))]
    outs = [f"out{i}" for i in range(len(report["outputs"]))]
    args = ", ".join(ins + outs)
    lines = [
        "#define _POSIX_C_SOURCE 200809L",
        "#include <stdio.h>", "#include <stdlib.h>", "#include <time.h>", '#include "model.h"',
        "static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }",
        "int main(int argc, char **argv) {",
        f"    if (argc != 2) return 2;",
        f"    int rc = {name}_init();",
        f'    if (rc) {{ fprintf(stderr, "init: %d %s\\n", rc, {name}_error_detail()); return 7; }}',
        f'    FILE *f = fopen(argv[1], "rb"); if (!f) return 3;',
    ]
    for i, t in enumerate(report["inputs"]):
        lines.append(f"    void *in{i} = malloc({t['bytes']}); if (fread(in{i}, 1, {t['bytes']}, f) != {t['bytes']}) return 3;")
    lines += [f"    void *out{i} = malloc({t['bytes']});" for i, t in enumerate(report["outputs"])]
    lines += [
        f"    static uint64_t ns[{n_layers}];",
        f"    double t0 = now(); if ({name}_run({args})) return 4; double first = now() - t0;",
        '    printf("{\\"first_run_s\\": %.6f, \\"profiled\\": [", first);',
        f"    for (int r = 0; r < {runs}; ++r) {{",
        f"        if ({name}_run_profiled({args}, ns)) return 4;",
        '        printf("%s[", r ? "," : "");',
        f'        for (int k = 0; k < {n_layers}; ++k) printf("%s%llu", k ? "," : "", (unsigned long long)ns[k]);',
        '        printf("]");',
        "    }",
        '    printf("], \\"wall_s\\": [");',
        f"    for (int r = 0; r < {runs}; ++r) {{",
        f"        t0 = now(); if ({name}_run({args})) return 4;",
        '        printf("%s%.9f", r ? "," : "", now() - t0);',
        "    }",
        '    printf("]}\\n");',
        f"    {name}_deinit();",
        "    return 0;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def onnxruntime_seconds(model: Path, inputs: list[np.ndarray], names: list[str], runs: int) -> float | None:
    if model.suffix != ".onnx":
        return None
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feed = dict(zip(names, inputs))
    sess.run(None, feed)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feed)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bench(key: str, model: Path, runs: int, tmp: Path, target: str = "opencl") -> dict:
    """target: opencl, or vulkan (benchmarks/vulkan_lavapipe.py): the same harness, API and report fields."""
    result = compile_model(model, target, tmp / "out", CompileOptions(measure_code=False))
    report = result.report
    checks = verify_compiled(model, result, runs=1, rtol=1e-4, atol=1e-5)
    worst = max(c.max_abs_err for c in checks)
    (tmp / "bench.c").write_text(bench_harness(report, runs))
    exe = tmp / "bench"
    run_tool(["gcc", "-O2", "-std=c99", *WARNING_FLAGS, "-I", str(tmp / "out"), *map(str, c_sources(tmp / "out")),
              str(tmp / "bench.c"), "-o", str(exe), "-lm", "-ldl"], "building the benchmark")
    inputs = random_inputs(report, 0)
    (tmp / "in.bin").write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for x in inputs))
    proc = subprocess.run([str(exe), str(tmp / "in.bin")], capture_output=True, text=True, timeout=1800)
    if proc.returncode:
        raise RuntimeError(f"{key}: benchmark exited {proc.returncode}: {proc.stderr}")
    data = json.loads(proc.stdout)
    per_layer = np.median(np.array(data["profiled"], dtype=np.float64), axis=0)  # ns
    layers = []
    for layer, ns in zip(report["layers"], per_layer):
        layers.append({"name": layer["name"], "op": layer["op"], "kernel": layer["kernel"], "macs": layer["macs"],
                       "us": ns / 1e3, "gflops": 2 * layer["macs"] / ns if ns else 0.0})
    kernel_s = float(per_layer.sum()) / 1e9
    ort_s = onnxruntime_seconds(model, inputs, [i["source_name"] for i in report["inputs"]], runs)
    wall_s = float(np.median(data["wall_s"]))
    return {"model": key, "macs": report["macs"], "device_arena_bytes": report["device_arena_bytes"],
            "weights_bytes": report["weights_bytes"], "max_abs_error": worst,
            "matches": all(c.ok for c in checks), "reference": checks[0].reference, "first_run_s": data["first_run_s"],
            "kernel_s": kernel_s, "wall_s": wall_s, "gflops": 2 * report["macs"] / kernel_s / 1e9,
            "onnxruntime_cpu_s": ort_s, "layers": layers}


READING = ("Reading: the templates are direct loops, one work-item per output element, no tiling and no local memory: "
           "compare GFLOP/s across layers and models, and the run against onnxruntime's CPU provider; on PoCL most of "
           "a run can be per-launch queue overhead (run ms against kernels ms). Tiled schedules (or TVM's OpenCL "
           "codegen) and fewer, fused launches are the next step; a GPU is where these figures matter.")


def machine_note() -> str:
    """The CPU the run shared, for the results' first paragraph."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, load average {load:.1f} at the end of the run: the machine was shared"


def summary_cells(r: dict) -> str:
    """A model's row of the summary table, from its name to run / ort (vulkan_lavapipe.py adds PoCL's columns)."""
    ort = r["onnxruntime_cpu_s"]
    return (f"| {r['model']} | {r['macs']:,} | {r['device_arena_bytes']:,} | {r['weights_bytes']:,} | "
            f"{'match' if r['matches'] else 'MISMATCH'} {r['reference']}, max abs err {r['max_abs_error']:.2g} | "
            f"{r['first_run_s']:.2f} | {1e3 * r['kernel_s']:.2f} | {1e3 * r['wall_s']:.2f} | {r['gflops']:.2f} | "
            + (f"{1e3 * ort:.2f} | {r['wall_s'] / ort:.1f}x |" if ort else "- | - |"))


def layer_tables(rows: list[dict], template: str) -> list[str]:
    """Per model, a table of its layers: template, MACs, time, GFLOP/s (template: "kernel" or "shader")."""
    md = []
    for r in rows:
        md += [f"## {r['model']}", "", f"| # | layer | op | {template} template | MACs | us | GFLOP/s |",
               "|---:|---|---|---|---:|---:|---:|"]
        for i, layer in enumerate(r["layers"]):
            md.append(f"| {i} | {layer['name']} | {layer['op']} | {layer['kernel']} | {layer['macs']:,} | "
                      f"{layer['us']:.1f} | {layer['gflops']:.2f} |")
        md.append("")
    return md


def markdown(rows: list[dict], runs: int) -> str:
    pocl = subprocess.run(["clinfo", "-l"], capture_output=True, text=True).stdout.strip().replace("\n", " ")
    md = ["# --target opencl on PoCL (CPU): per-layer kernel times", "",
          "**PoCL runs OpenCL on the CPU: these are not GPU figures.** They are the OpenCL build's kernel times on this",
          f"machine's CPU ({machine_note()}), from OpenCL profiling events; medians of {runs} runs.",
          f"`benchmarks/opencl_pocl.py`. OpenCL: {pocl}.", "",
          "| model | MACs | device arena B | weights B | vs reference (rtol 1e-4, atol 1e-5) | first run s | kernels ms "
          "| run ms | GFLOP/s | onnxruntime CPU ms | run / ort |",
          "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|", *map(summary_cells, rows)]
    md += ["", "\"first run\" is the first `<name>_run` after init; PoCL compiles each kernel template there unless its",
           "kernel cache (~/.cache/pocl) has it, as it had here. \"run\" is the wall time",
           "of `<name>_run` (upload input, every kernel, read output); onnxruntime (ONNX models only) runs the same",
           "input on its CPU provider with its default threads, in the same process run.", ""]
    md += [READING, "", *layer_tables(rows, "kernel")]
    return "\n".join(md)


def parse_args(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--only", default="", help="comma-separated model keys")
    p.add_argument("-o", "--output", type=Path, default=REPO / "benchmarks" / "results")
    return p.parse_args()


def bench_models(only: str, tmp_prefix: str, bench_one: Callable[[str, Path, Path], dict]) -> list[dict]:
    """bench_one(key, model, work folder)'s row for each model `only` names (default: every one)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix=tmp_prefix) as tmp:
        for key in [k for k in only.split(",") if k] or list(MODELS):
            model = MODELS[key]
            work = Path(tmp) / key
            work.mkdir()
            if model is None:
                model = work / f"{key}.onnx"
                onnx.save(mobilenet_v2.build(0.35, 96), str(model))
            print(f"{key} ...", flush=True)
            rows.append(bench_one(key, model, work))
    return rows


def write_results(output: Path, name: str, runs: int, rows: list[dict], md: str) -> None:
    """<output>/<name>.json (every figure) and .md, and the markdown on stdout."""
    output.mkdir(parents=True, exist_ok=True)
    (output / f"{name}.json").write_text(json.dumps({"runs": runs, "models": rows}, indent=2) + "\n")
    (output / f"{name}.md").write_text(md)
    print(md)


def main() -> None:
    a = parse_args(__doc__.splitlines()[0])
    rows = bench_models(a.only, "edgec-opencl-bench-", lambda key, model, work: bench(key, model, a.runs, work))
    write_results(a.output, "opencl_pocl", a.runs, rows, markdown(rows, a.runs))


if __name__ == "__main__":
    main()
