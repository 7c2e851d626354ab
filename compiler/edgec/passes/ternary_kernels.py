"""Lower int8 layers whose weights are ternary per output channel to the MatMul-free ternary kernels.

An int8 convolution (groups = 1, any frontend) or fully connected layer whose int8 weights are, per output channel,
in {-a_c, 0, +a_c} becomes `ternary_conv_s8` (runtimes/*/edgec_ternary_s8.c): weights packed 2 bits or 1.6 bits
each (quantize/ternary_pack.py), the input offset and the kernel's own constant terms folded into the bias, and the
same requantisation as the int8 layer, so that its outputs are the int8 layer's bit for bit
(runtimes/include/edgec_ternary_s8.h has the arithmetic). `[passes] ternary_kernels` in toolchain.toml: "auto"
(lower every such layer, the method and format by the cost model below), "addsub" or "lut" (that method wherever
the kernel set has it), "never" (keep the int8 kernels); `ternary_format`: "auto", "2bit" or "base3".

Cost model (Cortex-M kernel set): estimated instructions per output pixel, for n packed bytes per channel (K/4
or K/5) and C output channels, counted from the kernels' loops and fitted to the Cortex-M7 measurements of
benchmarks/ternary_kernels_m7.py (a 256 x 256 fully connected layer and a 3x3 convolution 32 -> 32):
  add/subtract, 2-bit:   C * (7.25 n + 100)         (per byte: the two masks, the column word, AND, USADA8)
                         16 n + C * (3.125 n + 43)   from four output pixels on: per byte 12 instructions for four
                                                     pixels (the masks once, one LDM), the columns interleaved
  add/subtract, base 3:  C * (19 n + 100)           (decode to the 2-bit masks, the fifth trit alone)
  look-up, 2-bit:        1010 n + C * (L(n) + 60)   (a 256-entry table per byte and pixel)
  look-up, base 3:        400 n + C * (L(n) + 60)   (a 243-entry table per byte and pixel)
with L(n) = 3 per byte (LDRB, LDRSH, ADD) over the bytes the kernel reads (chunks of 8, the last of 4 when at most
4 are left) + 5 per chunk. On the Cortex-M55 (Helium) the look-up takes eight channels per gather: L(n) = n for
the channels in whole eights, and the per-byte terms are 970 (2-bit) and 485 (base 3), fitted to
benchmarks/ternary_kernels_m7.py --board mps3-an547. The cheapest wins (look-up pays off with many output channels: a fully
connected layer's hundreds; add/subtract wins on small convolutions); on a tie, the smaller format. A hybrid fully connected layer of onnxruntime's
quantize_dynamic (float in and out, its input quantized per call: `--quantize ternary --generate`, per token) with
ternary weights takes the same kernels through edgec_ternary_hybrid.h (`ternary_fc_hybrid`). Other kernel sets
(the portable reference) only add and subtract: base 3, the smaller weights."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node, Tensor
from ..paths import RUNTIMES
from ..quantize import ternary_pack as tp

MODES = ("auto", "addsub", "lut", "never")
FORMAT_CHOICES = ("auto", "2bit", "base3")
ADDSUB, LUT = 0, 1
METHOD_NAMES = {ADDSUB: "addsub", LUT: "lut"}
REQUANT_FIXED, REQUANT_FLOAT, REQUANT_SINGLE = 0, 1, 2
LUT_GROUPS = 8  # packed bytes whose tables the look-up kernel builds at a time (8 x 512 B of scratch)
COST = {  # (method, format) -> (per packed byte and pixel, per packed byte and channel, per channel)
    (ADDSUB, tp.FORMAT_2BIT): (0, 7.25, 100),
    (ADDSUB, tp.FORMAT_BASE3): (0, 19, 100),
    (LUT, tp.FORMAT_2BIT): (1010, None, 60),
    (LUT, tp.FORMAT_BASE3): (400, None, 60),
}
ADDSUB_2BIT_X4 = (16, 3.125, 43)  # the same three terms when the kernel takes four pixels at a time (4 or more)
HELIUM_LUT = {tp.FORMAT_2BIT: 970, tp.FORMAT_BASE3: 485}  # Cortex-M55: look-up, per packed byte and pixel
HELIUM_LUT_PER_BYTE = 1.0  # and per packed byte and channel, for the channels in whole eights


def lut_channel_cost(n: int) -> int:
    """L(n): the scalar look-up loop's instructions per channel over a row of n packed bytes."""
    chunks, left = divmod(n, LUT_GROUPS)
    read = LUT_GROUPS * chunks + (0 if left == 0 else 4 if left <= 4 else LUT_GROUPS)
    return 3 * read + 5 * (chunks + (left > 0))


def estimated_instructions(method: int, fmt: int, k: int, channels: int, pixels: int = 1,
                           helium: bool = False) -> int:
    """The cost model above: instructions per output pixel, for a layer of `pixels` output pixels."""
    per_byte, per_channel_byte, per_channel = COST[(method, fmt)]
    n = tp.row_bytes(k, fmt)
    if (method, fmt) == (ADDSUB, tp.FORMAT_2BIT) and pixels >= 4:
        per_byte, per_channel_byte, per_channel = ADDSUB_2BIT_X4
    if method == LUT:
        wide = channels - channels % 8 if helium else 0
        per_byte = HELIUM_LUT[fmt] if helium else per_byte
        return round(per_byte * n + wide * (HELIUM_LUT_PER_BYTE * n + per_channel)
                     + (channels - wide) * (lut_channel_cost(n) + per_channel))
    return round(per_byte * n + channels * (per_channel_byte * n + per_channel))


def kernel_set_of(kernel_sets: list[str]) -> str | None:
    for kset in kernel_sets:
        if (RUNTIMES / kset / "edgec_ternary_s8.c").exists():
            return kset
    return None


def choose(k: int, channels: int, mode: str, fmt_choice: str, kernel_set: str | None,
           pixels: int = 1, helium: bool = False) -> tuple[int, int]:
    formats = [tp.FORMATS[fmt_choice]] if fmt_choice != "auto" else [tp.FORMAT_BASE3, tp.FORMAT_2BIT]
    if kernel_set != "cortex-m":
        return ADDSUB, formats[0]
    methods = {"auto": [ADDSUB, LUT], "addsub": [ADDSUB], "lut": [LUT]}[mode]
    options = [(estimated_instructions(m, f, k, channels, pixels, helium), tp.row_bytes(k, f), m, f)
               for m in methods for f in formats]
    _, _, method, fmt = min(options)
    return method, fmt


def scratch_bytes(k: int, channels: int, method: int, fmt: int, four_pixels: bool = True) -> int:
    """The scratch of runtimes/cortex-m/edgec_ternary_s8.c (the reference uses the first column only): the im2col
    column (edgec_ternary_col_bytes), plus the look-up kernel's channel sums and tables, or for the 2-bit
    add/subtract kernel three more columns and the four interleaved (edgec_ternary_conv_s8; not
    edgec_ternary_sums_s8, four_pixels=False)."""
    col = (tp.row_bytes(k, fmt) * tp.GROUP[fmt] + 7) // 4 * 4
    if method == LUT:
        return col + 4 * channels + LUT_GROUPS * 256 * 2
    return 8 * col if fmt == tp.FORMAT_2BIT and four_pixels else col


def _layer(graph: Graph, node: Node):
    """(x shape as NHWC, int8 weights [C, K], bias, multipliers, shifts, geometry attrs, requant mode) of a conv2d_s8
    or fully_connected_s8 node the ternary kernel can run, or None."""
    a = node.attrs
    t = graph.tensors
    if node.op == "conv2d_s8":
        x, w = t[node.inputs[0]], t[node.inputs[1]]
        if w.data is None or w.shape[3] != x.shape[3] or any(not t[i].is_const for i in node.inputs[2:5]):
            return None
        bias, mult, shift = (np.asarray(t[i].data, np.int64) for i in node.inputs[2:5])
        geometry = dict(k_h=w.shape[1], k_w=w.shape[2], stride_h=a["strides"][0], stride_w=a["strides"][1],
                        pad_top=a["pads"][0], pad_left=a["pads"][1], dil_h=a["dilation"][0], dil_w=a["dilation"][1])
        mode = REQUANT_FLOAT if a.get("requant_float", False) else REQUANT_FIXED
        return x.shape, w.data.reshape(w.shape[0], -1), bias, mult, shift, geometry, mode
    if node.op == "fully_connected_s8":
        if a["filter_offset"] != 0 or t[node.inputs[1]].data is None:
            return None
        w = t[node.inputs[1]].data
        units, depth = w.shape
        bias = (np.asarray(t[node.inputs[2]].data, np.int64) if len(node.inputs) > 2 and t[node.inputs[2]].is_const
                else np.zeros(units, np.int64))
        mult, shift = np.full(units, a["multiplier"], np.int64), np.full(units, a["shift"], np.int64)
        geometry = dict(k_h=1, k_w=1, stride_h=1, stride_w=1, pad_top=0, pad_left=0, dil_h=1, dil_w=1)
        mode = REQUANT_SINGLE if a.get("single_rounding") else REQUANT_FIXED
        return (t[node.inputs[0]].elems // depth, 1, 1, depth), w, bias, mult, shift, geometry, mode
    return None


def lower_node(graph: Graph, node: Node, mode: str, fmt_choice: str, kernel_set: str | None,
               helium: bool = False) -> Node | None:
    layer = _layer(graph, node)
    if layer is None:
        return None
    x_shape, w, bias, mult, shift, geometry, requant = layer
    rows = tp.ternary_rows(w)
    if rows is None:
        return None
    scale, trits = rows
    channels, k = trits.shape
    off = int(node.attrs["input_offset"])
    minus = (trits == -1).sum(1)
    bias_t = bias + scale.astype(np.int64) * ((off - 128) * trits.sum(1, dtype=np.int64) - 255 * minus)
    # the accumulator, scale * acc_t + bias_t, is the int8 kernel's own: it must stay within int32 (it does for
    # any sane layer; one that would not keeps the int8 kernel)
    if np.any(np.abs(bias_t) + scale.astype(np.int64) * 255 * k >= 1 << 31):
        return None
    y = node.outputs[0]
    out_shape = graph.tensors[y].shape
    out_h, out_w = (out_shape[1], out_shape[2]) if node.op == "conv2d_s8" else (1, 1)
    method, fmt = choose(k, channels, mode, fmt_choice, kernel_set, int(x_shape[0]) * out_h * out_w, helium)
    uniform = bool(np.all(scale == scale[0]))
    scratch = graph.fresh_name(y + ".ternary_scratch")
    graph.add_tensor(Tensor(scratch, (scratch_bytes(k, channels, method, fmt),), "uint8"))
    packed = tp.pack(trits, fmt)
    if method == LUT:  # the look-up kernel reads each row's last chunk of 4 or 8 bytes whole: up to 3 bytes past the last row
        packed = np.concatenate([packed, np.zeros(-tp.row_bytes(k, fmt) % 4, np.uint8)])
    inputs = [node.inputs[0], graph.add_const("ternary_packed", packed),
              graph.add_const("ternary_bias", bias_t.astype(np.int32)),
              graph.add_const("mult", mult.astype(np.int32)), graph.add_const("shift", shift.astype(np.int32))]
    if not uniform:  # one a for every channel (what PTQ gives: 127) sits in the params instead
        inputs.append(graph.add_const("ternary_scale", scale))
    a = node.attrs
    attrs = dict(geometry, x_shape=tuple(int(d) for d in x_shape), out_h=out_h, out_w=out_w, out_c=channels, k=k,
                 input_offset=off, output_offset=int(a["output_offset"]), act=tuple(a["act"]), requant=requant,
                 format=fmt, method=method, row_bytes=tp.row_bytes(k, fmt), scale_all=int(scale[0]),
                 int8_weight_bytes=int(w.size), lowered_from=node.op)
    return Node("ternary_conv_s8", inputs, [y, scratch], attrs, node.name)


def lower_hybrid_node(graph: Graph, node: Node, mode: str, fmt_choice: str, kernel_set: str | None,
                      helium: bool = False) -> Node | None:
    """A hybrid fully connected layer in onnxruntime's dynamic mode (a quantize_dynamic MatMul: float in and out,
    the input quantized per call, i.e. per token in a step model) whose int8 weights are ternary per unit becomes
    `ternary_fc_hybrid` (runtimes/include/edgec_ternary_hybrid.h), bit-exact with it."""
    if node.op != "fully_connected_hybrid" or node.attrs.get("quant") != "onnx_u8" or len(node.inputs) != 4:
        return None  # (a weight zero point: not a symmetric, hence not a ternary, weight)
    t = graph.tensors
    w = t[node.inputs[1]].data
    rows = tp.ternary_rows(w) if w is not None else None
    if rows is None:
        return None
    scale, trits = rows
    units, k = trits.shape
    batch = t[node.inputs[0]].elems // k
    tsum = trits.sum(1, dtype=np.int64)
    offset = 255 * (trits == -1).sum(1) + 128 * tsum
    method, fmt = choose(k, units, mode, fmt_choice, kernel_set, batch, helium)
    packed = tp.pack(trits, fmt)
    if method == LUT:  # the look-up kernel reads each row's last chunk of 4 or 8 bytes whole: up to 3 bytes past the last row
        packed = np.concatenate([packed, np.zeros(-tp.row_bytes(k, fmt) % 4, np.uint8)])
    y, qinput = node.outputs[:2]
    scratch = graph.fresh_name(y + ".ternary_scratch")
    graph.add_tensor(Tensor(scratch, (4 * batch * units + scratch_bytes(k, units, method, fmt, False),), "uint8"))
    inputs = [node.inputs[0], graph.add_const("ternary_packed", packed),
              graph.add_const("ternary_consts", np.concatenate([offset, tsum]).astype(np.int32)),
              node.inputs[2], node.inputs[3]]
    if not np.all(scale == scale[0]):
        inputs.append(graph.add_const("ternary_scale", scale))
    attrs = dict(batch=batch, k=k, units=units, act=tuple(node.attrs["act"]), format=fmt, method=method,
                 row_bytes=tp.row_bytes(k, fmt), scale_all=int(scale[0]), int8_weight_bytes=int(w.size),
                 scale_per_channel=int(t[node.inputs[2]].elems > 1), lowered_from=node.op)
    return Node("ternary_fc_hybrid", inputs, [y, qinput, scratch], attrs, node.name)


def run(graph: Graph, mode: str = "auto", fmt_choice: str = "auto", kernel_sets: list[str] | None = None) -> Graph:
    if mode not in MODES:
        from ..errors import EdgecError

        raise EdgecError(f"[passes] ternary_kernels = {mode!r}: expected one of {', '.join(MODES)}")
    if fmt_choice not in FORMAT_CHOICES:
        from ..errors import EdgecError

        raise EdgecError(f"[passes] ternary_format = {fmt_choice!r}: expected one of {', '.join(FORMAT_CHOICES)}")
    if mode == "never":
        return graph
    kernel_set = kernel_set_of(kernel_sets or ["reference"])
    helium = "cortex-m55" in (kernel_sets or [])  # the Cortex-M set's look-up takes its Helium path there
    if kernel_set is None:
        return graph
    for i, node in enumerate(graph.nodes):
        lowered = (lower_node(graph, node, mode, fmt_choice, kernel_set, helium)
                   or lower_hybrid_node(graph, node, mode, fmt_choice, kernel_set, helium))
        if lowered is not None:
            graph.nodes[i] = lowered
    graph.remove_unused_tensors()
    return graph
