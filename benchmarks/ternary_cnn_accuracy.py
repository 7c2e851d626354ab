"""Held-out accuracy of the ternary digits CNN (model_zoo/ternary_cnn.py) against its float twin: each model in
onnxruntime and compiled by edgec (float path, run on the host), on the committed held-out split
(model_zoo/data/digits/digits_test_*.npy, 360 images). The goal of issue 11: the ternary model within 2 points of the
float twin. Also the memory each needs compiled for the Cortex-M7 (arena, weights).

    python benchmarks/ternary_cnn_accuracy.py [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))
sys.path.insert(0, str(REPO / "model_zoo"))

from edgec.build.host import build_host_executable, run_host_executable_many  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402
from ternary_cnn import load_heldout, onnx_accuracy  # noqa: E402

MODELS = [("float twin", "digits_cnn_float.onnx"), ("ternary", "digits_cnn_ternary.onnx")]


def edgec_predictions(model: Path, images: np.ndarray, work: Path) -> tuple[np.ndarray, dict]:
    """Compile for the host (float path), run every image in one process; the Cortex-M7 compile's report too."""
    m7 = compile_model(model, "cortex-m7", work / "m7", CompileOptions(measure_code=True)).report
    host = compile_model(model, "host", work / "host", CompileOptions(measure_code=False))
    exe = build_host_executable(host.out_dir, host.report, work / "build")
    outs = run_host_executable_many(exe, host.report, [[img[None]] for img in images], work / "run")
    return np.array([int(np.argmax(o[0])) for o in outs]), m7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    images, labels = load_heldout()
    rows = []
    with tempfile.TemporaryDirectory(prefix="edgec-ternary-cnn-") as tmp:
        for kind, fname in MODELS:
            path = REPO / "model_zoo" / "models" / fname
            pred, m7 = edgec_predictions(path, images, Path(tmp) / fname)
            rows.append({"model": fname, "kind": kind, "samples": len(labels),
                         "accuracy_onnxruntime": onnx_accuracy(path, images, labels),
                         "accuracy_edgec_host": float(np.mean(pred == labels)),
                         "m7_arena_bytes": m7["arena_bytes"], "m7_weights_bytes": m7["weights_bytes"],
                         "m7_flash_bytes": m7["flash_bytes"], "m7_fits": m7["fits"]})
    float_acc = rows[0]["accuracy_onnxruntime"]
    lines = ["# Ternary digits CNN: held-out accuracy", "",
             f"{len(labels)} held-out images of sklearn's digits (model_zoo/data/digits/digits_test_*.npy). edgec: the "
             "float path (ternary weights stored as float s * T), compiled for the host and run there; memory "
             "from the Cortex-M7 compile. `python benchmarks/ternary_cnn_accuracy.py`.", "",
             "| model | onnxruntime | edgec (host) | vs float twin | M7 arena | M7 weights | M7 flash | fits |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        delta = 100 * (r["accuracy_edgec_host"] - float_acc)
        lines.append(f"| {r['model']} ({r['kind']}) | {100 * r['accuracy_onnxruntime']:.2f} % | "
                     f"{100 * r['accuracy_edgec_host']:.2f} % | {delta:+.2f} points | {r['m7_arena_bytes']:,} B | "
                     f"{r['m7_weights_bytes']:,} B | {r['m7_flash_bytes']:,} B | {r['m7_fits']} |")
    within = abs(rows[1]["accuracy_edgec_host"] - float_acc) <= 0.02 or rows[1]["accuracy_edgec_host"] >= float_acc
    lines += ["", f"Goal (ternary within 2 points of the float twin): {'met' if within else 'NOT met'}.", ""]
    md = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ternary_cnn_accuracy.json").write_text(json.dumps({"models": rows}, indent=2) + "\n")
    (args.out / "ternary_cnn_accuracy.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
