"""Reductions, float32: mean over axes (ReduceMean; GlobalAveragePool imports as one) on its own kernel; sum,
max, min and prod (ReduceSum/Max/Min/Prod, GlobalMaxPool; ReduceL1/L2/LogSumExp through TVM's decompositions)
on one kernel with an op code. max / min of bool (TFLite REDUCE_ANY / REDUCE_ALL) are any / all on bytes."""

from __future__ import annotations

import math

import numpy as np

from ..ir import MAX_RANK
from . import kernel, lowering
from .hybrid import extern
from .transpose import dense_strides




def axis_view(shape, axis: int) -> dict:
    """The tensor as [outer, axis, inner] around `axis`: the fields the kernels working along one axis begin with."""
    return dict(outer=int(np.prod(shape[:axis], dtype=np.int64)), axis=int(shape[axis]),
                inner=int(np.prod(shape[axis + 1:], dtype=np.int64)))


def pad_front(values, n: int, fill: int) -> list[int]:
    if len(values) > n:
        raise NotImplementedError(f"rank {len(values)} is above the kernels' maximum of {n}")
    return [fill] * (n - len(values)) + [int(v) for v in values]


@lowering("relax.mean")
def lower_mean(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"mean of {dtype}")
    x = ctx.tensor(call.args[0])
    in_shape = ctx.graph.tensors[x].shape
    rank = len(in_shape)
    axes = list(range(rank)) if call.attrs.axis is None else sorted({int(a) % rank for a in call.attrs.axis})
    if all(in_shape[a] == 1 for a in axes):  # a mean over unit dims is the input itself
        return ctx.alias(x, shape)
    keep = tuple(1 if i in axes else d for i, d in enumerate(in_shape))
    y = ctx.emit("mean", [x], keep, dtype, {"axes": axes})
    return y if keep == tuple(shape) else ctx.alias(y, shape)


def mean_shape_params(shape: tuple[int, ...], axes: list[int]) -> dict:
    """edgec_mean_params for a mean of a dense tensor of `shape` over `axes` (shared with the int8 mean)."""
    strides = dense_strides(shape)
    kept = [i for i in range(len(shape)) if i not in axes]
    return dict(out_shape=pad_front([shape[i] for i in kept], MAX_RANK, 1),
                out_strides=pad_front([strides[i] for i in kept], MAX_RANK, 0),
                red_shape=pad_front([shape[a] for a in axes], MAX_RANK, 1),
                red_strides=pad_front([strides[a] for a in axes], MAX_RANK, 0),
                count=math.prod(shape[a] for a in axes))


@kernel("mean")
def emit_mean(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    params = ctx.static_params("edgec_mean_params", mean_shape_params(x.shape, node.attrs["axes"]))
    ctx.use("edgec_mean_f32")
    return f"edgec_mean_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"


REDUCE_CODES = {"sum": "EDGEC_REDUCE_SUM", "max": "EDGEC_REDUCE_MAX", "min": "EDGEC_REDUCE_MIN",
                "prod": "EDGEC_REDUCE_PROD"}
# The value of a reduction over nothing (ONNX: the operator's identity element).
EMPTY_VALUE = {"sum": 0.0, "max": -math.inf, "min": math.inf, "prod": 1.0}


@lowering("relax.sum", "relax.max", "relax.min", "relax.prod")
def lower_reduce(ctx, call, out):
    shape, dtype = out
    kind = call.op.name.removeprefix("relax.")
    if dtype != "float32":
        raise NotImplementedError(f"{kind} of {dtype}")
    x = ctx.tensor(call.args[0])
    rank = len(ctx.graph.tensors[x].shape)
    axes = list(range(rank)) if call.attrs.axis is None else sorted({int(a) % rank for a in call.attrs.axis})
    return reduce_axes(ctx, x, axes, kind, shape, dtype)


@extern("edgec.reduce_bool")
def lower_reduce_bool(ctx, call, attrs, args, out):
    """all / any (TFLite REDUCE_ALL / REDUCE_ANY) as min / max of bytes; an extern, because TVM's legalisation
    has no bool min / max."""
    shape, dtype = out
    x = ctx.tensor(args[0])
    if ctx.graph.tensors[x].dtype != "bool" or dtype != "bool":
        raise NotImplementedError(f"all / any of {ctx.graph.tensors[x].dtype} (bool expected)")
    return reduce_axes(ctx, x, [int(a) for a in attrs["axes"]], "min" if int(attrs["all"]) else "max", shape, dtype)


def reduce_axes(ctx, x: str, axes: list[int], kind: str, shape, dtype: str) -> str:
    in_shape = ctx.graph.tensors[x].shape
    if not axes:
        return ctx.alias(x, shape)
    if math.prod(in_shape) == 0:  # nothing to reduce, or nothing to keep: a constant (possibly empty)
        empty = (kind == "min") if dtype == "bool" else EMPTY_VALUE[kind]  # all of nothing is true
        return ctx.graph.add_const(kind, np.full(shape, empty, dtype))
    if all(in_shape[a] == 1 for a in axes):
        return ctx.alias(x, shape)
    keep = tuple(1 if i in axes else d for i, d in enumerate(in_shape))
    y = ctx.emit("reduce", [x], keep, dtype, {"axes": axes, "kind": kind})
    return y if keep == tuple(shape) else ctx.alias(y, shape)


@kernel("reduce")
def emit_reduce(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    params = ctx.static_params("edgec_reduce_params", dict(op=REDUCE_CODES[node.attrs["kind"]],
                                                           shape=mean_shape_params(x.shape, node.attrs["axes"])))
    fn = "edgec_reduce_bool" if x.dtype == "bool" else "edgec_reduce_f32"
    ctx.use(fn)
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
