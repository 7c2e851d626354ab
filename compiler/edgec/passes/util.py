"""Small queries the graph passes share."""

from __future__ import annotations

from ..ir import Graph, Node


def single_consumer(graph: Graph, tensor: str) -> Node | None:
    """The only node reading `tensor`, if exactly one does and the tensor is not a graph output or viewed."""
    if tensor in graph.outputs or any(t.alias_of == tensor for t in graph.tensors.values()):
        return None
    users = graph.consumers(tensor)
    if len(users) != 1 or users[0].inputs.count(tensor) != 1:
        return None
    return users[0]
