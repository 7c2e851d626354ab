"""2-D pooling (max, average, global/adaptive average) and softmax, float32."""

from __future__ import annotations

import math

import numpy as np

from ..lower import ints
from . import kernel, lowering
from .reduce import axis_view


def pool_attrs(call, dtype: str, layouts=("NCHW", "NHWC")) -> dict:
    """The attributes of a max or average pool (relax.nn.max_pool2d, avg_pool3d, ...) as the call has them:
    float32 only, in one of `layouts`, kept by its output."""
    a = call.attrs
    op = call.op.name.removeprefix("relax.nn.")
    if dtype != "float32":
        raise NotImplementedError(f"{op} on {dtype}")
    layout = str(a.layout)
    if layout not in layouts or str(a.out_layout) != layout:
        raise NotImplementedError(f"pooling in layout {layout} -> {a.out_layout}")
    return {
        "kind": op[:3],  # max or avg
        "layout": layout,
        "pool": ints(a.pool_size),
        "strides": ints(a.strides),
        "dilation": ints(a.dilation),
        "pads": ints(a.padding),  # top, left, bottom, right
        "count_include_pad": bool(getattr(a, "count_include_pad", False)),
        "act": (-math.inf, math.inf),
    }


@lowering("relax.nn.max_pool2d", "relax.nn.avg_pool2d")
def lower_pool2d(ctx, call, out):
    shape, dtype = out
    return ctx.emit("pool2d", [ctx.tensor(call.args[0])], shape, dtype, pool_attrs(call, dtype))


@lowering("relax.nn.adaptive_avg_pool2d")
def lower_adaptive_avg_pool2d(ctx, call, out):
    shape, dtype = out
    layout = str(call.attrs.layout)
    x = ctx.tensor(call.args[0])
    in_shape = ctx.graph.tensors[x].shape
    hw_axes = (2, 3) if layout == "NCHW" else (1, 2)
    (ih, iw), (oh, ow) = (in_shape[a] for a in hw_axes), (shape[a] for a in hw_axes)
    if dtype != "float32" or ih % oh or iw % ow:
        raise NotImplementedError("adaptive average pooling with uneven windows")
    kh, kw = ih // oh, iw // ow
    attrs = {"kind": "avg", "layout": layout, "pool": [kh, kw], "strides": [kh, kw], "dilation": [1, 1],
             "pads": [0, 0, 0, 0], "count_include_pad": False, "act": (-math.inf, math.inf)}
    return ctx.emit("pool2d", [x], shape, dtype, attrs)


@kernel("pool2d")
def emit_pool2d(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    a = node.attrs
    if a["layout"] == "NCHW":
        (n, c, h, w), (_, _, oh, ow) = x.shape, y.shape
    else:
        (n, h, w, c), (_, oh, ow, _) = x.shape, y.shape
    lo, hi = a["act"]
    params = ctx.static_params(
        "edgec_pool2d_params",
        dict(batch=n, channels=c, in_h=h, in_w=w, out_h=oh, out_w=ow, k_h=a["pool"][0], k_w=a["pool"][1],
             stride_h=a["strides"][0], stride_w=a["strides"][1], dil_h=a["dilation"][0], dil_w=a["dilation"][1],
             pad_top=a["pads"][0], pad_left=a["pads"][1], pad_bottom=a["pads"][2], pad_right=a["pads"][3],
             channels_last=int(a["layout"] == "NHWC"), count_include_pad=int(a["count_include_pad"]),
             act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    ctx.use("edgec_pool2d_f32")
    fn = "edgec_max_pool2d_f32" if a["kind"] == "max" else "edgec_avg_pool2d_f32"
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@lowering("relax.nn.softmax", "relax.nn.log_softmax")
def lower_softmax(ctx, call, out):
    shape, dtype = out
    op = call.op.name.removeprefix("relax.nn.")  # softmax or log_softmax, the IR op of the same name
    if dtype != "float32":
        raise NotImplementedError(f"{op} on {dtype}")
    axis = int(call.attrs.axis) % len(shape)
    return ctx.emit(op, [ctx.tensor(call.args[0])], shape, dtype, {"axis": axis, "beta": 1.0})


@kernel("softmax", "log_softmax")
def emit_softmax(node, ctx):
    shape = ctx.graph.tensors[node.outputs[0]].shape
    params = ctx.static_params("edgec_softmax_params", dict(axis_view(shape, node.attrs["axis"]),
                                                            beta=np.float32(node.attrs["beta"])))
    ctx.use("edgec_softmax_f32")
    return f"edgec_{node.op}_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
