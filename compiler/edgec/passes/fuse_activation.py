"""Fuse a clamp (ReLU, ReLU6, Clip) into the conv, matmul or element-wise op that feeds it."""

from __future__ import annotations

import math

from ..ir import Graph
from .util import single_consumer

FUSABLE = ("conv2d", "matmul", "add", "sub", "mul", "div")


def run(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        if node.op not in FUSABLE or node.attrs.get("act") != (-math.inf, math.inf):
            continue
        nxt = single_consumer(graph, node.outputs[0])
        if nxt is None or nxt.op != "clamp" or graph.tensors[node.outputs[0]].dtype != "float32":
            continue
        node.attrs["act"] = (nxt.attrs["lo"], nxt.attrs["hi"])
        node.outputs[0] = nxt.outputs[0]
        graph.nodes.remove(nxt)
    graph.remove_unused_tensors()
    return graph
