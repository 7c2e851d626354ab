"""int8 TRANSPOSE_CONV as TFLite Micro computes it (transpose_conv.cc): inputs (output_shape, weights OHWI, input,
optional bias); per-channel multipliers as a convolution's (PopulateConvolutionQuantizationParams); the padding
of the equivalent convolution from the output size (ComputePaddingHeightWidth, dilation 1)."""

from __future__ import annotations

import numpy as np

from ..ir import Node
from .tflite_check import INT16_MAX
from .tflite_int8_movement import BadParameters


def _conv_out(size: int, filt: int, stride: int, same: bool) -> int:
    return (size + stride - 1) // stride if same else (size - filt + stride) // stride


def transpose_conv_geometry(r, op, ins, outs, options, tflite) -> dict:
    """Strides and paddings, once the output shape is checked against output_shape, the input and the weights."""
    if len(ins) < 3 or min(ins[:3]) < 0:
        raise BadParameters("output_shape, weights and input are required")
    o = options(op, tflite.TransposeConvOptions)
    sh, sw = o.StrideH(), o.StrideW()
    if sh < 1 or sw < 1 or o.Padding() not in (0, 1):
        raise BadParameters(f"strides {sh}, {sw} and padding {o.Padding()}")
    x, w, y = (list(r.shape(i)) for i in (ins[2], ins[1], outs[0]))
    shape_data = r.data(ins[0])
    if shape_data is None or r.dtype(ins[0]) != "int32":
        raise BadParameters("output_shape must be a constant int32 tensor")
    if len(x) != 4 or len(w) != 4 or [int(v) for v in np.asarray(shape_data).reshape(-1)] != y or len(y) != 4:
        raise BadParameters(f"input {x}, weights {w}, output_shape {np.asarray(shape_data).tolist()} and output {y} "
                            "must all be 4-D and agree")
    oc, kh, kw, ic = w
    if x[3] != ic or y[3] != oc or x[0] != y[0]:
        raise BadParameters(f"input {x}, weights {w} and output {y} disagree on the channels or the batch")
    same = o.Padding() == 0
    # the input must be what a convolution of the output with these weights and options would give
    if [_conv_out(y[1], kh, sh, same), _conv_out(y[2], kw, sw, same)] != x[1:3]:
        raise BadParameters(f"input {x} is not what output {y}, weights {w} and the options give back")
    pads = []
    for size, filt, stride, out in ((y[1], kh, sh, x[1]), (y[2], kw, sw, x[2])):
        pads.append(max((out - 1) * stride + filt - size, 0) // 2)
    if max(sh, sw, *pads) > INT16_MAX:  # ConvParams and PaddingValues are int16_t: TFLite would wrap them
        raise BadParameters(f"strides {sh}, {sw} and padding {pads}: TFLite's kernels hold them in 16 bits (at "
                            f"most {INT16_MAX})")
    return dict(strides=[sh, sw], pads=pads, act=o.FusedActivationFunction())


def import_transpose_conv(g, r, op, ins, outs, activation, new_act, const, node_name, options, tflite) -> None:
    from .tflite_int8 import _bias, _scalar_quant, activation_range, per_channel_multipliers

    geo = transpose_conv_geometry(r, op, ins, outs, options, tflite)
    w = r.data(ins[1])
    if w is None or r.dtype(ins[1]) != "int8":
        raise NotImplementedError("weights must be constant int8")
    wq = r.quant(ins[1])
    oc = w.shape[0]
    if wq is None or wq[0].size not in (1, oc) or np.any(wq[1] != 0):
        raise NotImplementedError("weights must be symmetric, quantized per tensor or per output channel")
    (in_s, in_z), (out_s, out_z) = _scalar_quant(r, ins[2]), _scalar_quant(r, outs[0])
    mults, shifts = per_channel_multipliers(in_s, np.broadcast_to(wq[0], (oc,)), out_s)
    bias = _bias(r, [ins[2], ins[1], ins[3] if len(ins) > 3 else -1], oc)
    lo, hi = activation_range(geo["act"], out_s, out_z)
    x = activation(ins[2])
    y = new_act(outs[0])
    inputs = [x, const("w", w), const("bias", bias), const("mult", np.array(mults, np.int32)),
              const("shift", np.array(shifts, np.int32))]
    g.nodes.append(Node("transpose_conv_s8", inputs, [y], dict(strides=geo["strides"], pads=geo["pads"],
                                                               input_offset=-in_z, output_offset=out_z, act=(lo, hi)),
                        node_name))
