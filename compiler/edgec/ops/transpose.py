"""Transpose (relax.permute_dims, float32 and bool; and int8 from QDQ models): a gather through permuted strides."""

from __future__ import annotations

from ..ir import MAX_RANK
from . import kernel, lowering
from .broadcast import right_align



def dense_strides(shape) -> list[int]:
    strides, step = [0] * len(shape), 1
    for i in reversed(range(len(shape))):
        strides[i] = step
        step *= int(shape[i])
    return strides


@lowering("relax.permute_dims")
def lower_permute_dims(ctx, call, out):
    shape, dtype = out
    if dtype not in ("float32", "bool"):
        raise NotImplementedError(f"transpose of {dtype}")
    x = ctx.tensor(call.args[0])
    rank = len(ctx.graph.tensors[x].shape)
    axes = list(range(rank))[::-1] if call.attrs.axes is None else [int(a) % rank for a in call.attrs.axes]
    src = ctx.graph.tensors[x]
    if src.is_const:  # transposed weights are folded at compile time
        return ctx.graph.add_const("t", src.data.transpose(axes))
    # Moving only unit dims keeps the element order: a view.
    if [a for a in axes if src.shape[a] != 1] == [a for a in range(rank) if src.shape[a] != 1]:
        return ctx.alias(x, shape)
    return ctx.emit("transpose", [x], shape, dtype, {"axes": axes})


@kernel("transpose")
def emit_transpose(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if len(y.shape) > MAX_RANK:
        raise NotImplementedError(f"transpose of rank {len(y.shape)} (max {MAX_RANK})")
    in_strides = dense_strides(x.shape)
    strides = [in_strides[a] for a in node.attrs["axes"]]
    params = ctx.static_params(
        "edgec_transpose_params",
        dict(out_shape=right_align(y.shape, MAX_RANK), in_strides=[0] * (MAX_RANK - len(strides)) + strides),
    )
    fn = {"float32": "edgec_transpose_f32", "int8": "edgec_transpose_s8", "bool": "edgec_transpose_s8"}[y.dtype]
    ctx.use(fn)
    src, dst = ctx.ptr(node.inputs[0], const=True), ctx.ptr(node.outputs[0])
    if y.dtype == "bool":  # bytes like int8: moved, never computed
        src, dst = f"(const int8_t *){src}", f"(int8_t *){dst}"
    return f"{fn}({src}, {dst}, {params});"
