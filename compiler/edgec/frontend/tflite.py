"""TFLite frontend: check the flatbuffer, list unsupported operators, import with TVM Relax."""

from __future__ import annotations

from pathlib import Path

from ..errors import EdgecError, ModelLoadError, UnsupportedModelError
from .tflite_check import tensor_name

# Float operators, each checked against LiteRT's kernels on random shapes (tests/test_float_tflite_ops.py)
SUPPORTED_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV", "BATCH_MATMUL", "MAX_POOL_2D",
    "AVERAGE_POOL_2D", "L2_POOL_2D",
    "ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "FLOOR_DIV", "FLOOR_MOD", "POW",
    "ADD_N", "PRELU",
    "RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "LEAKY_RELU", "LOGISTIC", "TANH", "HARD_SWISH", "ELU", "GELU",
    "ABS", "NEG", "EXP", "LOG", "SQRT", "RSQRT", "SQUARE", "SIN", "COS", "FLOOR", "CEIL", "ROUND", "ZEROS_LIKE",
    "SOFTMAX", "LOG_SOFTMAX", "L2_NORMALIZATION",
    "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "LOGICAL_AND", "LOGICAL_OR",
    "LOGICAL_NOT", "SELECT_V2",
    "MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "REDUCE_ALL", "REDUCE_ANY", "ARG_MAX", "ARG_MIN",
    "CUMSUM", "DYNAMIC_UPDATE_SLICE",
    "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "TRANSPOSE", "CONCATENATION", "PACK", "UNPACK", "SPLIT", "SPLIT_V",
    "SLICE", "STRIDED_SLICE", "GATHER", "GATHER_ND", "PAD", "PADV2", "MIRROR_PAD", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH",
    "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "BROADCAST_TO", "TILE", "REVERSE_V2", "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR", "CAST", "QUANTIZE", "DEQUANTIZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "EMBEDDING_LOOKUP",
    "SHAPE", "FILL", "BROADCAST_ARGS", "CUSTOM:TFLite_Detection_PostProcess", "SVDF",
}


def load_tflite(path: Path, buf: bytes | None = None):
    """The checked model of the file (or of buf, the file's bytes rewritten: tflite_variables.py)."""
    import tflite

    buf = path.read_bytes() if buf is None else buf
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise ModelLoadError(f"{path}: not a TFLite flatbuffer (no 'TFL3' identifier)")
    try:
        model = tflite.Model.GetRootAsModel(buf, 0)
        subgraph = model.Subgraphs(0)
        # Touch every operator and tensor so that a truncated file fails here, not deep in the importer.
        for i in range(subgraph.OperatorsLength()):
            subgraph.Operators(i).InputsAsNumpy()
        for i in range(model.BuffersLength()):
            model.Buffers(i).DataLength()
        for i in range(subgraph.TensorsLength()):
            subgraph.Tensors(i).ShapeAsNumpy()
    except Exception as exc:
        raise ModelLoadError(f"{path}: the TFLite file is damaged or truncated ({exc.__class__.__name__}: {exc})") from None
    from .tflite_check import check_tflite

    check_tflite(model, path, len(buf))  # every index, size and value the readers below rely on
    return model


def unique_tensor_names(model) -> bytes | None:
    """TVM's importer keys the main subgraph's tensors by name, which the schema leaves optional and need not be
    unique: two tensors of one name would be wired as one. Where names repeat or are missing, the model (a new
    flatbuffer) with each such tensor named '<name>#<index>' ('tensor#<index>' without a name); else None."""
    import collections

    sg = model.Subgraphs(0)
    names = [sg.Tensors(i).Name() for i in range(sg.TensorsLength())]
    count = collections.Counter(names)
    if all(n is not None and count[n] == 1 for n in names):
        return None
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    m = schema.ModelT.InitFromPackedBuf(model._tab.Bytes, 0)
    taken = set(names)
    for i, (t, name) in enumerate(zip(m.subgraphs[0].tensors, names)):
        if name is None or count[name] > 1:
            new = (name or b"tensor") + f"#{i}".encode()
            while new in taken:
                new += b"_"
            t.name = new
            taken.add(new)
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def op_name(model, op) -> str:
    from tflite.BuiltinOperator import BuiltinOperator

    code = model.OperatorCodes(op.OpcodeIndex())
    builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    names = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
    if builtin == BuiltinOperator.CUSTOM:
        return "CUSTOM:" + (code.CustomCode() or b"?").decode()
    return names.get(builtin, f"BUILTIN_{builtin}")


def unsupported_nodes(model) -> list[tuple[str, str, str]]:
    subgraph = model.Subgraphs(0)
    problems = []
    for i in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(i)
        name = op_name(model, op)
        if name not in SUPPORTED_OPS:
            out = op.Outputs(0) if op.OutputsLength() else -1
            tname = tensor_name(subgraph.Tensors(out), out) if out >= 0 else f"#{i}"
            problems.append((tname, name, "operator not supported"))
    return problems


def import_tflite(path: Path, options):
    model = load_tflite(path)
    from ..passes.state_variables import bind_state_variables
    from . import ImportedModel
    from .tflite_float import FloatOperatorConverter
    from .tflite_hybrid import unsupported_hybrid_ops
    from .tflite_int8 import import_int8_graph, is_int8_model
    from .tflite_control_flow import has_control_flow, inline_control_flow
    from .tflite_variables import has_variables, lower_variables

    if options.bindings:
        raise ModelLoadError("--bind is not supported for TFLite models (their constants are already in the file)")
    variables, n_inputs = [], model.Subgraphs(0).InputsLength()
    if has_control_flow(model):  # IF and WHILE inlined into the main subgraph (see the module)
        model = load_tflite(path, inline_control_flow(model))
    if has_variables(model):  # resource variables: extra graph inputs and outputs, then state (see the module)
        rewritten, n_inputs, variables = lower_variables(model)
        model = load_tflite(path, rewritten)
    if is_int8_model(model):  # integer kernels straight from the flatbuffer; it lists what it cannot import
        graph, names = import_int8_graph(model, options.int8_rounding)
        return ImportedModel(None, names[:n_inputs], graph=bind_state_variables(graph, variables),
                             int8_rounding=options.int8_rounding)
    problems = unsupported_nodes(model) + unsupported_hybrid_ops(model)
    if problems:
        raise UnsupportedModelError(problems)
    from tvm.relax.frontend.tflite import from_tflite

    renamed = unique_tensor_names(model)
    if renamed is not None:
        model = load_tflite(path, renamed)
    shape_dict = {k: list(v) for k, v in options.input_shapes.items()} or None
    subgraph = model.Subgraphs(0)
    names = [tensor_name(subgraph.Tensors(subgraph.Inputs(i)), subgraph.Inputs(i)) for i in range(n_inputs)]
    try:
        return ImportedModel(from_tflite(model, shape_dict=shape_dict, op_converter=FloatOperatorConverter), names,
                             variables=variables)
    except EdgecError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"{path}: TVM's TFLite importer failed: {exc.__class__.__name__}: {exc}") from None
