"""int8 RESIZE_BILINEAR as TFLite Micro computes it (reference_ops::ResizeBilinearInteger): source rows and
columns and their weights in 1/1024 steps, here computed once per output row and column into the kernel's
table (runtimes/reference/edgec_resize_bilinear_s8.c). RESIZE_NEAREST_NEIGHBOR moves bytes only
(tflite_int8_movement.py)."""

from __future__ import annotations

import numpy as np

from ..ir import Node
from .tflite_int8_movement import BadParameters, resize_size


def _trunc_div(a: int, b: int) -> int:
    """C's integer division (toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def bilinear_axis(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """[lower x out, upper x out, weight of upper x out] of one axis (ComputeInterpolationValuesInteger)."""
    scale = ((1 << 10) * in_size + out_size // 2) // out_size
    if align_corners and out_size > 1:
        scale = ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    lower, upper, weight = [], [], []
    for v in range(out_size):
        scaled = v * scale + (scale // 2 - (1 << 9) if half_pixel_centers else 0)
        lo = max(_trunc_div(scaled, 1 << 10), 0)
        hi = min(_trunc_div(scaled + (1 << 10) - 1, 1 << 10), in_size - 1)
        lower.append(lo), upper.append(hi), weight.append(scaled - (1 << 10) * lo)
    if max(lower) > in_size - 1 or min(upper) < 0:  # TFLite's integer steps would read outside the input
        raise NotImplementedError(f"resizing {in_size} to {out_size} samples outside the input in TFLite's "
                                  "integer arithmetic")
    return np.array(lower + upper + weight, np.int32)


def bilinear_table(r, op, ins, outs, options, tflite) -> np.ndarray:
    """The kernel's table, once the output's shape is checked against the input's and the size."""
    o = options(op, tflite.ResizeBilinearOptions)
    in_shape = r.shape(ins[0])
    oh, ow = resize_size(r, ins, in_shape)
    want = [in_shape[0], oh, ow, in_shape[3]]
    if list(r.shape(outs[0])) != want:
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, but input {list(in_shape)} and size "
                            f"{[oh, ow]} give {want}")
    if o.AlignCorners() and o.HalfPixelCenters():
        raise NotImplementedError("align_corners and half_pixel_centers together")
    return np.concatenate([bilinear_axis(in_shape[1], oh, o.AlignCorners(), o.HalfPixelCenters()),
                           bilinear_axis(in_shape[2], ow, o.AlignCorners(), o.HalfPixelCenters())])


def import_resize_bilinear(g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    from .tflite_int8_movement import _require_same_quant

    table = bilinear_table(r, op, ins, outs, options, tflite)
    _require_same_quant(r, ins[0], outs[0])
    x = activation(ins[0])
    y = new_act(outs[0])
    g.nodes.append(Node("resize_bilinear_s8", [x, g.add_const("resize_table", table)], [y], {}, node_name))
