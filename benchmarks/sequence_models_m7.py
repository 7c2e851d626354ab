"""Sequence models on the emulated Cortex-M7 (QEMU mps2-an500): the keyword-spotting LSTM
(model_zoo/models/kws_lstm.onnx) and the transformer encoder (model_zoo/models/transformer_encoder.onnx), float32,
with the reference kernels only and with the Cortex-M7 target's kernel sets (optimized/ over reference/):
instructions per inference and per MAC, arena, flash, and whether the outputs match onnxruntime (`edgec bench`).

    python benchmarks/sequence_models_m7.py [--runs 3] [--out benchmarks/results]

Figures are guest instructions counted by QEMU (-icount shift=0), not time. The LSTM is one kernel call that
loops over the 49 steps (runtimes/*/edgec_lstm_f32.c); its MACs are 49 x 4 x 64 x (10 + 64).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from m7 import BOARD, REPO, config_with_kernels, measure, write_report

MODELS = ["kws_lstm.onnx", "transformer_encoder.onnx"]
KERNELS = {"reference": ["reference"], "cortex-m7 (optimized, reference)": None}


def markdown(rows: list[dict], runs: int) -> str:
    lines = [
        f"# Sequence models on the emulated Cortex-M7 ({BOARD})",
        "",
        f"Median of {runs} runs. Instructions are QEMU guest instructions (-icount shift=0), not time. "
        "`python benchmarks/sequence_models_m7.py`.",
        "",
        "| model | kernels | instructions | MACs | instr / MAC | arena B | weights B | flash B | matches onnxruntime |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['kernels']} | error: {r['error']} | | | | | | |")
            continue
        lines.append(f"| {r['model']} | {r['kernels']} | {r['instructions']:,} | {r['macs']:,} | "
                     f"{r['instructions_per_mac']:.2f} | {r['arena_bytes']:,} | {r['weights_bytes']:,} | "
                     f"{r['flash_bytes']:,} | {r['outputs_match']} (max abs {r['max_abs_error']:.2g}) |")
    lines += ["", "`edgec bench` reads the outputs back over the serial protocol at limited precision; the tests "
              "(tests/test_onnx_sequence_models.py) compare the KWS LSTM's float outputs on the emulated M7 with "
              "onnxruntime's within 1e-4.", ""]
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
    write_report(args.out, "sequence_models_m7", BOARD, args.runs, rows, markdown(rows, args.runs))


if __name__ == "__main__":
    main()
