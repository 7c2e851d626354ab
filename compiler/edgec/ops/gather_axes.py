"""`gather_axes`: a pure data movement given by its index map (frontend/tflite_int8_movement.py): output element
i is input element index_map[i]. The map is split into the cheapest copy that produces it:

  - the map is a sum of one function per output axis (true of transposes, slices, splits, depth-to-space, mirror
    pads, nearest resizes, gathers along one axis); axes across which it is not (a gather with 2-D indices) are
    merged first;
  - axes along which the input offset steps evenly, and that continue one another, merge into one;
  - if every axis steps evenly, it is a strided copy (edgec_transpose_s8: no table at all); otherwise each axis
    gets a table of input offsets (edgec_gather_axes_s8, int32 per entry: a few hundred bytes of flash for a
    resize or a mirror pad).
"""

from __future__ import annotations

import numpy as np

from ..ir import MAX_RANK
from . import kernel
from .broadcast import right_align
from .hybrid import extern



def _additive_across(m: np.ndarray, k: int) -> bool:
    """m[left, right] == m[left, 0] + m[0, right] - m[0, 0], with the axes before k as left."""
    left = int(np.prod(m.shape[:k], dtype=np.int64))
    flat = m.reshape(left, -1)
    return bool(np.array_equal(flat, flat[:, :1] + flat[:1, :] - flat[0, 0]))


def axis_tables(index_map: np.ndarray) -> tuple[int, list[int], list[np.ndarray]]:
    """(base, sizes, tables): index_map.reshape(sizes)[i0, i1, ...] == base + sum_d tables[d][i_d], with unit axes
    dropped and the fewest axes that keeps that true."""
    m = np.asarray(index_map, np.int64)
    m = m.reshape([d for d in m.shape if d != 1] or [1])
    # group axes between boundaries the map is additive across
    groups, start = [], 0
    for k in range(1, m.ndim + 1):
        if k == m.ndim or _additive_across(m, k):
            groups.append(int(np.prod(m.shape[start:k], dtype=np.int64)))
            start = k
    m = m.reshape(groups)
    base = int(m.reshape(-1)[0])
    tables = []
    for d in range(m.ndim):
        index = [0] * m.ndim
        index[d] = slice(None)
        tables.append(m[tuple(index)] - base)
    return base, *merged_tables(list(groups), tables)


def merged_tables(sizes: list[int], tables: list[np.ndarray]) -> tuple[list[int], list[np.ndarray]]:
    """The same sum of per-axis tables over the fewest axes (at most MAX_RANK)."""
    sizes, tables = list(sizes), list(tables)
    # merge neighbours that continue one another: both even, the outer one's step = inner step * inner size
    d = 0
    while d + 1 < len(sizes):
        a, b = tables[d], tables[d + 1]
        sa, sb = _step(a), _step(b)
        if sa is not None and sb is not None and sa == sb * sizes[d + 1]:
            tables[d: d + 2] = [(a[:, None] + b[None, :]).reshape(-1)]
            sizes[d: d + 2] = [sizes[d] * sizes[d + 1]]
        else:
            d += 1
    while len(sizes) > MAX_RANK:  # merge the smallest neighbouring pair into one table
        d = min(range(len(sizes) - 1), key=lambda k: sizes[k] * sizes[k + 1])
        tables[d: d + 2] = [(tables[d][:, None] + tables[d + 1][None, :]).reshape(-1)]
        sizes[d: d + 2] = [sizes[d] * sizes[d + 1]]
    return sizes, tables


def _step(table: np.ndarray) -> int | None:
    """The even step of a table starting at 0, or None."""
    if table.size == 1:
        return 0
    step = int(table[1] - table[0])
    return step if np.array_equal(table, step * np.arange(table.size, dtype=np.int64)) else None


@extern("edgec.gather_axes")
def lower_gather_axes(ctx, call, attrs, args, out):
    """The float TFLite importer's data movement (frontend/tflite_float.py): the index map is a constant input."""
    shape, dtype = out
    x = ctx.tensor(args[0])
    if dtype not in ("float32", "int8") or ctx.graph.tensors[x].dtype != dtype:
        raise NotImplementedError(f"data movement of {ctx.graph.tensors[x].dtype} into {dtype} (float32 or int8)")
    index_map = ctx.const(args[1])
    if index_map is None or index_map.size != int(np.prod(shape, dtype=np.int64)):
        raise NotImplementedError("gather_axes without a constant index map of the output's size")
    if index_map.size and (index_map.min() < 0 or index_map.max() >= ctx.graph.tensors[x].elems):
        raise NotImplementedError("gather_axes index map outside its input")
    return ctx.emit("gather_axes", [x], shape, dtype, {"index_map": np.asarray(index_map, np.int64).reshape(shape)})


@kernel("gather_axes")
def emit_gather_axes(node, ctx):
    y = ctx.graph.tensors[node.outputs[0]]
    index_map = node.attrs["index_map"]
    base, sizes, tables = axis_tables(index_map)
    src = ctx.ptr(node.inputs[0], const=True)
    src = f"{src} + {base}" if base else src
    steps = [_step(t) for t in tables]
    fn = {"int8": "edgec_transpose_s8", "float32": "edgec_transpose_f32"}[y.dtype]
    if all(s is not None for s in steps):  # a strided copy: edgec_transpose_* walks it
        params = ctx.static_params("edgec_transpose_params", dict(out_shape=right_align(sizes, MAX_RANK),
                                                                 in_strides=[0] * (MAX_RANK - len(steps)) + steps))
        ctx.use(fn)
        return f"{fn}({src}, {ctx.ptr(node.outputs[0])}, {params});"
    width = {"int8": 1, "float32": 4}.get(y.dtype)
    if width is None:
        raise NotImplementedError(f"table-driven gather of {y.dtype}")
    out = ctx.ptr(node.outputs[0])
    if width > 1:  # a gather of w-byte elements is a byte gather whose innermost axis copies the w bytes
        base *= width
        sizes, tables = merged_tables(sizes + [width], [t * width for t in tables] + [np.arange(width)])
        src = f"(const int8_t *)({ctx.ptr(node.inputs[0], const=True)}) + {base}"
        out = f"(int8_t *)({out})"
    offsets = np.concatenate(tables).astype(np.int64)
    if offsets.max() >= 2**31:
        raise NotImplementedError("input too large for int32 offsets")
    starts = np.cumsum([0] + sizes[:-1]).tolist()
    sym = ctx.derived_weights(node, "offsets", offsets.astype(np.int32))
    params = ctx.static_params("edgec_gather_axes_params", dict(
        out_shape=right_align(sizes, MAX_RANK), table_start=[0] * (MAX_RANK - len(starts)) + starts))
    ctx.use("edgec_gather_axes_s8")
    return f"edgec_gather_axes_s8({src}, {sym}, {out}, {params});"


@kernel("gather_s8")
def emit_gather_s8(node, ctx):
    """GATHER with indices known at run time (frontend/tflite_int8_movement.py)."""
    x, idx = (ctx.graph.tensors[t] for t in node.inputs)
    axis = node.attrs["axis"]
    params = ctx.static_params("edgec_gather_s8_params", dict(
        outer=int(np.prod(x.shape[:axis], dtype=np.int64)), axis_size=x.shape[axis], count=idx.elems,
        inner=int(np.prod(x.shape[axis + 1:], dtype=np.int64))))
    ctx.use("edgec_gather_s8")
    return (f"edgec_gather_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
