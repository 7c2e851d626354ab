"""Multiply-accumulates per IR node: the denominator of instructions-per-MAC figures, shown in the report."""

from __future__ import annotations

import math

import numpy as np

from ..ir import Graph, Node


def node_macs(graph: Graph, node: Node) -> int:
    out = graph.tensors[node.outputs[0]]
    if node.op == "conv2d" and node.attrs.get("depthwise"):
        w = graph.tensors[node.inputs[1]]
        return out.elems * int(w.shape[1] * w.shape[2])
    if node.op == "conv2d" or node.op.startswith("conv2d_") or node.op == "conv_integer":
        w = graph.tensors[node.inputs[1]]
        # weights are O x (kernel and input-channel dims): each output element takes prod(w.shape[1:]) MACs
        return out.elems * math.prod(int(d) for d in w.shape[1:])  # Python ints: called per patch by the search
    if node.op in ("conv_transpose2d", "conv_transpose3d"):  # every input element times its group's out channels
        # times the taps (IOHW / IODHW)
        w = graph.tensors[node.inputs[1]]
        return graph.tensors[node.inputs[0]].elems * int(np.prod(w.shape[1:], dtype=np.int64))
    if node.op.startswith("depthwise_conv2d_"):  # weights 1HWO: each output takes KH * KW MACs
        w = graph.tensors[node.inputs[1]]
        return out.elems * int(w.shape[1] * w.shape[2])
    if node.op in ("ternary_conv_s8", "ternary_fc_hybrid"):  # passes/ternary_kernels.py: K weights per output
        return out.elems * int(node.attrs["k"])
    if node.op.startswith("fully_connected_"):  # weights [units, depth]
        return out.elems * int(graph.tensors[node.inputs[1]].shape[-1])
    if node.op == "ecotta_meta":  # the meta-network's grouped 1x1 conv block (passes/ecotta.py)
        return out.elems * int(node.attrs["group_channels"])
    if node.op == "ecotta_meta_conv":  # the paper block's grouped conv block
        conv = node.attrs["conv"]
        return out.elems * int(conv["k_h"] * conv["k_w"] * node.attrs["group_channels"])
    if node.op in ("lstm", "gru", "rnn"):  # per step, direction and batch row: gates x hidden rows of W and R
        x = graph.tensors[node.inputs[0]].shape
        gates = {"lstm": 4, "gru": 3, "rnn": 1}[node.op]
        h = node.attrs["hidden"]
        return x[0] * x[1] * node.attrs["directions"] * gates * h * (x[2] + h)
    if node.op == "lstm_s8":  # TFLite's integer LSTM: per step and batch row, 4 gates x units rows of W and R
        a = node.attrs
        return a["batch"] * a["seq"] * 4 * a["units"] * (a["input"] + a["units"])
    if node.op in ("svdf", "svdf_s8"):  # per batch row and filter: the feature (input) and the time sum (memory)
        a = node.attrs
        inp = a["input"] if "input" in a else int(np.prod(graph.tensors[node.inputs[0]].shape[1:]))
        return graph.tensors[node.inputs[0]].shape[0] * a["units"] * a["rank"] * (inp + a["memory"])
    if node.op == "matmul" or node.op.startswith("matmul_"):
        k = graph.tensors[node.inputs[0]].shape[-1]
        return out.elems * int(k)
    return 0
