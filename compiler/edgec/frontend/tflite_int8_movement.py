"""int8 TFLite operators that only move bytes: TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, UNPACK, GATHER
(constant indices; run-time ones have their own kernel), DEPTH_TO_SPACE, SPACE_TO_DEPTH, MIRROR_PAD,
RESIZE_NEAREST_NEIGHBOR, REVERSE_V2, BATCH_TO_SPACE_ND, BROADCAST_TO; PACK (a concat of views). TFLite Micro
copies the int8 values of these unchanged, so edgec does too, and requires the output to carry the input's
quantisation (as converters write them).

Each operator is described once, in NumPy: applied to the flat indices of its input (np.arange), it gives the
input element every output element reads (`index_map`). The compiler then finds the cheapest copy that
produces that map (ops/gather_axes.py): a strided copy when every output axis steps evenly through the input
(transpose, slices, split, depth-to-space), else per-axis offset tables (mirror pad, nearest resize, irregular
gathers). The arithmetic of the index computations follows TFLite Micro's reference kernels
(strided_slice_logic.h, resize_nearest_neighbor.h, mirror_pad.cc)."""

from __future__ import annotations

import numpy as np

from ..ir import Node, Tensor

MOVEMENT_OPS = {"TRANSPOSE", "SLICE", "STRIDED_SLICE", "SPLIT", "SPLIT_V", "UNPACK", "GATHER", "DEPTH_TO_SPACE",
                "SPACE_TO_DEPTH", "MIRROR_PAD", "RESIZE_NEAREST_NEIGHBOR", "PACK", "REVERSE_V2", "BATCH_TO_SPACE_ND",
                "BROADCAST_TO", "GATHER_ND"}
INT32_MAX, INT32_MIN = 2**31 - 1, -2**31
MAX_ELEMENTS = 1 << 26  # far beyond any microcontroller's memory: a larger tensor is damage or a mistake


class BadParameters(NotImplementedError):
    """The operator's parameters contradict its tensors (a damaged file): tflite_check.py reports these as damage;
    a plain NotImplementedError is a valid operator edgec does not take."""


def import_movement(kind, g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    """Add the IR of one data-movement operator (outs: its TFLite output tensors)."""
    if kind == "PACK":
        _pack(g, r, op, ins, outs, activation, new_act, node_name, options, tflite)
        return
    if kind == "GATHER" and r.data(ins[1]) is None:  # indices computed by the model
        axis = gather_runtime_axis(r, op, ins, outs, options, tflite)
        _require_same_quant(r, ins[0], outs[0])
        x, indices = activation(ins[0]), activation(ins[1])
        y = new_act(outs[0])
        g.nodes.append(Node("gather_s8", [x, indices], [y], {"axis": axis}, node_name))
        return
    x = ins[1] if kind == "SPLIT" else ins[0]  # SPLIT takes (axis, input)
    maps = index_maps(kind, r, op, ins, outs, options, tflite)
    src = activation(x)
    for out, index_map in zip(outs, maps):
        _require_same_quant(r, x, out)
        y = new_act(out)
        g.nodes.append(Node("gather_axes", [src], [y], {"index_map": index_map}, node_name))


def import_dynamic_update_slice(g, r, ins, outs, activation, new_act, node_name) -> None:
    """The update written over the operand's window at start indices known at compile or run time, clamped on
    the device (ops/update_slice.py), bytes copied as TFLite Micro copies them."""
    from ..ops.update_slice import check_update_slice

    check_update_slice(r.shape(ins[0]), r.shape(ins[1]), r.shape(ins[2]), r.dtype(ins[2]))
    _require_same_quant(r, ins[0], outs[0])
    _require_same_quant(r, ins[1], outs[0])
    names = [activation_or_const(g, r, activation, i, "update_slice") for i in ins[:3]]
    g.nodes.append(Node("dynamic_update_slice", names, [new_act(outs[0])], {}, node_name))


def index_maps(kind, r, op, ins, outs, options, tflite) -> list[np.ndarray]:
    """The input element each output element of a data-movement operator (not PACK) reads, one map per output."""
    in_shape = r.shape(ins[1] if kind == "SPLIT" else ins[0])  # SPLIT takes (axis, input)
    count = int(np.prod(in_shape, dtype=np.int64))
    if count > MAX_ELEMENTS:
        raise NotImplementedError(f"an input of {count} elements")
    flat = np.arange(count, dtype=np.int64).reshape(in_shape)
    maps = _INDEX_MAPS[kind](flat, r, op, ins, outs, options, tflite)
    if len(maps) != len(outs):
        raise BadParameters(f"{len(outs)} outputs, but the parameters give {len(maps)}")
    for out, index_map in zip(outs, maps):
        if index_map.size > MAX_ELEMENTS:
            raise NotImplementedError(f"an output of {index_map.size} elements")
        want = tuple(r.shape(out))
        if tuple(index_map.shape) != want:
            raise BadParameters(f"output shape {list(want)}, but the input {list(in_shape)} and the operator's "
                                f"parameters give {list(index_map.shape)}")
    return maps


def activation_or_const(g, r, activation, i: int, base: str) -> str:
    """Input i: a constant of the file (put in flash), or the activation an earlier operator produced."""
    data = r.data(i)
    return activation(i) if data is None else g.add_const(base, data)


def _require_same_quant(r, a: int, b: int) -> None:
    from .tflite_int8 import _scalar_quant

    if r.dtype(a) != r.dtype(b):  # a graph input retyped float32, say: the copy would reinterpret its bytes
        raise NotImplementedError(f"input {r.name(a)} is {r.dtype(a)} but output {r.name(b)} is {r.dtype(b)} (a "
                                  "data-movement operator copies its values unchanged)")
    if _scalar_quant(r, a) != _scalar_quant(r, b):
        raise NotImplementedError("output quantized differently from the input (TFLite Micro copies the int8 "
                                  "values unchanged)")


def _const_ints(r, i: int, what: str) -> np.ndarray:
    data = r.data(i) if i >= 0 else None
    if data is None or r.dtype(i) not in ("int32", "int64"):
        raise BadParameters(f"{what} must be a constant int32 or int64 tensor")
    return np.asarray(data, np.int64).reshape(-1)


def _axis(value: int, rank: int, what: str = "axis") -> int:
    if not -rank <= value < rank:
        raise BadParameters(f"{what} {value} for a tensor of rank {rank}")
    return value % rank


def _transpose(flat, r, op, ins, outs, options, tflite):
    perm = _const_ints(r, ins[1], "perm")
    if sorted(perm.tolist()) != list(range(flat.ndim)):
        raise BadParameters(f"perm {perm.tolist()} is not a permutation of the input's {flat.ndim} axes")
    return [flat.transpose(perm)]


def _slice(flat, r, op, ins, outs, options, tflite):
    begin, size = _const_ints(r, ins[1], "begin"), _const_ints(r, ins[2], "size")
    if begin.size != flat.ndim or size.size != flat.ndim:
        raise BadParameters(f"begin {begin.tolist()} and size {size.tolist()} for an input of rank {flat.ndim}")
    index = []
    for b, s, n in zip(begin.tolist(), size.tolist(), flat.shape):
        end = n if s == -1 else b + s
        if not (0 <= b <= end <= n):
            raise BadParameters(f"slice [{b}, {end}) of an axis of {n}")
        index.append(slice(b, end))
    return [flat[tuple(index)]]


def _strided_slice(flat, r, op, ins, outs, options, tflite):
    """strided_slice_logic.h (StartForAxis, StopForAxis), as TFLite Micro calls it: ellipsis and new-axis masks
    are not taken (TFLite Micro ignores them; LiteRT does not), nor the offset flag."""
    o = options(op, tflite.StridedSliceOptions)
    if o.EllipsisMask() or o.NewAxisMask() or o.Offset():
        raise NotImplementedError("ellipsis_mask, new_axis_mask and offset are not supported (TFLite Micro "
                                  "ignores them)")
    begin, end, strides = (_const_ints(r, i, what) for i, what in zip(ins[1:4], ("begin", "end", "strides")))
    if not begin.size == end.size == strides.size == flat.ndim:
        raise BadParameters(f"begin, end and strides of {begin.size}, {end.size} and {strides.size} values "
                                  f"for an input of rank {flat.ndim}")
    index, keep = [], []
    for axis, n in enumerate(flat.shape):
        stride = int(strides[axis])
        if stride == 0:
            raise BadParameters(f"stride 0 on axis {axis}")
        start = int(begin[axis])
        if o.BeginMask() & (1 << axis):
            start = INT32_MIN if stride > 0 else INT32_MAX
        start = start + n if start < 0 else start
        start = min(max(start, 0), n) if stride > 0 else min(max(start, -1), n - 1)
        shrink = bool(o.ShrinkAxisMask() & (1 << axis))
        if shrink:
            stop = start + 1
        else:
            stop = int(end[axis])
            if o.EndMask() & (1 << axis):
                stop = INT32_MAX if stride > 0 else INT32_MIN
            stop = stop + n if stop < 0 else stop
            stop = min(max(stop, 0), n) if stride > 0 else min(max(stop, -1), n - 1)
        count = max(0, -(-(stop - start) // stride))
        if shrink and not 0 <= start < n:
            raise BadParameters(f"shrinks axis {axis} at index {start}, outside [0, {n})")
        index.append(start + stride * np.arange(count, dtype=np.int64))
        keep.append(not shrink)
    out = flat[np.ix_(*index)]
    return [out.reshape([d for d, k in zip(out.shape, keep) if k])]


def _split(flat, r, op, ins, outs, options, tflite):
    axis_data = _const_ints(r, ins[0], "axis")
    if axis_data.size != 1:
        raise BadParameters("axis must be one value")
    axis = _axis(int(axis_data[0]), flat.ndim)
    if flat.shape[axis] % len(outs):
        raise BadParameters(f"axis {axis} of {flat.shape[axis]} does not split into {len(outs)} equal parts")
    return np.split(flat, len(outs), axis=axis)


def _split_v(flat, r, op, ins, outs, options, tflite):
    sizes = _const_ints(r, ins[1], "size_splits")
    axis_data = _const_ints(r, ins[2], "axis")
    if axis_data.size != 1:
        raise BadParameters("axis must be one value")
    axis = _axis(int(axis_data[0]), flat.ndim)
    n = flat.shape[axis]
    if sizes.size != len(outs) or np.count_nonzero(sizes == -1) > 1 or np.any(sizes < -1):
        raise BadParameters(f"size_splits {sizes.tolist()} for {len(outs)} outputs")
    sizes = np.where(sizes == -1, n - (sizes.sum() + 1), sizes)
    if sizes.sum() != n or np.any(sizes < 0):
        raise BadParameters(f"size_splits {sizes.tolist()} do not add up to axis {axis} of {n}")
    return np.split(flat, np.cumsum(sizes)[:-1], axis=axis)


def _unpack(flat, r, op, ins, outs, options, tflite):
    o = options(op, tflite.UnpackOptions)
    axis = _axis(o.Axis(), flat.ndim)
    if flat.shape[axis] != len(outs):
        raise BadParameters(f"axis {axis} of {flat.shape[axis]} unpacks into {len(outs)} outputs")
    return [np.take(flat, k, axis=axis) for k in range(len(outs))]


def _gather(flat, r, op, ins, outs, options, tflite):
    """GATHER with constant indices (gather.cc); indices outside the axis are an error there, and here."""
    o = options(op, tflite.GatherOptions)
    if o.BatchDims() != 0:
        raise NotImplementedError("batch_dims other than 0")
    axis = _axis(o.Axis(), flat.ndim)
    idx = r.data(ins[1])
    if idx is None or r.dtype(ins[1]) not in ("int32", "int64"):
        raise BadParameters("indices must be int32 or int64")
    n = flat.shape[axis]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise BadParameters(f"an index outside [0, {n})")
    return [np.take(flat, np.asarray(idx, np.int64), axis=axis)]


def _gather_nd(flat, r, op, ins, outs, options, tflite):
    """GATHER_ND with constant indices (gather_nd.cc): output [..., rest] = input[indices[..., 0], ...,
    indices[..., k-1], rest]; an index outside the input is an error there, and here."""
    idx = r.data(ins[1])
    if idx is None:
        raise NotImplementedError("indices computed at run time (edgec needs them in the file)")
    if r.dtype(ins[1]) not in ("int32", "int64"):
        raise BadParameters("indices must be int32 or int64")
    idx = np.asarray(idx, np.int64)
    k = idx.shape[-1] if idx.ndim else 0
    if idx.ndim < 1 or not 1 <= k <= flat.ndim:
        raise BadParameters(f"indices of shape {list(idx.shape)} for an input of {list(flat.shape)}")
    if np.any(idx < 0) or np.any(idx >= np.array(flat.shape[:k])):
        raise BadParameters(f"an index outside the input's {list(flat.shape[:k])}")
    return [flat[tuple(np.moveaxis(idx, -1, 0))]]


def space_to_batch_padding(r, ins) -> tuple[list[int], list[int]]:
    """SPACE_TO_BATCH_ND's (per-dim [before, after] paddings of the whole input, padded shape), checked."""
    shape = list(r.shape(ins[0]))
    block, pads = _const_ints(r, ins[1], "block_shape"), _const_ints(r, ins[2], "paddings")
    if len(shape) not in (3, 4) or block.size != len(shape) - 2 or pads.size != 2 * block.size \
            or np.any(block < 1) or np.any(pads < 0):
        raise BadParameters(f"block_shape {block.tolist()} and paddings {pads.tolist()} for an input of {shape}")
    width = [0, 0, *pads.tolist()] + [0, 0] * (len(shape) - 1 - block.size)
    padded = [n + width[2 * k] + width[2 * k + 1] for k, n in enumerate(shape)]
    return width, padded


def space_to_batch_map(r, ins, outs) -> np.ndarray:
    """space_to_batch_nd.h on the padded input (space_to_batch_padding): block position (dy, dx) of batch b goes
    to batch (dy * bw + dx) * B + b; the element of the padded input each output element reads."""
    _, padded = space_to_batch_padding(r, ins)
    block = _const_ints(r, ins[1], "block_shape")
    flat = np.arange(int(np.prod(padded)), dtype=np.int64)
    flat = flat.reshape(padded if len(padded) == 4 else padded[:2] + [1, padded[2]])  # 3-D: a height only
    bh, bw = int(block[0]), int(block[1]) if block.size > 1 else 1
    n, h, w, c = flat.shape
    if h % bh or w % bw:
        raise BadParameters(f"padded size {[h, w]} is not a multiple of the block {[bh, bw]}")
    y = flat.reshape(n, h // bh, bh, w // bw, bw, c).transpose(2, 4, 0, 1, 3, 5).reshape(bh * bw * n, h // bh,
                                                                                          w // bw, c)
    y = y if len(padded) == 4 else y[:, :, 0, :]
    if list(y.shape) != list(r.shape(outs[0])):
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, expected {list(y.shape)}")
    return y


def import_space_to_batch(g, r, ins, outs, activation, new_act, node_name) -> None:
    """Zero-point padding (the output's, as space_to_batch_nd.h pads), then the block reordering as a gather."""
    from .tflite_int8 import _scalar_quant

    width, padded = space_to_batch_padding(r, ins)
    _require_same_quant(r, ins[0], outs[0])
    x = activation(ins[0])
    if any(width):
        padded_name = g.fresh_name(x + "_padded")
        g.add_tensor(Tensor(padded_name, tuple(padded), "int8", quant=g.tensors[x].quant))
        g.nodes.append(Node("pad", [x], [padded_name], dict(mode="constant", before=width[0::2],
                                                            value=float(_scalar_quant(r, outs[0])[1])), node_name))
        x = padded_name
    g.nodes.append(Node("gather_axes", [x], [new_act(outs[0])], {"index_map": space_to_batch_map(r, ins, outs)},
                        node_name))


def import_embedding_lookup(g, r, ins, outs, activation, new_act, node_name) -> None:
    """EMBEDDING_LOOKUP of int8 rows (embedding_lookup.cc, EvalSimple: one row copy per int32 id): a GATHER on
    axis 0, by an index map when the ids are in the file, else at run time (an id outside the table, an error
    in TFLite Micro, gives edgec's gather kernel's answer)."""
    if len(ins) != 2 or len(outs) != 1:
        raise BadParameters("ids and a table expected")
    ids, table = ins
    if r.dtype(ids) != "int32" or r.dtype(table) != "int8" or r.dtype(outs[0]) != "int8":
        raise NotImplementedError(f"{r.dtype(ids)} ids into a {r.dtype(table)} table giving {r.dtype(outs[0])} "
                                  "(int32 ids, int8 rows and output; the dequantising float output is not taken)")
    if len(r.shape(ids)) != 1 or not r.shape(table):
        raise BadParameters(f"ids of shape {list(r.shape(ids))} into a table of {list(r.shape(table))}")
    _require_same_quant(r, table, outs[0])
    rows = r.data(table)
    x = activation(table) if rows is None else g.add_const("embedding", rows)
    if r.data(ids) is None:
        g.nodes.append(Node("gather_s8", [x, activation(ids)], [new_act(outs[0])], {"axis": 0}, node_name))
        return
    index = np.asarray(r.data(ids), np.int64)
    if index.size and (index.min() < 0 or index.max() >= r.shape(table)[0]):
        raise BadParameters(f"an id outside [0, {r.shape(table)[0]})")
    flat = np.arange(int(np.prod(r.shape(table), dtype=np.int64)), dtype=np.int64).reshape(r.shape(table))
    g.nodes.append(Node("gather_axes", [x], [new_act(outs[0])], {"index_map": flat[index]}, node_name))


def gather_runtime_axis(r, op, ins, outs, options, tflite) -> int:
    """GATHER with indices known at run time (int32, batch_dims 0): the axis, once the output shape is checked.
    An index outside the axis at run time gives zeros (TFLite Micro reads outside the input)."""
    o = options(op, tflite.GatherOptions)
    if o.BatchDims() != 0:
        raise NotImplementedError("batch_dims other than 0")
    if r.dtype(ins[1]) != "int32":
        raise NotImplementedError(f"{r.dtype(ins[1])} indices computed at run time (int32 only)")
    shape, idx_shape = list(r.shape(ins[0])), list(r.shape(ins[1]))
    axis = _axis(o.Axis(), len(shape))
    want = shape[:axis] + idx_shape + shape[axis + 1:]
    if list(r.shape(outs[0])) != want:
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, but input {shape} gathered on axis {axis} "
                            f"by indices {idx_shape} gives {want}")
    return axis


def _block_size(op, options, cls, what: str) -> int:
    size = options(op, cls).BlockSize()
    if size < 1:
        raise BadParameters(f"block_size {size}")
    return size


def _depth_to_space(flat, r, op, ins, outs, options, tflite):
    """out[b, h * bs + dy, w * bs + dx, c] = in[b, h, w, (dy * bs + dx) * C + c] (depth_to_space.h)."""
    bs = _block_size(op, options, tflite.DepthToSpaceOptions, "DEPTH_TO_SPACE")
    if flat.ndim != 4 or flat.shape[3] % (bs * bs):
        raise BadParameters(f"input {list(flat.shape)}: 4-D with channels a multiple of {bs * bs}")
    n, h, w, c = flat.shape
    return [flat.reshape(n, h, w, bs, bs, c // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
            .reshape(n, h * bs, w * bs, c // (bs * bs))]


def _space_to_depth(flat, r, op, ins, outs, options, tflite):
    bs = _block_size(op, options, tflite.SpaceToDepthOptions, "SPACE_TO_DEPTH")
    if flat.ndim != 4 or flat.shape[1] % bs or flat.shape[2] % bs:
        raise BadParameters(f"input {list(flat.shape)}: 4-D with height and width multiples of {bs}")
    n, h, w, c = flat.shape
    return [flat.reshape(n, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
            .reshape(n, h // bs, w // bs, bs * bs * c)]


def _mirror_pad(flat, r, op, ins, outs, options, tflite):
    """mirror_pad.cc: REFLECT leaves the edge out (pads up to size - 1), SYMMETRIC repeats it (up to size)."""
    mode = options(op, tflite.MirrorPadOptions).Mode()
    if mode not in (0, 1):
        raise BadParameters(f"unknown mode {mode}")
    pads = _const_ints(r, ins[1], "paddings")
    if pads.size != 2 * flat.ndim:
        raise BadParameters(f"{pads.size} padding values for an input of rank {flat.ndim}")
    pads = pads.reshape(-1, 2)
    limit = [n - 1 if mode == 0 else n for n in flat.shape]
    if np.any(pads < 0) or any(int(p) > lim for row, lim in zip(pads, limit) for p in row):
        raise BadParameters(f"paddings {pads.tolist()} for input {list(flat.shape)} in "
                                  f"{'REFLECT' if mode == 0 else 'SYMMETRIC'} mode")
    return [np.pad(flat, pads.tolist(), mode="reflect" if mode == 0 else "symmetric")]


def nearest_indices(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """GetNearestNeighbor (resize_nearest_neighbor.h), in float32 as there."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    pos = (np.arange(out_size, dtype=f32) + offset) * f32(scale)
    if align_corners:  # TfLiteRound: half away from zero
        value = (np.sign(pos) * np.floor(np.abs(pos) + f32(0.5))).astype(np.int64)
    else:
        value = np.floor(pos).astype(np.int64)
    value = np.minimum(value, in_size - 1)
    return np.maximum(value, 0) if half_pixel_centers else value


def resize_size(r, ins, in_shape) -> tuple[int, int]:
    size = _const_ints(r, ins[1], "size")
    if len(in_shape) != 4 or size.size != 2 or np.any(size < 1):
        raise BadParameters(f"input {list(in_shape)} (must be 4-D) and size {size.tolist()} (two positive values)")
    return int(size[0]), int(size[1])


def _resize_nearest(flat, r, op, ins, outs, options, tflite):
    o = options(op, tflite.ResizeNearestNeighborOptions)
    if o.AlignCorners() and o.HalfPixelCenters():
        raise NotImplementedError("align_corners and half_pixel_centers together")
    oh, ow = resize_size(r, ins, flat.shape)
    _, h, w, _ = flat.shape
    ys = nearest_indices(h, oh, o.AlignCorners(), o.HalfPixelCenters())
    xs = nearest_indices(w, ow, o.AlignCorners(), o.HalfPixelCenters())
    return [flat[:, ys][:, :, xs]]


def pack_axis(r, op, ins, outs, options, tflite) -> int:
    """PACK's axis, once the inputs' and the output's shapes are checked."""
    o = options(op, tflite.PackOptions)
    shape = r.shape(ins[0])
    if any(r.shape(i) != shape for i in ins):
        raise BadParameters(f"inputs of different shapes {[list(r.shape(i)) for i in ins]}")
    axis = _axis(o.Axis(), len(shape) + 1)
    want = list(shape[:axis]) + [len(ins)] + list(shape[axis:])
    if list(r.shape(outs[0])) != want:
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, but {len(ins)} inputs of "
                            f"{list(shape)} packed on axis {axis} give {want}")
    return axis


def _pack(g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    """PACK: each input viewed with a unit axis inserted, concatenated along it (the int8 concat kernel)."""
    axis = pack_axis(r, op, ins, outs, options, tflite)
    shape = r.shape(ins[0])
    views = []
    for i in ins:
        _require_same_quant(r, i, outs[0])
        src = activation(i)
        view = g.fresh_name(src + "_unit")
        unit = list(shape[:axis]) + [1] + list(shape[axis:])
        g.add_tensor(Tensor(view, tuple(unit), "int8", quant=g.tensors[src].quant, alias_of=src))
        views.append(view)
    y = new_act(outs[0])
    g.nodes.append(Node("concat", views, [y], {"axis": axis}, node_name))


def _reverse(flat, r, op, ins, outs, options, tflite):
    axes = _const_ints(r, ins[1], "axis")
    return [np.flip(flat, axis=tuple(_axis(int(a), flat.ndim) for a in axes))]


def _batch_to_space(flat, r, op, ins, outs, options, tflite):
    """batch_to_space_nd.h: input batch s * B' + b holds block position s = (dy, dx) of output batch b; then the
    crops. A 3-D input has a height only."""
    block, crops = _const_ints(r, ins[1], "block_shape"), _const_ints(r, ins[2], "crops")
    if flat.ndim not in (3, 4) or block.size != flat.ndim - 2 or crops.size != 2 * block.size or np.any(block < 1) \
            or np.any(crops < 0):
        raise BadParameters(f"block_shape {block.tolist()} and crops {crops.tolist()} for an input of "
                            f"{list(flat.shape)}")
    x = flat if flat.ndim == 4 else flat[:, :, None, :]
    bh, bw = int(block[0]), int(block[1]) if block.size > 1 else 1
    n, h, w, c = x.shape
    if n % (bh * bw):
        raise BadParameters(f"batch {n} is not a multiple of the block {bh * bw}")
    y = x.reshape(bh, bw, n // (bh * bw), h, w, c).transpose(2, 3, 0, 4, 1, 5).reshape(n // (bh * bw), h * bh,
                                                                                        w * bw, c)
    top, bottom = int(crops[0]), int(crops[1])
    left, right = (int(crops[2]), int(crops[3])) if crops.size > 2 else (0, 0)
    if top + bottom >= y.shape[1] or left + right >= y.shape[2]:
        raise BadParameters(f"crops {crops.tolist()} leave nothing of {list(y.shape)}")
    y = y[:, top: y.shape[1] - bottom, left: y.shape[2] - right]
    return [y if flat.ndim == 4 else y[:, :, 0, :]]


def _broadcast_to(flat, r, op, ins, outs, options, tflite):
    shape = _const_ints(r, ins[1], "shape")
    try:
        return [np.broadcast_to(flat, [int(d) for d in shape])]
    except ValueError:
        raise BadParameters(f"input {list(flat.shape)} does not broadcast to {shape.tolist()}") from None


_INDEX_MAPS = {
    "REVERSE_V2": _reverse, "BATCH_TO_SPACE_ND": _batch_to_space, "BROADCAST_TO": _broadcast_to,
    "TRANSPOSE": _transpose, "SLICE": _slice, "STRIDED_SLICE": _strided_slice, "SPLIT": _split,
    "SPLIT_V": _split_v, "UNPACK": _unpack, "GATHER": _gather, "GATHER_ND": _gather_nd,
    "DEPTH_TO_SPACE": _depth_to_space,
    "SPACE_TO_DEPTH": _space_to_depth, "MIRROR_PAD": _mirror_pad, "RESIZE_NEAREST_NEIGHBOR": _resize_nearest,
}
