"""Time of the Relax passes on float MobileNetV2 (BatchNorm folded into 52 convolutions), with the numpy constant
folding (passes/fold_constants.py) and with TVM's FoldConstant alone, measured in the same run.

    python benchmarks/relax_fold_time.py [--out benchmarks/results]

Wall-clock seconds on this machine: compare the two columns as a ratio, not across machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))
sys.path.insert(0, str(REPO / "model_zoo"))

import onnx  # noqa: E402
from mobilenet_v2 import build  # noqa: E402

from edgec.frontend import ImportOptions, import_model  # noqa: E402
from edgec.passes.relax_pipeline import relax_passes  # noqa: E402

MODELS = [(0.35, 32), (0.35, 96)]


def pass_seconds(path: Path, with_numpy: bool) -> float:
    mod = import_model(path, ImportOptions()).mod
    start = time.perf_counter()
    for name, p in relax_passes():
        if with_numpy or "numpy" not in name:
            mod = p(mod)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = ap.parse_args()
    lines = ["# Relax passes on float MobileNetV2: numpy constant folding vs TVM's FoldConstant alone", "",
             "Wall-clock seconds of `relax_passes()` (passes/relax_pipeline.py), same machine, same run.", "",
             "| model | numpy + FoldConstant (s) | FoldConstant alone (s) | ratio |", "|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for width, res in MODELS:
            path = Path(tmp) / f"mbv2_{width}_{res}.onnx"
            onnx.save(build(width, res), str(path))
            fast, slow = pass_seconds(path, True), pass_seconds(path, False)
            lines.append(f"| MobileNetV2 {width}/{res} | {fast:.2f} | {slow:.2f} | {slow / fast:.1f}x |")
            print(lines[-1], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "relax_fold_time.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out / 'relax_fold_time.md'}")


if __name__ == "__main__":
    main()
