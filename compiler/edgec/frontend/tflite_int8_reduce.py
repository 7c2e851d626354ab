"""int8 TFLite reductions beyond MEAN (tflite_int8.py): SUM (reference_ops::QuantizedMeanOrSum with compute_sum,
so MEAN's kernel with the multiplier of input_scale / output_scale alone), REDUCE_MAX / REDUCE_MIN (the stored
values; TFLite Micro requires the input's quantisation on the output), ARG_MAX / ARG_MIN (int32 indices, the
only output type TFLite Micro has) and REDUCE_ALL (of bools)."""

from __future__ import annotations

import numpy as np

from ..ir import Node
from .tflite_int8_movement import BadParameters

REDUCE_OPS = {"SUM", "REDUCE_MAX", "REDUCE_MIN", "ARG_MAX", "ARG_MIN", "REDUCE_ALL"}


def _axes(r, i: int, rank: int) -> list[int]:
    data = r.data(i) if i >= 0 else None
    if data is None or r.dtype(i) != "int32":
        raise BadParameters("axis must be a constant int32 tensor")
    axes = [int(a) for a in np.asarray(data).reshape(-1)]
    if any(not -rank <= a < rank for a in axes):
        raise BadParameters(f"axis {axes} for an input of rank {rank}")
    return sorted({a % rank for a in axes})


def reduced_axes(kind, r, op, ins, outs, options, tflite) -> list[int]:
    """The axes reduced, once the output's shape is checked against the input's, the axes and keep_dims."""
    if len(ins) < 2:
        raise BadParameters("the axis input is missing")
    in_shape = list(r.shape(ins[0]))
    axes = _axes(r, ins[1], len(in_shape))
    if kind in ("ARG_MAX", "ARG_MIN"):
        if len(axes) != 1:
            raise BadParameters(f"{len(axes)} axes (one expected)")
        want = [d for k, d in enumerate(in_shape) if k != axes[0]]
        keep = False
    else:
        keep = bool(options(op, tflite.ReducerOptions).KeepDims())
        want = [1 if k in axes else d for k, d in enumerate(in_shape)] if keep else \
            [d for k, d in enumerate(in_shape) if k not in axes]
    if list(r.shape(outs[0])) != want:
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, but input {in_shape} reduced over "
                            f"{axes}{' (keep_dims)' if keep else ''} gives {want}")
    if not axes:
        raise NotImplementedError("no axis to reduce")
    return axes


def import_reduce(kind, g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    from .tflite_int8 import _scalar_quant, quantize_multiplier

    axes = reduced_axes(kind, r, op, ins, outs, options, tflite)
    x = activation(ins[0])
    attrs = {"axes": axes, "minimum": kind in ("REDUCE_MIN", "ARG_MIN")}
    if kind in ("ARG_MAX", "ARG_MIN"):
        if r.dtype(outs[0]) != "int32":
            raise NotImplementedError(f"{r.dtype(outs[0])} output (TFLite Micro writes int32 indices)")
        y = new_act(outs[0], plain=("int32",))
        g.nodes.append(Node("arg_max_s8", [x], [y], attrs, node_name))
        return
    if kind == "REDUCE_ALL":  # of a comparison's bools (ops/reduce.py: all is the min of bytes)
        if r.dtype(ins[0]) != "bool":
            raise NotImplementedError(f"REDUCE_ALL of {r.dtype(ins[0])} (bool expected)")
        g.nodes.append(Node("reduce", [x], [new_act(outs[0], plain=("bool",))], {"axes": axes, "kind": "min"},
                            node_name))
        return
    (s_in, z_in), (s_out, z_out) = _scalar_quant(r, ins[0]), _scalar_quant(r, outs[0])
    if kind == "SUM":
        mult, shift = quantize_multiplier(float(np.float64(np.float32(s_in)) / np.float64(np.float32(s_out))))
        y = new_act(outs[0])
        g.nodes.append(Node("mean_s8", [x], [y], dict(axes=axes, multiplier=mult, shift=shift,
                                                      input_zero_point=z_in, output_zero_point=z_out), node_name))
        return
    if (s_in, z_in) != (s_out, z_out):
        raise NotImplementedError("output quantized differently from the input (TFLite Micro requires the same)")
    y = new_act(outs[0])
    g.nodes.append(Node("reduce_max_s8", [x], [y], attrs, node_name))
