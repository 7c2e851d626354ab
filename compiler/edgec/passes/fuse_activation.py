"""Fuse a clamp (ReLU, ReLU6, Clip) into the conv, matmul, element-wise op or clamp that feeds it."""

from __future__ import annotations

from ..ir import Graph
from .util import merged_name, single_consumer

FUSABLE = ("conv2d", "matmul", "add", "sub", "mul", "div", "max", "min", "pool2d", "clamp", "conv2d_hybrid",
           "fully_connected_hybrid")


def get_range(node) -> tuple[float, float]:
    return (node.attrs["lo"], node.attrs["hi"]) if node.op == "clamp" else node.attrs["act"]


def set_range(node, lo: float, hi: float) -> None:
    if node.op == "clamp":
        node.attrs["lo"], node.attrs["hi"] = lo, hi
    else:
        node.attrs["act"] = (lo, hi)


def run(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        if node not in graph.nodes or node.op not in FUSABLE or graph.tensors[node.outputs[0]].dtype != "float32":
            continue
        while True:
            nxt = single_consumer(graph, node.outputs[0])
            if nxt is None or nxt.op != "clamp" or graph.tensors[nxt.outputs[0]].shape != graph.tensors[node.outputs[0]].shape:
                break
            (lo1, hi1), (lo2, hi2) = get_range(node), (nxt.attrs["lo"], nxt.attrs["hi"])
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if lo > hi:
                break  # disjoint ranges: the result is a constant; leave both clamps
            set_range(node, lo, hi)
            node.outputs[0] = nxt.outputs[0]
            node.name = merged_name(node.name, nxt.name)
            graph.nodes.remove(nxt)
    graph.remove_unused_tensors()
    return graph
