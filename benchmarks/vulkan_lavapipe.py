"""--target vulkan on lavapipe: per-layer dispatch times from Vulkan timestamp queries, achieved FLOP/s, and
onnxruntime's CPU provider on the same machine in the same run as a ratio.

lavapipe (Mesa's llvmpipe behind Vulkan) runs the compute shaders on the CPU: these are NOT GPU figures. They show
where the shader templates spend their time and that the host / profiling path works; a phone GPU is the target.
Each model is compiled with `--target vulkan`, checked against its reference executor on one random input
(onnxruntime for ONNX, LiteRT for TFLite), then the OpenCL benchmark's harness (benchmarks/opencl_pocl.py: the same
API) runs one warm-up inference, RUNS profiled inferences (the recorded command buffer with a timestamp after every
dispatch; per layer the median) and RUNS plain ones (wall time of <name>_run, median). FLOP/s counts 2 FLOPs per MAC
(report.json's MACs) over the dispatch time (a hybrid layer's MACs are int8 multiply-adds, over its four dispatches).
The same model's OpenCL build on PoCL (the same templates' OpenCL C, the same CPU) runs in the same run, for the
ratio.

    python benchmarks/vulkan_lavapipe.py [--runs 10] [--only mobilenet_v2_0.35_96,vww_96_float,...]

Writes benchmarks/results/vulkan_lavapipe.{md,json}.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from opencl_pocl import (bench, bench_models, layer_tables, machine_note, parse_args, summary_cells,  # noqa: E402
                         write_results)

READING = ("Reading: the templates are the OpenCL target's direct loops (one invocation per output element, no "
           "tiling, no shared memory), each layer's pipeline specialised by its constants (shapes, offsets, "
           "strides), so the driver compiles them as constants; compare GFLOP/s across layers and models, and the run "
           "against onnxruntime's CPU provider. lavapipe runs a dispatch on the CPU's threads with 256-bit vectors; "
           "a GPU is where these figures matter.")


def describe_device() -> str:
    proc = subprocess.run(["vulkaninfo", "--summary"], capture_output=True, text=True)
    fields = {}
    for line in proc.stdout.splitlines():
        if "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            fields.setdefault(key, value)
    return f"{fields.get('deviceName', '?')}, {fields.get('driverInfo', '?')}, {fields.get('deviceType', '?')}"


def markdown(rows: list[dict], runs: int) -> str:
    md = ["# --target vulkan on lavapipe (CPU): per-layer dispatch times", "",
          "**lavapipe runs Vulkan compute on the CPU: these are not GPU figures.** They are the Vulkan build's",
          f"dispatch times on this machine's CPU ({machine_note()}), from Vulkan timestamp queries; medians of "
          f"{runs} runs. `benchmarks/vulkan_lavapipe.py`.",
          f"Vulkan device: {describe_device()}.", "",
          "| model | MACs | device arena B | weights B | vs reference (rtol 1e-4, atol 1e-5) | first run s | dispatches ms "
          "| run ms | GFLOP/s | onnxruntime CPU ms | run / ort | PoCL kernels ms | PoCL run ms | run / PoCL run |",
          "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md.append(summary_cells(r) + f" {1e3 * r['pocl']['kernel_s']:.2f} | {1e3 * r['pocl']['wall_s']:.2f} | "
                                     f"{r['wall_s'] / r['pocl']['wall_s']:.1f}x |")
    md += ["", "\"first run\" is the first `<name>_run` after `<name>_init` (which built every pipeline). \"dispatches\"",
           "sums the per-layer times (timestamp after each dispatch minus the one before). \"run\" is the wall time of",
           "`<name>_run` (input into the staging buffer, submit, wait, output out); onnxruntime (ONNX models only) runs",
           "the same input on its CPU provider with its default threads, in the same process run. \"PoCL\": the",
           "model's `--target opencl` build on PoCL, measured the same way right after.", "", READING, "",
           *layer_tables(rows, "shader")]
    return "\n".join(md)


def bench_with_pocl(key: str, model: Path, work: Path, runs: int) -> dict:
    """The model's Vulkan row, with its OpenCL build's times on PoCL under "pocl"."""
    (work / "vulkan").mkdir()
    (work / "opencl").mkdir()
    row = bench(key, model, runs, work / "vulkan", target="vulkan")
    pocl = bench(key, model, runs, work / "opencl", target="opencl")
    row["pocl"] = {k: pocl[k] for k in ("kernel_s", "wall_s", "gflops", "matches")}
    return row


def main() -> None:
    a = parse_args(__doc__.splitlines()[0])
    rows = bench_models(a.only, "edgec-vulkan-bench-", functools.partial(bench_with_pocl, runs=a.runs))
    write_results(a.output, "vulkan_lavapipe", a.runs, rows, markdown(rows, a.runs))


if __name__ == "__main__":
    main()
