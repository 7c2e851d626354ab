"""ONNX MaxPool with its second output, Indices (int64: each maximum's index into the flattened input), 2-D,
NCHW. The ONNX frontend imports such a node as the extern `edgec.max_pool_argmax` (frontend/onnx_converters.py),
which computes the values and the indices in one pass; a MaxPool without Indices keeps the pooling kernels."""

from __future__ import annotations

from . import kernel
from .hybrid import extern


@extern("edgec.max_pool_argmax")
def lower_max_pool_argmax(ctx, call, attrs, args, out):
    (v_shape, v_dtype), (i_shape, i_dtype) = out
    x = ctx.tensor(args[0])
    if ctx.graph.tensors[x].dtype != "float32" or i_dtype != "int64":
        raise NotImplementedError(f"MaxPool with Indices of {ctx.graph.tensors[x].dtype} (edgec takes float32)")
    values, indices = ctx.new_tensor("max_pool", v_shape, v_dtype), ctx.new_tensor("max_pool_indices", i_shape, i_dtype)
    fields = {k: [int(v) for v in attrs[k]] for k in ("kernel", "strides", "pads", "dilations")}
    ctx.emit("max_pool_argmax", [x], None, None, {**fields, "column_major": int(attrs["column_major"])}, out=values)
    ctx.graph.nodes[-1].outputs.append(indices)
    return values, indices


@kernel("max_pool_argmax")
def emit_max_pool_argmax(node, ctx):
    g = ctx.graph
    (n, c, h, w), (_, _, oh, ow) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    a = node.attrs
    params = ctx.static_params("edgec_max_pool_argmax_params", dict(
        planes=n * c, in_h=h, in_w=w, out_h=oh, out_w=ow, k_h=a["kernel"][0], k_w=a["kernel"][1],
        stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
        dil_h=a["dilations"][0], dil_w=a["dilations"][1], column_major=a["column_major"]))
    ctx.use("edgec_max_pool_argmax_f32")
    return (f"edgec_max_pool_argmax_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, "
            f"{ctx.ptr(node.outputs[1])}, {params});")
