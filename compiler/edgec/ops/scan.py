"""Operators along one axis that keep or order its elements, float32: CumSum (exclusive, reverse) and TopK (k
largest or smallest, sorted, int64 indices), which the ONNX frontend imports as the externs `edgec.cumsum` and
`edgec.topk` (frontend/onnx_converters.py; TVM would flip the axis with TOPI calls, or sort); and TFLite's int8
CUMSUM (frontend/tflite_int8.py). The kernels view the input as [outer, axis, inner]."""

from __future__ import annotations

from . import kernel
from .hybrid import extern
from .reduce import axis_view


@extern("edgec.cumsum")
def lower_cumsum(ctx, call, attrs, args, out):
    shape, dtype = out
    x = ctx.tensor(args[0])
    if ctx.graph.tensors[x].dtype != "float32":
        raise NotImplementedError(f"CumSum of {ctx.graph.tensors[x].dtype} (edgec takes float32)")
    return ctx.emit("cumsum", [x], shape, dtype, {"axis": int(attrs["axis"]) % len(shape),
                                                  "exclusive": int(attrs["exclusive"]), "reverse": int(attrs["reverse"])})


@kernel("cumsum")
def emit_cumsum(node, ctx):
    shape = ctx.graph.tensors[node.inputs[0]].shape
    params = ctx.static_params("edgec_cumsum_params", dict(**axis_view(shape, node.attrs["axis"]),
                                                           exclusive=node.attrs["exclusive"],
                                                           reverse=node.attrs["reverse"]))
    ctx.use("edgec_cumsum_f32")
    return f"edgec_cumsum_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("cumsum_s8")
def emit_cumsum_s8(node, ctx):
    """int8 CUMSUM (frontend/tflite_int8.py): the attrs are the kernel's offsets, shifts and multipliers."""
    shape = ctx.graph.tensors[node.inputs[0]].shape
    lo, hi = node.attrs["act"]
    fields = {k: v for k, v in node.attrs.items() if k not in ("act", "axis")}
    params = ctx.static_params("edgec_cumsum_s8_params", dict(**axis_view(shape, node.attrs["axis"]), **fields,
                                                              act_min=lo, act_max=hi))
    ctx.use("edgec_cumsum_s8")
    return f"edgec_cumsum_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


@extern("edgec.topk")
def lower_topk(ctx, call, attrs, args, out):
    (v_shape, v_dtype), (i_shape, i_dtype) = out
    x = ctx.tensor(args[0])
    if ctx.graph.tensors[x].dtype != "float32":
        raise NotImplementedError(f"TopK of {ctx.graph.tensors[x].dtype} (edgec takes float32)")
    values, indices = ctx.new_tensor("topk_values", v_shape, v_dtype), ctx.new_tensor("topk_indices", i_shape, i_dtype)
    ctx.emit("topk", [x], None, None, {"axis": int(attrs["axis"]) % len(v_shape), "largest": int(attrs["largest"])},
             out=values)
    ctx.graph.nodes[-1].outputs.append(indices)
    return values, indices


@kernel("topk")
def emit_topk(node, ctx):
    g = ctx.graph
    shape, k = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape[node.attrs["axis"]]
    params = ctx.static_params("edgec_topk_params", dict(**axis_view(shape, node.attrs["axis"]), k=k,
                                                         largest=node.attrs["largest"]))
    ctx.use("edgec_topk_f32")
    return (f"edgec_topk_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, "
            f"{ctx.ptr(node.outputs[1])}, {params});")
