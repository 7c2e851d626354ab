"""int8 TFLite operators of two inputs beyond ADD, SUB and MUL (tflite_int8.py), with NumPy broadcasting and
constant inputs as there:

  - SQUARED_DIFFERENCE (squared_difference.cc: both inputs rescaled to twice the larger scale with left shift 7,
    the difference squared, then requantised) and the comparisons EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER,
    GREATER_EQUAL (comparisons.cc: each input rescaled by its own scale with left shift 8, compared; a bool
    output) run on edgec_add_s8, whose `kind` says what to do with the two rescaled inputs;
  - DIV (div.cc: the divisor's reciprocal in gemmlowp fixed point, edgec_div_s8), PRELU (prelu_common.cc: two
    multipliers, for x >= 0 and for x * alpha; edgec_prelu_s8);
  - MAXIMUM and MINIMUM compare the stored values, as TFLite Micro does (edgec_minmax_s8), so the inputs and the
    output must share one quantisation.
"""

from __future__ import annotations

import numpy as np

from ..ir import Node

COMPARISONS = {"EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"}
BINARY_OPS = COMPARISONS | {"SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "DIV", "PRELU"}


def import_binary(kind, g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    from .tflite_int8 import _binary_inputs, _scalar_quant, quantize_multiplier

    if len(ins) != 2:
        raise NotImplementedError(f"{len(ins)} inputs (two expected)")
    a, b = _binary_inputs(g, r, ins, outs, activation)
    (s1, z1), (s2, z2) = _scalar_quant(r, ins[0]), _scalar_quant(r, ins[1])
    if kind in ("MAXIMUM", "MINIMUM"):
        if not (s1, z1) == (s2, z2) == _scalar_quant(r, outs[0]):
            raise NotImplementedError("inputs and output quantized differently (TFLite Micro compares the stored "
                                      "values)")
        y = new_act(outs[0])
        g.nodes.append(Node("minmax_s8", [a, b], [y], {"maximum": kind == "MAXIMUM"}, node_name))
        return
    if kind == "PRELU":
        (so, zo), f64 = _scalar_quant(r, outs[0]), np.float64
        m1, sh1 = quantize_multiplier(float(f64(np.float32(s1)) / f64(np.float32(so))))
        m2, sh2 = quantize_multiplier(float(f64(np.float32(s1)) * f64(np.float32(s2)) / f64(np.float32(so))))
        y = new_act(outs[0])
        g.nodes.append(Node("prelu_s8", [a, b], [y], dict(input_offset=-z1, alpha_offset=-z2, output_offset=zo,
                                                          multiplier_positive=m1, shift_positive=sh1,
                                                          multiplier_negative=m2, shift_negative=sh2), node_name))
        return
    if kind == "DIV":  # div.cc: one multiplier for input1_scale / (input2_scale * output_scale), in float
        from .tflite_int8 import activation_range

        so, zo = _scalar_quant(r, outs[0])
        f32 = np.float32
        mult, shift = quantize_multiplier(float(f32(s1) / (f32(s2) * f32(so))))
        if shift > 22:  # the kernel's final shift must stay a division (TFLite's would shift by a negative amount)
            raise NotImplementedError(f"requantisation factor 2^{shift} out of range")
        lo, hi = activation_range(options(op, tflite.DivOptions).FusedActivationFunction(), so, zo)
        y = new_act(outs[0])
        g.nodes.append(Node("div_s8", [a, b], [y], dict(input1_offset=-z1, input2_offset=-z2, output_offset=zo,
                                                        output_multiplier=mult, output_shift=shift, act=(lo, hi)),
                            node_name))
        return
    if kind in COMPARISONS:
        if max(s1, s2) >= 1.0:  # QuantizeMultiplierSmallerThanOneExp(scale) takes scales below 1 only
            raise NotImplementedError("an input scale of 1 or more (TFLite Micro takes the scale as the multiplier)")
        m1, sh1 = quantize_multiplier(s1)
        m2, sh2 = quantize_multiplier(s2)
        y = new_act(outs[0], plain=("bool",))
        attrs = dict(left_shift=8, output_offset=0, output_multiplier=0, output_shift=0, act=(0, 1))
    else:  # SQUARED_DIFFERENCE: PrepareQuantized, in double but for (1 << 14) * output_scale (float)
        so, zo = _scalar_quant(r, outs[0])
        twice_max = 2.0 * float(max(np.float32(s1), np.float32(s2)))
        m1, sh1 = quantize_multiplier(float(np.float32(s1)) / twice_max)
        m2, sh2 = quantize_multiplier(float(np.float32(s2)) / twice_max)
        mo, sho = quantize_multiplier(twice_max * twice_max / float(np.float32(1 << 14) * np.float32(so)))
        y = new_act(outs[0])
        attrs = dict(left_shift=7, output_offset=zo, output_multiplier=mo, output_shift=sho, act=(-128, 127))
    attrs.update(input1_offset=-z1, input2_offset=-z2, input1_multiplier=m1, input1_shift=sh1,
                 input2_multiplier=m2, input2_shift=sh2, kind=kind)
    g.nodes.append(Node("add_s8", [a, b], [y], attrs, node_name))
