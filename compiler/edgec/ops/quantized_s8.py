"""int8 kernels (TFLite integer semantics): conv2d, depthwise conv2d, fully connected, add and mul (with
broadcasting), average pool, softmax, mean, table look-up (one-input elementwise ops); pad, concat and quantize/dequantize share the float ops' and the
ONNX helpers' kernels. The IR nodes are made by frontend/tflite_int8.py with their requantisation parameters
already computed; here they only become calls into runtimes/{reference,cortex-m}/edgec_*_s8.c."""

from __future__ import annotations

from ..ir import IN_PLACE_OPS
from . import kernel

RANK = 6  # EDGEC_MAX_RANK


@kernel("conv2d_s8", "depthwise_conv2d_s8")
def emit_conv2d_s8(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    w = g.tensors[node.inputs[1]]
    (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    kh, kw = w.shape[1], w.shape[2]
    a = node.attrs
    if node.op == "conv2d_s8" and w.shape[3] != c:
        raise NotImplementedError("grouped int8 convolution")
    params = ctx.static_params(
        "edgec_conv2d_s8_params",
        dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
             dil_h=a["dilation"][0], dil_w=a["dilation"][1], depth_multiplier=a.get("depth_multiplier", 1),
             input_offset=a["input_offset"], output_offset=a["output_offset"],
             act_min=a["act"][0], act_max=a["act"][1], requant=int(a.get("requant_float", False))),
    )
    fn = "edgec_conv2d_s8" if node.op == "conv2d_s8" else "edgec_depthwise_conv2d_s8"
    ctx.use(fn)
    args = [ctx.ptr(t, const=True) for t in node.inputs]
    return f"{fn}({', '.join(args)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("fully_connected_s8")
def emit_fully_connected_s8(node, ctx):
    a = node.attrs
    x = ctx.graph.tensors[node.inputs[0]]
    params = ctx.static_params(
        "edgec_fully_connected_s8_params",
        dict(batches=x.elems // a["depth"], depth=a["depth"], units=a["units"], input_offset=a["input_offset"],
             filter_offset=a["filter_offset"], output_offset=a["output_offset"], multiplier=a["multiplier"],
             shift=a["shift"], act_min=a["act"][0], act_max=a["act"][1],
             single_rounding=int(a.get("single_rounding", False))),
    )
    ctx.use("edgec_fully_connected_s8")
    args = [ctx.ptr(t, const=True) for t in node.inputs]
    return f"edgec_fully_connected_s8({', '.join(args)}, {ctx.ptr(node.outputs[0])}, {params});"


def broadcast_params(graph, node) -> dict:
    """edgec_broadcast_params of a binary int8 node: both inputs walked along the output's shape."""
    from .broadcast import broadcast_strides, right_align

    out = graph.tensors[node.outputs[0]].shape
    a, b = (graph.tensors[name].shape for name in node.inputs[:2])
    return dict(out_shape=right_align(out, RANK), a_strides=broadcast_strides(a, out, RANK),
                b_strides=broadcast_strides(b, out, RANK))


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
    params = ctx.static_params(f"edgec_{node.op}_params", fields)
    ctx.use(f"edgec_{node.op}")
    return (f"edgec_{node.op}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")


IN_PLACE_OPS.update({"lut_s8", "add_s8", "mul_s8"})  # element i is read before element i is written


@kernel("lut_s8")
def emit_lut_s8(node, ctx):
    count = ctx.graph.tensors[node.outputs[0]].elems
    ctx.use("edgec_lut_s8")
    return (f"edgec_lut_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {count});")


@kernel("avg_pool2d_s8")
def emit_avg_pool2d_s8(node, ctx):
    g = ctx.graph
    (n, h, w, c), (_, oh, ow, _) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    a = node.attrs
    params = ctx.static_params(
        "edgec_avg_pool2d_s8_params",
        dict(batch=n, in_h=h, in_w=w, channels=c, out_h=oh, out_w=ow, k_h=a["kernel"][0], k_w=a["kernel"][1],
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
             act_min=a["act"][0], act_max=a["act"][1]),
    )
    ctx.use("edgec_avg_pool2d_s8")
    return f"edgec_avg_pool2d_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("mean_s8")
def emit_mean_s8(node, ctx):
    from .reduce import mean_shape_params

    a = node.attrs
    x = ctx.graph.tensors[node.inputs[0]]
    params = ctx.static_params("edgec_mean_s8_params", dict(
        shape=mean_shape_params(x.shape, a["axes"]), multiplier=a["multiplier"], shift=a["shift"],
        input_zero_point=a["input_zero_point"], output_zero_point=a["output_zero_point"]))
    ctx.use("edgec_mean_s8")
    return f"edgec_mean_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("softmax_s8")
def emit_softmax_s8(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    depth = x.shape[-1]
    a = node.attrs
    params = ctx.static_params(
        "edgec_softmax_s8_params",
        dict(outer=x.elems // depth, depth=depth, input_multiplier=a["input_multiplier"],
             input_left_shift=a["input_left_shift"], diff_min=a["diff_min"]),
    )
    ctx.use("edgec_softmax_s8")
    return f"edgec_softmax_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


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
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("max_pool2d_s8")
def emit_max_pool2d_s8(node, ctx):
    g = ctx.graph
    (n, h, w, c), (_, oh, ow, _) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    a = node.attrs
    params = ctx.static_params(
        "edgec_max_pool2d_s8_params",
        dict(batch=n, in_h=h, in_w=w, channels=c, out_h=oh, out_w=ow, k_h=a["kernel"][0], k_w=a["kernel"][1],
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1]))
    ctx.use("edgec_qdq_s8")
    return f"edgec_max_pool2d_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("global_avg_pool_s8")
def emit_global_avg_pool_s8(node, ctx):
    n, h, w, c = ctx.graph.tensors[node.inputs[0]].shape
    a = node.attrs
    params = ctx.static_params(
        "edgec_global_avg_pool_s8_params",
        dict(batch=n, hw=h * w, channels=c, input_zero_point=a["input_zero_point"],
             output_zero_point=a["output_zero_point"], scale=a["scale"]))
    ctx.use("edgec_qdq_s8")
    return f"edgec_global_avg_pool_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("softmax_q8")
def emit_softmax_q8(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    a = node.attrs
    params = ctx.static_params(
        "edgec_softmax_q8_params",
        dict(outer=x.elems // x.shape[-1], depth=x.shape[-1], output_scale_inv=a["output_scale_inv"],
             output_zero_point=a["output_zero_point"]))
    ctx.use("edgec_qdq_s8")
    return (f"edgec_softmax_q8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")


@kernel("add_q8")
def emit_add_q8(node, ctx):
    a = node.attrs
    params = ctx.static_params(
        "edgec_add_q8_params",
        dict(count=ctx.graph.tensors[node.outputs[0]].elems, a_zero_point=a["a_zero_point"],
             b_zero_point=a["b_zero_point"], output_zero_point=a["output_zero_point"], a_ratio=a["a_ratio"],
             b_ratio=a["b_ratio"]))
    ctx.use("edgec_qdq_s8")
    return (f"edgec_add_q8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
