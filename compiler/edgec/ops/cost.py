"""Estimated instructions of an IR node on a Cortex-M core with the DSP kernels: what the patch search weighs a
schedule's overhead by besides its MACs (passes/patch_search.py). Not a timing model, and never a reported figure.

Patching costs more instructions than its extra MACs: every per-patch kernel call repeats its set-up (the DSP
depthwise kernel builds a weight table per block of four channels and copies the border of its input into a band,
per call), tiles are small, and crops and pastes copy bytes. The coefficients are a fit to the per-layer
instructions of vww_96_int8 layer by layer and in 8x8 patches on the emulated Cortex-M7 (edgec bench --layers):
the estimate is within about 30 % per node (the per-call term rounded up: over-estimating overhead costs a little
arena, under-estimating breaks the limit), and the search only compares the sums of one graph's variants.
"""

from __future__ import annotations

from ..ir import Graph, Node
from .macs import node_macs

CALL = 100  # any kernel call: arguments, loop set-up
DEPTHWISE_PER_MAC = 2.9
DEPTHWISE_PER_CHANNEL_CALL = 230  # the DSP kernel's per-call weight table and band copies, per channel
CONV_PER_MAC = 0.85  # a 1x1 / full conv's inner loop, deep enough
CONV_PER_MAC_DEPTH = 12.0  # plus this / (taps x input channels): the per-output work shallow convs cannot amortise
CONV_UNALIGNED_PER_MAC = 1.0  # input channels not a multiple of 4: the kernel's unpacked tail path
COPY_PER_BYTE = 1.3  # crop, paste
PER_OUTPUT = 2.0  # any other node: per output element


def node_instructions(graph: Graph, node: Node) -> float:
    macs = node_macs(graph, node)
    out = graph.tensors[node.outputs[0]]
    if node.op.startswith("depthwise_conv2d") or (node.op == "conv2d" and node.attrs.get("depthwise")):
        return CALL + DEPTHWISE_PER_MAC * macs + DEPTHWISE_PER_CHANNEL_CALL * out.shape[-1]
    if node.op == "conv2d" or node.op.startswith("conv2d_"):
        w = graph.tensors[node.inputs[1]].shape
        depth = 1
        for d in w[1:]:
            depth *= int(d)
        cin = int(graph.tensors[node.inputs[0]].shape[-1])
        rate = CONV_PER_MAC + CONV_PER_MAC_DEPTH / max(depth, 1) + (CONV_UNALIGNED_PER_MAC if cin % 4 else 0.0)
        residual = PER_OUTPUT * out.elems if node.op.startswith("conv2d_add") else 0.0
        return CALL + rate * macs + residual
    if node.op in ("crop", "paste"):
        tile = out if node.op == "crop" else graph.tensors[node.inputs[0]]  # the bytes copied
        return CALL + COPY_PER_BYTE * tile.nbytes
    return CALL + macs + PER_OUTPUT * out.elems


def graph_instructions(graph: Graph) -> float:
    return sum(node_instructions(graph, nd) for nd in graph.nodes)
