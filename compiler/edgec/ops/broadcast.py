"""NumPy broadcasting expressed as the right-aligned shapes and strides that runtimes/ kernels take."""

from __future__ import annotations

from ..ir import MAX_RANK


def right_align(shape, rank: int) -> list[int]:
    if len(shape) > rank:
        raise NotImplementedError(f"rank {len(shape)} is above the kernels' maximum of {rank}")
    return [1] * (rank - len(shape)) + [int(d) for d in shape]


def broadcast_strides(in_shape, out_shape, rank: int) -> list[int]:
    """Element strides of a dense tensor `in_shape` walked along `out_shape` (0 where it is broadcast)."""
    dims = right_align(in_shape, rank)
    outs = right_align(out_shape, rank)
    for d, o in zip(dims, outs):
        if d not in (1, o):
            raise ValueError(f"shape {list(in_shape)} does not broadcast to {list(out_shape)}")
    strides, step = [0] * rank, 1
    for i in reversed(range(rank)):
        strides[i] = step if dims[i] != 1 else 0
        step *= dims[i]
    return strides


def coalesce(shape, strides: list[list[int]], rank: int) -> tuple[list[int], list[list[int]]]:
    """Merge neighbouring dims that every operand walks contiguously (stride[d] == stride[d + 1] * shape[d + 1])
    and drop dims of size 1, so that kernels which loop over the outer dims and stream the innermost one get one
    long inner row: an element-wise op on equal shapes becomes a single row. Returns the right-aligned shape and
    each operand's strides, padded to `rank`."""
    dims: list[tuple[int, list[int]]] = []
    for i, n in enumerate(shape):
        if n == 1:
            continue
        st = [int(s[i]) for s in strides]
        if dims and all(prev == cur * n for prev, cur in zip(dims[-1][1], st)):
            dims[-1] = (dims[-1][0] * int(n), st)
        else:
            dims.append((int(n), st))
    dims = [(1, [0] * len(strides))] * (rank - len(dims)) + dims
    return [n for n, _ in dims], [[st[k] for _, st in dims] for k in range(len(strides))]


def broadcast_plan(out_shape, in_shapes, rank: int) -> tuple[list[int], list[list[int]]]:
    """The coalesced right-aligned output shape and each input's strides along it: what every broadcasting
    kernel takes."""
    strides = [broadcast_strides(shape, out_shape, rank) for shape in in_shapes]
    return coalesce(right_align(out_shape, rank), strides, rank)


def broadcast_params(graph, node, names: tuple[str, ...] = ("a", "b")) -> dict:
    """The fields a broadcasting kernel's params begin with (edgec_broadcast_params): the node's first
    len(names) inputs walked along its first output's shape, as out_shape and <name>_strides."""
    shape, strides = broadcast_plan(graph.tensors[node.outputs[0]].shape,
                                    [graph.tensors[t].shape for t in node.inputs[:len(names)]], MAX_RANK)
    return dict(out_shape=shape, **{f"{name}_strides": s for name, s in zip(names, strides)})
