"""3-D convolution (relax.nn.conv3d), float32, NCDHW with OIDHW weights, incl. groups."""

from __future__ import annotations

import math

import numpy as np

from ..lower import ints
from . import kernel, lowering
from .conv import float_conv_layout, weights_in_layout


@lowering("relax.nn.conv3d")
def lower_conv3d(ctx, call, out):
    shape, dtype = out
    a = call.attrs
    float_conv_layout(call, dtype, "conv3d", ("NCDHW",))
    w = weights_in_layout(ctx, call, "OIDHW", "conv3d")
    return ctx.emit("conv3d", [ctx.tensor(call.args[0]), w], shape, dtype, {
        "strides": ints(a.strides),
        "pads": ints(a.padding),  # front, top, left, back, bottom, right
        "dilation": ints(a.dilation),
        "groups": int(a.groups),
        "act": (-math.inf, math.inf),
    })


@kernel("conv3d")
def emit_conv3d(node, ctx):
    g = ctx.graph
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    lo, hi = a["act"]
    params = ctx.static_params(
        "edgec_conv3d_params",
        dict(batch=x.shape[0], in_c=x.shape[1], out_c=y.shape[1], groups=a["groups"], in_size=list(x.shape[2:]),
             out_size=list(y.shape[2:]), kernel=list(w.shape[2:]), stride=a["strides"], pad_begin=a["pads"][:3],
             dilation=a["dilation"], act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    bias = ctx.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 else "NULL"
    ctx.use("edgec_conv3d_f32")
    return (f"edgec_conv3d_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, {bias}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
