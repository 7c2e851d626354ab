"""ONNX ScatterND, float32 data: the extern `edgec.scatter_nd` (frontend/onnx_converters.py) becomes one call of
runtimes/reference/edgec_scatter_nd_f32.c, which copies the data and applies the updates in order (reduction
none, add, mul, max, min). Indices known at compile time are checked here: one outside the data refuses the
node. Indices read at run time that fall outside the data are skipped by the kernel (documented in its header).

IR node: inputs data, indices (int64 / int32, [..., depth]), updates ([...indices.shape[:-1], *data.shape[depth:]]);
output the updated data."""

from __future__ import annotations

import numpy as np

from ..ir import DTYPE_BYTES, MAX_RANK
from . import kernel
from .hybrid import extern


def check_scatter_nd(data_shape, indices_shape, updates_shape, index_dtype: str, indices=None) -> None:
    depth = indices_shape[-1] if indices_shape else 0
    if index_dtype not in ("int64", "int32") or not indices_shape:
        raise NotImplementedError(f"indices of {index_dtype} {list(indices_shape)} (int64 of rank >= 1)")
    if not 1 <= depth <= min(len(data_shape), MAX_RANK):
        raise NotImplementedError(f"index tuples of length {depth} for data of rank {len(data_shape)}")
    want = list(indices_shape[:-1]) + list(data_shape[depth:])
    if list(updates_shape) != want:
        raise NotImplementedError(f"updates {list(updates_shape)}, expected {want}")
    if indices is not None:
        dims = np.array(data_shape[:depth], dtype=np.int64)
        flat = np.asarray(indices, dtype=np.int64).reshape(-1, depth)
        bad = np.nonzero(((flat < -dims) | (flat >= dims)).any(axis=1))[0]
        if bad.size:
            raise NotImplementedError(f"index {flat[bad[0]].tolist()} is outside the data {list(data_shape)}")


@extern("edgec.scatter_nd")
def lower_scatter_nd(ctx, call, attrs, args, out):
    shape, dtype = out
    data, indices, updates = (ctx.tensor(a) for a in args)
    t = ctx.graph.tensors
    if t[data].dtype != "float32" or t[updates].dtype != "float32":
        raise NotImplementedError(f"ScatterND of {t[data].dtype} data (edgec takes float32)")
    check_scatter_nd(t[data].shape, t[indices].shape, t[updates].shape, t[indices].dtype, ctx.const(args[1]))
    return ctx.emit("scatter_nd", [data, indices, updates], shape, dtype, {"reduction": int(attrs["reduction"])})


@kernel("scatter_nd")
def emit_scatter_nd(node, ctx):
    g = ctx.graph
    data, indices = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    depth = indices.shape[-1]
    pad = [1] * (MAX_RANK - depth)
    strides = [int(np.prod(data.shape[d + 1:], dtype=np.int64)) for d in range(depth)]
    params = ctx.static_params("edgec_scatter_nd_params", dict(
        count=data.elems, updates=int(np.prod(indices.shape[:-1], dtype=np.int64)), depth=depth,
        slice=int(np.prod(data.shape[depth:], dtype=np.int64)), dims=[*data.shape[:depth], *pad],
        strides=[*strides, *pad], index_bytes=DTYPE_BYTES[indices.dtype], reduction=node.attrs["reduction"]))
    ctx.use("edgec_scatter_nd_f32")
    return (f"edgec_scatter_nd_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.inputs[2], const=True)}, {ctx.ptr(node.outputs[0])}, {params});")
