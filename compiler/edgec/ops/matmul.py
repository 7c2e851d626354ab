"""Matrix multiply (MatMul, Gemm, fully connected), float32, with batch broadcasting."""

from __future__ import annotations

import math

import numpy as np

from ..ir import MAX_RANK
from . import kernel, lowering
from .broadcast import broadcast_strides, right_align
from .quantized_s8 import shipped_set

# edgec_matmul_f32_packed takes a constant B on fewer rows of A than this: the unpacked x86 kernel's tiles of 4
# rows reuse each weight vector 4 times from registers; below that every weight is read once per row, and then
# a sequential stream (the packed layout) is what counts
PACKED_MAX_ROWS = 4


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
    if b.is_const and len(b.shape) == 2 and b.data.size and math.prod(batch) * m < PACKED_MAX_ROWS and \
            shipped_set(ctx, "edgec_matmul_f32_packed") == "x86":
        ctx.use("edgec_matmul_f32_packed")
        sym = ctx.derived_weights(node, "packed", pack_matmul_f32_x86(b.data))
        return (f"edgec_matmul_f32_packed({ctx.ptr(node.inputs[0], const=True)}, {sym}, {bias}, "
                f"{ctx.ptr(node.outputs[0])}, {params});")
    ctx.use("edgec_matmul_f32")
    return (f"edgec_matmul_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{bias}, {ctx.ptr(node.outputs[0])}, {params});")


def pack_matmul_f32_x86(b: np.ndarray) -> np.ndarray:
    """K x N float weights -> runtimes/x86/edgec_matmul_f32_packed.c's column blocks: 64 columns while 64 remain,
    then 16 (the last padded with zero columns), each block [K][width], so that the kernel streams each block's
    weights in order."""
    b = np.asarray(b, np.float32)
    k, n = b.shape
    blocks, j = [], 0
    while j < n:
        width = 64 if n - j >= 64 else 16
        block = np.zeros((k, width), np.float32)
        block[:, : min(width, n - j)] = b[:, j:j + width]
        blocks.append(block.reshape(-1))
        j += width
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
