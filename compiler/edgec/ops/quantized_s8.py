"""int8 kernels (TFLite integer semantics): conv2d, depthwise conv2d, fully connected, add and mul (with
broadcasting), average pool, softmax, mean, table look-up (one-input elementwise ops); pad, concat and
quantize/dequantize share the float ops' and the ONNX helpers' kernels. The IR nodes are made by
frontend/tflite_int8.py with their requantisation parameters already computed; here they only become calls into
runtimes/{reference,cortex-m}/edgec_*_s8.c.

When the model ships the Cortex-M kernels (runtimes/cortex-m/), convolutions and fully connected layers call their
packed entry points instead, with the weights re-laid out at compile time for the DSP inner loops (pack_conv_s8,
pack_fc_s8 below; the arithmetic is explained in runtimes/include/edgec_packed_s8.h, the loops at the top of
runtimes/cortex-m/edgec_conv2d_s8.c and edgec_fully_connected_s8.c)."""

from __future__ import annotations

import numpy as np

from ..ir import IN_PLACE_OPS
from ..paths import RUNTIMES
from . import kernel
from .broadcast import broadcast_params
from .depthwise_inplace import in_place_call
from .kernel_call import kernel_call, params_call



def shipped_set(ctx, kernel_name: str) -> str | None:
    """The kernel set whose runtimes/<set>/<kernel_name>.c the model gets (the first set that has the file)."""
    for kset in ctx.kernel_sets:
        if (RUNTIMES / kset / f"{kernel_name}.c").exists():
            return kset
    return None


def ships_cortex_m(ctx, kernel_name: str) -> bool:
    """True if the model gets runtimes/cortex-m/<kernel_name>.c."""
    return shipped_set(ctx, kernel_name) == "cortex-m"


# -- Packed weights for the Cortex-M DSP kernels -----------------------------------------------------------------
# Four int8 weights w0..w3 (consecutive k) become one word of bytes (w1 + 128, w0, w3 + 128, w2), and the input
# offset and the constant parts of the correction terms move into the bias; see runtimes/include/edgec_packed_s8.h
# for why, and for the arithmetic this must match.
SIGN_FIX, CLAMP, TRUNCATE = 1, 2, 4  # requantisation variants (edgec_packed_s8.h, pk_requant)
WIDE = 8  # pack_conv_s8's variant bit: each weight word's SXTB16 ROR #8 stored beside it
# A conv layer's weights are stored wide when each is used by at least this many output pixels: the inner loop
# then saves a cycle per 24 MACs (one LDM where an LDRD and two SXTB16 were) for twice the weight bytes, so the
# layers with large maps and few weights (the first stages of a CNN) take it, the weight-heavy deep ones do not.
WIDE_MIN_PIXELS = 64
FC_TILE = 8  # units per tile of edgec_fully_connected_s8_packed


def encode_weights(w: np.ndarray) -> np.ndarray:
    """[..., K4 * 4] int8 weights -> [..., K4] words (as int32) of bytes (w1 + 128, w0, w3 + 128, w2)."""
    w = np.asarray(w, np.int64).reshape(*w.shape[:-1], -1, 4)
    b = np.stack([w[..., 1] + 128, w[..., 0], w[..., 3] + 128, w[..., 2]], -1) & 0xFF
    words = b[..., 0] | (b[..., 1] << 8) | (b[..., 2] << 16) | (b[..., 3] << 24)
    return words.astype(np.uint32).view(np.int32)


def odd_words(w: np.ndarray) -> np.ndarray:
    """[..., K4 * 4] int8 weights -> [..., K4] words O = SXTB16(W, ROR #8) of their encode_weights words W: the
    halfwords (w0, w2), which the wide layouts store beside W (int64, unsigned 32-bit values)."""
    w = np.asarray(w, np.int64).reshape(*w.shape[:-1], -1, 4)
    return (w[..., 0] & 0xFFFF) | ((w[..., 2] & 0xFFFF) << 16)


def packed_bias(w: np.ndarray, bias: np.ndarray, input_offset: int) -> np.ndarray:
    """bias + input_offset * sum(w) + 128 * sum(w at even k), per row of w [rows, K4 * 4] (exact: int64)."""
    w = np.asarray(w, np.int64)
    return np.asarray(bias, np.int64) + input_offset * w.sum(1) + 128 * w[:, 0::2].sum(1)


def tflite_requant(acc: int, multiplier: int, shift: int, zero_point: int, lo: int, hi: int) -> int:
    """edgec_requant in EDGEC_REQUANT_FIXED mode (TFLite's MultiplyByQuantizedMultiplier), on Python ints."""
    x = ((acc << max(shift, 0)) + (1 << 31)) % (1 << 32) - (1 << 31)  # the int32 left shift wraps
    if x == multiplier == -(1 << 31):
        h = (1 << 31) - 1
    else:
        ab = x * multiplier
        v = ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30))
        h = v >> 31 if v >= 0 else -((-v) >> 31)
    right = max(-shift, 0)
    h = (h >> right) + ((h & ((1 << right) - 1)) > (((1 << right) - 1) >> 1) + (h < 0))
    return min(max(h + zero_point, lo), hi)


def pack_conv_s8(w: np.ndarray, bias: np.ndarray, mult: np.ndarray, shift: np.ndarray, input_offset: int,
                 output_offset: int, act: tuple[int, int], wide: bool = False) -> np.ndarray | None:
    """Weights OHWI, TFLite fixed-point requantisation -> the int32 stream of edgec_conv2d_s8_packed, or None
    when the kernel's shortcut requantisation would not be bit-exact for this layer (the caller then keeps the
    plain kernel). K runs over the kernel rows, each row's k_w * in_c weights padded to whole words (so that the
    kernel reads a row of taps straight from the input). Stream: header [k4 = k_h * words per row, left shift + 1,
    epilogue variant, channel pairs]; then per pair of output channels: [bias'0, bias'1], k4 x [word ch0,
    word ch1], [m0, c0, e0, m1, c1, e1]. With `wide` (variant bit WIDE), k4 x [word ch0, word ch1, O ch0, O ch1]
    with O the word's SXTB16 ROR #8 (twice the weight bytes; see WIDE_MIN_PIXELS).

    A channel whose weights are all 0 (pruned channels: MobileNet's have biases near 2^30 and shifts near -30,
    which the shortcut cannot take) has a constant output, computed here: the kernel gets m = 0, e = 0, c = that
    value, and a bias' larger than any corr, so that the accumulator stays positive and nothing else matters."""
    oc, kh = w.shape[0], w.shape[1]
    row = int(np.prod(w.shape[2:]))  # k_w * in_c
    row4 = (row + 3) // 4
    k4 = kh * row4
    wk = np.zeros((oc + (oc & 1), kh, row4 * 4), np.int64)
    wk[:oc, :, :row] = np.asarray(w, np.int64).reshape(oc, kh, row)
    wk = wk.reshape(wk.shape[0], k4 * 4)
    bias = np.asarray(bias, np.int64)
    mult, shift = np.asarray(mult, np.int64), np.asarray(shift, np.int64)
    lo, hi = act
    dead = ~np.any(wk[:oc] != 0, axis=1)
    live = ~dead
    left, e = np.maximum(shift, 0), np.maximum(-shift, 0)
    sign_fix = lo < output_offset  # below the zero point the rounding must go away from zero (see the kernel)
    lefts = set(left[live].tolist()) or {0}
    corr_max = 32768 * k4  # |corr| <= 128 * 128 per activation halfword, two per group
    bound = (np.abs(bias) + 255 * np.abs(wk[:oc]).sum(1)) << left
    if (len(lefts) != 1 or np.any(bound[live] >= 1 << 29) or np.any(e[live] > 21) or np.any(mult[live] < 0)
            or (2 * corr_max + 1) << max(lefts) >= 1 << 30
            or (sign_fix and (np.any(e[live] < 1) or np.any(mult[live] <= 1 << 30)))):
        return None
    b, m, e2, c = (np.zeros(wk.shape[0], np.int64) for _ in range(4))
    b[:oc] = packed_bias(wk[:oc], bias, input_offset)
    m[:oc], e2[:oc] = mult, e
    c[:oc] = (np.left_shift(1, e) >> 1) + np.left_shift(output_offset, e)
    for i in np.nonzero(dead)[0]:
        b[i], m[i], e2[i] = corr_max + 1, 0, 0
        c[i] = tflite_requant(int(bias[i]), int(mult[i]), int(shift[i]), output_offset, lo, hi)
    words = encode_weights(wk).astype(np.int64).reshape(-1, 2, k4).transpose(0, 2, 1)  # [pairs, k4, 2]
    if wide:  # [pairs, k4, (W ch0, W ch1, O ch0, O ch1)]
        words = np.concatenate([words, odd_words(wk).reshape(-1, 2, k4).transpose(0, 2, 1)], 2)
    words = words.reshape(words.shape[0], -1)
    pairs = wk.shape[0] // 2
    table = np.stack([m, c, e2], 1).reshape(pairs, 6)
    stream = np.concatenate([b.reshape(pairs, 2), words, table], 1)
    variant = (SIGN_FIX if sign_fix else 0) | (CLAMP if (lo, hi) != (-128, 127) else 0) | (WIDE if wide else 0)
    header = np.array([k4, max(lefts) + 1, variant, pairs], np.int64)
    out = np.concatenate([header, stream.reshape(-1)])
    assert np.all((out >= -(1 << 31)) & (out < 1 << 32))
    return np.where(out >= 1 << 31, out - (1 << 32), out).astype(np.int32)


def wide_weights(ctx, weights: str) -> bool:
    """Whether the conv layers reading the weight tensor `weights` get them packed wide: by the output pixels of all
    the nodes that read it, so that the patches of a patch-based stage (each a node with a tile of the output)
    decide as the whole layer does and share one packed copy."""
    pixels = getattr(ctx, "_edgec_pixels_per_weight", None)  # computed once per emitted graph
    if pixels is None:
        pixels = {}
        for nd in ctx.graph.nodes:
            out = ctx.graph.tensors[nd.outputs[0]].shape if nd.outputs else ()
            if len(nd.inputs) > 1 and len(out) == 4:
                pixels[nd.inputs[1]] = pixels.get(nd.inputs[1], 0) + out[1] * out[2]
        ctx._edgec_pixels_per_weight = pixels
    return pixels.get(weights, 0) >= WIDE_MIN_PIXELS


def conv_packed_scratch_bytes(k4: int, kh: int) -> int:
    """Bytes of scratch edgec_conv2d_s8_packed (runtimes/cortex-m/) takes: the panel of three pixels' activation
    words (24 bytes per group of four k), three gathered rows of taps and a row of padding taps (16 bytes per word
    of a row)."""
    return 24 * k4 + 16 * (k4 // kh)


DWS_MAX_COLS = 24  # runtimes/cortex-m/edgec_depthwise_conv2d_s8.c: the stride-2 plane path's widest map


def dw_plane_path(params: dict) -> bool:
    """Whether runtimes/cortex-m/'s depthwise kernel runs a layer (conv_params) on its 2 x 2 path over int16 planes
    (dwh_applies there): the path edgec_depthwise_conv2d_s8_packed's tables are for. Stride 1, or stride 2 on maps
    one piece wide (DWS_MAX_COLS)."""
    q = params
    return (q["depth_multiplier"] == 1 and q["k_h"] == q["k_w"] == 3 and q["requant"] == 0 and q["in_c"] % 4 == 0
            and q["dil_h"] == q["dil_w"] == 1 and q["out_h"] >= 2 and q["out_w"] >= 2
            and (q["stride_h"] == q["stride_w"] == 1
                 or (q["stride_h"] == q["stride_w"] == 2 and q["out_w"] <= DWS_MAX_COLS)))


def dw_map_path(params: dict) -> bool:
    """Whether the kernel runs a plane-path layer (dw_plane_path) on its taps-inside kernels for small maps padded at
    the edges only (dw3map_applies, dw6map_applies there), whose tables hold 2 * bias in word 1 (map_bias)."""
    q = params
    return dw_plane_path(q) and (
        (q["out_h"] == q["out_w"] == 3
         and ((q["stride_h"] == 1 and q["in_h"] == q["in_w"] == 3 and q["pad_top"] == q["pad_left"] == 1)
              or (q["stride_h"] == 2 and q["in_h"] == q["in_w"] == 6 and q["pad_top"] == q["pad_left"] == 0)))
        or (q["stride_h"] == 1 and q["in_h"] == q["in_w"] == q["out_h"] == q["out_w"] == 6
            and q["pad_top"] == q["pad_left"] == 1 and (q["act_min"], q["act_max"]) == (-128, 127)))


DW_TABLE_WORDS = 13  # per channel (runtimes/include/edgec_depthwise_conv2d_s8.h)


def pack_depthwise_s8(w: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray, shift: np.ndarray,
                      input_offset: int, output_offset: int, map_bias: bool = False) -> np.ndarray | None:
    """3x3 depthwise weights [1, 3, 3, C] (C % 4 == 0) -> the int32 tables of edgec_depthwise_conv2d_s8_packed, or
    None where a channel is outside the kernel's fast range (a right shift r of 1..22, a multiplier >= 0,
    |bias| + 255 * 128 * 9 < 2^29: no intermediate overflows). Per channel: 2 * (bias + input_offset * sum w) four
    times, the int16 pairs (2 w0, 2 w1), (2 w1, 2 w2) of each row (low half first), multiplier,
    2^(r-1) + zp 2^r, r; what the kernel's dwh_block_prepare builds at run time. With map_bias (layers on the
    small maps' kernels, dw_map_path) the second of the four words is 2 * bias: those add the offset to the input."""
    c = w.shape[-1]
    w = np.asarray(w, np.int64).reshape(3, 3, c)
    b = np.zeros(c, np.int64) if bias is None else np.asarray(bias, np.int64)
    m, r = np.asarray(multiplier, np.int64), -np.asarray(shift, np.int64)
    if c % 4 or np.any((r < 1) | (r > 22) | (m < 0) | (np.abs(b) >= (1 << 29) - 293760)):
        return None
    t = np.zeros((c, DW_TABLE_WORDS), np.int64)
    t[:, 0:4] = ((b + input_offset * w.sum((0, 1))) << 1)[:, None]
    if map_bias:
        t[:, 1] = b << 1
    w2 = (2 * w) & 0xFFFF
    t[:, 4:10:2] = (w2[:, 0] | w2[:, 1] << 16).T
    t[:, 5:10:2] = (w2[:, 1] | w2[:, 2] << 16).T
    t[:, 10], t[:, 11], t[:, 12] = m, (1 << (r - 1)) + (output_offset << r), r
    t &= 0xFFFFFFFF
    return np.where(t >= 1 << 31, t - (1 << 32), t).astype(np.int32).reshape(-1)


DOT4_MAX_K = 8192  # EDGEC_CONV2D_S8_DOT4_MAX_K (runtimes/include/edgec_conv2d_s8.h): the kernel's window buffer


# kernel set -> what its edgec_conv2d_s8_dot4 adds to each input byte before its dot products: x86 multiplies
# unsigned bytes x + 128 (vpdpbusd), NEON the signed bytes themselves (SDOT, SMULL)
DOT4_INPUT_SHIFT = {"x86": 128, "neon": 0}


def dot4_blocks(w: np.ndarray, bias: np.ndarray | None, input_offset: int,
                input_shift: int, block: int = 16) -> tuple[np.ndarray, np.ndarray] | None:
    """Weights [rows, K] -> (bytes, bias') of the dot4 layout: blocks of `block` (16) rows, each [K4][block][4] int8
    (K padded to whole words, rows to whole blocks, with zeros), and bias + (input_offset - input_shift) * sum(w)
    per row; None when a bias' leaves int32."""
    rows, k = w.shape
    k4 = (k + 3) // 4
    wk = np.zeros(((rows + block - 1) // block * block, k4 * 4), np.int8)
    wk[:rows, :k] = np.asarray(w, np.int8)
    packed = wk.reshape(-1, block, k4, 4).transpose(0, 2, 1, 3)
    b = (np.zeros(rows, np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)) \
        + (input_offset - input_shift) * wk[:rows].astype(np.int64).sum(1)
    if np.any(np.abs(b) >= 1 << 31):
        return None
    return np.ascontiguousarray(packed).reshape(-1), b.astype(np.int32)


def pack_conv_s8_dot4(w: np.ndarray, bias: np.ndarray | None, input_offset: int,
                      input_shift: int = 128) -> tuple[np.ndarray, np.ndarray] | None:
    """Weights OHWI -> (bytes, bias') of edgec_conv2d_s8_dot4 (the x86 and NEON kernels), or None when the layer
    does not fit it: dot4_blocks over output channels, K = k_h * k_w * in_c, since the kernel multiplies the input
    bytes plus input_shift (DOT4_INPUT_SHIFT) and pads with input_shift - input_offset (see the kernels)."""
    k = int(np.prod(w.shape[1:]))
    if k > DOT4_MAX_K or not -127 <= input_offset <= 128:
        return None
    return dot4_blocks(np.asarray(w).reshape(w.shape[0], k), bias, input_offset, input_shift)


def fc_requant_constants(multiplier: int, shift: int, single_rounding: bool, output_offset: int,
                         act: tuple[int, int], acc_bound: int) -> tuple[int, int, int, int, int] | None:
    """(variant, l, m, c, e) of the packed kernels' shortcut requantisation (runtimes/include/edgec_packed_s8.h,
    pk_requant) for one per-tensor multiplier, or None if it would not be bit-exact for accumulators up to
    acc_bound in magnitude. TFLite Micro's double rounding as in pack_conv_s8; LiteRT's single rounding
    (acc * m + 2^(ts - 1)) >> ts with ts = 31 - shift as ((acc * m) >> 32 + 2^(r - 1)) >> r (SMMLA, r = ts - 32 >= 1),
    or (acc << (32 - ts)) * m rounded to the nearest 2^32 (SMMLAR, ts <= 32)."""
    lo, hi = act
    variant = CLAMP if (lo, hi) != (-128, 127) else 0
    if multiplier < 0:
        return None
    if not single_rounding:
        left, e = max(shift, 0), max(-shift, 0)
        if (acc_bound << left) >= 1 << 29 or e > 21:
            return None
        if lo < output_offset:
            if e < 1 or multiplier <= 1 << 30:
                return None
            variant |= SIGN_FIX
        return variant, left + 1, multiplier, (1 << e >> 1) + (output_offset << e), e
    ts = 31 - shift
    if ts >= 33:
        r = ts - 32
        if r > 22:
            return None
        return variant | TRUNCATE, 0, multiplier, (1 << (r - 1)) + (output_offset << r), r
    if ts < 1 or (acc_bound << (32 - ts)) >= 1 << 30:
        return None
    return variant, 32 - ts, multiplier, output_offset, 0


def pack_fc_s8(w: np.ndarray, bias: np.ndarray, attrs: dict, wide: bool = False) -> np.ndarray | None:
    """Weights [units, depth] (filter offset 0) -> the int32 stream of edgec_fully_connected_s8_packed, or None
    (see fc_requant_constants). Header [d4, tiles of eight units, variant, l, m, c, e, 0]; then per tile:
    [bias' x 8], d4 x [word of unit 0, 1, ..., 7]; with `wide` (variant bit WIDE), d4 x [word, O of unit 0, word,
    O of unit 1, ...], O the word's SXTB16 ROR #8 (twice the weight bytes, a quarter fewer cycles per MAC)."""
    units, depth = w.shape
    d4, tiles = (depth + 3) // 4, (units + FC_TILE - 1) // FC_TILE
    wk = np.zeros((tiles * FC_TILE, d4 * 4), np.int64)
    wk[:units, :depth] = w
    bias = np.asarray(bias, np.int64)
    bound = int((np.abs(bias) + 255 * np.abs(wk[:units]).sum(1)).max())
    rq = fc_requant_constants(int(attrs["multiplier"]), int(attrs["shift"]), bool(attrs.get("single_rounding")),
                              int(attrs["output_offset"]), attrs["act"], bound)
    if rq is None:
        return None
    b = np.zeros(tiles * FC_TILE, np.int64)
    b[:units] = packed_bias(wk[:units], bias, attrs["input_offset"])
    words = encode_weights(wk).astype(np.int64).reshape(tiles, FC_TILE, d4).transpose(0, 2, 1)  # [tiles, d4, units]
    if wide:
        words = np.stack([words, odd_words(wk).reshape(tiles, FC_TILE, d4).transpose(0, 2, 1)], 3)
    stream = np.concatenate([b.reshape(tiles, FC_TILE), words.reshape(tiles, -1)], 1)
    variant, *constants = rq
    out = np.concatenate([np.array([d4, tiles, variant | (WIDE if wide else 0), *constants, 0], np.int64),
                          stream.reshape(-1)])
    return np.where(out >= 1 << 31, out - (1 << 32), out).astype(np.int32)


def conv_params(g, node) -> dict:
    """edgec_conv2d_s8_params of a conv2d_s8 / depthwise_conv2d_s8 node (or of a fused one's convolution)."""
    x, y, w = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]], g.tensors[node.inputs[1]]
    (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    a = node.attrs
    return dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=w.shape[1], k_w=w.shape[2],
                stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
                dil_h=a["dilation"][0], dil_w=a["dilation"][1], depth_multiplier=a.get("depth_multiplier", 1),
                input_offset=a["input_offset"], output_offset=a["output_offset"],
                act_min=a["act"][0], act_max=a["act"][1], requant=int(a.get("requant_float", False)))


def depthwise_tables(node, ctx) -> np.ndarray | None:
    """edgec_depthwise_conv2d_s8_packed's tables for a depthwise node runtimes/cortex-m/ runs on its 2 x 2 path, or
    None (another kernel set, another path, a channel outside the fast range, weights not constant)."""
    g = ctx.graph
    q = conv_params(g, node)
    if not ships_cortex_m(ctx, "edgec_depthwise_conv2d_s8"):
        return None
    # every node reading these weights (the patches of a patched layer) must take the path, so that the layer's
    # weights are emitted once, as tables or as they are, never both
    readers = [nd for nd in g.nodes if nd.op == "depthwise_conv2d_s8" and nd.inputs[1:2] == node.inputs[1:2]]
    if not all(dw_plane_path(conv_params(g, nd)) and ctx.plan.depthwise_bands.get(nd.outputs[0]) is None
               for nd in readers):
        return None
    maps = {dw_map_path(conv_params(g, nd)) for nd in readers}  # one table layout for all of them
    if len(maps) > 1:
        return None
    consts = [g.tensors[t] if t else None for t in node.inputs[1:5]]
    if any(t is not None and not t.is_const for t in consts) or consts[0] is None or None in consts[2:]:
        return None
    w, bias, mult, shift = (None if t is None else t.data for t in consts)
    if np.size(mult) != q["out_c"] or np.size(shift) != q["out_c"]:
        return None
    return pack_depthwise_s8(w, bias, mult, shift, q["input_offset"], q["output_offset"], map_bias=maps.pop())


@kernel("conv2d_s8", "depthwise_conv2d_s8")
def emit_conv2d_s8(node, ctx):
    g = ctx.graph
    w = g.tensors[node.inputs[1]]
    kh = w.shape[1]
    a = node.attrs
    if node.op == "conv2d_s8" and w.shape[3] != g.tensors[node.inputs[0]].shape[3]:
        raise NotImplementedError("grouped int8 convolution")
    packed = None
    if node.op == "conv2d_s8" and not a.get("requant_float", False) and ships_cortex_m(ctx, "edgec_conv2d_s8"):
        bias, mult, shift = (g.tensors[t].data for t in node.inputs[2:5])
        packed = pack_conv_s8(w.data, bias, mult, shift, a["input_offset"], a["output_offset"], a["act"],
                              wide=wide_weights(ctx, node.inputs[1]))
    params = ctx.static_params("edgec_conv2d_s8_params", conv_params(g, node))
    fn = "edgec_conv2d_s8" if node.op == "conv2d_s8" else "edgec_depthwise_conv2d_s8"
    ctx.use(fn)
    bias_t = g.tensors[node.inputs[2]] if node.inputs[2] else None
    kset = shipped_set(ctx, fn)
    if (node.op == "conv2d_s8" and packed is None and kset in DOT4_INPUT_SHIFT and w.is_const
            and (bias_t is None or bias_t.is_const)):
        # K padded only at its end: the NEON kernel copies the windows of layers whose kernel rows are not whole
        # words (in_c % 4 != 0) flat, so padding each row (EDGEC_CONV2D_S8_DOT4_ROWS) would only add zero quads
        dot4 = pack_conv_s8_dot4(w.data, None if bias_t is None else bias_t.data, a["input_offset"],
                                 DOT4_INPUT_SHIFT[kset])
        if dot4 is not None:
            wsym, bsym = (ctx.derived_weights(node, role, d) for role, d in zip(("dot4", "dot4_bias"), dot4))
            mult, shift = (ctx.ptr(t, const=True) for t in node.inputs[3:5])
            x, out = ctx.ptr(node.inputs[0], const=True), ctx.ptr(node.outputs[0])
            call = f"({x}, {wsym}, {bsym}, {mult}, {shift}, {out}"
            if kset != "neon":
                return f"edgec_conv2d_s8_dot4{call}, {params});"
            # weights within [-127, 127] (TFLite's symmetric int8) let cores without SDOT sum two products in int16
            sym = int(np.min(w.data)) >= -127
            return f"edgec_conv2d_s8_dot4_neon{call}, {params}, {'EDGEC_CONV2D_S8_DOT4_SYM' if sym else '0'});"
    if packed is not None:
        sym = ctx.derived_weights(node, "packed", packed)
        k4 = int(packed[0])
        scratch = ctx.arena_scratch(conv_packed_scratch_bytes(k4, kh)) or "NULL"
        return (f"edgec_conv2d_s8_packed({ctx.ptr(node.inputs[0], const=True)}, {sym}, {ctx.ptr(node.outputs[0])}, "
                f"{params}, {scratch});")
    if node.op == "depthwise_conv2d_s8":
        call = in_place_call(node, ctx, fn, lambda: [ctx.ptr(t, const=True) for t in node.inputs[1:]], params)
        if call is not None:
            return call
        tables = depthwise_tables(node, ctx)
        if tables is not None:  # the weight tables built here, not per call on the device
            sym = ctx.derived_weights(node, "tables", tables)
            return (f"edgec_depthwise_conv2d_s8_packed({ctx.ptr(node.inputs[0], const=True)}, {sym}, "
                    f"{ctx.ptr(node.outputs[0])}, {params});")
    return kernel_call(ctx, node, fn, params, inputs=None)


def params_fields(node, x, a) -> dict:
    """edgec_fully_connected_s8_params of a fully_connected_s8 node."""
    return dict(batches=x.elems // a["depth"], depth=a["depth"], units=a["units"], input_offset=a["input_offset"],
                filter_offset=a["filter_offset"], output_offset=a["output_offset"], multiplier=a["multiplier"],
                shift=a["shift"], act_min=a["act"][0], act_max=a["act"][1],
                single_rounding=int(a.get("single_rounding", False)))


def pack_fc_s8_dot4(node, ctx) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """(bytes, bias', sym) of edgec_fully_connected_s8_dot4 (runtimes/neon/): the weights [units, depth] as
    dot4_blocks (the int8 conv's layout), input_offset * each unit's weight sum folded into the bias, padded to
    whole blocks, but for a last block of at most 8 units: a half block, [K4][8][4] (no 8 rows of zeros to load,
    store and multiply); sym: every weight within [-127, 127]. None when the set is not NEON, there is a filter
    offset, the weights or bias are not constant, or a folded value leaves int32."""
    g, a = ctx.graph, node.attrs
    w = g.tensors[node.inputs[1]]
    bias_t = g.tensors[node.inputs[2]] if len(node.inputs) > 2 and node.inputs[2] else None
    if (shipped_set(ctx, "edgec_fully_connected_s8_dot4") != "neon" or a["filter_offset"] != 0 or not w.is_const
            or (bias_t is not None and not bias_t.is_const)):
        return None
    units = a["units"]
    rows = np.asarray(w.data).reshape(units, a["depth"])
    bias = None if bias_t is None else np.asarray(bias_t.data).reshape(-1)
    head = units - units % 16 if units % 16 <= 8 else units  # the units in blocks of 16, the rest a half block
    parts = [dot4_blocks(rows[part], None if bias is None else bias[part], int(a["input_offset"]), 0, block)
             for part, block in ((slice(0, head), 16), (slice(head, units), 8)) if part.stop > part.start]
    if any(p is None for p in parts):
        return None
    b = np.concatenate([p[1] for p in parts])
    return (np.concatenate([p[0] for p in parts]), np.pad(b, (0, -units % (16 if head == units else 8))),
            int(rows.min()) >= -127)


@kernel("fully_connected_s8")
def emit_fully_connected_s8(node, ctx):
    a = node.attrs
    x = ctx.graph.tensors[node.inputs[0]]
    packed = None
    if a["filter_offset"] == 0 and ships_cortex_m(ctx, "edgec_fully_connected_s8"):
        w, b = (ctx.graph.tensors[t].data for t in node.inputs[1:3])
        # compact unless the compile chose wide for these weights (--optimize, fc_layouts.py): wide doubles the
        # weight bytes for 25 instead of 29 cycles per 32 MACs
        packed = pack_fc_s8(w, b, a, wide=False)
        if packed is not None:
            extra = 4 * (packed.size - 8 - FC_TILE * int(packed[1]))  # the SXTB16 words wide stores beside
            ctx.fc_layer(node, node.inputs[1], x.elems // a["depth"], extra)
            if node.inputs[1] in ctx.fc_wide:
                packed = pack_fc_s8(w, b, a, wide=True)
    dot4 = pack_fc_s8_dot4(node, ctx) if packed is None else None
    fields = params_fields(node, x, a)
    params = ctx.static_params("edgec_fully_connected_s8_params",
                               fields if dot4 is None else {**fields, "input_offset": 0})
    if dot4 is not None:  # NEON: the conv's dot4 layout, input_offset * each unit's weight sum in the bias
        ctx.use("edgec_fully_connected_s8_dot4")
        wsym, bsym = (ctx.derived_weights(node, role, d) for role, d in zip(("dot4", "dot4_bias"), dot4[:2]))
        flags = "EDGEC_FULLY_CONNECTED_S8_DOT4_SYM" if dot4[2] else "0"
        return (f"edgec_fully_connected_s8_dot4({ctx.ptr(node.inputs[0], const=True)}, {wsym}, {bsym}, "
                f"{ctx.ptr(node.outputs[0])}, {params}, {flags});")
    ctx.use("edgec_fully_connected_s8")
    if packed is not None:
        sym = ctx.derived_weights(node, "packed", packed)
        scratch = ctx.arena_scratch(8 * int(packed[0])) or "NULL"  # the kernel's activation words
        return (f"edgec_fully_connected_s8_packed({ctx.ptr(node.inputs[0], const=True)}, {sym}, "
                f"{ctx.ptr(node.outputs[0])}, {params}, {scratch});")
    return kernel_call(ctx, node, "edgec_fully_connected_s8", params, inputs=None)


BINARY_FIELDS = {
    "add_s8": ("input1_offset", "input2_offset", "output_offset", "left_shift", "input1_multiplier",
               "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier", "output_shift"),
    "mul_s8": ("input1_offset", "input2_offset", "output_offset", "output_multiplier", "output_shift"),
}


@kernel("add_s8", "mul_s8")
def emit_binary_s8(node, ctx):
    a = node.attrs
    fields = dict(shape=broadcast_params(ctx.graph, node), **{k: a[k] for k in BINARY_FIELDS[node.op]},
                  act_min=a["act"][0], act_max=a["act"][1])
    if node.op == "add_s8":  # ADD, SUB, SQUARED_DIFFERENCE or a comparison (edgec_add_s8.h)
        fields["kind"] = ADD_KINDS[a.get("kind", "ADD")]
    params = ctx.static_params(f"edgec_{node.op}_params", fields)
    ctx.use(f"edgec_{node.op}")
    extra = ""
    if node.op == "add_s8":  # room for the Cortex-M kernel's two tables of rescaled inputs, where the arena has it
        scratch = ctx.arena_scratch(2 * 256 * 4) if ships_cortex_m(ctx, "edgec_add_s8") else None
        extra = f", (int32_t *){scratch}" if scratch else ", NULL"
    out = ctx.ptr(node.outputs[0])
    if ctx.graph.tensors[node.outputs[0]].dtype == "bool":  # a comparison writes 0 or 1 bytes
        out = f"(int8_t *){out}"
    return (f"edgec_{node.op}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{out}, {params}{extra});")


# what edgec_add_s8 does with the two rescaled inputs (EDGEC_ADD_S8_* in edgec_add_s8.h)
ADD_KINDS = {"ADD": 0, "SUB": 1, "SQUARED_DIFFERENCE": 2, "EQUAL": 3, "NOT_EQUAL": 4, "LESS": 5, "LESS_EQUAL": 6,
             "GREATER": 7, "GREATER_EQUAL": 8}


@kernel("div_s8")
def emit_div_s8(node, ctx):
    a = node.attrs
    return params_call(ctx, node, "edgec_div_s8", dict(
        shape=broadcast_params(ctx.graph, node), input1_offset=a["input1_offset"], input2_offset=a["input2_offset"],
        output_offset=a["output_offset"], output_multiplier=a["output_multiplier"], output_shift=a["output_shift"],
        act_min=a["act"][0], act_max=a["act"][1]), inputs=2)


@kernel("prelu_s8")
def emit_prelu_s8(node, ctx):
    a = node.attrs
    fields = ("input_offset", "alpha_offset", "output_offset", "multiplier_positive", "shift_positive",
              "multiplier_negative", "shift_negative")
    return params_call(ctx, node, "edgec_prelu_s8", dict(shape=broadcast_params(ctx.graph, node),
                                                         **{k: a[k] for k in fields}), inputs=2)


@kernel("minmax_s8")
def emit_minmax_s8(node, ctx):
    return params_call(ctx, node, "edgec_minmax_s8", dict(shape=broadcast_params(ctx.graph, node),
                                                          maximum=int(node.attrs["maximum"])), inputs=2)


# element i is read before element i is written
IN_PLACE_OPS.update({"lut_s8", "add_s8", "mul_s8", "minmax_s8", "div_s8", "prelu_s8"})


@kernel("lut_s8")
def emit_lut_s8(node, ctx):
    count = ctx.graph.tensors[node.outputs[0]].elems
    ctx.use("edgec_lut_s8")
    return kernel_call(ctx, node, "edgec_lut_s8", count, inputs=2)


def pool2d_s8_fields(g, node) -> dict:
    """The window of an NHWC int8 pool, as edgec_avg_pool2d_s8_params and edgec_max_pool2d_s8_params begin."""
    (n, h, w, c), (_, oh, ow, _) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    a = node.attrs
    return dict(batch=n, in_h=h, in_w=w, channels=c, out_h=oh, out_w=ow, k_h=a["kernel"][0], k_w=a["kernel"][1],
                stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1])


@kernel("avg_pool2d_s8")
def emit_avg_pool2d_s8(node, ctx):
    lo, hi = node.attrs["act"]
    return params_call(ctx, node, "edgec_avg_pool2d_s8",
                       dict(pool2d_s8_fields(ctx.graph, node), act_min=lo, act_max=hi))


@kernel("mean_s8")
def emit_mean_s8(node, ctx):
    from .reduce import mean_shape_params

    a = node.attrs
    x = ctx.graph.tensors[node.inputs[0]]
    return params_call(ctx, node, "edgec_mean_s8", dict(
        shape=mean_shape_params(x.shape, a["axes"]), multiplier=a["multiplier"], shift=a["shift"],
        input_zero_point=a["input_zero_point"], output_zero_point=a["output_zero_point"]))


@kernel("softmax_s8", "log_softmax_s8")
def emit_softmax_s8(node, ctx):
    """SOFTMAX and LOG_SOFTMAX along the last axis: the same fixed-point exp; LOG_SOFTMAX's log of the sum also
    takes the reverse scaling."""
    x = ctx.graph.tensors[node.inputs[0]]
    depth = x.shape[-1]
    a = node.attrs
    fields = dict(outer=x.elems // depth, depth=depth, input_multiplier=a["input_multiplier"],
                  input_left_shift=a["input_left_shift"])
    if node.op == "log_softmax_s8":
        fields.update(reverse_scaling_divisor=a["reverse_scaling_divisor"],
                      reverse_scaling_shift=a["reverse_scaling_shift"])
    return params_call(ctx, node, f"edgec_{node.op}", dict(fields, diff_min=a["diff_min"]))


@kernel("l2norm_s8")
def emit_l2norm_s8(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    return params_call(ctx, node, "edgec_l2norm_s8", dict(
        outer=x.elems // x.shape[-1], depth=x.shape[-1], input_zero_point=node.attrs["input_zero_point"]))


# -- ONNX QDQ helpers (frontend/onnx_qdq.py), all in runtimes/*/edgec_qdq_s8.c -------------------------------
@kernel("quantize_s8", "dequantize_s8")
def emit_qdq_s8(node, ctx):
    a = node.attrs
    params = ctx.static_params("edgec_qdq_s8_params", dict(n=a["n"], c=a["c"], hw=a["hw"],
                                                           nchw_to_nhwc=a["nchw_to_nhwc"], scale=a["scale"],
                                                           zero_point=a["zero_point"],
                                                           round_half_away=a.get("round_half_away", 0)))
    ctx.use("edgec_qdq_s8")
    fn = "edgec_quantize_s8" if node.op == "quantize_s8" else "edgec_dequantize_s8"
    return kernel_call(ctx, node, fn, params)


@kernel("max_pool2d_s8")
def emit_max_pool2d_s8(node, ctx):
    return params_call(ctx, node, "edgec_max_pool2d_s8", pool2d_s8_fields(ctx.graph, node), source="edgec_qdq_s8")


@kernel("global_avg_pool_s8")
def emit_global_avg_pool_s8(node, ctx):
    n, h, w, c = ctx.graph.tensors[node.inputs[0]].shape
    a = node.attrs
    return params_call(ctx, node, "edgec_global_avg_pool_s8", dict(
        batch=n, hw=h * w, channels=c, input_zero_point=a["input_zero_point"],
        output_zero_point=a["output_zero_point"], scale=a["scale"]), source="edgec_qdq_s8")


@kernel("softmax_q8")
def emit_softmax_q8(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    a = node.attrs
    return params_call(ctx, node, "edgec_softmax_q8", dict(
        outer=x.elems // x.shape[-1], depth=x.shape[-1], output_scale_inv=a["output_scale_inv"],
        output_zero_point=a["output_zero_point"]), source="edgec_qdq_s8", inputs=2)


@kernel("add_q8")
def emit_add_q8(node, ctx):
    a = node.attrs
    return params_call(ctx, node, "edgec_add_q8", dict(
        count=ctx.graph.tensors[node.outputs[0]].elems, a_zero_point=a["a_zero_point"],
        b_zero_point=a["b_zero_point"], output_zero_point=a["output_zero_point"], a_ratio=a["a_ratio"],
        b_ratio=a["b_ratio"]), source="edgec_qdq_s8", inputs=2)


@kernel("binary_q8")
def emit_binary_q8(node, ctx):
    """QDQ Add / Mul with broadcasting, in onnxruntime's float32 steps (edgec_binary_q8)."""
    a = node.attrs
    return params_call(ctx, node, "edgec_binary_q8", dict(
        shape=broadcast_params(ctx.graph, node), mul=int(a["op"] == "mul"), a_zero_point=a["a_zero_point"],
        b_zero_point=a["b_zero_point"], output_zero_point=a["output_zero_point"], a_scale=np.float32(a["a_scale"]),
        b_scale=np.float32(a["b_scale"]), output_scale=np.float32(a["output_scale"])), source="edgec_qdq_s8",
        inputs=2)


@kernel("reduce_max_s8", "arg_max_s8")
def emit_reduce_max_s8(node, ctx):
    """REDUCE_MAX / REDUCE_MIN over the axes, ARG_MAX / ARG_MIN along one (edgec_reduce_s8.c)."""
    from .reduce import mean_shape_params

    x = ctx.graph.tensors[node.inputs[0]]
    params = ctx.static_params("edgec_reduce_s8_params", dict(
        shape=mean_shape_params(x.shape, node.attrs["axes"]), minimum=int(node.attrs["minimum"])))
    ctx.use("edgec_reduce_s8")
    fn = "edgec_reduce_max_s8" if node.op == "reduce_max_s8" else "edgec_arg_max_s8"
    return kernel_call(ctx, node, fn, params)
