"""Small queries the graph passes share."""

from __future__ import annotations

import re

from ..ir import Graph, Node

TEMPORARY_NAME = re.compile(r"^(lv|gv)\d*(_\d+)?$")  # names TVM makes up, not the model's own


def merged_name(first: str, second: str) -> str:
    """The name of a node that absorbed another: the model's own names of both, joined ('conv1+relu1')."""
    names = [n for n in (first, second) if n and not TEMPORARY_NAME.match(n)]
    parts = []
    for n in names:
        for part in n.split("+"):
            if part not in parts:
                parts.append(part)
    return "+".join(parts) or first or second


def single_consumer(graph: Graph, tensor: str) -> Node | None:
    """The only node reading `tensor`, if exactly one does and the tensor is not a graph output or viewed."""
    if tensor in graph.outputs or any(t.alias_of == tensor for t in graph.tensors.values()):
        return None
    users = graph.consumers(tensor)
    if len(users) != 1 or users[0].inputs.count(tensor) != 1:
        return None
    return users[0]
