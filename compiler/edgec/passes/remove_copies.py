"""Remove copies that do nothing: a copy whose source dies at the copy hands its storage to its output."""

from __future__ import annotations

from ..ir import Graph


def run(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        if node.op != "copy":
            continue
        src, dst = node.inputs[0], node.outputs[0]
        producer = graph.producer(src)
        src_t = graph.tensors[src]
        if producer is None or src_t.is_const or src_t.alias_of is not None or src in graph.outputs:
            continue
        if len(graph.consumers(src)) != 1 or any(t.alias_of == src for t in graph.tensors.values()):
            continue
        if graph.tensors[dst].shape != src_t.shape or graph.tensors[dst].state:  # a variable's new value: last
            continue
        producer.outputs[producer.outputs.index(src)] = dst
        graph.nodes.remove(node)
    graph.remove_unused_tensors()
    return graph
