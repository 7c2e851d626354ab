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
compares the sums of one graph's variants. Per-call costs that small tiles multiply were re-fitted against whole
models patched (ResNet in 8 and 16 row bands, VWW in 4x4 and 6x6 patches, mcunet-vww0.tflite in row bands; per
layer, off against patched): the ADD's tables, the conv's repeated pixels, the pads, the copies per row and byte,
and the in-place depthwise tiles. Measured overheads there are now 1.0-1.1x the estimate (they were up to 4x
on ResNet's 16 row bands: +3.1 % estimated, +12.7 % measured). Not modelled: a depthwise layer the planner runs in
place outside a grid copies its bands back (about 3 instructions an output).
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
# The tiles of such a layer in a patched stage mostly run in place (their input tile dies there), without the
# compile-time tables (the in-place kernel builds them per call, and then every reader of the weights does) and
# copying their bands back: fitted on VWW's first depthwise layer in 4x4 and 6x6 patches (16 and 36 tiles), where
# the terms above had it 22-30 % under; KWS in 7 row bands measured the same (+40 k a band of 64 channels, on three
# of its four depthwise layers: +36 % where +9.5 % was estimated without this term). Charged on every tile, grid
# or band: where a band keeps its input for the next one (mcunet-vww0.tflite) it runs packed, and this over-counts.
PLANE_GRID_TILE_PER_CHANNEL_CALL = 490
PLANE_GRID_TILE_PER_OUTPUT = 2.4
PIXEL_DEPTHWISE_PER_MAC = 2.9  # other strides, small maps: four channels a pixel
PIXEL_DEPTHWISE_PER_CHANNEL_CALL = 180
# a 1x1 / full conv's inner loop, deep enough (3 pixels x 2 channels a step); was 0.85: 12-20 % over on the 45 convs
# of ResNet, VWW and mcunet-vww0 alone, which understated every overhead by as much
CONV_PER_MAC = 0.76
CONV_PER_MAC_DEPTH = 12.0  # plus this / (taps x input channels): the per-output work shallow convs cannot amortise
# input channels not a multiple of 4 (RGB): VWW's first conv 1.16 a MAC over the rest, ResNet's 0.4 (was 1.0)
CONV_UNALIGNED_PER_MAC = 0.6
# float requantisation (onnxruntime's, QDQ models)
FLOAT_CONV_PER_MAC = 2.63
FLOAT_CONV_PER_OUTPUT = 82.0  # the float requantisation of one output
FLOAT_CONV_ADD_PER_OUTPUT = 141.0  # conv2d_add_q8: the conv's and the add's
FLOAT_CONV_UNALIGNED_PER_MAC = 7.6  # input channels not a multiple of 4 (a first layer's RGB)
BAND_DEPTHWISE_PER_MAC = 2.0
BAND_DEPTHWISE_PER_OUTPUT = 28.0
BAND_DEPTHWISE_PER_CHANNEL_ROW = 74.0  # per call: the weight table, per channel and kernel row
BAND_DEPTHWISE_PER_INPUT_BYTE = 1.8  # per call: the zero-point-padded band copy
# crop, paste (edgec_copy_window: a byte loop per row of the window, which GCC turns into memcpy): per row and per
# byte, fitted on 479 crops and pastes of ResNet's and mcunet-vww0's row bands and VWW's 4x4 and 6x6 patches (the
# totals per model and kind within 11 %; the old 1.3 a byte and 385 a crop were 1.3-2.7x over on row bands, whose
# rows are long)
COPY_PER_ROW = 45.0
COPY_PER_BYTE = 0.55
# pad (edgec_pad_*, the reference kernel: the source index of every output element, per dimension): 75-86 an
# output on mcunet-vww0's five pads and their row bands, where the per-output 2 had it 40x under (its pads are 38 %
# of that model's instructions, and a band's pad is smaller than the layer's: the old term hid a saving)
PAD_PER_OUTPUT = 81.0
PER_OUTPUT = 2.0  # any other node: per output element
# the int8 TFLite ADD (edgec_add_s8, Cortex-M): from 512 elements a call on, it first tabulates both inputs' 2 x 256
# rescalings, then spends its 15-instruction loop per element; fitted on ResNet's three adds (4,096 to 16,384
# elements: within 0.2 %) and its 512- and 1,024-element row bands (within 2 %). The table is per call: 16 row
# bands pay it 16 times (+0.37 M instructions on an 11.4 M model), which the plain per-output term missed.
ADD_TABLES_CALL = 24_600
ADD_TABLES_PER_OUTPUT = 15.0
ADD_TABLES_MIN_ELEMENTS = 512
ADD_PLAIN_PER_OUTPUT = 50.0  # below that: three requantisations an element (not fitted; small tiles only)
# Conv kernels that compute several output pixels together fill a partial last group with a repeated pixel, per
# call: the packed DSP conv three (edgec_conv2d_s8_packed), the float-requantising one two (conv_gemm). A layer
# whose map is a multiple of it loses nothing; a 16-pixel row band recomputes two of 16 (ResNet's 16 x 16 layers in
# 16 bands: +0.26 M of the 1.46 M instructions its bands cost).
PACKED_CONV_PIXELS = 3
FLOAT_CONV_PIXELS = 2


def plane_path(graph: Graph, node: Node, out_hw: tuple[int, int] | None = None) -> bool:
    """Whether the int8 DSP depthwise kernel runs `node` on its 2 x 2 path over int16 planes; `out_hw`: the output
    rows and columns of one tile of it, when the node is counted as a patched stage's tiles without building them
    (the path depends on the tile's size)."""
    w, out, a = graph.tensors[node.inputs[1]].shape, graph.tensors[node.outputs[0]].shape, node.attrs
    h_out, w_out = out_hw if out_hw is not None else (out[-3], out[-2])
    strides = list(a.get("strides", [0, 0]))
    return (list(w[1:3]) == [3, 3] and (strides == [1, 1] or (strides == [2, 2] and w_out <= DWS_MAX_COLS))
            and list(a.get("dilation", [1, 1])) == [1, 1] and w_out >= 2 and h_out >= 2)


def tile_instructions(graph: Graph, node: Node, calls: int, out_elems: int, out_hw=None) -> float:
    """What `calls` tiles of the node in a patched stage cost beyond calls_instructions' (PLANE_GRID_TILE_*)."""
    if node.op != "depthwise_conv2d_s8" or node.attrs.get("requant_float") or not plane_path(graph, node, out_hw):
        return 0.0
    channels = graph.tensors[node.outputs[0]].shape[-1]
    return calls * PLANE_GRID_TILE_PER_CHANNEL_CALL * channels + PLANE_GRID_TILE_PER_OUTPUT * out_elems


def depthwise_instructions(graph: Graph, node: Node, calls: int, macs: int, out_elems: int, in_elems: int,
                           out_hw=None) -> float:
    channels = graph.tensors[node.outputs[0]].shape[-1]
    if node.op == "depthwise_conv2d_s8" and not node.attrs.get("requant_float"):
        if plane_path(graph, node, out_hw):
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


def pixel_group(node: Node) -> int:
    """How many output pixels the node's kernel computes together (1: any number)."""
    if node.op != "conv2d_s8":
        return 1
    return FLOAT_CONV_PIXELS if node.attrs.get("requant_float") else PACKED_CONV_PIXELS


def repeated_pixel_instructions(graph: Graph, node: Node, tile_pixels: list[int]) -> float:
    """The instructions a conv node's calls spend on pixels computed twice to fill their last group, one call per
    entry of `tile_pixels` (the output pixels of that call's tile)."""
    group = pixel_group(node)
    repeated = sum(-px % group for px in tile_pixels) if group > 1 else 0
    if not repeated:
        return 0.0
    _, h, w, c = graph.tensors[node.outputs[0]].shape
    per_pixel = node_macs(graph, node) // max(h * w, 1)
    return conv_instructions(graph, node, 0, repeated * per_pixel, repeated * c)


def add_instructions(calls: int, out_elems: int) -> float:
    if calls and out_elems >= ADD_TABLES_MIN_ELEMENTS * calls:  # tiles of the same size: each builds its tables
        return calls * (CALL + ADD_TABLES_CALL) + ADD_TABLES_PER_OUTPUT * out_elems
    return calls * CALL + ADD_PLAIN_PER_OUTPUT * out_elems


def calls_instructions(graph: Graph, node: Node, calls: int, macs: int, out_elems: int, in_elems: int,
                       out_hw=None) -> float:
    """The instructions of `calls` calls of the node's kernel that together do `macs` MACs, write `out_elems`
    outputs and read `in_elems` elements of its first input: linear in all four (but for the add's table threshold,
    taken on the average tile), so the patches of a stage sum to one call of this with their totals
    (passes/patch_estimate.py counts a schedule without building it); repeated_pixel_instructions adds what is not
    linear, per tile. `out_hw`: the output size of each of the calls, where the kernel's path depends on it
    (plane_path)."""
    if node.op.startswith("depthwise_conv2d") or (node.op == "conv2d" and node.attrs.get("depthwise")):
        return depthwise_instructions(graph, node, calls, macs, out_elems, in_elems, out_hw)
    if node.op == "conv2d" or node.op.startswith("conv2d_"):
        return conv_instructions(graph, node, calls, macs, out_elems)
    if node.op == "add_s8":
        return add_instructions(calls, out_elems)
    if node.op == "pad":
        return calls * CALL + PAD_PER_OUTPUT * out_elems
    return calls * CALL + macs + PER_OUTPUT * out_elems


def copy_instructions(rows: int, nbytes: int) -> float:
    """crop / paste: window copies of `rows` rows and `nbytes` bytes in all."""
    return COPY_PER_ROW * rows + COPY_PER_BYTE * nbytes


def node_instructions(graph: Graph, node: Node) -> float:
    out = graph.tensors[node.outputs[0]]
    if node.op in ("crop", "paste"):
        tile = out if node.op == "crop" else graph.tensors[node.inputs[0]]  # the bytes copied
        return copy_instructions(tile.shape[1], tile.nbytes)
    in_elems = graph.tensors[node.inputs[0]].elems if node.inputs else 0
    pixels = [out.shape[1] * out.shape[2]] if len(out.shape) == 4 else []
    return (calls_instructions(graph, node, 1, node_macs(graph, node), out.elems, in_elems)
            + repeated_pixel_instructions(graph, node, pixels)
            + (tile_instructions(graph, node, 1, out.elems) if node.attrs.get("patch_tile") else 0.0))


def graph_instructions(graph: Graph) -> float:
    return sum(node_instructions(graph, nd) for nd in graph.nodes)
