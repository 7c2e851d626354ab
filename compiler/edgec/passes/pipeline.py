"""The ordered list of edgec graph passes."""

from __future__ import annotations

from typing import Callable

from ..ir import Graph
from . import fold_affine, fuse_activation, fuse_dynamic_quant, remove_copies

GRAPH_PASSES: list[tuple[str, Callable[[Graph], Graph]]] = [
    ("fuse-dynamic-quant", fuse_dynamic_quant.run),
    ("fold-affine", fold_affine.run),
    ("fuse-activation", fuse_activation.run),
    ("remove-copies", remove_copies.run),
]
