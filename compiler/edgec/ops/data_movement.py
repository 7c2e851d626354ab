"""Data movement, float32: Slice, Split, Gather with constant indices, Expand. Each output element is one input
element at offset + sum(index[d] * strides[d]), so they all become one IR op, `strided_copy`, run by the
strided gather that transposes use (edgec_transpose_f32) from the input pointer plus the offset. Constant
inputs are computed at compile time instead. Gather with indices known only at run time (an embedding lookup)
is its own op, `gather`: bounds-checked row copies (edgec_gather)."""

from __future__ import annotations

import numpy as np

from ..ir import DTYPE_BYTES, MAX_RANK
from . import kernel, lowering
from .broadcast import broadcast_strides, coalesce
from .transpose import dense_strides



def _int(expr) -> int:
    return int(getattr(expr, "value", expr))


def _ints(tup) -> list[int]:
    return [_int(f) for f in (tup.fields if hasattr(tup, "fields") else tup)]


def strided_copy(ctx, x: str, shape, strides, offset: int, dtype: str) -> str:
    if dtype != "float32":
        raise NotImplementedError(f"data movement of {dtype}")
    return ctx.emit("strided_copy", [x], shape, dtype, {"strides": [int(s) for s in strides], "offset": int(offset)})


def _slice(ctx, x: str, out_shape, starts: dict[int, int], steps: dict[int, int], dtype: str) -> str:
    """Elements of x from `starts` (per axis) every `steps`, `out_shape` of them."""
    src = ctx.graph.tensors[x]
    if src.is_const or 0 in tuple(out_shape):  # computed now (an empty result is an empty constant)
        data = src.data if src.is_const else np.zeros(src.shape, np.float32)
        for a, n in enumerate(out_shape):
            data = np.take(data, starts.get(a, 0) + steps.get(a, 1) * np.arange(n, dtype=np.int64), axis=a)
        return ctx.graph.add_const("slice", data)
    dense = dense_strides(src.shape)
    offset = sum(starts.get(a, 0) * dense[a] for a in range(len(dense)))
    strides = [dense[a] * steps.get(a, 1) for a in range(len(dense))]
    if offset == 0 and list(out_shape) == list(src.shape) and all(steps.get(a, 1) == 1 for a in range(len(dense))):
        return ctx.alias(x, out_shape)
    return strided_copy(ctx, x, out_shape, strides, offset, dtype)


@lowering("relax.strided_slice")
def lower_strided_slice(ctx, call, out):
    shape, dtype = out
    x = ctx.tensor(call.args[0])
    in_shape = ctx.graph.tensors[x].shape
    axes, begins, ends = (_ints(a) for a in call.args[1:4])
    steps_in = _ints(call.args[4]) if len(call.args) > 4 and call.args[4] is not None else [1] * len(axes)
    starts, steps = {}, {}
    for axis, b, e, s in zip(axes, begins, ends, steps_in):
        axis %= len(in_shape)
        start, _, step = slice(b, e, s).indices(in_shape[axis])
        starts[axis], steps[axis] = start, step
    return _slice(ctx, x, shape, starts, steps, dtype)


@lowering("relax.split")
def lower_split(ctx, call, _out):
    x = ctx.tensor(call.args[0])
    in_shape = ctx.graph.tensors[x].shape
    axis = int(call.attrs.axis) % len(in_shape)
    sections = call.attrs.indices_or_sections
    n = in_shape[axis]
    if hasattr(sections, "__len__"):
        bounds = [0] + [min(_int(i), n) for i in sections] + [n]
    else:
        k = _int(sections)
        size = -(-n // k)
        bounds = [min(i * size, n) for i in range(k)] + [n]
    dtype = str(ctx.graph.tensors[x].dtype)
    parts = []
    for lo, hi in zip(bounds, bounds[1:]):
        shape = list(in_shape)
        shape[axis] = max(hi - lo, 0)
        parts.append(_slice(ctx, x, shape, {axis: lo}, {}, dtype))
    return tuple(parts)


@lowering("relax.broadcast_to")
def lower_broadcast_to(ctx, call, out):
    shape, dtype = out
    x = ctx.tensor(call.args[0])
    src = ctx.graph.tensors[x]
    if src.is_const:
        return ctx.graph.add_const("expand", np.broadcast_to(src.data, shape))
    if tuple(src.shape) == tuple(shape):
        return ctx.alias(x, shape)
    strides = broadcast_strides(src.shape, shape, len(shape))
    return strided_copy(ctx, x, shape, strides, 0, dtype)


@lowering("relax.take")
def lower_take(ctx, call, out):
    """Gather with constant indices that step evenly (one index, a range, a reversed range...): a strided copy
    with the indices' dims in place of the axis."""
    shape, dtype = out
    x = ctx.tensor(call.args[0])
    indices = ctx.const(call.args[1])
    src = ctx.graph.tensors[x]
    axis = int(call.attrs.axis) % len(src.shape) if call.attrs.axis is not None else 0
    if indices is None:
        return _gather_runtime(ctx, x, ctx.tensor(call.args[1]), axis, shape, dtype)
    n = src.shape[axis]
    flat = np.asarray(indices).astype(np.int64).reshape(-1)
    if flat.size and (flat.min() < -n or flat.max() >= n):
        raise NotImplementedError(f"Gather index out of range [{-n}, {n})")
    flat = np.where(flat < 0, flat + n, flat)
    if src.is_const:
        return ctx.graph.add_const("take", np.take(src.data, flat.reshape(np.shape(indices)), axis=axis))
    step = int(flat[1] - flat[0]) if flat.size > 1 else 1
    if flat.size > 1 and not np.array_equal(np.diff(flat), np.full(flat.size - 1, step)):
        return _gather_runs(ctx, x, flat, axis, shape, dtype)
    dense = dense_strides(src.shape)
    idx_shape = list(np.shape(indices))
    idx_strides = dense_strides(idx_shape)
    strides = dense[:axis] + [s * step * dense[axis] for s in idx_strides] + dense[axis + 1:]
    offset = int(flat[0]) * dense[axis] if flat.size else 0
    return strided_copy(ctx, x, shape, strides, offset, dtype)


GATHER_INDEX_DTYPES = ("int64", "int32")


def _gather_runtime(ctx, x: str, indices: str, axis: int, shape, dtype: str) -> str:
    """Gather whose indices are computed or fed at run time. Out-of-range indices are not an error the C can
    raise: the kernel zero-fills their rows and never reads outside the data (runtimes/include/edgec_gather.h)."""
    idx_dtype = ctx.graph.tensors[indices].dtype
    if idx_dtype not in GATHER_INDEX_DTYPES:
        raise NotImplementedError(f"Gather indices of type {idx_dtype} (int64 or int32 expected)")
    if ctx.graph.tensors[x].dtype not in ("float32", "int8", "uint8", "int32"):
        raise NotImplementedError(f"Gather of {ctx.graph.tensors[x].dtype} data")
    return ctx.emit("gather", [x, indices], shape, dtype, {"axis": axis})


def _gather_runs(ctx, x: str, flat, axis: int, shape, dtype: str) -> str:
    """Indices that do not step evenly: one strided copy per run of consecutive indices, then a concat."""
    src_shape = ctx.graph.tensors[x].shape
    runs, start = [], 0
    for i in range(1, len(flat) + 1):
        if i == len(flat) or flat[i] != flat[i - 1] + 1:
            runs.append((int(flat[start]), i - start))
            start = i
    parts = []
    for first, count in runs:
        part = list(src_shape)
        part[axis] = count
        parts.append(_slice(ctx, x, part, {axis: first}, {}, dtype))
    flat_shape = list(src_shape)
    flat_shape[axis] = len(flat)
    y = ctx.emit("concat", parts, flat_shape, dtype, {"axis": axis}) if len(parts) > 1 else parts[0]
    return ctx.alias(y, shape)


@kernel("strided_copy")
def emit_strided_copy(node, ctx):
    y = ctx.graph.tensors[node.outputs[0]]
    shape, (strides,) = coalesce(y.shape, [node.attrs["strides"]], max(MAX_RANK, len(y.shape)))
    if len(shape) > MAX_RANK:
        raise NotImplementedError(f"strided copy of rank {len(shape)} after merging dims (max {MAX_RANK})")
    params = ctx.static_params("edgec_transpose_params", dict(out_shape=shape, in_strides=strides))
    ctx.use("edgec_transpose_f32")
    src = ctx.ptr(node.inputs[0], const=True)
    offset = node.attrs["offset"]
    return f"edgec_transpose_f32({src} + {offset}, {ctx.ptr(node.outputs[0])}, {params});" if offset else \
        f"edgec_transpose_f32({src}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("gather")
def emit_gather(node, ctx):
    data, indices = (ctx.graph.tensors[t] for t in node.inputs)
    axis = node.attrs["axis"]
    outer = int(np.prod(data.shape[:axis], dtype=np.int64))
    row = int(np.prod(data.shape[axis + 1:], dtype=np.int64)) * DTYPE_BYTES[data.dtype]
    params = ctx.static_params("edgec_gather_params", dict(outer=outer, axis_size=data.shape[axis],
                                                          count=indices.elems, row_bytes=row))
    ctx.use("edgec_gather")
    fn = "edgec_gather_i64" if indices.dtype == "int64" else "edgec_gather_i32"
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, " \
           f"{ctx.ptr(node.outputs[0])}, {params});"
