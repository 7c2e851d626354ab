"""A numpy model of TFLite Micro's int8 integer arithmetic, independent of the C kernels: the fixed-point helpers
(checked against runtimes/include/edgec_fixedpoint_s8.h) and the fully connected layer given its compile-time
parameters (multiplier and shift as edgec's importer derives them; test_int8_tflite.py checks those, and the
whole of AD, against TFLite Micro itself)."""

from __future__ import annotations

import numpy as np


def srdhm(a: np.ndarray, b: int) -> np.ndarray:
    """SaturatingRoundingDoublingHighMul, elementwise on int64 arrays holding int32 values."""
    a = np.asarray(a, np.int64)
    ab = a * np.int64(b)
    v = ab + np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    q = np.where(v >= 0, v // (1 << 31), -((-v) // (1 << 31)))  # truncate toward zero
    return np.where((a == b) & (a == -(1 << 31)), np.int64((1 << 31) - 1), q)


def rounding_divide_by_pot(x: np.ndarray, exponent: int) -> np.ndarray:
    x = np.asarray(x, np.int64)
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    left, right = max(shift, 0), max(-shift, 0)
    return rounding_divide_by_pot(srdhm(np.asarray(x, np.int64) * (1 << left), multiplier), right)


def fully_connected(x: np.ndarray, w: np.ndarray, bias: np.ndarray, a: dict) -> np.ndarray:
    """TFLM reference_integer_ops::FullyConnected for one edgec fully_connected_s8 node's attributes."""
    x = np.asarray(x, np.int64).reshape(-1, a["depth"])
    acc = (x + a["input_offset"]) @ (np.asarray(w, np.int64) + a["filter_offset"]).T + np.asarray(bias, np.int64)
    y = multiply_by_quantized_multiplier(acc, a["multiplier"], a["shift"]) + a["output_offset"]
    return np.clip(y, *a["act"]).astype(np.int8)


def run_fc_graph(graph, x: np.ndarray) -> np.ndarray:
    """Run an edgec graph made only of fully_connected_s8 nodes (and views) on one input."""
    values = {graph.inputs[0]: np.asarray(x)}
    for node in graph.nodes:
        if node.op != "fully_connected_s8":
            raise NotImplementedError(node.op)
        src = graph.storage_root(node.inputs[0])
        w, b = (graph.tensors[t].data for t in node.inputs[1:3])
        values[node.outputs[0]] = fully_connected(values[src], w, b, node.attrs)
    out = graph.outputs[0]
    return values[graph.storage_root(out)].reshape(graph.tensors[out].shape)
