"""Sequence models on the emulated Cortex-M7 (QEMU mps2-an500): the keyword-spotting LSTM
(model_zoo/models/kws_lstm.onnx) and the transformer encoder (model_zoo/models/transformer_encoder.onnx), float32,
and the two int8 TFLite keyword spotters of tests/test_int8_tflite_recurrent.py (conv -> LSTM -> FC; streaming
conv -> SVDF -> FC, written by its builders with the tests' seed), with the reference kernels only and with the
Cortex-M7 target's kernel sets: instructions per inference and per MAC, arena, flash, and whether the outputs match
the reference executor (`edgec bench`). The int8 rows also give the recurrent layer's own instructions (the
profiled build).

    python benchmarks/sequence_models_m7.py [--runs 3] [--out benchmarks/results]

Figures are guest instructions counted by QEMU (-icount shift=0), not time. The LSTM is one kernel call that
loops over the 49 steps (runtimes/*/edgec_lstm_f32.c); its MACs are 49 x 4 x 64 x (10 + 64).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sys
import tempfile

from m7 import BOARD, REPO, config_with_kernels, measure, write_report

MODELS = ["kws_lstm.onnx", "transformer_encoder.onnx"]
INT8_MODELS = ["lstm", "svdf"]  # tests/test_int8_tflite_recurrent.py's KWS
KERNELS = {"reference": ["reference"], "cortex-m7 (optimized, reference)": None}
INT8_KERNELS = {"reference": ["reference"], "cortex-m7 (cortex-m, optimized, reference)": None}


def write_int8_kws(kind: str, folder: Path) -> Path:
    """The int8 keyword spotter the tests run on the emulated M7 (same builder, same seed)."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_int8_tflite_recurrent import KWS
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder(seed=12)
    x, y = KWS[kind][0](b)
    path = folder / f"kws_{kind}_int8.tflite"
    path.write_bytes(b.finish([x], [y]))
    return path


def markdown(rows: list[dict], runs: int) -> str:
    lines = [
        f"# Sequence models on the emulated Cortex-M7 ({BOARD})",
        "",
        f"Median of {runs} runs. Instructions are QEMU guest instructions (-icount shift=0), not time. "
        "`python benchmarks/sequence_models_m7.py`.",
        "",
        "| model | kernels | instructions | MACs | instr / MAC | recurrent layer | arena B | weights B | flash B | "
        "matches reference |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['kernels']} | error: {r['error']} | | | | | | | |")
            continue
        layer = r.get("recurrent_layer")
        lines.append(f"| {r['model']} | {r['kernels']} | {r['instructions']:,} | {r['macs']:,} | "
                     f"{r['instructions_per_mac']:.2f} | {f'{layer:,}' if layer else ''} | {r['arena_bytes']:,} | "
                     f"{r['weights_bytes']:,} | {r['flash_bytes']:,} | "
                     f"{r['outputs_match']} (max abs {r['max_abs_error']:.2g}) |")
    lines += ["", "`edgec bench` reads the outputs back over the serial protocol at limited precision; the tests "
              "(tests/test_onnx_sequence_models.py) compare the KWS LSTM's float outputs on the emulated M7 with "
              "onnxruntime's within 1e-4. The int8 models keep state (the LSTM's hidden and cell state, the SVDF's memory) "
              "from one inference to the next, and the device's timed runs follow a warm-up run, so their outputs "
              "are not the reference's single run (False here); tests/test_int8_tflite_recurrent.py compares twelve "
              "runs in sequence with TFLite Micro bit for bit. Their recurrent layer column is the LSTM's or SVDF's "
              "own instructions (the profiled build's timer reads around it).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    rows = []
    for name in MODELS:
        for label, kernels in KERNELS.items():
            row = measure(REPO / "model_zoo" / "models" / name, args.runs, config_with_kernels("cortex-m7", kernels))
            row["kernels"] = label
            rows.append(row)
    with tempfile.TemporaryDirectory(prefix="edgec-kws-int8-") as tmp:
        for kind in INT8_MODELS:
            model = write_int8_kws(kind, Path(tmp))
            for label, kernels in INT8_KERNELS.items():
                config = config_with_kernels("cortex-m7", kernels)
                row = measure(model, args.runs, config)
                row["kernels"] = label
                profiled = measure(model, 1, config, layers=True)  # a timer read after every layer: a build apart
                row["recurrent_layer"] = sum(layer["count"] for layer in profiled.get("layers", [])
                                             if layer["op"] == f"{kind}_s8") or None
                rows.append(row)
    write_report(args.out, "sequence_models_m7", BOARD, args.runs, rows, markdown(rows, args.runs))


if __name__ == "__main__":
    main()
