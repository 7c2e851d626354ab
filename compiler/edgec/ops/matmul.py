"""Matrix multiply (MatMul, Gemm, fully connected), float32, with batch broadcasting."""

from __future__ import annotations

import math

import numpy as np

from ..ir import MAX_RANK
from . import kernel, lowering
from .broadcast import broadcast_strides, right_align



@lowering("relax.matmul")
def lower_matmul(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"matmul producing {dtype}")
    a, b = ctx.tensor(call.args[0]), ctx.tensor(call.args[1])
    # NumPy semantics for 1-D operands: a vector is a 1 x K row on the left, a K x 1 column on the right.
    if len(ctx.graph.tensors[a].shape) == 1:
        a = ctx.alias(a, (1,) + ctx.graph.tensors[a].shape)
    if len(ctx.graph.tensors[b].shape) == 1:
        b = ctx.alias(b, ctx.graph.tensors[b].shape + (1,))
    a_shape, b_shape = ctx.graph.tensors[a].shape, ctx.graph.tensors[b].shape
    batch = np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    full = tuple(batch) + (a_shape[-2], b_shape[-1])
    y = ctx.emit("matmul", [a, b], full, dtype, {"act": (-math.inf, math.inf)})
    return y if tuple(full) == tuple(shape) else ctx.alias(y, shape)


@kernel("matmul")
def emit_matmul(node, ctx):
    g = ctx.graph
    a, b, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    batch = y.shape[:-2]
    a_str = [s * m * k for s in broadcast_strides(a.shape[:-2], batch, MAX_RANK)]
    b_str = [s * k * n for s in broadcast_strides(b.shape[:-2], batch, MAX_RANK)]
    lo, hi = node.attrs["act"]
    params = ctx.static_params(
        "edgec_matmul_params",
        dict(batch_shape=right_align(batch, MAX_RANK), a_strides=a_str, b_strides=b_str, m=m, k=k, n=n,
             act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    bias = ctx.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 else "NULL"
    ctx.use("edgec_matmul_f32")
    return (f"edgec_matmul_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{bias}, {ctx.ptr(node.outputs[0])}, {params});")
