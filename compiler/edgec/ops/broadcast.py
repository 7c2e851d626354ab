"""NumPy broadcasting expressed as the right-aligned shapes and strides that runtimes/ kernels take."""

from __future__ import annotations


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
