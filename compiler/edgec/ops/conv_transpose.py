"""Transposed convolution (ONNX ConvTranspose; relax.nn.conv1d_transpose / conv2d_transpose / conv3d_transpose),
float32, NCHW or NHWC (3-D: NCDHW): strides, pads, output_padding, dilations and groups. The kernel gathers: each output element sums the
input elements whose scattered taps land on it, so the output is written once and needs no zeroing pass. The
bias, if any, is the Add that follows (TVM splits it off)."""

from __future__ import annotations

from ..lower import ints
from . import kernel, lowering
from .conv import float_conv_layout, weights_in_layout


@lowering("relax.nn.conv2d_transpose")
def lower_conv2d_transpose(ctx, call, out):
    shape, dtype = out
    a = call.attrs
    layout = float_conv_layout(call, dtype, "conv2d_transpose", ("NCHW", "NHWC"))
    groups = int(a.groups)
    # ONNX's own layout, which the kernel reads: [in_c][out_c / groups][k_h][k_w]
    w = weights_in_layout(ctx, call, "IOHW", "conv2d_transpose", "w_t")
    attrs = {"layout": layout, "strides": ints(a.strides), "pads": ints(a.padding), "dilation": ints(a.dilation),
             "groups": groups}
    return ctx.emit("conv_transpose2d", [ctx.tensor(call.args[0]), w], shape, dtype, attrs)


@lowering("relax.nn.conv1d_transpose")
def lower_conv1d_transpose(ctx, call, out):
    """1-D as 2-D over a height of 1: NCW -> NC1W (a view), weights IOW -> IO1W."""
    shape, dtype = out
    a = call.attrs
    float_conv_layout(call, dtype, "conv1d_transpose", ("NCW",))
    groups = int(a.groups)
    w = weights_in_layout(ctx, call, "IOW", "conv1d_transpose", "w_t")
    i, o, kw = ctx.graph.tensors[w].shape
    w_name = ctx.alias(w, (i, o, 1, kw))
    x = ctx.tensor(call.args[0])
    n, c, width = ctx.graph.tensors[x].shape
    left, right = ints(a.padding)
    attrs = {"layout": "NCHW", "strides": [1] + ints(a.strides), "pads": [0, left, 0, right],
             "dilation": [1] + ints(a.dilation), "groups": groups}
    y = ctx.emit("conv_transpose2d", [ctx.alias(x, (n, c, 1, width)), w_name], (shape[0], shape[1], 1, shape[2]),
                 dtype, attrs)
    return ctx.alias(y, shape)


@lowering("relax.nn.conv3d_transpose")
def lower_conv3d_transpose(ctx, call, out):
    shape, dtype = out
    a = call.attrs
    float_conv_layout(call, dtype, "conv3d_transpose", ("NCDHW",))
    w = weights_in_layout(ctx, call, "IODHW", "conv3d_transpose", "w_t")
    attrs = {"strides": ints(a.strides), "pads": ints(a.padding),  # front, top, left, back, bottom, right
             "dilation": ints(a.dilation), "groups": int(a.groups)}
    return ctx.emit("conv_transpose3d", [ctx.tensor(call.args[0]), w], shape, dtype, attrs)


@kernel("conv_transpose2d")
def emit_conv_transpose2d(node, ctx):
    g = ctx.graph
    x, w, y = (g.tensors[t] for t in (node.inputs[0], node.inputs[1], node.outputs[0]))
    a = node.attrs
    if a["layout"] == "NCHW":
        (n, c, h, wd), (_, oc, oh, ow) = x.shape, y.shape
    else:
        (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    params = ctx.static_params(
        "edgec_conv_transpose2d_params",
        dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=w.shape[2], k_w=w.shape[3],
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
             dil_h=a["dilation"][0], dil_w=a["dilation"][1], groups=a["groups"],
             channels_last=int(a["layout"] == "NHWC")),
    )
    ctx.use("edgec_conv_transpose2d_f32")
    return (f"edgec_conv_transpose2d_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")


@kernel("conv_transpose3d")
def emit_conv_transpose3d(node, ctx):
    g = ctx.graph
    x, w, y = (g.tensors[t] for t in (node.inputs[0], node.inputs[1], node.outputs[0]))
    a = node.attrs
    params = ctx.static_params(
        "edgec_conv_transpose3d_params",
        dict(batch=x.shape[0], in_c=x.shape[1], out_c=y.shape[1], groups=a["groups"], in_size=list(x.shape[2:]),
             out_size=list(y.shape[2:]), kernel=list(w.shape[2:]), stride=a["strides"], pad_begin=a["pads"][:3],
             dilation=a["dilation"]),
    )
    ctx.use("edgec_conv_transpose3d_f32")
    return (f"edgec_conv_transpose3d_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
