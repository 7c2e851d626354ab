"""Where edgec's host C spends its time: per-layer CPU time of one model built for x86, the slowest layers first.

    python benchmarks/x86_layers.py MODEL [--runs 200] [--top 15] [--cflags "-O3 -march=native"]

MODEL: a path, or an MLPerf Tiny file name in model_zoo/mlperf_tiny. The generated C is built as a shared library
with -DEDGEC_PROFILE_LAYERS and a edgec_layer_done() that reads the thread's CPU clock after every layer
(model.h); each layer's figure is the median over the runs, so a preempted run does not count. The clock read
costs about 20-40 ns a layer, which weighs on the smallest layers only.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import tempfile
from pathlib import Path

import numpy as np

from m7 import models_dir

from edgec.build.toolchain import c_sources, run_tool  # noqa: E402
from edgec.config import load_config  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402

PROFILER_C = r"""
#define _POSIX_C_SOURCE 199309L /* clock_gettime under --cflags -std=c99 */
#include <stdint.h>
#include <time.h>
static int64_t edgec_prof_last;
static int64_t edgec_prof_ns[%(n)d];
static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
void edgec_layer_done(int32_t index) {
    int64_t t = now_ns();
    if (index >= 0) edgec_prof_ns[index] = t - edgec_prof_last;
    edgec_prof_last = now_ns();
}
int64_t *edgec_prof_table(void) { return edgec_prof_ns; }
"""


def profile(model: Path, runs: int, cflags: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="edgec-x86-layers-") as tmp:
        work = Path(tmp)
        out = work / "c"
        report = compile_model(model, "host", out, CompileOptions(measure_code=False), config=load_config()).report
        layers = report["layers"]
        (work / "prof.c").write_text(PROFILER_C % {"n": max(len(layers), 1)})
        lib = work / "libmodel.so"
        run_tool(["gcc", *cflags, "-DEDGEC_PROFILE_LAYERS", "-fPIC", "-shared", "-I", str(out),
                  *map(str, c_sources(out)), str(work / "prof.c"), "-o", str(lib), "-lm"], f"building {model.name}")
        so = ctypes.CDLL(str(lib))
        run = getattr(so, f"{report['name']}_run")
        so.edgec_prof_table.restype = ctypes.POINTER(ctypes.c_int64)
        table = so.edgec_prof_table()
        rng = np.random.default_rng(0)
        bufs = []
        for t in report["inputs"]:
            dt = np.dtype(t["dtype"])
            a = (rng.uniform(-1, 1, t["shape"]) if dt.kind == "f" else rng.integers(-128, 128, t["shape"])).astype(dt)
            bufs.append(a)
        bufs += [np.zeros(t["shape"], t["dtype"]) for t in report["outputs"]]
        args = [ctypes.c_void_p(a.ctypes.data) for a in bufs]
        samples = np.zeros((runs, len(layers)))
        for _ in range(5):
            run(*args)
        for r in range(runs):
            run(*args)
            samples[r] = [table[i] for i in range(len(layers))]
    med = np.median(samples, axis=0) / 1e3
    return [{"index": i, "name": lay.get("name", ""), "kernel": lay.get("op", ""), "shape": lay.get("output_shape"),
             "macs": lay.get("macs", 0), "us": float(med[i])} for i, lay in enumerate(layers)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--cflags", default="-O3 -march=native")
    args = ap.parse_args()
    model = Path(args.model)
    if not model.exists():
        model = models_dir() / args.model
    rows = profile(model, args.runs, args.cflags.split())
    total = sum(r["us"] for r in rows)
    by_kernel: dict[str, float] = {}
    for r in rows:
        by_kernel[r["kernel"] or "-"] = by_kernel.get(r["kernel"] or "-", 0.0) + r["us"]
    print(f"{model.name}: {total:,.1f} us in {len(rows)} layers (sum of per-layer medians)")
    print("by kernel:")
    for k, us in sorted(by_kernel.items(), key=lambda kv: -kv[1]):
        print(f"  {us:9.1f} us {100 * us / total:5.1f} %  {k}")
    print(f"slowest {args.top} layers:")
    for r in sorted(rows, key=lambda r: -r["us"])[: args.top]:
        gmacs = r["macs"] / (r["us"] * 1e3) if r["us"] > 0 and r["macs"] else 0.0
        print(f"  #{r['index']:3d} {r['us']:8.1f} us {100 * r['us'] / total:5.1f} %  {r['kernel']:36s} "
              f"{str(r['shape']):20s} {r['macs']:>10,} MACs {gmacs:6.2f} GMAC/s  {r['name']}")


if __name__ == "__main__":
    sys.exit(main())
