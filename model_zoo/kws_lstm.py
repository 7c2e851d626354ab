"""A keyword-spotting LSTM as ONNX, written with onnx.helper the way torch.onnx.export (opset 17) writes
`nn.LSTM(10, 64, batch_first=True)` followed by `nn.Linear(64, 12)` on the last step's output: 49 frames of 10
MFCCs -> LSTM(64) -> FC(12) -> softmax (the LSTM of Arm's "Hello Edge" keyword-spotting study, at 64 units).

    python model_zoo/kws_lstm.py [-o model_zoo/models/kws_lstm.onnx]

The exported graph, node for node: Transpose to time-major, LSTM with torch's zero initial states as
constants (torch's gates i, f, g, o reordered to ONNX's i, o, f, c, its two biases concatenated), Squeeze of
the direction axis, Transpose back, Gather of the last step (`out[:, -1, :]`), Gemm, Softmax. Random weights
(uniform in +-1/sqrt(64), torch's LSTM and Linear initialisation): for compiler work, not accuracy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FRAMES, MFCC, HIDDEN, CLASSES = 49, 10, 64, 12


def build(seed: int = 0, frames: int = FRAMES, mfcc: int = MFCC, hidden: int = HIDDEN,
          classes: int = CLASSES) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(hidden)

    def uniform(*shape):
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    def to_onnx_gates(m):  # torch's gate blocks i, f, g, o -> ONNX's i, o, f, c
        i, f, g, o = np.split(m, 4, axis=0)
        return np.concatenate([i, o, f, g], axis=0)

    w_ih, w_hh, b_ih, b_hh = uniform(4 * hidden, mfcc), uniform(4 * hidden, hidden), uniform(4 * hidden), uniform(4 * hidden)
    fc_w, fc_b = uniform(classes, hidden), uniform(classes)
    inits = [
        numpy_helper.from_array(to_onnx_gates(w_ih)[None], "lstm.W"),
        numpy_helper.from_array(to_onnx_gates(w_hh)[None], "lstm.R"),
        numpy_helper.from_array(np.concatenate([to_onnx_gates(b_ih), to_onnx_gates(b_hh)])[None], "lstm.B"),
        numpy_helper.from_array(np.zeros((1, 1, hidden), np.float32), "lstm.h0"),
        numpy_helper.from_array(np.zeros((1, 1, hidden), np.float32), "lstm.c0"),
        numpy_helper.from_array(np.array([1], np.int64), "axis_1"),
        numpy_helper.from_array(np.array(frames - 1, np.int64), "last_step"),
        numpy_helper.from_array(fc_w, "fc.weight"),
        numpy_helper.from_array(fc_b, "fc.bias"),
    ]
    nodes = [
        helper.make_node("Transpose", ["mfcc"], ["x_tm"], name="/lstm/Transpose", perm=[1, 0, 2]),
        helper.make_node("LSTM", ["x_tm", "lstm.W", "lstm.R", "lstm.B", "", "lstm.h0", "lstm.c0"],
                         ["lstm_y", "lstm_y_h", "lstm_y_c"], name="/lstm/LSTM", hidden_size=hidden),
        helper.make_node("Squeeze", ["lstm_y", "axis_1"], ["y_tbh"], name="/lstm/Squeeze"),
        helper.make_node("Transpose", ["y_tbh"], ["y_bth"], name="/lstm/Transpose_1", perm=[1, 0, 2]),
        helper.make_node("Gather", ["y_bth", "last_step"], ["last"], name="/Gather", axis=1),
        helper.make_node("Gemm", ["last", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="/Softmax", axis=-1),
    ]
    graph = helper.make_graph(nodes, "kws_lstm", [helper.make_tensor_value_info("mfcc", TensorProto.FLOAT,
                                                                                 [1, frames, mfcc])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, classes])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec model_zoo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "kws_lstm.onnx")
    a = p.parse_args()
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(), str(a.output))
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
