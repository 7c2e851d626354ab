"""Validate a TFLite flatbuffer before any reader touches it.

The Python flatbuffers runtime has no verifier (only C++ has one), and the readers (tflite.py, tflite_int8.py,
tflite_hybrid.py, TVM's importer) index buffers, tensors and operator codes straight from the file. A truncated
or crafted file would end in an IndexError deep inside them, or worse, compile into wrong code. So every index,
length, shape, dtype and quantization parameter the readers use is checked here, once, and each failure names
the tensor, operator or field and the reason (ModelLoadError for a damaged file, UnsupportedModelError for a
well-formed model edgec cannot take).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelLoadError, UnsupportedModelError

# TensorType code -> (name, bytes per element); None: no fixed size (strings, resources, sub-byte types)
TENSOR_TYPES = {
    0: ("float32", 4), 1: ("float16", 2), 2: ("int32", 4), 3: ("uint8", 1), 4: ("int64", 8), 5: ("string", None),
    6: ("bool", 1), 7: ("int16", 2), 8: ("complex64", 8), 9: ("int8", 1), 10: ("float64", 8),
    11: ("complex128", 16), 12: ("uint64", 8), 13: ("resource", None), 14: ("variant", None), 15: ("uint32", 4),
    16: ("uint16", 2), 17: ("int4", None), 18: ("bfloat16", 2),
}
# Types edgec has kernels or constants for: anything else an operator reads or writes is refused by name
COMPUTED_TYPES = {0, 1, 2, 3, 4, 6, 7, 9}
# Zero point ranges of the quantized types (TFLite Micro's Prepare functions check the same)
ZERO_POINT_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "int32": (-2**31, 2**31 - 1),
                    "int4": (-8, 7)}
# Scales outside this range are not a calibration result but damage: a denormal or a 1e29 scale makes every
# requantisation multiplier overflow or vanish (TFLite Micro refuses such files in its Prepare functions).
SCALE_RANGE = (1e-30, 1e10)
# Operators whose options edgec's readers parse: the options table type they must carry (tflite.BuiltinOptions),
# and whether it may be absent (defaults apply)
OPTIONS = {
    "CONV_2D": (1, False), "DEPTHWISE_CONV_2D": (2, False), "AVERAGE_POOL_2D": (5, False), "MAX_POOL_2D": (5, False),
    "FULLY_CONNECTED": (8, True), "SOFTMAX": (9, True), "CONCATENATION": (10, False), "ADD": (11, True),
    "MUL": (21, True), "MEAN": (27, True), "SUB": (28, True), "STRIDED_SLICE": (32, True), "SPLIT": (35, True),
    "SPLIT_V": (79, True), "PACK": (59, True), "UNPACK": (64, True), "GATHER": (23, True),
    "DEPTH_TO_SPACE": (94, False), "SPACE_TO_DEPTH": (19, False), "MIRROR_PAD": (77, True),
    "RESIZE_NEAREST_NEIGHBOR": (74, True), "RESIZE_BILINEAR": (15, True), "SUM": (27, True),
    "REDUCE_MAX": (27, True), "REDUCE_MIN": (27, True), "ARG_MAX": (40, True), "ARG_MIN": (57, True),
    "L2_NORMALIZATION": (12, True), "DIV": (29, True), "BATCH_MATMUL": (101, True), "TRANSPOSE_CONV": (49, False),
    "CALL_ONCE": (103, False), "VAR_HANDLE": (111, True), "IF": (92, False), "WHILE": (93, False),
}
# Operators of two inputs whose output is their NumPy broadcast
BROADCAST_OPS = {"ADD", "SUB", "MUL", "DIV", "PRELU", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "EQUAL",
                 "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"}
# Operators whose output holds as many elements as their first input (the kernels run over one of the two)
SAME_SIZE_OPS = {"RESHAPE", "SQUEEZE", "EXPAND_DIMS", "QUANTIZE", "DEQUANTIZE", "LOGISTIC", "TANH", "RELU", "RELU6",
                 "RELU_N1_TO_1", "RELU_0_TO_1", "HARD_SWISH", "LEAKY_RELU", "GELU", "ELU", "EXP", "LOG", "SQRT",
                 "RSQRT", "ABS", "NEG", "SOFTMAX", "LOG_SOFTMAX", "PRELU", "TRANSPOSE",
                 "DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "L2_NORMALIZATION", "DYNAMIC_UPDATE_SLICE"}
# Operators whose outputs are float32 when their first input is (float and hybrid kernels; CAST, QUANTIZE, the
# comparisons, ARG_MAX ... are not among them)
FLOAT_KEEPING_OPS = (SAME_SIZE_OPS - {"QUANTIZE", "DEQUANTIZE"}) | (BROADCAST_OPS - {
    "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"}) | {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "PAD",
    "PADV2", "MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "UNIDIRECTIONAL_SEQUENCE_LSTM", "SVDF", "BATCH_MATMUL",
    "TRANSPOSE_CONV", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "SLICE", "STRIDED_SLICE", "SPLIT_V", "TILE",
    "MIRROR_PAD", "REVERSE_V2", "BROADCAST_TO", "CUMSUM"}
# Reductions over constant axes (input 1), with ReducerOptions' keep_dims
REDUCE_KINDS = {"MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "REDUCE_ANY", "REDUCE_ALL"}
# Inputs an operator needs (-1 is allowed only after them): weights, the second operand, paddings, axes
MIN_INPUTS = {"CONV_2D": 2, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 2, "ADD": 2, "SUB": 2, "MUL": 2, "DIV": 2,
              "PAD": 2, "PADV2": 2, "MEAN": 2, "RESHAPE": 1, "TRANSPOSE": 2, "SLICE": 3, "STRIDED_SLICE": 4,
              "SPLIT": 2, "SPLIT_V": 3, "GATHER": 2, "MIRROR_PAD": 2, "RESIZE_NEAREST_NEIGHBOR": 2,
              "RESIZE_BILINEAR": 2, "SUM": 2, "REDUCE_MAX": 2, "REDUCE_MIN": 2, "ARG_MAX": 2, "ARG_MIN": 2,
              "EXPAND_DIMS": 2, "BATCH_MATMUL": 2, "TRANSPOSE_CONV": 3, "REVERSE_V2": 2,
              "BATCH_TO_SPACE_ND": 3, "BROADCAST_TO": 2, "DYNAMIC_UPDATE_SLICE": 3,
              "READ_VARIABLE": 1, "ASSIGN_VARIABLE": 2}
# Resource variable operators (tflite_variables.py): the ones that take no input or write no output, and the
# operators that may read or write a resource (a variable's handle)
NO_INPUT_OPS = {"VAR_HANDLE", "CALL_ONCE"}
NO_OUTPUT_OPS = {"ASSIGN_VARIABLE", "CALL_ONCE"}
RESOURCE_OPS = {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE"}
ACTIVATIONS = range(0, 6)  # NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT
PADDINGS = (0, 1)  # SAME, VALID


class _Problems:
    def __init__(self):
        self.damaged: list[str] = []  # the file contradicts itself: ModelLoadError
        self.unsupported: list[tuple[str, str, str]] = []  # (tensor or node, kind, reason): UnsupportedModelError

    def raise_if_any(self, path) -> None:
        if self.damaged:
            shown = self.damaged[:20] + ([f"... and {len(self.damaged) - 20} more"] if len(self.damaged) > 20 else [])
            raise ModelLoadError(f"{path}: the TFLite file is damaged or malformed:\n" +
                                 "\n".join(f"  - {p}" for p in shown))
        if self.unsupported:
            raise UnsupportedModelError(self.unsupported)


def tensor_name(tensor, index: int) -> str:
    """The tensor's name, or '#<index>' where the file gives none or one that is not UTF-8."""
    raw = tensor.Name()
    if raw is None:
        return f"#{index}"
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"#{index}"


def _label(sg, i: int) -> str:
    name = tensor_name(sg.Tensors(i), i)
    return f"tensor {i}" if name == f"#{i}" else f"tensor {i} '{name}'"


def _has_data(model, tensor, n_buffers: int) -> bool:
    b = tensor.Buffer()
    return 0 <= b < n_buffers and (model.Buffers(b).DataLength() > 0 or model.Buffers(b).Offset() > 1)


def _shape(tensor) -> list[int]:
    return [int(d) for d in tensor.ShapeAsNumpy()] if tensor.ShapeLength() else []


def check_tflite(model, path, file_size: int) -> None:
    """Raise ModelLoadError / UnsupportedModelError unless every index, size and value the readers use holds."""
    from ai_edge_litert import schema_py_generated as schema

    p = _Problems()
    try:  # the closest Python has to a flatbuffer verifier: decode every table and vector of the file once
        schema.ModelT.InitFromPackedBuf(model._tab.Bytes, 0)
    except Exception as exc:  # struct.error, IndexError, UnicodeDecodeError, ... on an offset that leads outside
        p.damaged.append(f"a table or vector lies outside the file or cannot be decoded "
                         f"({exc.__class__.__name__}: {str(exc)[:200]})")
        p.raise_if_any(path)
    try:
        _check(model, file_size, p)
    except Exception as exc:  # IndexError, struct.error, TypeError, ... from the flatbuffers runtime
        # an offset inside the flatbuffer points outside it: the flatbuffers runtime reads past the end
        p.damaged.append(f"a table or vector lies outside the file ({exc.__class__.__name__}: {exc})")
    p.raise_if_any(path)


def _check(model, file_size: int, p: _Problems) -> None:
    from .tflite import op_name

    if model.SubgraphsLength() < 1:
        p.damaged.append("the model has no subgraph")
        return
    n_buffers, n_codes = model.BuffersLength(), model.OperatorCodesLength()
    for b in range(n_buffers):
        buf = model.Buffers(b)
        if buf.Offset() > 1 and buf.Offset() + buf.Size() > file_size:
            p.damaged.append(f"buffer {b}: offset {buf.Offset()} + size {buf.Size()} lies past the end of the file "
                             f"({file_size} bytes)")
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        where = "" if s == 0 else f"subgraph {s}: "
        n_tensors = sg.TensorsLength()
        shapes: list[list[int] | None] = []
        for t in range(n_tensors):
            shapes.append(_check_tensor(model, sg.Tensors(t), t, n_buffers, where, p))
        for field, count, get in (("input", sg.InputsLength(), sg.Inputs), ("output", sg.OutputsLength(), sg.Outputs)):
            for k in range(count):
                i = get(k)
                if not 0 <= i < n_tensors:
                    p.damaged.append(f"{where}graph {field} {k} is tensor {i}, but the subgraph has {n_tensors} tensors")
        if s == 0 and sg.OutputsLength() == 0:
            p.damaged.append("the model has no outputs")
        if s == 0 and sg.InputsLength() == 0:
            p.unsupported.append(("(graph)", "inputs", "the model has no inputs (its outputs are constants); "
                                                        "edgec compiles models with at least one input"))
        known = {int(i) for i in (sg.InputsAsNumpy() if sg.InputsLength() else []) if 0 <= i < n_tensors}
        produced = set(known)  # graph inputs and operator outputs: what a graph output may be
        known |= {t for t in range(n_tensors) if _has_data(model, sg.Tensors(t), n_buffers)}
        known |= {t for t in range(n_tensors) if sg.Tensors(t).IsVariable()}  # state (an LSTM's): zero at first
        integer = set()  # int8 / int16 tensors operators read or write: their kernels need a scale for each
        integer_model = False  # some operator computes int8 / int16: the int8 importer takes the model
        for k in range(sg.OperatorsLength()):
            op = sg.Operators(k)
            if not 0 <= op.OpcodeIndex() < n_codes:
                p.damaged.append(f"{where}operator {k}: opcode index {op.OpcodeIndex()} is out of range "
                                 f"(the model has {n_codes} operator codes)")
                continue
            ins = [int(v) for v in op.InputsAsNumpy()] if op.InputsLength() else []
            outs = [int(v) for v in op.OutputsAsNumpy()] if op.OutputsLength() else []
            bad = [f"input {j} is tensor {i}" for j, i in enumerate(ins) if not -1 <= i < n_tensors]
            bad += [f"output {j} is tensor {i}" for j, i in enumerate(outs) if not 0 <= i < n_tensors]
            kind = op_name(model, op)
            label = f"{where}operator {k} ({kind})"
            if bad:
                p.damaged.append(f"{label}: {', '.join(bad)}, but the subgraph has {n_tensors} tensors "
                                 "(-1 only for an optional input)")
                continue
            if not outs and kind not in NO_OUTPUT_OPS:
                p.damaged.append(f"{label}: no outputs")
                continue
            # optional inputs (-1) come after the required ones: a bias, PADV2's value, RESHAPE's shape tensor
            required = MIN_INPUTS.get(kind, min(len(ins), 2))
            missing = [j for j in range(required) if j >= len(ins) or ins[j] < 0]
            if (not ins and kind not in NO_INPUT_OPS) or missing:
                p.damaged.append(f"{label}: input {missing[0] if missing else 0} is missing (-1), but it is required")
                continue
            for j, i in enumerate(ins):
                if i >= 0 and i not in known and s == 0:
                    p.damaged.append(f"{label}: input {j} ({_label(sg, i)}) is neither a graph input, a constant nor "
                                     "the output of an earlier operator")
            known.update(outs)
            produced.update(outs)
            integer.update(i for i in ins + outs if i >= 0 and sg.Tensors(i).Type() in (7, 9))
            integer_model |= any(sg.Tensors(i).Type() in (7, 9) for i in outs)
            for i in ins + outs:
                if kind in RESOURCE_OPS and i >= 0 and sg.Tensors(i).Type() == 13:  # the variable's handle
                    continue
                if i >= 0 and s == 0 and sg.Tensors(i).Type() not in COMPUTED_TYPES and sg.Tensors(i).Type() in TENSOR_TYPES:
                    p.unsupported.append((tensor_name(sg.Tensors(i), i), kind,
                                          f"tensor type {TENSOR_TYPES[sg.Tensors(i).Type()][0]} is not supported"))
                elif i >= 0 and s == 0 and sg.Tensors(i).Type() == 1 and not _has_data(model, sg.Tensors(i), n_buffers):
                    # float16 weights (the converter's float16 quantization) are dequantized at compile time
                    p.unsupported.append((tensor_name(sg.Tensors(i), i), kind, "float16 activations are not supported "
                                          "(float16 weights, which DEQUANTIZE reads, are)"))
            if kind in OPTIONS:
                _check_options(op, kind, label, p)
            if kind in FLOAT_KEEPING_OPS and ins and 0 <= ins[0] < n_tensors and sg.Tensors(ins[0]).Type() == 0:
                for i in outs:
                    if 0 <= i < n_tensors and sg.Tensors(i).Type() != 0:
                        p.damaged.append(f"{label}: input {_label(sg, ins[0])} is float32, but output {_label(sg, i)} is "
                                         f"{TENSOR_TYPES.get(sg.Tensors(i).Type(), ('type ' + str(sg.Tensors(i).Type()),))[0]}")
            if s == 0 and kind not in NO_INPUT_OPS | RESOURCE_OPS:  # tflite_variables.py checks those
                _check_operator_shapes(model, kind, op, ins, outs, shapes, sg, label, p)
                if all(shapes[i] is not None for i in ins + outs if i >= 0):
                    _check_int8_parameters(model, kind, op, ins, outs, label, p)
        if s == 0 and integer_model:
            for i in sorted(integer):
                q = sg.Tensors(i).Quantization()
                if q is None or q.ScaleLength() == 0:
                    p.damaged.append(f"{_label(sg, i)}: an {TENSOR_TYPES[sg.Tensors(i).Type()][0]} tensor of an "
                                     "integer model without quantization parameters (its kernels need a scale and "
                                     "zero point)")
        if s == 0:
            for k in range(sg.OutputsLength()):
                i = sg.Outputs(k)
                if 0 <= i < n_tensors and i not in produced:
                    p.damaged.append(f"graph output {k} ({_label(sg, i)}) is neither a graph input nor computed by "
                                     "an operator")


def _check_tensor(model, tensor, t: int, n_buffers: int, where: str, p: _Problems) -> list[int] | None:
    raw = tensor.Name()
    name = tensor_name(tensor, t)
    label = f"{where}tensor {t} '{name}'" if raw is not None and name != f"#{t}" else f"{where}tensor {t}"
    if raw is not None and name == f"#{t}":
        p.damaged.append(f"{label}: its name is not UTF-8 ({bytes(raw[:40])!r})")
    ok = True
    if tensor.Type() not in TENSOR_TYPES:
        p.damaged.append(f"{label}: unknown tensor type {tensor.Type()}")
        ok = False
    dtype, itemsize = TENSOR_TYPES.get(tensor.Type(), ("?", None))
    shape = _shape(tensor)
    bad_dims = [d for d in shape if d <= 0]
    if bad_dims:
        p.damaged.append(f"{label}: shape {shape} has a {'zero' if 0 in bad_dims else 'negative'} dimension "
                         "(dimensions must be positive; a dynamic dimension is 1 in shape and -1 in shape_signature)")
        ok = False
    if tensor.ShapeSignatureLength():
        sig = [int(d) for d in tensor.ShapeSignatureAsNumpy()]
        if len(sig) != len(shape) or any(sd != d and not (sd == -1 and k == 0) for k, (sd, d) in enumerate(zip(sig, shape))):
            p.unsupported.append((name, "shape_signature", f"shape_signature {sig} does not match shape {shape}; "
                                                             "edgec compiles static shapes (a dynamic batch only)"))
    if not 0 <= tensor.Buffer() < n_buffers:
        p.damaged.append(f"{label}: buffer index {tensor.Buffer()} is out of range (the model has {n_buffers} buffers)")
        return None
    buf = model.Buffers(tensor.Buffer())
    length = buf.DataLength() if buf.Offset() <= 1 else buf.Size()
    if ok and length and itemsize is not None:
        want = int(np.prod(shape, dtype=np.int64)) * itemsize
        if length != want:
            p.damaged.append(f"{label}: its buffer {tensor.Buffer()} holds {length} bytes, but a {dtype} tensor of shape "
                             f"{shape} needs {want}")
            ok = False
    _check_quantization(tensor, label, dtype, shape, p)
    return shape if ok else None


def _check_quantization(tensor, label: str, dtype: str, shape: list[int], p: _Problems) -> None:
    q = tensor.Quantization()
    if q is None or q.ScaleLength() == 0:
        return
    scales = q.ScaleAsNumpy().astype(np.float64)
    bad = [float(s) for s in scales if not (math.isfinite(s) and SCALE_RANGE[0] <= s <= SCALE_RANGE[1])]
    if bad:
        p.damaged.append(f"{label}: quantization scale {bad[0]:g} is {'not finite' if not math.isfinite(bad[0]) else 'out of range'}"
                         f" (scales must be finite and between {SCALE_RANGE[0]:g} and {SCALE_RANGE[1]:g})")
    n_zp = q.ZeroPointLength()
    if n_zp not in (0, scales.size):
        p.damaged.append(f"{label}: {scales.size} quantization scales but {n_zp} zero points")
    elif n_zp and dtype in ZERO_POINT_RANGE:
        lo, hi = ZERO_POINT_RANGE[dtype]
        zps = [int(z) for z in q.ZeroPointAsNumpy()]
        out = [z for z in zps if not lo <= z <= hi]
        if out:
            p.damaged.append(f"{label}: zero point {out[0]} is outside the {dtype} range [{lo}, {hi}]")
    if scales.size > 1:
        axis = q.QuantizedDimension()
        if not 0 <= axis < len(shape):
            p.damaged.append(f"{label}: quantized_dimension {axis} is not an axis of shape {shape}")
        elif shape[axis] != scales.size:
            p.damaged.append(f"{label}: {scales.size} per-channel scales for dimension {axis} of size {shape[axis]}")


def _check_options(op, kind: str, label: str, p: _Problems) -> None:
    import tflite

    want, optional = OPTIONS[kind]
    got = op.BuiltinOptionsType()
    if got == 0 and optional:
        return
    if got != want or op.BuiltinOptions() is None:
        p.damaged.append(f"{label}: builtin options of type {got}, expected type {want}")
        return
    table = op.BuiltinOptions()
    cls = {1: tflite.Conv2DOptions, 2: tflite.DepthwiseConv2DOptions, 5: tflite.Pool2DOptions}.get(want)
    if cls is not None:
        o = cls()
        o.Init(table.Bytes, table.Pos)
        fields = {"stride_h": o.StrideH(), "stride_w": o.StrideW()}
        if want == 5:
            fields.update(filter_height=o.FilterHeight(), filter_width=o.FilterWidth())
        else:
            fields.update(dilation_h=o.DilationHFactor(), dilation_w=o.DilationWFactor())
        for field, value in fields.items():
            if value <= 0:
                p.damaged.append(f"{label}: {field} is {value} (must be positive)")
            elif value > INT16_MAX and want != 5:  # PoolParams keeps its strides and sizes in int
                p.damaged.append(f"{label}: {field} is {value}: {OVER_INT16}")
        if o.Padding() not in PADDINGS:
            p.damaged.append(f"{label}: unknown padding {o.Padding()}")
        if want == 2 and o.DepthMultiplier() < 0:
            p.damaged.append(f"{label}: depth_multiplier is {o.DepthMultiplier()}")
        elif want == 2 and o.DepthMultiplier() > INT16_MAX:
            p.damaged.append(f"{label}: depth_multiplier is {o.DepthMultiplier()}: {OVER_INT16}")
    if want == 9:
        o = tflite.SoftmaxOptions()
        o.Init(table.Bytes, table.Pos)
        if not math.isfinite(o.Beta()):
            p.damaged.append(f"{label}: beta is {o.Beta()} (must be finite)")
    if want in (94, 19):
        o = (tflite.DepthToSpaceOptions if want == 94 else tflite.SpaceToDepthOptions)()
        o.Init(table.Bytes, table.Pos)
        if o.BlockSize() < 1:
            p.damaged.append(f"{label}: block_size is {o.BlockSize()} (must be positive)")
    if want == 77:
        o = tflite.MirrorPadOptions()
        o.Init(table.Bytes, table.Pos)
        if o.Mode() not in (0, 1):
            p.damaged.append(f"{label}: unknown mirror pad mode {o.Mode()}")
    if want in (28, 29):
        o = (tflite.SubOptions if want == 28 else tflite.DivOptions)()
        o.Init(table.Bytes, table.Pos)
        if o.FusedActivationFunction() not in ACTIVATIONS:
            p.damaged.append(f"{label}: unknown fused activation {o.FusedActivationFunction()}")
    if want in (1, 2, 5, 8, 10, 11, 21):
        cls = {1: tflite.Conv2DOptions, 2: tflite.DepthwiseConv2DOptions, 5: tflite.Pool2DOptions,
               8: tflite.FullyConnectedOptions, 10: tflite.ConcatenationOptions, 11: tflite.AddOptions,
               21: tflite.MulOptions}[want]
        o = cls()
        o.Init(table.Bytes, table.Pos)
        if o.FusedActivationFunction() not in ACTIVATIONS:
            p.damaged.append(f"{label}: unknown fused activation {o.FusedActivationFunction()}")


def _constant(model, sg, i: int):
    """The data of a constant int32 / int64 tensor (pads, axes), or None for an activation or another type."""
    t = sg.Tensors(i)
    buf = model.Buffers(t.Buffer())
    dtype = {2: np.int32, 4: np.int64}.get(t.Type())
    if dtype is None or buf.DataLength() == 0 or buf.DataLength() % np.dtype(dtype).itemsize:
        return None
    return np.frombuffer(buf.DataAsNumpy().tobytes(), dtype)


def _conv_out(size: int, filt: int, stride: int, dilation: int, padding: int) -> int:
    eff = (filt - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == 0 else (size - eff + stride) // stride


# TFLite's kernels keep strides, dilations, a depthwise conv's depth multiplier and the padding they derive in
# int16_t (ConvParams, DepthwiseParams, PaddingValues): a larger value wraps there, and no two builds agree.
INT16_MAX = 32767
OVER_INT16 = f"TFLite's kernels hold it in 16 bits (at most {INT16_MAX})"


def _paddings_over_int16(x, y, kernel, strides, dilations, padding: int) -> list[str]:
    """The SAME paddings TFLite derives (ComputePaddingWithOffset) for input x and output y (NHWC) that exceed
    int16, one reason per axis."""
    if padding != 0:  # VALID: none
        return []
    reasons = []
    for axis, size, out, filt, stride, dilation in zip(("height", "width"), x[1:3], y[1:3], kernel, strides, dilations):
        pad = max(0, (out - 1) * stride + (filt - 1) * dilation + 1 - size) // 2
        if pad > INT16_MAX:
            reasons.append(f"SAME padding of {pad} along the {axis}: {OVER_INT16}")
    return reasons


def _check_operator_shapes(model, kind, op, ins, outs, shapes, sg, label, p: _Problems) -> None:
    """The shapes the int8 kernels take from the file: the output of a conv, depthwise conv, pool or fully
    connected must be what its input, weights and options give (the kernels trust them)."""
    import tflite

    def shape(i):
        return shapes[i] if i >= 0 else None

    def complain(reason):
        p.damaged.append(f"{label}: {reason}")

    if kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D", "FULLY_CONNECTED") and \
            (not ins or ins[0] < 0 or (kind not in ("AVERAGE_POOL_2D", "MAX_POOL_2D") and (len(ins) < 2 or ins[1] < 0))):
        complain("a required input is missing")
        return
    # the conv, pool and concatenation checks read the operator's options; the others need none
    if op.BuiltinOptions() is None and kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D",
                                                "CONCATENATION"):
        return
    x, y = shape(ins[0]) if ins else None, shape(outs[0])
    if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        w = shape(ins[1])
        if x is None or y is None or w is None:
            return
        if len(x) != 4 or len(w) != 4 or len(y) != 4:
            complain(f"input {x}, weights {w} and output {y} must all be 4-D")
            return
        table = op.BuiltinOptions()
        o = (tflite.DepthwiseConv2DOptions if kind == "DEPTHWISE_CONV_2D" else tflite.Conv2DOptions)()
        o.Init(table.Bytes, table.Pos)
        if min(o.StrideH(), o.StrideW(), o.DilationHFactor(), o.DilationWFactor()) <= 0 or o.Padding() not in PADDINGS:
            return
        if kind == "CONV_2D":
            oc, kh, kw, wc = w
            if x[3] % wc:
                complain(f"weights {w} take {wc} input channels, which does not divide the input's {x[3]}")
        else:
            _, kh, kw, oc = w
            if oc % x[3]:
                complain(f"weights {w} give {oc} channels, not a multiple of the input's {x[3]}")
            elif o.DepthMultiplier() not in (0, oc // x[3]):  # TFLite Micro loops by it: out of bounds
                complain(f"depth_multiplier {o.DepthMultiplier()}, but weights {w} on {x[3]} input channels give "
                         f"{oc // x[3]}")
        want = [x[0], _conv_out(x[1], kh, o.StrideH(), o.DilationHFactor(), o.Padding()),
                _conv_out(x[2], kw, o.StrideW(), o.DilationWFactor(), o.Padding()), oc]
        if y != want:
            complain(f"output shape {y}, but input {x}, weights {w} and the options give {want}")
        for reason in _paddings_over_int16(x, want, (kh, kw), (o.StrideH(), o.StrideW()),
                                           (o.DilationHFactor(), o.DilationWFactor()), o.Padding()):
            complain(reason)
        bias = shape(ins[2]) if len(ins) > 2 else None
        if bias is not None and int(np.prod(bias)) != oc:
            complain(f"bias of shape {bias} for {oc} output channels")
    elif kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        if x is None or y is None:
            return
        if len(x) != 4 or len(y) != 4:
            complain(f"input {x} and output {y} must be 4-D")
            return
        table = op.BuiltinOptions()
        o = tflite.Pool2DOptions()
        o.Init(table.Bytes, table.Pos)
        if min(o.StrideH(), o.StrideW(), o.FilterHeight(), o.FilterWidth()) <= 0 or o.Padding() not in PADDINGS:
            return
        want = [x[0], _conv_out(x[1], o.FilterHeight(), o.StrideH(), 1, o.Padding()),
                _conv_out(x[2], o.FilterWidth(), o.StrideW(), 1, o.Padding()), x[3]]
        if y != want:
            complain(f"output shape {y}, but input {x} and the options give {want}")
        for reason in _paddings_over_int16(x, want, (o.FilterHeight(), o.FilterWidth()), (o.StrideH(), o.StrideW()),
                                           (1, 1), o.Padding()):
            complain(reason)
    elif kind in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR") and x is not None and y is not None and \
            len(ins) > 1 and ins[1] >= 0:
        size = _constant(model, sg, ins[1])
        if size is not None and size.size == 2 and len(x) == 4:
            want = [x[0], int(size.reshape(-1)[0]), int(size.reshape(-1)[1]), x[3]]
            if y != want:
                complain(f"output shape {y}, but input {x} resized to {want[1:3]} gives {want}")
    elif kind in REDUCE_KINDS and x is not None and y is not None and len(ins) > 1 and ins[1] >= 0:
        axes = _constant(model, sg, ins[1])
        if axes is None or not all(-len(x) <= int(a) < len(x) for a in axes.reshape(-1)):
            return  # run-time axes, or out of range: the importers refuse those naming the node
        reduced = {int(a) % len(x) for a in axes.reshape(-1)}
        keep = False
        if op.BuiltinOptions() is not None:
            o = tflite.ReducerOptions()
            o.Init(op.BuiltinOptions().Bytes, op.BuiltinOptions().Pos)
            keep = bool(o.KeepDims())
        want = [1 if k in reduced else d for k, d in enumerate(x) if keep or k not in reduced]
        if y != want:
            complain(f"output shape {y}, but input {x} reduced over axes {sorted(reduced)} gives {want}")
    elif kind in SAME_SIZE_OPS:
        if x is not None and y is not None and int(np.prod(x, dtype=np.int64)) != int(np.prod(y, dtype=np.int64)):
            complain(f"input {x} and output {y} hold different numbers of elements")
    elif kind in ("PAD", "PADV2") and x is not None and y is not None and len(ins) > 1 and ins[1] >= 0:
        pads = _constant(model, sg, ins[1])
        if pads is not None and pads.size == 2 * len(x):
            want = [d + int(a) + int(b) for d, (a, b) in zip(x, pads.reshape(-1, 2))]
            if y != want:
                complain(f"output shape {y}, but input {x} and paddings {pads.reshape(-1, 2).tolist()} give {want}")
        elif pads is not None:
            complain(f"{pads.size} padding values for an input of rank {len(x)}")
    elif kind == "CONCATENATION" and y is not None and all(i >= 0 and shapes[i] is not None for i in ins):
        xs = [shapes[i] for i in ins]
        table = op.BuiltinOptions()
        o = tflite.ConcatenationOptions()
        o.Init(table.Bytes, table.Pos)
        if not -len(y) <= o.Axis() < len(y):
            complain(f"axis {o.Axis()} for an output of rank {len(y)}")
            return
        axis = o.Axis() % len(y)
        if any(len(s) != len(y) or any(a != b for k, (a, b) in enumerate(zip(s, y)) if k != axis) for s in xs) or \
                sum(s[axis] for s in xs) != y[axis]:
            complain(f"inputs {xs} do not concatenate to {y} along axis {axis}")
    elif kind == "FULLY_CONNECTED":
        w = shape(ins[1])
        if x is None or y is None or w is None:
            return
        if len(w) != 2:
            complain(f"weights of shape {w} (must be 2-D: [units, depth])")
            return
        units, depth = w
        size = int(np.prod(x, dtype=np.int64))
        if size % depth:
            complain(f"input {x} of {size} elements is not a whole number of rows of depth {depth}")
        elif int(np.prod(y, dtype=np.int64)) != size // depth * units or not y or y[-1] != units:
            complain(f"output shape {y}, but input {x} and weights {w} give {size // depth} rows of {units}")
        bias = shape(ins[2]) if len(ins) > 2 else None
        if bias is not None and int(np.prod(bias)) != units:
            complain(f"bias of shape {bias} for {units} units")


def _check_int8_parameters(model, kind, op, ins, outs, label, p: _Problems) -> None:
    """The output shapes of the int8 operators whose shapes follow from constant parameters (axes, perms, begins,
    sizes, block sizes, paddings), checked with the int8 importer's own functions: a contradiction is damage,
    named with the operator. Broadcasting operators of any dtype: the output must be the inputs' broadcast."""
    from .tflite_int8 import _options, _Reader
    from .tflite_int8_movement import MOVEMENT_OPS, BadParameters, gather_runtime_axis, index_maps, pack_axis
    from .tflite_int8_reduce import REDUCE_OPS, reduced_axes
    from .tflite_int8_matmul import batch_matmul_layout
    from .tflite_int8_resize import bilinear_table
    from .tflite_int8_transpose_conv import transpose_conv_geometry

    r = _Reader(model)
    # any dtype: the float importer too takes a broadcasting operator's output shape from the file
    if kind in BROADCAST_OPS and len(ins) >= 2 and min(ins[:2]) >= 0:
        a, b, y = r.shape(ins[0]), r.shape(ins[1]), r.shape(outs[0])
        try:
            want = tuple(np.broadcast_shapes(a, b))
        except ValueError:
            p.damaged.append(f"{label}: inputs of shapes {list(a)} and {list(b)} do not broadcast")
            return
        if tuple(y) != want:
            p.damaged.append(f"{label}: output shape {list(y)}, but inputs {list(a)} and {list(b)} broadcast to "
                             f"{list(want)}")
        return
    data_in = {"SPLIT": 1, "TRANSPOSE_CONV": 2}.get(kind, 0)
    data_in = ins[data_in] if data_in < len(ins) else ins[0]
    if r.dtype(data_in) != "int8":
        return
    import tflite

    try:
        if kind == "PACK":
            pack_axis(r, op, ins, outs, _options, tflite)
        elif kind == "GATHER" and r.data(ins[1]) is None:
            gather_runtime_axis(r, op, ins, outs, _options, tflite)
        elif kind in MOVEMENT_OPS:
            index_maps(kind, r, op, ins, outs, _options, tflite)
        elif kind in REDUCE_OPS:
            reduced_axes(kind, r, op, ins, outs, _options, tflite)
        elif kind == "RESIZE_BILINEAR":
            bilinear_table(r, op, ins, outs, _options, tflite)
        elif kind == "BATCH_MATMUL":
            batch_matmul_layout(r, op, ins, outs, _options, tflite)
        elif kind == "TRANSPOSE_CONV":
            transpose_conv_geometry(r, op, ins, outs, _options, tflite)
    except BadParameters as exc:
        p.damaged.append(f"{label}: {exc}")
    except NotImplementedError:
        pass  # a valid operator edgec does not take: the importer names it
    except (ValueError, IndexError, TypeError, OverflowError) as exc:  # parameters NumPy cannot even apply
        p.damaged.append(f"{label}: its parameters cannot be applied to its input ({exc.__class__.__name__}: {exc})")
