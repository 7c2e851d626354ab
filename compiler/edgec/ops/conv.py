"""2-D convolution (incl. grouped and depthwise), float32."""

from __future__ import annotations

import math

import numpy as np

from ..lower import ints
from . import kernel, lowering
from .depthwise_inplace import in_place_call
from .quantized_s8 import shipped_set

# Weight layout each data layout's kernel expects, with I = in_channels / groups.
CANONICAL_KERNEL_LAYOUT = {"NCHW": "OIHW", "NHWC": "OHWI"}


def float_conv_layout(call, dtype: str, what: str, layouts) -> str:
    """The data layout of a float32 convolution `what` (one of `layouts`, kept by its output), or why not."""
    a = call.attrs
    layout = str(a.data_layout)
    if layout not in layouts or str(a.out_layout) != layout:
        raise NotImplementedError(f"{what} with data layout {layout} -> {a.out_layout}")
    if dtype != "float32":
        raise NotImplementedError(f"{what} producing {dtype}")
    return layout


def weights_in_layout(ctx, call, want: str, what: str, name: str = "w") -> str:
    """A convolution's weights (call.args[1]) in the layout `want` its kernel reads: as given if they are in it,
    else constant weights transposed now (a new constant `name`); run-time weights must already be in it."""
    kernel_layout = str(call.attrs.kernel_layout)
    if kernel_layout == want:
        return ctx.tensor(call.args[1])
    w = ctx.const(call.args[1])
    if w is None:
        raise NotImplementedError(f"{what} with run-time weights in layout {kernel_layout}")
    return ctx.graph.add_const(name, np.transpose(w, [kernel_layout.index(c) for c in want]))


@lowering("relax.nn.conv2d")
def lower_conv2d(ctx, call, out):
    shape, dtype = out
    a = call.attrs
    data_layout = float_conv_layout(call, dtype, "conv2d", CANONICAL_KERNEL_LAYOUT)
    kernel_layout = str(a.kernel_layout)
    x = ctx.tensor(call.args[0])
    in_c = ctx.graph.tensors[x].shape[data_layout.index("C")]
    groups = int(a.groups)
    w_const = ctx.const(call.args[1])
    attrs = {
        "layout": data_layout,
        "strides": ints(a.strides),
        "pads": ints(a.padding),  # top, left, bottom, right
        "dilation": ints(a.dilation),
        "groups": groups,
        "depthwise": False,
        "act": (-math.inf, math.inf),
    }
    if data_layout == "NHWC" and groups == in_c and groups > 1 and w_const is not None:
        # Depthwise: weights as [1][kh][kw][out_c] so that a run of channels is contiguous for the kernel.
        hwo = np.transpose(w_const, [kernel_layout.index(c) for c in "IHWO"])
        w = ctx.graph.add_const("w_dw", np.ascontiguousarray(hwo))
        attrs["depthwise"] = True
        return ctx.emit("conv2d", [x, w], shape, dtype, attrs)
    w = weights_in_layout(ctx, call, CANONICAL_KERNEL_LAYOUT[data_layout], "conv2d")
    return ctx.emit("conv2d", [x, w], shape, dtype, attrs)


@lowering("relax.nn.conv1d")
def lower_conv1d(ctx, call, out):
    """A 1-D convolution is a 2-D one over a height of 1: NCW -> NC1W, OIW -> OI1W (views, no copies)."""
    shape, dtype = out
    a = call.attrs
    if str(a.data_layout) != "NCW" or str(a.kernel_layout) != "OIW" or str(a.out_layout) != "NCW":
        raise NotImplementedError(f"conv1d with layouts {a.data_layout}/{a.kernel_layout} -> {a.out_layout}")
    if dtype != "float32":
        raise NotImplementedError(f"conv1d producing {dtype}")
    x = ctx.tensor(call.args[0])
    w = ctx.tensor(call.args[1])
    (n, c, wd), (o, i, kw) = ctx.graph.tensors[x].shape, ctx.graph.tensors[w].shape
    left, right = ints(a.padding)
    attrs = {
        "layout": "NCHW",
        "strides": [1] + ints(a.strides),
        "pads": [0, left, 0, right],
        "dilation": [1] + ints(a.dilation),
        "groups": int(a.groups),
        "depthwise": False,
        "act": (-math.inf, math.inf),
    }
    y = ctx.emit("conv2d", [ctx.alias(x, (n, c, 1, wd)), ctx.alias(w, (o, i, 1, kw))],
                 (shape[0], shape[1], 1, shape[2]), dtype, attrs)
    return ctx.alias(y, shape)


def pack_conv_f32_neon(w: np.ndarray) -> np.ndarray:
    """OHWI float weights -> the layout of runtimes/neon's edgec_conv2d_nhwc_f32_packed: output channels in blocks
    of 16 while 16 remain, then blocks of 4 (the last padded with zeros), each block k-major ([K][width]), so that
    one k's weights for the whole block are one contiguous vector load."""
    oc = w.shape[0]
    rows = w.reshape(oc, -1).astype(np.float32)
    blocks, start = [], 0
    while start < oc:
        width = 16 if oc - start >= 16 else 4
        block = np.zeros((width, rows.shape[1]), np.float32)
        block[: min(width, oc - start)] = rows[start:start + width]
        blocks.append(block.T.reshape(-1))
        start += width
    return np.concatenate(blocks)


def pack_conv_f32_x86(w: np.ndarray) -> np.ndarray:
    """OHWI float weights -> edgec_conv2d_nhwc_f32_packed's blocks of 16 output channels, [blocks][K][16] (zeros
    past the channels), so that the x86 kernel reads each tap's 16 channels as one AVX-512 vector (two blocks side
    by side for its 32-channel tiles) or two 8-float ones, packed once here instead of on every call."""
    oc = w.shape[0]
    wk = np.zeros(((oc + 15) // 16 * 16, int(np.prod(w.shape[1:]))), np.float32)
    wk[:oc] = np.asarray(w, np.float32).reshape(oc, -1)
    return np.ascontiguousarray(wk.reshape(-1, 16, wk.shape[1]).transpose(0, 2, 1))


# kernel set -> the packer of its edgec_conv2d_nhwc_f32_packed
PACKERS_F32 = {"neon": pack_conv_f32_neon, "x86": pack_conv_f32_x86}


@kernel("conv2d")
def emit_conv2d(node, ctx):
    g = ctx.graph
    x, w = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    y = g.tensors[node.outputs[0]]
    layout = node.attrs["layout"]
    if layout == "NCHW":
        (n, c, h, wd), (_, oc, oh, ow) = x.shape, y.shape
        kh, kw = w.shape[2], w.shape[3]
    else:
        (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
        kh, kw = w.shape[1], w.shape[2]
    lo, hi = node.attrs["act"]
    params = ctx.static_params(
        "edgec_conv2d_params",
        dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
             stride_h=node.attrs["strides"][0], stride_w=node.attrs["strides"][1],
             pad_top=node.attrs["pads"][0], pad_left=node.attrs["pads"][1],
             dil_h=node.attrs["dilation"][0], dil_w=node.attrs["dilation"][1],
             groups=node.attrs["groups"], act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    bias = ctx.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 else "NULL"
    if node.attrs.get("depthwise"):
        fn = "edgec_depthwise_conv2d_f32"
        call = in_place_call(node, ctx, fn, lambda: [ctx.ptr(node.inputs[1], const=True), bias], params)
        if call is not None:
            return call
    else:
        fn = "edgec_conv2d_nchw_f32" if layout == "NCHW" else "edgec_conv2d_nhwc_f32"
    ctx.use(fn)
    shipped = shipped_set(ctx, fn)
    if fn == "edgec_conv2d_nhwc_f32" and node.attrs["groups"] == 1 and w.is_const and shipped in PACKERS_F32:
        sym = ctx.derived_weights(node, "packed", PACKERS_F32[shipped](w.data))
        return f"{fn}_packed({ctx.ptr(node.inputs[0], const=True)}, {sym}, {bias}, {ctx.ptr(node.outputs[0])}, {params});"
    return (f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, {bias}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
