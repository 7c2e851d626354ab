"""1-D and 3-D pooling, float32. 1-D pools run on the 2-D kernel with a unit height; 3-D has its own kernel."""

from __future__ import annotations

import math

import numpy as np

from ..lower import ints
from . import kernel, lowering

LAYOUTS_1D = {"NCW": "NCHW", "NWC": "NHWC"}


def lower_pool1d(ctx, call, out, kind: str):
    shape, dtype = out
    a = call.attrs
    layout = str(a.layout)
    if dtype != "float32":
        raise NotImplementedError(f"{kind} pool1d on {dtype}")
    if layout not in LAYOUTS_1D or str(a.out_layout) != layout:
        raise NotImplementedError(f"pooling in layout {layout} -> {a.out_layout}")
    x = ctx.tensor(call.args[0])
    (n, c, w), (_, _, ow) = ((s[0], s[1], s[2]) if layout == "NCW" else (s[0], s[2], s[1])
                             for s in (ctx.graph.tensors[x].shape, shape))
    as2d = lambda nn, cc, ww: (nn, cc, 1, ww) if layout == "NCW" else (nn, 1, ww, cc)  # noqa: E731
    pad = ints(a.padding)
    attrs = {
        "kind": kind,
        "layout": LAYOUTS_1D[layout],
        "pool": [1] + ints(a.pool_size),
        "strides": [1] + ints(a.strides),
        "dilation": [1] + ints(a.dilation),
        "pads": [0, pad[0], 0, pad[1]],  # top, left, bottom, right
        "count_include_pad": bool(getattr(a, "count_include_pad", False)),
        "act": (-math.inf, math.inf),
    }
    y = ctx.emit("pool2d", [ctx.alias(x, as2d(n, c, w))], as2d(n, c, ow), dtype, attrs)
    return ctx.alias(y, shape)


@lowering("relax.nn.max_pool1d")
def lower_max_pool1d(ctx, call, out):
    return lower_pool1d(ctx, call, out, "max")


@lowering("relax.nn.avg_pool1d")
def lower_avg_pool1d(ctx, call, out):
    return lower_pool1d(ctx, call, out, "avg")


def lower_pool3d(ctx, call, out, kind: str):
    shape, dtype = out
    a = call.attrs
    layout = str(a.layout)
    if dtype != "float32":
        raise NotImplementedError(f"{kind} pool3d on {dtype}")
    if layout not in ("NCDHW", "NDHWC") or str(a.out_layout) != layout:
        raise NotImplementedError(f"pooling in layout {layout} -> {a.out_layout}")
    attrs = {
        "kind": kind,
        "layout": layout,
        "pool": ints(a.pool_size),
        "strides": ints(a.strides),
        "dilation": ints(a.dilation),
        "pads": ints(a.padding),  # front, top, left, back, bottom, right
        "count_include_pad": bool(getattr(a, "count_include_pad", False)),
        "act": (-math.inf, math.inf),
    }
    return ctx.emit("pool3d", [ctx.tensor(call.args[0])], shape, dtype, attrs)


@lowering("relax.nn.max_pool3d")
def lower_max_pool3d(ctx, call, out):
    return lower_pool3d(ctx, call, out, "max")


@lowering("relax.nn.avg_pool3d")
def lower_avg_pool3d(ctx, call, out):
    return lower_pool3d(ctx, call, out, "avg")


@kernel("pool3d")
def emit_pool3d(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    a = node.attrs
    last = a["layout"] == "NDHWC"
    spatial = (lambda s: list(s[1:4])) if last else (lambda s: list(s[2:5]))
    lo, hi = a["act"]
    params = ctx.static_params(
        "edgec_pool3d_params",
        dict(batch=x.shape[0], channels=x.shape[4] if last else x.shape[1], in_size=spatial(x.shape),
             out_size=spatial(y.shape), kernel=a["pool"], stride=a["strides"], dilation=a["dilation"],
             pad_begin=a["pads"][:3], pad_end=a["pads"][3:], channels_last=int(last),
             count_include_pad=int(a["count_include_pad"]), act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    ctx.use("edgec_pool3d_f32")
    fn = "edgec_max_pool3d_f32" if a["kind"] == "max" else "edgec_avg_pool3d_f32"
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
