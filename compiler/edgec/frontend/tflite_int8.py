"""Fully-quantized (int8) TFLite models: read the flatbuffer straight into edgec's graph IR.

Why not through Relax: TVM's TFLite importer turns every int8 operator into dequantize -> float op ->
quantize, and FoldConstant then folds dequantize(int8 weights) into float constants. Getting TFLite's exact
integer results back from that would mean re-deriving the int8 weights, the per-channel scales and the int32
bias from folded floats, and re-matching each float op with its rounding conventions. The flatbuffer already
holds every one of those numbers exactly, so for a model whose activations are all int8 the importer here
builds the integer graph directly: one IR node per TFLite operator, with the requantisation parameters
(fixed-point multiplier + shift per output channel) computed here exactly as TFLite's Prepare() functions
compute them (double arithmetic, frexp, round half away from zero). The C kernels then follow TFLite's
reference_integer_ops bit for bit (see runtimes/include/edgec_fixedpoint_s8.h).

The graph passes, the memory planner, the C emitter and the report see an ordinary edgec Graph, so int8 models
get the same arena planning and reports as float ones. Float or hybrid TFLite models still go through Relax.

IR ops made here (kernels in ops/quantized_s8.py):
  conv2d_s8, depthwise_conv2d_s8, fully_connected_s8, add_s8, mul_s8, avg_pool2d_s8, max_pool2d_s8, softmax_s8,
  mean_s8, lut_s8 (LOGISTIC, TANH, HARD_SWISH and other one-input ops, tabulated: tflite_lut.py);
  pad and concat (the float ops' kernels, int8 variants); quantize_s8 / dequantize_s8 where the converter left
  the model's input and output float; RESHAPE, SQUEEZE and EXPAND_DIMS are views; log_softmax_s8, l2norm_s8.
Beyond those, one module per family: tflite_int8_movement.py (data movement as index maps: gather_axes,
gather_s8, concat), tflite_int8_binary.py (SUB and the other rescaling binaries on add_s8, div_s8, prelu_s8,
minmax_s8), tflite_int8_reduce.py, tflite_int8_resize.py, tflite_int8_matmul.py, tflite_int8_transpose_conv.py.

Rounding. TFLite Micro (and CMSIS-NN) requantise every int8 operator with two roundings: a saturating rounding
doubling high multiply, then a rounding divide by a power of two. LiteRT's BUILTIN_REF kernels do the same for
conv, depthwise conv and add, but its int8 FULLY_CONNECTED requantises once, in double:
round(acc * double(input_scale) * double(filter_scale) / double(output_scale)). The two differ by 1 LSB on a
few percent of FC outputs (AD, ten FC layers, ends up to 4 LSB apart). `fc_rounding` picks the semantics:
"tflm" (default; bit-exact with TFLite Micro's reference kernels, the tflite-micro package) or "litert"
(LiteRT's FC, as one fixed-point rounding of the same multiplier, (acc * m + 2^(30-shift)) >> (31-shift): equal
to LiteRT's double product except within about 2^-31 (relative) of a rounding tie; no difference on 3000
random AD inputs). Both derive the FC multiplier from the scales in double (fc_real_multiplier).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UnsupportedModelError
from ..ir import Graph, QuantParams, Tensor
from .tflite_check import tensor_name
from .tflite_int8_binary import BINARY_OPS, import_binary
from .tflite_int8_folding import FOLDED_OPS, folded_value
from .tflite_int8_logic import LOGIC_OPS, import_logic
from .tflite_int8_matmul import import_batch_matmul
from .tflite_int8_movement import (MOVEMENT_OPS, activation_or_const, import_dynamic_update_slice,
                                   import_embedding_lookup, import_movement, import_space_to_batch)
from .tflite_int8_reduce import REDUCE_OPS, import_reduce, reduced_axes
from .tflite_int8_resize import import_resize_bilinear
from .tflite_int8_transpose_conv import import_transpose_conv
from .tflite_lut import LUT_OPS, UnaryTabulator

# tflite.TensorType codes
TFL_TYPES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 9: "int8", 7: "int16"}

# -- TFLite's quantization_util.cc, in Python ---------------------------------------------------------------
def tflite_round(x: float) -> int:
    """std::round: half away from zero."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def quantize_multiplier(m: float) -> tuple[int, int]:
    """QuantizeMultiplier: m = q * 2^shift with q in [0.5, 1) as a Q31 int32; shift > 0 shifts left."""
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = tflite_round(q * (1 << 31))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    if shift > 31:  # the kernels shift an int32 left by this much: such a factor is damage, not a calibration
        raise NotImplementedError(f"requantisation factor {m:g} is out of range (above 2^31: check the scales)")
    return int(q_fixed), int(shift)


def fc_real_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> float:
    """The real factor of a per-tensor int8 FULLY_CONNECTED, before QuantizeMultiplier:
    double(input_scale) * double(filter_scale) / double(output_scale). TFLite Micro computes it so (the
    tflite-micro wheel 0.dev20261023182759: its GetQuantizedConvolutionMultipler widens both scales, then
    multiplies in double; older sources, and LiteRT's Prepare, multiply the two scales in float first), and
    LiteRT's reference FC kernel requantises with this same double. The float product gives a multiplier a few
    tens of units (in 2^31) away: enough to move an output by 1 LSB when the accumulator lands that close to a
    rounding tie (AD's last layer: a few random inputs in a hundred)."""
    return float(np.float32(input_scale)) * float(np.float32(filter_scale)) / float(np.float32(output_scale))


def per_channel_multipliers(input_scale: float, weight_scales, output_scale: float) -> tuple[list, list]:
    """PopulateConvolutionQuantizationParams: each channel's effective scale in double from the float scales."""
    pairs = [quantize_multiplier(float(np.float64(input_scale) * np.float64(ws) / np.float64(output_scale)))
             for ws in weight_scales]
    return [m for m, _ in pairs], [s for _, s in pairs]


def check_left_shift(w: np.ndarray, bias: np.ndarray, shifts, channel_axis: int) -> None:
    """A requantisation factor above 1 shifts the accumulator left before the multiply: where that can overflow
    int32 (|acc| up to 255 * sum |w| + |bias| per channel), TFLite's arithmetic is undefined (a signed overflow in
    MultiplyByQuantizedMultiplier) and no two builds agree: such scales are damage or a mistake, not a model."""
    shifts = np.broadcast_to(np.asarray(shifts, np.int64), (w.shape[channel_axis],))
    if not np.any(shifts > 0):
        return
    per_channel = np.abs(np.moveaxis(w, channel_axis, 0).reshape(w.shape[channel_axis], -1).astype(np.int64))
    bound = per_channel.sum(axis=1) * 255 + np.abs(np.asarray(bias, np.int64))
    over = np.nonzero((shifts > 0) & (bound << np.maximum(shifts, 0) >= 2**31))[0]
    if over.size:
        c = int(over[0])
        raise NotImplementedError(f"requantisation factor 2^{int(shifts[c])} (channel {c}) overflows the int32 "
                                  "accumulator, where TFLite's arithmetic is undefined: check the scales")


def activation_range(act: int, scale: float, zero_point: int) -> tuple[int, int]:
    """CalculateActivationRangeQuantized for int8 (fused activation codes: 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6)."""
    qmin, qmax = -128, 127

    def quantize(f: float) -> int:
        return zero_point + tflite_round(float(np.float32(f) / np.float32(scale)))

    if act == 0:
        return qmin, qmax
    if act == 1:
        return max(qmin, quantize(0.0)), qmax
    if act == 3:
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if act == 2:
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    raise NotImplementedError(f"fused activation {act}")


def preprocess_softmax_scaling(beta: float, input_scale: float, integer_bits: int = 5) -> tuple[int, int, int]:
    """PreprocessSoftmaxScaling + CalculateInputRadius: (multiplier, left shift, diff_min)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - integer_bits)), (1 << 31) - 1.0)
    mult, shift = quantize_multiplier(real)
    if shift < 0:
        raise NotImplementedError("softmax input scale too small")
    radius = math.floor(1.0 * ((1 << integer_bits) - 1) * (1 << (31 - integer_bits)) / (1 << shift))
    return mult, shift, -int(radius)


def same_padding(in_size: int, filt: int, stride: int, dilation: int, out_size: int) -> int:
    eff = (filt - 1) * dilation + 1
    total = max(0, (out_size - 1) * stride + eff - in_size)
    return total // 2


# -- flatbuffer reading ------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, model):
        from .tflite import op_name

        self.model, self.sg = model, model.Subgraphs(0)
        self.op_name = lambda op: op_name(model, op)
        self.folded: dict[int, np.ndarray] = {}  # tensors computed at compile time (tflite_int8_folding.py)

    def tensor(self, i: int):
        return self.sg.Tensors(i)

    def dtype(self, i: int) -> str:
        return TFL_TYPES.get(self.tensor(i).Type(), f"tflite-type-{self.tensor(i).Type()}")

    def shape(self, i: int) -> tuple[int, ...]:
        return tuple(int(d) for d in self.tensor(i).ShapeAsNumpy()) if self.tensor(i).ShapeLength() else ()

    def data(self, i: int) -> np.ndarray | None:
        if i in self.folded:
            return self.folded[i]
        buf = self.model.Buffers(self.tensor(i).Buffer())
        if buf is None or buf.DataLength() == 0:
            return None
        raw = buf.DataAsNumpy().tobytes()
        return np.frombuffer(raw, dtype=self.dtype(i)).reshape(self.shape(i)).copy()

    def quant(self, i: int) -> tuple[np.ndarray, np.ndarray, int] | None:
        q = self.tensor(i).Quantization()
        if q is None or q.ScaleLength() == 0:
            return None
        zp = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(q.ScaleLength(), np.int64)
        return q.ScaleAsNumpy().astype(np.float32), np.asarray(zp, np.int64), int(q.QuantizedDimension())

    def name(self, i: int) -> str:
        return tensor_name(self.tensor(i), i)


def is_int8_model(model) -> bool:
    """A quantized (integer) model: some operator computes an int8 or int16 tensor. Float and float16 models
    compute float tensors only, and hybrid ones keep int8 in their constant weights. Such a model is imported
    here whole, so what it holds without an int8 kernel is named per operator (int16 activations, say)
    instead of half-importing it as float through Relax. Its float input and output, if the converter left
    them float, go through QUANTIZE and DEQUANTIZE."""
    r = _Reader(model)
    sg = r.sg
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        if any(r.dtype(int(i)) in ("int8", "int16") for i in op.OutputsAsNumpy()):
            return True
    return False


def _options(op, cls):
    """The operator's options table; an operator written without one gets the schema's defaults (an empty
    table), as TFLite's own reader gives it."""
    table = op.BuiltinOptions()
    opts = cls()
    if table is None:
        import flatbuffers

        builder = flatbuffers.Builder(16)
        builder.StartObject(0)
        builder.Finish(builder.EndObject())
        opts.Init(builder.Output(), flatbuffers.encode.Get(flatbuffers.packer.uoffset, builder.Output(), 0))
        return opts
    opts.Init(table.Bytes, table.Pos)
    return opts


# The operands that must be int8 activations (when not constants), checked before the operator's importer reads them
INT8_OPERANDS = {"CONV_2D": (0,), "DEPTHWISE_CONV_2D": (0,), "FULLY_CONNECTED": (0,), "TRANSPOSE_CONV": (2,),
                 "ADD": (0, 1), "SUB": (0, 1), "MUL": (0, 1), "MAX_POOL_2D": (0,), "AVERAGE_POOL_2D": (0,),
                 "SOFTMAX": (0,), "LOG_SOFTMAX": (0,), "L2_NORMALIZATION": (0,), "MEAN": (0,), "PAD": (0,),
                 "PADV2": (0,), "BATCH_MATMUL": (0, 1)}


# Operators whose weights (input 1) the int8 kernels read as int8 bytes
INT8_WEIGHTS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV"}


def import_int8_graph(model, fc_rounding: str = "tflm") -> tuple[Graph, list[str]]:
    import tflite

    r = _Reader(model)
    sg = r.sg
    g = Graph()
    names: dict[int, str] = {}  # tflite tensor index -> IR tensor name
    problems = []

    def activation(i: int) -> str:
        if i in names:
            return names[i]
        if i in r.folded:  # a folded tensor read as a tensor (a graph output, say): a constant in flash
            names[i] = g.add_const(_ident(r.name(i)), r.folded[i])
            if r.dtype(i) == "int8":
                s, z = _scalar_quant(r, i)
                g.tensors[names[i]].quant = QuantParams(np.array([s], np.float32), np.array([z]))
            return names[i]
        raise NotImplementedError(f"tensor {r.name(i)} is used before it is produced")

    def new_act(i: int, alias_of: str | None = None, plain: tuple[str, ...] = ()) -> str:
        """The IR tensor for TFLite tensor i; with alias_of, a view of that IR tensor's bytes. plain: the types
        other than int8 the operator may write, unquantized (a comparison's bool, an ARG_MAX's int32)."""
        if r.dtype(i) in plain:
            name = g.fresh_name(_ident(r.name(i)))
            g.add_tensor(Tensor(name, r.shape(i), r.dtype(i), alias_of=alias_of))
            names[i] = name
            return name
        if r.dtype(i) != "int8":
            raise NotImplementedError(f"tensor {r.name(i)} is {r.dtype(i)}, not int8")
        s, z = _scalar_quant(r, i)
        name = g.fresh_name(_ident(r.name(i)))
        g.add_tensor(Tensor(name, r.shape(i), "int8", quant=QuantParams(np.array([s], np.float32), np.array([z])),
                            alias_of=alias_of))
        names[i] = name
        return name

    def const(base: str, data: np.ndarray) -> str:
        return g.add_const(base, data)

    def new_float(i: int) -> str:
        name = g.fresh_name(_ident(r.name(i)))
        g.add_tensor(Tensor(name, r.shape(i), "float32"))
        names[i] = name
        return name

    for idx in range(sg.InputsLength()):
        i = sg.Inputs(idx)
        try:
            # int32: indices a GATHER takes at run time
            g.inputs.append(new_float(i) if r.dtype(i) == "float32" else new_act(i, plain=("int32",)))
        except NotImplementedError as exc:  # an input of a type the int8 kernels do not take (uint8, int16, ...)
            problems.append((r.name(i), "graph input", str(exc)))
    if problems:
        raise UnsupportedModelError(problems)

    tabulator = UnaryTabulator(bytes(model._tab.Bytes))
    failed: set[int] = set()
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        kind = r.op_name(op)
        ins = [int(v) for v in op.InputsAsNumpy()] if op.InputsLength() else []
        outs = [int(v) for v in op.OutputsAsNumpy()]
        if any(i in failed for i in ins):  # downstream of an operator already reported
            failed.update(outs)
            continue
        try:
            if kind in ("RESHAPE", "SQUEEZE", "EXPAND_DIMS"):
                src = activation(ins[0])
                if _scalar_quant(r, ins[0]) != _scalar_quant(r, outs[0]):
                    raise NotImplementedError("reshape that changes quantization")
                new_act(outs[0], alias_of=src)
                continue
            node_name = r.name(outs[0])
            if kind in INT8_WEIGHTS and len(ins) > 1 and ins[1] >= 0 and r.dtype(ins[1]) != "int8":
                raise NotImplementedError(f"weights {r.name(ins[1])} are {r.dtype(ins[1])}, not int8")
            for pos in INT8_OPERANDS.get(kind, ()):  # an int32 graph input (GATHER's indices) is no activation
                if pos < len(ins) and ins[pos] >= 0 and r.data(ins[pos]) is None and r.dtype(ins[pos]) != "int8":
                    raise NotImplementedError(f"input {pos} ({r.name(ins[pos])}) is {r.dtype(ins[pos])}, not int8")
            if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                _conv(g, r, op, kind, ins, outs, activation, new_act, const, node_name, tflite)
            elif kind == "FULLY_CONNECTED":
                _fully_connected(g, r, op, ins, outs, activation, new_act, const, node_name, tflite, fc_rounding)
            elif kind == "CUMSUM":
                _cumsum(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "ADD_N":
                _add_n(g, r, ins, outs, activation, new_act, node_name)
            elif kind in ("ADD", "SUB"):
                _add(g, r, op, ins, outs, activation, new_act, node_name, tflite, kind)
            elif kind in BINARY_OPS:
                import_binary(kind, g, r, op, ins, outs, activation, new_act, node_name, _options, tflite)
            elif kind in LUT_OPS or (kind == "QUANTIZE" and r.dtype(ins[0]) == "int8"):  # requantisation too
                _lut(g, r, k, ins, outs, activation, new_act, node_name, tabulator)
            elif kind == "MUL":
                _mul(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "MAX_POOL_2D":
                _max_pool(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "AVERAGE_POOL_2D":
                _avg_pool(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "SOFTMAX":
                _softmax(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "TRANSPOSE_CONV":
                import_transpose_conv(g, r, op, ins, outs, activation, new_act, const, node_name, _options, tflite)
            elif kind == "BATCH_MATMUL":
                import_batch_matmul(g, r, op, ins, outs, activation, new_act, node_name, _options, tflite)
            elif kind == "L2_NORMALIZATION":
                _l2_normalization(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "LOG_SOFTMAX":
                _log_softmax(g, r, op, ins, outs, activation, new_act, node_name)
            elif kind in ("QUANTIZE", "DEQUANTIZE"):
                _quantize_boundary(g, r, kind, ins, outs, activation, new_act, new_float, node_name)
            elif kind in ("PAD", "PADV2"):
                _pad(g, r, ins, outs, activation, new_act, node_name)
            elif kind == "CONCATENATION":
                _concatenation(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind == "MEAN":
                _mean(g, r, op, ins, outs, activation, new_act, node_name, tflite)
            elif kind in FOLDED_OPS:
                r.folded[outs[0]] = folded_value(kind, r, ins, outs)
            elif kind == "CAST":
                _cast(g, r, ins, outs, activation, new_float, node_name)
            elif kind in LOGIC_OPS:
                import_logic(kind, g, r, ins, outs, activation, new_act, node_name)
            elif kind == "EMBEDDING_LOOKUP":
                import_embedding_lookup(g, r, ins, outs, activation, new_act, node_name)
            elif kind == "SPACE_TO_BATCH_ND":
                import_space_to_batch(g, r, ins, outs, activation, new_act, node_name)
            elif kind == "DYNAMIC_UPDATE_SLICE":
                import_dynamic_update_slice(g, r, ins, outs, activation, new_act, node_name)
            elif kind in MOVEMENT_OPS:
                import_movement(kind, g, r, op, ins, outs, activation, new_act, node_name, _options, tflite)
            elif kind in REDUCE_OPS:
                import_reduce(kind, g, r, op, ins, outs, activation, new_act, node_name, _options, tflite)
            elif kind == "RESIZE_BILINEAR":
                import_resize_bilinear(g, r, op, ins, outs, activation, new_act, node_name, _options, tflite)
            elif kind in ("SVDF", "UNIDIRECTIONAL_SEQUENCE_LSTM"):
                from .tflite_int8_recurrent import import_lstm, import_svdf  # it imports this module's helpers

                (import_svdf if kind == "SVDF" else import_lstm)(g, r, op, ins, outs, activation, new_act, const,
                                                                 node_name, tflite)
            else:
                raise NotImplementedError("no int8 kernel for this operator")
        except NotImplementedError as exc:
            problems.append((r.name(outs[0]), kind, str(exc)))
            failed.update(outs)
    if problems:
        raise UnsupportedModelError(problems)

    for idx in range(sg.OutputsLength()):
        name = activation(sg.Outputs(idx))
        if g.tensors[name].alias_of is not None or name in g.inputs or g.tensors[name].is_const:
            from ..ir import Node

            t = g.tensors[name]
            copy = g.fresh_name(name + "_out")
            g.add_tensor(Tensor(copy, t.shape, t.dtype, quant=t.quant))
            g.nodes.append(Node("copy", [name], [copy], {}, "output"))
            name = copy
        g.outputs.append(name)
    input_names = [r.name(sg.Inputs(i)) for i in range(sg.InputsLength())]
    g.remove_unused_tensors()
    return g, input_names


def _ident(text: str) -> str:
    import re

    ident = re.sub(r"[^0-9a-zA-Z_]", "_", text)[-40:].strip("_")
    return ident or "t"


def _emit(g: Graph, op: str, inputs: list[str], out: str, attrs: dict, name: str) -> None:
    from ..ir import Node

    g.nodes.append(Node(op, inputs, [out], attrs, name))


def _conv(g, r, op, kind, ins, outs, activation, new_act, const, node_name, tflite):
    depthwise = kind == "DEPTHWISE_CONV_2D"
    o = _options(op, tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions)
    x = activation(ins[0])
    w = r.data(ins[1])
    if w is None or r.dtype(ins[1]) != "int8":
        raise NotImplementedError("weights must be constant int8")
    in_s, in_z = _scalar_quant(r, ins[0])
    w_scales = r.quant(ins[1])[0]
    out_s, out_z = _scalar_quant(r, outs[0])
    n, ih, iw, ic = r.shape(ins[0])
    _, oh, ow, oc = r.shape(outs[0])
    if depthwise:
        _, kh, kw, _ = w.shape  # [1, KH, KW, OC]
    else:
        _, kh, kw, _ = w.shape  # [OC, KH, KW, IC/groups]
    if w_scales.size not in (1, oc):
        raise NotImplementedError("weight scales neither per-tensor nor per-output-channel")
    w_scales = np.broadcast_to(w_scales, (oc,))
    if np.any(r.quant(ins[1])[1] != 0):
        raise NotImplementedError("asymmetric weights")
    sh, sw = o.StrideH(), o.StrideW()
    dh, dw = o.DilationHFactor(), o.DilationWFactor()
    if o.Padding() == 0:  # SAME
        pad_t, pad_l = same_padding(ih, kh, sh, dh, oh), same_padding(iw, kw, sw, dw, ow)
    else:
        pad_t = pad_l = 0
    mults, shifts = per_channel_multipliers(in_s, w_scales, out_s)
    bias = _bias(r, ins, oc)
    check_left_shift(w, bias, shifts, 3 if depthwise else 0)
    lo, hi = activation_range(o.FusedActivationFunction(), out_s, out_z)
    y = new_act(outs[0])
    attrs = dict(strides=[sh, sw], dilation=[dh, dw], pads=[pad_t, pad_l], input_offset=-in_z,
                 output_offset=out_z, act=(lo, hi))
    if depthwise:
        attrs["depth_multiplier"] = oc // ic
    inputs = [x, const("w", w), const("bias", bias), const("mult", np.array(mults, np.int32)),
              const("shift", np.array(shifts, np.int32))]
    _emit(g, "depthwise_conv2d_s8" if depthwise else "conv2d_s8", inputs, y, attrs, node_name)


def _fully_connected(g, r, op, ins, outs, activation, new_act, const, node_name, tflite, rounding):
    o = _options(op, tflite.FullyConnectedOptions)
    x = activation(ins[0])
    w = r.data(ins[1])
    if w is None or r.dtype(ins[1]) != "int8":
        raise NotImplementedError("weights must be constant int8")
    wq = r.quant(ins[1])
    if wq[0].size != 1:
        y = _fully_connected_per_channel(g, r, o, ins, outs, x, w, const, node_name)
        new_act(outs[0], alias_of=y)
        return
    in_s, in_z = _scalar_quant(r, ins[0])
    out_s, out_z = _scalar_quant(r, outs[0])
    if rounding not in ("tflm", "litert"):
        raise ValueError(f"int8 rounding '{rounding}': expected tflm or litert")
    mult, shift = quantize_multiplier(fc_real_multiplier(in_s, float(wq[0][0]), out_s))
    if rounding == "litert" and shift > 30:  # edgec_mbqm_single needs shift <= 30 (as TFLITE_SINGLE_ROUNDING)
        mult, shift = (1 << 31) - 1, 30
    units, depth = w.shape
    bias = _bias(r, ins, units)
    check_left_shift(w, bias, shift, 0)
    lo, hi = activation_range(o.FusedActivationFunction(), out_s, out_z)
    y = new_act(outs[0])
    attrs = dict(input_offset=-in_z, filter_offset=-int(wq[1][0]), output_offset=out_z, multiplier=mult,
                 shift=shift, act=(lo, hi), units=units, depth=depth, single_rounding=rounding == "litert")
    _emit(g, "fully_connected_s8", [x, const("w", w), const("bias", bias)], y, attrs, node_name)


def _fully_connected_per_channel(g, r, o, ins, outs, x, w, const, node_name):
    """A per-channel FULLY_CONNECTED (what recent converters write) is a 1x1 convolution over [N, 1, 1, depth]:
    TFLite Micro's FullyConnectedPerChannel and its conv share the arithmetic and the per-channel multipliers
    (PopulateConvolutionQuantizationParams), so conv2d_s8 runs it, between two views."""
    units, depth = w.shape
    w_scales, w_zero_points = r.quant(ins[1])[0], r.quant(ins[1])[1]
    if w_scales.size != units or np.any(w_zero_points != 0):
        raise NotImplementedError("per-channel weights must be symmetric, one scale per output unit")
    (in_s, in_z), (out_s, out_z) = _scalar_quant(r, ins[0]), _scalar_quant(r, outs[0])
    out_shape = r.shape(outs[0])
    rows = int(np.prod(out_shape[:-1], dtype=np.int64))
    src = g.tensors[x]
    x4 = g.fresh_name(x + "_rows")
    g.add_tensor(Tensor(x4, (rows, 1, 1, depth), "int8", quant=src.quant, alias_of=x))
    y4 = g.fresh_name(_ident(r.name(outs[0])) + "_nhwc")
    quant = QuantParams(np.array([out_s], np.float32), np.array([out_z]))
    g.add_tensor(Tensor(y4, (rows, 1, 1, units), "int8", quant=quant))
    mults, shifts = per_channel_multipliers(in_s, w_scales, out_s)
    bias = _bias(r, ins, units)
    check_left_shift(w, bias, shifts, 0)
    lo, hi = activation_range(o.FusedActivationFunction(), out_s, out_z)
    attrs = dict(strides=[1, 1], dilation=[1, 1], pads=[0, 0], input_offset=-in_z, output_offset=out_z,
                 act=(lo, hi))
    inputs = [x4, const("w", w.reshape(units, 1, 1, depth)), const("bias", bias),
              const("mult", np.array(mults, np.int32)), const("shift", np.array(shifts, np.int32))]
    _emit(g, "conv2d_s8", inputs, y4, attrs, node_name)
    return y4  # the caller makes the TFLite output a view of it


def _add(g, r, op, ins, outs, activation, new_act, node_name, tflite, kind: str = "ADD"):
    """ADD and SUB: both inputs rescaled to twice the larger scale (left_shift 20), summed or subtracted."""
    o = _options(op, tflite.AddOptions if kind == "ADD" else tflite.SubOptions)
    a, b = _binary_inputs(g, r, ins, outs, activation)
    s1, z1 = _scalar_quant(r, ins[0])
    s2, z2 = _scalar_quant(r, ins[1])
    so, zo = _scalar_quant(r, outs[0])
    left_shift = 20
    f32 = np.float32
    twice_max = float(f32(2) * max(f32(s1), f32(s2)))
    if kind == "ADD":  # add_common.cc: 2 * max(scale) is taken in float, the ratios in double
        m1, sh1 = quantize_multiplier(s1 / twice_max)
        m2, sh2 = quantize_multiplier(s2 / twice_max)
        mo, sho = quantize_multiplier(twice_max / float(f32(1 << left_shift) * f32(so)))
    else:  # sub_common.cc: every ratio in float
        m1, sh1 = quantize_multiplier(float(f32(s1) / f32(twice_max)))
        m2, sh2 = quantize_multiplier(float(f32(s2) / f32(twice_max)))
        mo, sho = quantize_multiplier(float(f32(twice_max) / (f32(1 << left_shift) * f32(so))))
    lo, hi = activation_range(o.FusedActivationFunction(), so, zo)
    y = new_act(outs[0])
    attrs = dict(input1_offset=-z1, input2_offset=-z2, output_offset=zo, left_shift=left_shift,
                 input1_multiplier=m1, input1_shift=sh1, input2_multiplier=m2, input2_shift=sh2,
                 output_multiplier=mo, output_shift=sho, act=(lo, hi), kind=kind)
    _emit(g, "add_s8", [a, b], y, attrs, node_name)


def _running_sum_params(r, x: int, out: int) -> dict:
    """add_n.cc and cumsum.cc: each input rescaled by in_scale / (2 * in_scale) after a left shift of 20, the
    sum requantised by 2 * in_scale / (2^20 * out_scale); no fused activation."""
    (s_in, z_in), (s_out, z_out) = _scalar_quant(r, x), _scalar_quant(r, out)
    twice_max = 2 * float(np.float32(s_in))
    in_mult, in_shift = quantize_multiplier(float(np.float32(s_in)) / twice_max)
    out_mult, out_shift = quantize_multiplier(twice_max / ((1 << 20) * float(np.float32(s_out))))
    if in_shift > 0 or out_shift > 0:  # QuantizeMultiplierSmallerThanOneExp takes factors below 1 only
        raise NotImplementedError("an output scale below 2^-19 of the input scale")
    return dict(input_offset=-z_in, output_offset=z_out, left_shift=20, input_multiplier=in_mult,
                input_shift=in_shift, output_multiplier=out_mult, output_shift=out_shift, act=(-128, 127))


def _add_n(g, r, ins, outs, activation, new_act, node_name):
    if len(ins) < 2 or any(r.shape(i) != r.shape(ins[0]) or not _same_quant(r, i, ins[0]) for i in ins):
        raise NotImplementedError("inputs of different shapes or quantisations (TFLite Micro requires one)")
    if r.shape(outs[0]) != r.shape(ins[0]):
        raise NotImplementedError(f"output {list(r.shape(outs[0]))} for inputs {list(r.shape(ins[0]))}")
    names = [activation_or_const(g, r, activation, i, "add_n") for i in ins]
    _emit(g, "add_n_s8", names, new_act(outs[0]), _running_sum_params(r, ins[0], outs[0]), node_name)


def _cumsum(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    from .tflite_int8_movement import _axis, _const_ints

    if r.shape(outs[0]) != r.shape(ins[0]):
        raise NotImplementedError(f"output {list(r.shape(outs[0]))} for an input {list(r.shape(ins[0]))}")
    (axis,) = _const_ints(r, ins[1], "axis").tolist()
    o = _options(op, tflite.CumsumOptions)
    attrs = _running_sum_params(r, ins[0], outs[0])
    attrs.update(axis=_axis(int(axis), len(r.shape(ins[0]))), exclusive=int(o.Exclusive()), reverse=int(o.Reverse()))
    _emit(g, "cumsum_s8", [activation(ins[0])], new_act(outs[0]), attrs, node_name)


def _lut(g, r, op_index, ins, outs, activation, new_act, node_name, tabulator):
    """A one-input int8 operator as the 256-entry table of its reference kernel (see tflite_lut.py)."""
    if r.dtype(ins[0]) != "int8" or r.dtype(outs[0]) != "int8":
        raise NotImplementedError(f"{r.dtype(ins[0])} -> {r.dtype(outs[0])} (only int8 -> int8)")
    for i in (ins[0], outs[0]):
        _scalar_quant(r, i)  # raises unless quantized per tensor
    x = activation(ins[0])
    table = g.add_const("table", tabulator.table(op_index))
    y = new_act(outs[0])
    _emit(g, "lut_s8", [x, table], y, {}, node_name)


def _binary_inputs(g, r, ins, outs, activation) -> tuple[str, str]:
    """The two inputs of ADD or MUL: activations, or int8 constants (a per-channel scale, say) put in flash."""
    out = r.shape(outs[0])
    names = []
    for i in ins[:2]:
        shape = r.shape(i)
        if len(shape) > len(out) or any(d not in (1, o) for d, o in zip(reversed(shape), reversed(out))):
            raise NotImplementedError(f"input shape {list(shape)} does not broadcast to {list(out)}")
        data = r.data(i)
        if data is None:
            names.append(activation(i))
            continue
        if r.dtype(i) != "int8":
            raise NotImplementedError(f"a constant {r.dtype(i)} input")
        name = g.add_const("const", data.reshape(shape))
        scale, zero_point = _scalar_quant(r, i)
        g.tensors[name].quant = QuantParams(np.array([scale], np.float32), np.array([zero_point]))
        names.append(name)
    return names[0], names[1]


def _mul(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    """mul.cc Prepare (int8): one multiplier for input1_scale * input2_scale / output_scale, in double."""
    o = _options(op, tflite.MulOptions)
    a, b = _binary_inputs(g, r, ins, outs, activation)
    (s1, z1), (s2, z2), (so, zo) = (_scalar_quant(r, i) for i in (ins[0], ins[1], outs[0]))
    mult, shift = quantize_multiplier(float(np.float32(s1)) * float(np.float32(s2)) / float(np.float32(so)))
    lo, hi = activation_range(o.FusedActivationFunction(), so, zo)
    y = new_act(outs[0])
    _emit(g, "mul_s8", [a, b], y, dict(input1_offset=-z1, input2_offset=-z2, output_offset=zo,
                                       output_multiplier=mult, output_shift=shift, act=(lo, hi)), node_name)


def _avg_pool(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    o = _options(op, tflite.Pool2DOptions)
    x = activation(ins[0])
    if not _same_quant(r, ins[0], outs[0]):
        raise NotImplementedError("average pool that changes quantization")
    _, ih, iw, _ = r.shape(ins[0])
    _, oh, ow, _ = r.shape(outs[0])
    kh, kw, sh, sw = o.FilterHeight(), o.FilterWidth(), o.StrideH(), o.StrideW()
    if o.Padding() == 0:
        pad_t, pad_l = same_padding(ih, kh, sh, 1, oh), same_padding(iw, kw, sw, 1, ow)
    else:
        pad_t = pad_l = 0
    lo, hi = activation_range(o.FusedActivationFunction(), *_scalar_quant(r, outs[0]))
    y = new_act(outs[0])
    _emit(g, "avg_pool2d_s8", [x], y, dict(kernel=[kh, kw], strides=[sh, sw], pads=[pad_t, pad_l], act=(lo, hi)),
          node_name)


def _max_pool(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    o = _options(op, tflite.Pool2DOptions)
    x = activation(ins[0])
    if not _same_quant(r, ins[0], outs[0]):
        raise NotImplementedError("max pool that changes quantization")
    if o.FusedActivationFunction() != 0:
        raise NotImplementedError("max pool with a fused activation")
    _, ih, iw, _ = r.shape(ins[0])
    _, oh, ow, _ = r.shape(outs[0])
    kh, kw, sh, sw = o.FilterHeight(), o.FilterWidth(), o.StrideH(), o.StrideW()
    pads = [same_padding(ih, kh, sh, 1, oh), same_padding(iw, kw, sw, 1, ow)] if o.Padding() == 0 else [0, 0]
    y = new_act(outs[0])
    _emit(g, "max_pool2d_s8", [x], y, dict(kernel=[kh, kw], strides=[sh, sw], pads=pads), node_name)


def _softmax(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    o = _options(op, tflite.SoftmaxOptions)
    x = activation(ins[0])
    so, zo = _scalar_quant(r, outs[0])
    if zo != -128 or so != 1.0 / 256:
        raise NotImplementedError("int8 softmax output must have scale 1/256 and zero point -128")
    mult, shift, diff_min = preprocess_softmax_scaling(float(np.float32(o.Beta())), _scalar_quant(r, ins[0])[0])
    y = new_act(outs[0])
    _emit(g, "softmax_s8", [x], y, dict(input_multiplier=mult, input_left_shift=shift, diff_min=diff_min), node_name)


def _log_softmax(g, r, op, ins, outs, activation, new_act, node_name):
    """log_softmax.cc Prepare (int8): beta 1, output scale 16/256 and zero point 127, the input scaling and its
    inverse (PreprocessLogSoftmaxScalingExp) from the input scale in double."""
    x = activation(ins[0])
    so, zo = _scalar_quant(r, outs[0])
    if zo != 127 or np.float32(so) != np.float32(16.0 / 256):
        raise NotImplementedError("int8 log-softmax output must have scale 16/256 and zero point 127")
    if r.shape(ins[0]) != r.shape(outs[0]):
        raise NotImplementedError("output shape differs from the input's")
    mult, shift, diff_min = preprocess_softmax_scaling(1.0, float(np.float32(_scalar_quant(r, ins[0])[0])))
    divisor, reverse_shift = quantize_multiplier((1 << (31 - shift)) / float(mult))
    y = new_act(outs[0])
    _emit(g, "log_softmax_s8", [x], y, dict(input_multiplier=mult, input_left_shift=shift, diff_min=diff_min,
                                            reverse_scaling_divisor=divisor, reverse_scaling_shift=reverse_shift),
          node_name)


def _l2_normalization(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    """l2norm.cc (int8): no fused activation; the output is in 1/128 steps around 0 (as converters write it)."""
    o = _options(op, tflite.L2NormOptions)
    if o.FusedActivationFunction() != 0:
        raise NotImplementedError("a fused activation (TFLite Micro takes none)")
    if _scalar_quant(r, outs[0]) != (1.0 / 128, 0):
        raise NotImplementedError("int8 L2 normalisation output must have scale 1/128 and zero point 0")
    shape = r.shape(ins[0])
    if r.shape(outs[0]) != shape or not shape:
        raise NotImplementedError("output shape differs from the input's")
    if shape[-1] * 255 * 255 >= 2**31:
        raise NotImplementedError(f"a depth of {shape[-1]} overflows TFLite's int32 sum of squares")
    x = activation(ins[0])
    y = new_act(outs[0])
    _emit(g, "l2norm_s8", [x], y, dict(input_zero_point=_scalar_quant(r, ins[0])[1]), node_name)


def _quantize_boundary(g, r, kind, ins, outs, activation, new_act, new_float, node_name):
    """QUANTIZE of the float graph input and DEQUANTIZE of the float graph output (reference_ops::AffineQuantize
    and Dequantize): elementwise, so one flat run of the ONNX boundary kernels, with TFLite's rounding."""
    src, dst = ins[0], outs[0]
    if kind == "QUANTIZE":
        if r.dtype(src) != "float32":
            raise NotImplementedError(f"QUANTIZE from {r.dtype(src)} (float32 or int8 -> int8 only)")
        x, (scale, zp) = activation(src), _scalar_quant(r, dst)
        y = new_act(dst)
    else:
        if r.dtype(dst) != "float32" or r.dtype(src) != "int8":
            raise NotImplementedError(f"DEQUANTIZE from {r.dtype(src)} to {r.dtype(dst)} (only int8 -> float32)")
        x, (scale, zp) = activation(src), _scalar_quant(r, src)
        y = new_float(dst)
    attrs = dict(n=1, c=int(np.prod(r.shape(src), dtype=np.int64)), hw=1, nchw_to_nhwc=0, scale=scale,
                 zero_point=zp, round_half_away=1)
    _emit(g, "quantize_s8" if kind == "QUANTIZE" else "dequantize_s8", [x], y, attrs, node_name)


def _cast(g, r, ins, outs, activation, new_float, node_name):
    """CAST to float32 of the stored values (TFLite Micro's cast.cc: a static_cast, no dequantisation)."""
    from ..ops.integer import CAST_FROM

    if r.dtype(outs[0]) != "float32" or r.dtype(ins[0]) not in CAST_FROM:
        raise NotImplementedError(f"CAST from {r.dtype(ins[0])} to {r.dtype(outs[0])} (edgec casts "
                                  f"{', '.join(CAST_FROM)} to float32 here)")
    x = activation(ins[0])
    _emit(g, "cast", [x], new_float(outs[0]), {}, node_name)


def _bias(r, ins, n: int) -> np.ndarray:
    """The int32 bias input of a conv or FC, or zeros where it has none."""
    if len(ins) > 2 and ins[2] >= 0 and r.dtype(ins[2]) != "int32":  # TFLite Micro reads the bytes as int32
        raise NotImplementedError(f"bias {r.name(ins[2])} is {r.dtype(ins[2])}, not int32")
    bias = r.data(ins[2]) if len(ins) > 2 and ins[2] >= 0 else None
    return np.zeros(n, np.int32) if bias is None else bias.astype(np.int32)


def _scalar_quant(r, i: int) -> tuple[float, int]:
    q = r.quant(i)
    if q is None or q[0].size != 1:
        raise NotImplementedError(f"tensor {r.name(i)} is not per-tensor quantized")
    return float(q[0][0]), int(q[1][0])


def _same_quant(r, a: int, b: int) -> bool:
    """Same element type and the same scale and zero point: the int8 values pass through unchanged."""
    return r.dtype(a) == r.dtype(b) and _scalar_quant(r, a) == _scalar_quant(r, b)


def _pad(g, r, ins, outs, activation, new_act, node_name):
    """PAD pads with the zero point (a real 0), PADV2 with its constant_values input."""
    x = activation(ins[0])
    paddings = r.data(ins[1])
    if paddings is None:
        raise NotImplementedError("paddings must be constant")
    if not _same_quant(r, ins[0], outs[0]):
        raise NotImplementedError("pad that changes quantization")
    value = _scalar_quant(r, outs[0])[1]
    if len(ins) > 2 and ins[2] >= 0:
        constant = r.data(ins[2])
        if constant is None or constant.size != 1:
            raise NotImplementedError("constant_values must be one constant")
        value = int(constant.reshape(-1)[0])
    before = [int(p) for p in np.asarray(paddings).reshape(-1, 2)[:, 0]]
    if min(int(v) for v in np.asarray(paddings).reshape(-1)) < 0:
        raise NotImplementedError("negative paddings")
    y = new_act(outs[0])
    _emit(g, "pad", [x], y, dict(mode="constant", before=before, value=float(value)), node_name)


def _concatenation(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    """Same quantisation on every input and the output (TFLite Micro requires it): a plain copy per input."""
    o = _options(op, tflite.ConcatenationOptions)
    if o.FusedActivationFunction() != 0:
        raise NotImplementedError("concatenation with a fused activation")
    if not all(_same_quant(r, i, outs[0]) for i in ins):
        raise NotImplementedError("inputs typed or quantized differently from the output")
    xs = [activation(i) for i in ins]
    rank = len(r.shape(outs[0]))
    y = new_act(outs[0])
    _emit(g, "concat", xs, y, dict(axis=o.Axis() % rank), node_name)


def _mean(g, r, op, ins, outs, activation, new_act, node_name, tflite):
    """MEAN as TFLite Micro computes it (reference_ops::QuantizedMeanOrSum): the multiplier of
    input_scale / output_scale takes in 1 / count, with its shift clamped as there."""
    axes = reduced_axes("MEAN", r, op, ins, outs, _options, tflite)  # in range, and the output's shape theirs
    x = activation(ins[0])
    in_shape = r.shape(ins[0])
    (s_in, z_in), (s_out, z_out) = _scalar_quant(r, ins[0]), _scalar_quant(r, outs[0])
    mult, shift = quantize_multiplier(float(np.float64(np.float32(s_in)) / np.float64(np.float32(s_out))))
    count = int(np.prod([in_shape[a] for a in axes], dtype=np.int64))
    fold = min(count.bit_length() - 1, 32, 31 + shift)
    mult, shift = (mult << fold) // count, shift - fold
    y = new_act(outs[0])
    _emit(g, "mean_s8", [x], y, dict(axes=axes, multiplier=mult, shift=shift, input_zero_point=z_in,
                                     output_zero_point=z_out), node_name)
