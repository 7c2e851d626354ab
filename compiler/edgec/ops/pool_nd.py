"""1-D and 3-D pooling, float32. 1-D pools run on the 2-D kernel with a unit height; 3-D has its own kernel."""

from __future__ import annotations

import numpy as np

from . import kernel, lowering
from .pool import pool_attrs

LAYOUTS_1D = {"NCW": "NCHW", "NWC": "NHWC"}


@lowering("relax.nn.max_pool1d", "relax.nn.avg_pool1d")
def lower_pool1d(ctx, call, out):
    shape, dtype = out
    attrs = pool_attrs(call, dtype, LAYOUTS_1D)
    layout = attrs["layout"]
    x = ctx.tensor(call.args[0])
    (n, c, w), (_, _, ow) = ((s[0], s[1], s[2]) if layout == "NCW" else (s[0], s[2], s[1])
                             for s in (ctx.graph.tensors[x].shape, shape))
    as2d = lambda nn, cc, ww: (nn, cc, 1, ww) if layout == "NCW" else (nn, 1, ww, cc)  # noqa: E731
    left, right = attrs["pads"]
    attrs.update(layout=LAYOUTS_1D[layout], pool=[1] + attrs["pool"], strides=[1] + attrs["strides"],
                 dilation=[1] + attrs["dilation"], pads=[0, left, 0, right])  # top, left, bottom, right
    y = ctx.emit("pool2d", [ctx.alias(x, as2d(n, c, w))], as2d(n, c, ow), dtype, attrs)
    return ctx.alias(y, shape)


@lowering("relax.nn.max_pool3d", "relax.nn.avg_pool3d")
def lower_pool3d(ctx, call, out):
    shape, dtype = out
    attrs = pool_attrs(call, dtype, ("NCDHW", "NDHWC"))  # pads: front, top, left, back, bottom, right
    return ctx.emit("pool3d", [ctx.tensor(call.args[0])], shape, dtype, attrs)


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
