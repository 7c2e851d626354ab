"""Estimated instructions of an IR node on a Cortex-M core with the DSP kernels: what the patch search weighs a
schedule's overhead by besides its MACs (passes/patch_search.py). Not a timing model, and never a reported figure.

Patching costs more instructions than its extra MACs: every per-patch kernel call repeats its set-up (the DSP
depthwise kernels copy their input into int16 planes or a band, and off the planes build weight tables, per call),
tiles are small, and crops and pastes copy bytes. Two families of kernels, fitted separately to per-layer
instructions on the emulated Cortex-M7 (edgec bench --layers), layer by layer and patched:
  - TFLite's fixed-point requantisation (the packed DSP conv): vww_96_int8, 8x8 patches; the 3x3 DSP depthwise on
    its own, one layer per firmware: VWW's and KWS's shapes and patch-sized tiles, each of its two paths fitted apart
    (stride 1 over int16 planes: per MAC, per channel, per input byte staged; the other: per MAC, per channel);
  - onnxruntime's float requantisation (`requant_float`, edgec's PTQ and every QDQ model: MCUNet, MobileNetV2):
    the conv kernel requantises each output through float (about 82 instructions an output, 141 with the fused
    residual add), and every depthwise layer runs the SMLAD band path (per call: a weight table per channel and
    kernel row, the zero-point-padded band copy of its input); mcunet-in0 (3x3, 5x5, 7x7), 2x2 patches.
The estimate is within a few % per node on those (the depthwise paths within 12 % and 18 %; the per-call terms
rounded up: over-estimating overhead costs a little arena, under-estimating breaks the limit); the search only
compares the sums of one graph's variants. Not modelled: a depthwise layer the planner runs in place
(memory/inplace_depthwise.py) copies its bands back, about 3 instructions an output, and a patched graph runs more
of them in place (VWW in 5x5 patches: 14 of 43). With copies at their measured 0.9 / byte the patch overhead came
out 0.6-1 point under the measured one (VWW 5x5: +10.0 % estimated, +10.6 % measured; mcunet-vww1 and MobileNetV2
0.35 in 4x4: +10.2 / +11.0 % against +11.2 / +11.7 %): copies are charged 1.3 / byte instead, which covers that on
these models.
"""

from __future__ import annotations

from ..ir import Graph, Node
from .macs import node_macs
from .quantized_s8 import DWS_MAX_COLS

CALL = 100  # any kernel call: arguments, loop set-up
# fixed-point requantisation (TFLite)
DEPTHWISE_PER_MAC = 2.9  # depthwise other than int8 (not re-fitted)
DEPTHWISE_PER_CHANNEL_CALL = 230
# the int8 3x3 DSP depthwise kernel (18 layers alone, see above; the others over-estimated on small unpadded tiles)
# stride 1 (or 2, up to 12 outputs wide; not re-fitted), out_w >= 2, out_h >= 2: 2 x 2 pixels of a channel over int16
# planes, the weight tables built at compile time (edgec_depthwise_conv2d_s8_packed); re-fitted on 12 layers alone
# (VWW's, KWS's and patch-sized maps: within -4 % / +4 %). MACs and input bytes are in a fixed ratio on those
# (stride 1, 3x3): the MAC term is the inner loop's 55 instructions per 36 MACs, the input term the rest.
PLANE_DEPTHWISE_PER_MAC = 1.53
PLANE_DEPTHWISE_PER_CHANNEL_CALL = 70  # per call and channel: the runs' set-up, the zero-point border
PLANE_DEPTHWISE_PER_INPUT_BYTE = 3.3  # per call: the input widened into the planes
PIXEL_DEPTHWISE_PER_MAC = 2.9  # other strides, small maps: four channels a pixel
PIXEL_DEPTHWISE_PER_CHANNEL_CALL = 180
CONV_PER_MAC = 0.85  # a 1x1 / full conv's inner loop, deep enough
CONV_PER_MAC_DEPTH = 12.0  # plus this / (taps x input channels): the per-output work shallow convs cannot amortise
CONV_UNALIGNED_PER_MAC = 1.0  # input channels not a multiple of 4: the kernel's unpacked tail path
# float requantisation (onnxruntime's, QDQ models)
FLOAT_CONV_PER_MAC = 2.63
FLOAT_CONV_PER_OUTPUT = 82.0  # the float requantisation of one output
FLOAT_CONV_ADD_PER_OUTPUT = 141.0  # conv2d_add_q8: the conv's and the add's
FLOAT_CONV_UNALIGNED_PER_MAC = 7.6  # input channels not a multiple of 4 (a first layer's RGB)
BAND_DEPTHWISE_PER_MAC = 2.0
BAND_DEPTHWISE_PER_OUTPUT = 28.0
BAND_DEPTHWISE_PER_CHANNEL_ROW = 74.0  # per call: the weight table, per channel and kernel row
BAND_DEPTHWISE_PER_INPUT_BYTE = 1.8  # per call: the zero-point-padded band copy
# crop, paste: measured 0.9 / byte (+ 385 a crop call) on VWW; kept at 1.3, which covers what is not modelled below
COPY_PER_BYTE = 1.3
CROP_CALL = 385
PER_OUTPUT = 2.0  # any other node: per output element


def plane_path(graph: Graph, node: Node) -> bool:
    """Whether the int8 DSP depthwise kernel runs `node` on its 2 x 2 path over int16 planes."""
    w, out, a = graph.tensors[node.inputs[1]].shape, graph.tensors[node.outputs[0]].shape, node.attrs
    strides = list(a.get("strides", [0, 0]))
    return (list(w[1:3]) == [3, 3] and (strides == [1, 1] or (strides == [2, 2] and out[-2] <= DWS_MAX_COLS))
            and list(a.get("dilation", [1, 1])) == [1, 1] and out[-2] >= 2 and out[-3] >= 2)


def depthwise_instructions(graph: Graph, node: Node, calls: int, macs: int, out_elems: int, in_elems: int) -> float:
    channels = graph.tensors[node.outputs[0]].shape[-1]
    if node.op == "depthwise_conv2d_s8" and not node.attrs.get("requant_float"):
        if plane_path(graph, node):
            return (calls * (CALL + PLANE_DEPTHWISE_PER_CHANNEL_CALL * channels) + PLANE_DEPTHWISE_PER_MAC * macs
                    + PLANE_DEPTHWISE_PER_INPUT_BYTE * in_elems)
        return calls * (CALL + PIXEL_DEPTHWISE_PER_CHANNEL_CALL * channels) + PIXEL_DEPTHWISE_PER_MAC * macs
    if node.attrs.get("requant_float"):
        k_h = int(graph.tensors[node.inputs[1]].shape[1])
        return (calls * (CALL + BAND_DEPTHWISE_PER_CHANNEL_ROW * k_h * channels) + BAND_DEPTHWISE_PER_MAC * macs
                + BAND_DEPTHWISE_PER_OUTPUT * out_elems + BAND_DEPTHWISE_PER_INPUT_BYTE * in_elems)
    return calls * (CALL + DEPTHWISE_PER_CHANNEL_CALL * channels) + DEPTHWISE_PER_MAC * macs


def conv_instructions(graph: Graph, node: Node, calls: int, macs: int, out_elems: int) -> float:
    cin = int(graph.tensors[node.inputs[0]].shape[-1])
    if node.op == "conv2d_add_q8" or node.attrs.get("requant_float"):
        per_output = FLOAT_CONV_ADD_PER_OUTPUT if node.op.startswith("conv2d_add") else FLOAT_CONV_PER_OUTPUT
        rate = FLOAT_CONV_PER_MAC + (FLOAT_CONV_UNALIGNED_PER_MAC if cin % 4 else 0.0)
        return calls * CALL + rate * macs + per_output * out_elems
    w = graph.tensors[node.inputs[1]].shape
    depth = 1
    for d in w[1:]:
        depth *= int(d)
    rate = CONV_PER_MAC + CONV_PER_MAC_DEPTH / max(depth, 1) + (CONV_UNALIGNED_PER_MAC if cin % 4 else 0.0)
    residual = PER_OUTPUT * out_elems if node.op.startswith("conv2d_add") else 0.0
    return calls * CALL + rate * macs + residual


def calls_instructions(graph: Graph, node: Node, calls: int, macs: int, out_elems: int, in_elems: int) -> float:
    """The instructions of `calls` calls of the node's kernel that together do `macs` MACs, write `out_elems`
    outputs and read `in_elems` elements of its first input: linear in all four, so the patches of a stage sum
    to one call of this with their totals (passes/patch_estimate.py counts a schedule without building it)."""
    if node.op.startswith("depthwise_conv2d") or (node.op == "conv2d" and node.attrs.get("depthwise")):
        return depthwise_instructions(graph, node, calls, macs, out_elems, in_elems)
    if node.op == "conv2d" or node.op.startswith("conv2d_"):
        return conv_instructions(graph, node, calls, macs, out_elems)
    return calls * CALL + macs + PER_OUTPUT * out_elems


def copy_instructions(op: str, calls: int, nbytes: int) -> float:
    """crop / paste: `calls` window copies of `nbytes` bytes in all."""
    return calls * (CROP_CALL if op == "crop" else CALL) + COPY_PER_BYTE * nbytes


def node_instructions(graph: Graph, node: Node) -> float:
    out = graph.tensors[node.outputs[0]]
    if node.op in ("crop", "paste"):
        tile = out if node.op == "crop" else graph.tensors[node.inputs[0]]  # the bytes copied
        return copy_instructions(node.op, 1, tile.nbytes)
    in_elems = graph.tensors[node.inputs[0]].elems if node.inputs else 0
    return calls_instructions(graph, node, 1, node_macs(graph, node), out.elems, in_elems)


def graph_instructions(graph: Graph) -> float:
    return sum(node_instructions(graph, nd) for nd in graph.nodes)
