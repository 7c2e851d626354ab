"""Fuse a pointwise int8 convolution with the residual add that reads it: `conv2d_add_s8` (TFLite ADD) or
`conv2d_add_q8` (onnxruntime's QLinearAdd, the QDQ path).

In an inverted residual block (MobileNetV2, MCUNet) the projection's output and the block's residual input are
live together, beside the wide expanded tensor the projection reads: MobileNetV2 1.0 / 224's peak after patching
(28x28: 147 + 24.5 + 24.5 KiB). Fused, the kernel computes the convolution one output row at a time into a row of
scratch and adds it to the residual's row (runtimes/reference/edgec_conv2d_add_{s8,q8}.c), so the convolution's
output never exists whole; and where the residual dies at the add, the output takes over the residual's buffer
(memory/inplace.py: ir.IN_PLACE_INPUTS). The arithmetic is the unfused pair's, bit for bit.

Fused when: the convolution is 1x1, stride 1, no padding, batch 1 (output row y reads input row y only, so rows
are independent; kernel windows larger than 1x1 would need the bands of in-place depthwise); its output is read by
that add only and is not a graph output or viewed; the add has the output's shape on both inputs (no
broadcasting) and, for add_s8, is a plain ADD; and the residual dies at the add (a tensor of its own, not a graph
input or output): only then does fusing save memory. The fused node takes the add's place in the schedule (both inputs
exist there). Runs after ternary_kernels (pipeline.py), so a ternary layer keeps its own kernel.
"""

from __future__ import annotations

from ..errors import EdgecError
from ..ir import Graph, Node
from .util import merged_name, single_consumer

FUSED = {"add_s8": "conv2d_add_s8", "add_q8": "conv2d_add_q8"}
MODES = ("always", "never")  # [passes] fuse_conv_add in toolchain.toml


def is_pointwise(graph: Graph, node: Node) -> bool:
    if node.op != "conv2d_s8" or len(node.inputs) != 5:
        return False
    w, x = graph.tensors[node.inputs[1]], graph.tensors[node.inputs[0]]
    a = node.attrs
    return (len(x.shape) == 4 and x.shape[0] == 1 and tuple(w.shape[1:3]) == (1, 1) and list(a["strides"]) == [1, 1]
            and not any(a["pads"]) and list(a["dilation"]) == [1, 1] and w.shape[3] == x.shape[3])


def dies_at(graph: Graph, tensor: str, node: Node) -> bool:
    """`node` is the last reader of `tensor`, a buffer of its own that the caller does not own: the fused node can
    then write over it (memory/inplace.py decides). Where it cannot, fusing would cost the row scratch and save
    nothing: the unfused add already writes over the convolution's output."""
    if tensor in graph.inputs or tensor in graph.outputs or graph.tensors[tensor].alias_of is not None:
        return False
    if any(t.alias_of == tensor for t in graph.tensors.values()):
        return False
    return graph.consumers(tensor)[-1] is node


def fusable_add(graph: Graph, conv: Node) -> Node | None:
    add = single_consumer(graph, conv.outputs[0])
    if add is None or add.op not in FUSED or len(add.inputs) != 2 or len(add.outputs) != 1:
        return None
    if add.op == "add_s8" and add.attrs.get("kind", "ADD") != "ADD":
        return None
    shape = graph.tensors[conv.outputs[0]].shape
    residual = graph.tensors[add.inputs[1 - add.inputs.index(conv.outputs[0])]]
    if residual.is_const or residual.dtype != "int8" or residual.shape != shape or not dies_at(graph, residual.name, add):
        return None
    if graph.tensors[add.outputs[0]].shape != shape or graph.tensors[add.outputs[0]].dtype != "int8":
        return None
    return add


def run(graph: Graph, mode: str = "always") -> Graph:
    if mode not in MODES:
        raise EdgecError(f"[passes] fuse_conv_add = {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "never":
        return graph
    for conv in list(graph.nodes):
        if not is_pointwise(graph, conv):
            continue
        add = fusable_add(graph, conv)
        if add is None:
            continue
        y = conv.outputs[0]
        conv_first = add.inputs[0] == y
        residual = add.inputs[1] if conv_first else add.inputs[0]
        attrs = dict(conv.attrs, add=dict(add.attrs), conv_first=conv_first)
        fused = Node(FUSED[add.op], conv.inputs + [residual], list(add.outputs), attrs, merged_name(conv.name, add.name))
        graph.nodes[graph.nodes.index(add)] = fused
        graph.nodes.remove(conv)
    graph.remove_unused_tensors()
    return graph
