"""Fold a per-channel affine (x * s + t, what a decomposed BatchNormalization becomes) into the conv or
matmul before it: W' = W * s, b' = b * s + t. Also turns a constant add after conv/matmul into its bias."""

from __future__ import annotations

import numpy as np

from ..ir import Graph
from .util import merged_name, single_consumer

LINEAR_OPS = ("conv2d", "matmul")


def channel_vector(graph: Graph, node, const_name: str) -> np.ndarray | None:
    """The constant as one value per output channel of `node`, if it broadcasts that way; else None."""
    c = graph.tensors[const_name]
    y = graph.tensors[node.outputs[0]]
    if node.op == "conv2d":
        axis = 1 if node.attrs["layout"] == "NCHW" else len(y.shape) - 1
    else:
        axis = len(y.shape) - 1
    channels = y.shape[axis]
    data = c.data.astype(np.float32)
    if data.ndim > len(y.shape):
        return None
    full = data.reshape((1,) * (len(y.shape) - data.ndim) + data.shape)
    for i, d in enumerate(full.shape):
        if i != axis and d != 1:
            return None
    if full.shape[axis] not in (1, channels):
        return None
    return np.broadcast_to(full.reshape(-1), (channels,)).astype(np.float32)


def scale_weights(graph: Graph, node, s: np.ndarray) -> str:
    w = graph.tensors[node.inputs[1]].data
    if node.op == "conv2d" and node.attrs.get("depthwise"):
        return graph.add_const("w_folded", (w * s.reshape(1, 1, 1, -1)).astype(np.float32))  # [1][kh][kw][O]
    if node.op == "conv2d":
        shape = (-1,) + (1,) * (w.ndim - 1)  # O first in OIHW and OHWI
        return graph.add_const("w_folded", (w * s.reshape(shape)).astype(np.float32))
    return graph.add_const("w_folded", (w * s.reshape(1, -1)).astype(np.float32))  # K x N: scale columns


def run(graph: Graph) -> Graph:
    changed = True
    while changed:
        changed = False
        for node in list(graph.nodes):
            if node.op not in LINEAR_OPS or node.attrs["act"] != (-np.inf, np.inf):
                continue
            if node.op == "matmul" and len(graph.tensors[node.inputs[0]].shape) != 2:
                continue
            nxt = single_consumer(graph, node.outputs[0])
            if nxt is None or nxt.op not in ("add", "sub", "mul", "div"):
                continue
            other = [t for t in nxt.inputs if t != node.outputs[0]]
            if len(other) != 1 or not graph.tensors[other[0]].is_const or nxt.attrs["act"] != (-np.inf, np.inf):
                continue
            if graph.tensors[nxt.outputs[0]].shape != graph.tensors[node.outputs[0]].shape:
                continue
            if nxt.op in ("sub", "div") and nxt.inputs[0] != node.outputs[0]:
                continue  # c - y and c / y are not affine in the right way
            vec = channel_vector(graph, node, other[0])
            if vec is None or not graph.tensors[node.inputs[1]].is_const:
                continue
            bias = graph.tensors[node.inputs[2]].data if len(node.inputs) > 2 else np.zeros_like(vec)
            if nxt.op == "add":
                new_bias = bias + vec
            elif nxt.op == "sub":
                new_bias = bias - vec
            else:
                s = vec if nxt.op == "mul" else (np.float32(1) / vec)
                node.inputs[1] = scale_weights(graph, node, s)
                new_bias = bias * s
            node.inputs[2:] = [graph.add_const("bias", new_bias.astype(np.float32))]
            # the linear node now produces what the affine node produced
            node.outputs[0] = nxt.outputs[0]
            node.name = merged_name(node.name, nxt.name)
            graph.nodes.remove(nxt)
            changed = True
    graph.remove_unused_tensors()
    return graph
