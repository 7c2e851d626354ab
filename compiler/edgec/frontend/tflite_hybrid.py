"""Import TFLite "hybrid" (dynamic-range quantized) operators.

The TFLite converter's default post-training mode stores conv weights as int8 with a float scale and leaves
activations float; at run time the kernel quantizes its float input on the fly, multiplies int8 x int8 into
int32 and scales the result back to float. TVM's TFLite frontend refuses such operators ("likely to have
dynamic range quantization") and TFLite Micro does not run them. edgec does, with LiteRT's semantics
(tensorflow/lite/kernels/conv.cc, fully_connected.cc):

- per-tensor filter scale (or per-channel scales that are all equal): `EvalHybrid`. The whole input of one
  batch is quantized symmetrically: range = max|x|, x_q = round(x * (127 / range)) clamped to [-127, 127]
  (scale 1 when range is 0); acc = sum x_q * w_q over the window (padding contributes 0);
  y = acc * ((range / 127) * w_scale) + bias, then the fused activation.
- distinct per-channel scales: `EvalHybridPerChannel`. The input of one batch is quantized asymmetrically
  to [-128, 127] with a nudged zero point z (AsymmetricQuantizeFloats); acc = sum (x_q - z) * w_q over the
  window (padded positions are skipped); y = acc * in_scale * w_scale[oc] + bias, then the activation.

- FULLY_CONNECTED (`EvalHybridDense`, per-tensor filter scale): each row of the [batch, input_size] input is
  quantized on its own, symmetrically as above or, with the option asymmetric_quantize_inputs, to
  [-128, 127] with zero point z; y = bias + (sum (x_q - z) * w_q) * (in_scale * w_scale), then the
  activation. An all-zero input (the whole tensor) gives y = activation(bias).

LiteRT's XNNPACK delegate (the Python interpreter's default) takes these convs over with arithmetic of its
own: on the KWS model its outputs differ from LiteRT's builtin kernels by up to ~5 % (relative), while
edgec matches the builtin kernels to ~1e-6. The reference for a hybrid model is therefore LiteRT without
its default delegates (see `edgec.reference`): the kernels that define the operator.

Design: `HybridOperatorConverter` is the `op_converter` handed to TVM's `from_tflite`. For a hybrid
CONV_2D it emits

    R.call_dps_packed(ExternFunc("edgec.conv2d_hybrid", attrs), (x, w_int8_OHWI, w_scale, bias), out)

with strides, padding, activation and the quantization mode as attributes of the ExternFunc. The int8
weights stay an int8 constant (4x smaller in flash than float), TVM's passes leave the call alone, and
`edgec.ops.hybrid` lowers it to the `conv2d_hybrid` IR op and the `edgec_conv2d_hybrid` C kernel; a
hybrid FULLY_CONNECTED likewise becomes "edgec.fully_connected_hybrid" -> `fully_connected_hybrid` ->
`edgec_fully_connected_hybrid`. Every other operator goes through TVM's converter unchanged. Hybrid
operators this module does not convert (DEPTHWISE_CONV_2D, per-channel FULLY_CONNECTED, ...) are reported
by `unsupported_hybrid_ops` before the import starts, so the user gets a clear error instead of TVM's.
"""

from __future__ import annotations

import numpy as np
from tvm import relax
from tvm.relax.frontend.tflite.tflite_frontend import OperatorConverter, get_pad_value

from .tflite_check import tensor_name

EXTERN_CONV2D = "edgec.conv2d_hybrid"
EXTERN_FC = "edgec.fully_connected_hybrid"
CONVERTED_HYBRID_OPS = {"CONV_2D", "FULLY_CONNECTED"}

# TFLite fused activations a hybrid kernel applies itself, as the clamp range [lo, hi].
FUSED_CLAMP = {"NONE": None, "RELU": (0.0, None), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}


def activation_name(code: int) -> str:
    """TFLite's fused activation code as its name ("RELU6"), "?" for a code the schema does not have."""
    from tflite.ActivationFunctionType import ActivationFunctionType

    names = {v: k for k, v in vars(ActivationFunctionType).items() if not k.startswith("_")}
    return names.get(code, "?")


def _tensor_type(subgraph, idx: int) -> int:
    return subgraph.Tensors(idx).Type()


def is_hybrid_op(model, op) -> bool:
    """Float activations in and out, a quantized int8/uint8 constant weight: dynamic-range quantization."""
    from tflite.TensorType import TensorType

    subgraph = model.Subgraphs(0)
    ins = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if len(ins) < 2 or ins[0] < 0 or ins[1] < 0 or not outs:
        return False
    if _tensor_type(subgraph, ins[0]) != TensorType.FLOAT32 or _tensor_type(subgraph, outs[0]) != TensorType.FLOAT32:
        return False
    w = subgraph.Tensors(ins[1])
    q = w.Quantization()
    return w.Type() in (TensorType.INT8, TensorType.UINT8) and q is not None and q.ScaleLength() > 0


def hybrid_ops(model) -> list[tuple[int, str]]:
    """(operator index, operator name) of every hybrid operator in the first subgraph."""
    from .tflite import op_name

    subgraph = model.Subgraphs(0)
    found = []
    for i in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(i)
        if is_hybrid_op(model, op):
            found.append((i, op_name(model, op)))
    return found


def unsupported_hybrid_ops(model) -> list[tuple[str, str, str]]:
    subgraph = model.Subgraphs(0)
    problems = []
    for i, name in hybrid_ops(model):
        op = subgraph.Operators(i)
        if name not in CONVERTED_HYBRID_OPS:
            out = tensor_name(subgraph.Tensors(int(op.Outputs(0))), int(op.Outputs(0)))
            problems.append((out, name, "dynamic-range (hybrid) quantized variant not supported"))
            continue
        w = subgraph.Tensors(int(op.Inputs(1)))
        q = w.Quantization()
        out = tensor_name(subgraph.Tensors(int(op.Outputs(0))), int(op.Outputs(0)))
        if w.Type() != _int8_type() or (q.ZeroPointLength() and np.any(q.ZeroPointAsNumpy() != 0)):
            problems.append((out, name, "hybrid weights must be int8 with zero point 0"))
        elif name == "FULLY_CONNECTED" and np.any(q.ScaleAsNumpy() != q.ScaleAsNumpy()[0]):
            problems.append((out, name, "hybrid weights with per-channel scales not supported"))
    return problems


def _int8_type() -> int:
    from tflite.TensorType import TensorType

    return TensorType.INT8


class HybridOperatorConverter(OperatorConverter):
    """TVM's TFLite converter, plus dynamic-range quantized CONV_2D and FULLY_CONNECTED (see the module docstring)."""

    def __init__(self, model, subgraph, exp_tab, bb):
        super().__init__(model, subgraph, exp_tab, bb)
        self._convert_float_conv2d = self.convert_map["CONV_2D"]
        self.convert_map["CONV_2D"] = self.convert_conv2d_maybe_hybrid
        self._convert_float_fc = self.convert_map["FULLY_CONNECTED"]
        self.convert_map["FULLY_CONNECTED"] = self.convert_fc_maybe_hybrid
        self._convert_softmax = self.convert_map["SOFTMAX"]
        self.convert_map["SOFTMAX"] = self.convert_softmax_with_beta
        self._hiding_hybrid_weights = False

    # TVM's check rejects any op with a quantized weight between float activations; hide the weights'
    # quantization from it for the hybrid ops converted here (the others are rejected earlier, by
    # unsupported_hybrid_ops, with a clearer message).
    def check_unsupported_ops(self):
        self._hiding_hybrid_weights = True
        try:
            super().check_unsupported_ops()
        finally:
            self._hiding_hybrid_weights = False

    def get_input_tensors(self, op):
        tensors = super().get_input_tensors(op)
        if self._hiding_hybrid_weights and self._is_converted_hybrid(op):
            for t in tensors[1:]:
                t.qnn_params = None
        return tensors

    def _is_converted_hybrid(self, op) -> bool:
        return self.get_op_code_str(op) in CONVERTED_HYBRID_OPS and is_hybrid_op(self.model, op)

    def convert_conv2d_maybe_hybrid(self, op):
        if not is_hybrid_op(self.model, op):
            return self._convert_float_conv2d(op=op)
        return self.convert_hybrid_conv2d(op)

    def convert_fc_maybe_hybrid(self, op):
        if not is_hybrid_op(self.model, op):
            return self._convert_float_fc(op=op)
        return self.convert_hybrid_fully_connected(op)

    def convert_softmax_with_beta(self, op):
        """TVM's SOFTMAX ignores the option beta (softmax(beta * x), a temperature the converter folds in):
        the float softmax of any model with beta != 1 came out wrong without a word."""
        from tflite.SoftmaxOptions import SoftmaxOptions

        from .tflite_int8 import _options

        beta = float(_options(op, SoftmaxOptions).Beta())  # no options table: the schema's default, as LiteRT reads it
        (x_t,) = self.get_input_tensors(op)
        if beta == 1.0 or x_t.qnn_params:  # quantized models take edgec's int8 importer, never this converter
            return self._convert_softmax(op=op)
        x = relax.op.multiply(self.get_expr(x_t.tensor_idx), relax.const(np.float32(beta), "float32"))
        return relax.op.nn.softmax(x, axis=-1)

    def hybrid_operands(self, op, options_class):
        """(input, weights, bias or None, output, options) of a hybrid CONV_2D / FULLY_CONNECTED."""
        from .tflite_int8 import _options

        ins = self.get_input_tensors(op)
        b_t = ins[2] if len(ins) > 2 and ins[2].tensor_idx >= 0 else None
        return ins[0], ins[1], b_t, self.get_output_tensors(op)[0], _options(op, options_class)

    def hybrid_call(self, extern: str, attrs: dict, fused_activation: int, x_t, w: np.ndarray, scales: np.ndarray,
                    b_t, out_t):
        """R.call_dps_packed(extern with `attrs`, (x, w int8, scales, bias: 0 where the model has none)). The kernel
        clamps the fused activation where it is a clamp (attribute "activation"), TVM applies it after the call
        where it is not."""
        act = activation_name(fused_activation)
        clamp = FUSED_CLAMP.get(act, "unfused")
        func = relax.ExternFunc(extern)
        for key, value in (*attrs.items(), ("activation", act if clamp != "unfused" else "NONE")):
            func = func.with_attr(key, value)
        x = self.get_expr(x_t.tensor_idx)
        out_c = w.shape[0]
        bias = self.get_tensor_value(b_t).astype(np.float32) if b_t is not None else np.zeros(out_c, np.float32)
        args = [x, relax.const(w, "int8"), relax.const(scales, "float32"),
                relax.const(np.ascontiguousarray(bias.reshape(out_c)), "float32")]
        out_shape = [int(d) for d in out_t.tensor.ShapeAsNumpy()]
        y = relax.call_dps_packed(func, relax.Tuple(args), out_ty=relax.TensorType(out_shape, "float32"))
        if clamp == "unfused":
            y = self.convert_fused_activation_function(self.bb.normalize(y), fused_activation)
        return y

    def convert_hybrid_fully_connected(self, op):
        from tflite.FullyConnectedOptions import FullyConnectedOptions
        from tflite.FullyConnectedOptionsWeightsFormat import FullyConnectedOptionsWeightsFormat

        x_t, w_t, b_t, out_t, opts = self.hybrid_operands(op, FullyConnectedOptions)
        if opts.WeightsFormat() != FullyConnectedOptionsWeightsFormat.DEFAULT:
            raise NotImplementedError("hybrid FULLY_CONNECTED with shuffled weights")
        if w_t.tensor.Sparsity() is not None:
            raise NotImplementedError("sparse hybrid FULLY_CONNECTED")
        w = np.ascontiguousarray(self.get_tensor_value(w_t)).astype(np.int8)  # [units, input_size]
        units, input_size = w.shape
        scales = np.asarray(w_t.tensor.Quantization().ScaleAsNumpy(), np.float32).reshape(-1)
        if scales.size > 1 and np.any(scales != scales[0]):
            raise NotImplementedError("hybrid FULLY_CONNECTED with per-channel weight scales")
        return self.hybrid_call(EXTERN_FC, {"asymmetric": int(bool(opts.AsymmetricQuantizeInputs()))},
                                opts.FusedActivationFunction(), x_t, w, scales[:1], b_t, out_t)

    def convert_hybrid_conv2d(self, op):
        from tflite.Conv2DOptions import Conv2DOptions
        from tflite.Padding import Padding

        x_t, w_t, b_t, out_t, opts = self.hybrid_operands(op, Conv2DOptions)
        if opts.DilationHFactor() != 1 or opts.DilationWFactor() != 1:
            # LiteRT's hybrid conv ignores dilation (it hard-codes 1); refuse rather than guess.
            raise NotImplementedError("dilated hybrid CONV_2D")

        _, in_h, in_w, in_c = (int(d) for d in x_t.tensor.ShapeAsNumpy())
        w = np.ascontiguousarray(self.get_tensor_value(w_t)).astype(np.int8)  # OHWI, TFLite's own layout
        out_c, k_h, k_w, w_in_c = w.shape
        if w_in_c != in_c:
            raise NotImplementedError("grouped hybrid CONV_2D")
        q = w_t.tensor.Quantization()
        scales = np.asarray(q.ScaleAsNumpy(), np.float32).reshape(-1)
        per_channel = scales.size > 1 and bool(np.any(scales != scales[0]))
        if scales.size > 1 and (scales.size != out_c or q.QuantizedDimension() != 0):
            raise NotImplementedError("hybrid CONV_2D weights quantized along an axis other than the output channel")
        scales = scales if per_channel else scales[:1]

        if opts.Padding() == Padding.SAME:
            pad_t, pad_b = get_pad_value(in_h, k_h, opts.StrideH())
            pad_l, pad_r = get_pad_value(in_w, k_w, opts.StrideW())
        else:
            pad_t = pad_b = pad_l = pad_r = 0
        attrs = {"strides": [int(opts.StrideH()), int(opts.StrideW())],
                 "padding": [int(pad_t), int(pad_l), int(pad_b), int(pad_r)], "per_channel": int(per_channel)}
        return self.hybrid_call(EXTERN_CONV2D, attrs, opts.FusedActivationFunction(), x_t, w, scales, b_t, out_t)
