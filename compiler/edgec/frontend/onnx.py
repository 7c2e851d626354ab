"""ONNX frontend: load, validate (checker + shape inference), bind constants, import with TVM Relax."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from ..errors import ModelLoadError, UnsupportedModelError
from .onnx_fold import fold_constants
from .onnx_recurrent import recurrent_outputs_read, unsupported_recurrent_variants

# ONNX operators edgec compiles (float32). Nodes whose value is known at compile time (shape arithmetic, Constant,
# ConstantOfShape, ...) are folded first (onnx_fold.py) and need not be listed.
SUPPORTED_OPS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh",
    "HardSigmoid", "HardSwish", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool",
    "GlobalMaxPool", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Softmax", "Pad",
    "ReduceMean", "Identity", "Constant", "Dropout",
    "Sum", "Mean", "Max", "Min", "Exp", "Log", "Sqrt", "Pow", "Erf", "Gelu", "PRelu", "Elu", "Selu", "Softplus",
    "Softsign", "Abs", "Neg", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Sign", "LRN",
    "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Celu", "Shrink", "ThresholdedRelu",
    "RandomUniform",
    "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
    "ReduceSumSquare", "LogSoftmax", "Slice", "Split", "Gather", "Expand", "Tile", "DepthToSpace", "SpaceToDepth",
    "LayerNormalization", "InstanceNormalization", "Resize", "Upsample", "ConvTranspose",
    "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "Where",
    "ArgMax", "ArgMin", "CumSum", "TopK", "GroupNormalization", "Mod", "Einsum", "LSTM", "GRU", "RNN",
    # onnxruntime's quantize_dynamic: integer kernels, fused onto the hybrid kernels (passes/fuse_dynamic_quant.py)
    "DynamicQuantizeLinear", "ConvInteger", "MatMulInteger", "Cast",
    # integer shifts; scatter of update rows (run-time or constant indices)
    "BitShift", "ScatterND",
}
# Operators of other domains edgec compiles, by domain.
SUPPORTED_DOMAIN_OPS = {"ai.onnx.ml": {"TreeEnsembleClassifier"}}


def load_onnx(path: Path) -> onnx.ModelProto:
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf raises DecodeError, RuntimeError, ... on damaged files
        raise ModelLoadError(f"{path}: not a readable ONNX model ({exc.__class__.__name__}: {exc})") from None
    if not model.graph.node and not model.graph.output:
        raise ModelLoadError(f"{path}: not an ONNX model, or the file is truncated (no graph found)")
    try:
        onnx.checker.check_model(model)
    except Exception as exc:
        raise ModelLoadError(f"{path}: the ONNX checker rejects this model: {exc}") from None
    return model


def unsupported_nodes(model: onnx.ModelProto) -> list[tuple[str, str, str]]:
    problems = []
    for i, node in enumerate(model.graph.node):
        if node.domain not in ("", "ai.onnx") and node.op_type not in SUPPORTED_DOMAIN_OPS.get(node.domain, ()):
            problems.append((node.name or f"#{i}", f"{node.domain}.{node.op_type}", "operator domain not supported"))
        elif node.domain in ("", "ai.onnx") and node.op_type not in SUPPORTED_OPS:
            problems.append((node.name or f"#{i}", node.op_type, "operator not supported"))
    return problems


INTEGER_TYPES = {onnx.TensorProto.INT8, onnx.TensorProto.INT16, onnx.TensorProto.INT32, onnx.TensorProto.INT64,
                 onnx.TensorProto.UINT8, onnx.TensorProto.UINT16, onnx.TensorProto.UINT32, onnx.TensorProto.UINT64}


def unsupported_integer_variants(model: onnx.ModelProto) -> list[tuple[str, str, str]]:
    """Variants of the integer operators (quantize_dynamic, Cast, Pow) edgec has no kernel for, named before TVM's
    import. `model` has been through shape inference."""
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output)}
    ranks.update({i.name: len(i.dims) for i in model.graph.initializer})
    types = {v.name: v.type.tensor_type.elem_type
             for v in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output)}
    types.update({i.name: i.data_type for i in model.graph.initializer})
    cast_from = {onnx.TensorProto.FLOAT} | INTEGER_TYPES
    problems = []
    for i, node in enumerate(model.graph.node):
        name = node.name or f"#{i}"
        if node.op_type == "Cast":
            to = next((a.i for a in node.attribute if a.name == "to"), None)
            src = types.get(node.input[0], onnx.TensorProto.FLOAT)
            if to != onnx.TensorProto.FLOAT or src not in cast_from:
                names = onnx.TensorProto.DataType.Name
                problems.append((name, node.op_type, f"Cast from {names(src).lower()} to "
                                                     f"{names(to).lower() if to is not None else '?'} is not supported "
                                                     "(edgec casts integer tensors to float)"))
        elif node.op_type == "Pow" and types.get(node.input[0]) in INTEGER_TYPES and \
                types.get(node.input[1]) not in INTEGER_TYPES:
            names = onnx.TensorProto.DataType.Name
            problems.append((name, node.op_type, f"Pow of an {names(types[node.input[0]]).lower()} base with a "
                                                 f"{names(types.get(node.input[1], 0)).lower()} exponent is not "
                                                 "supported (edgec raises integers to integer powers, exactly)"))
        elif node.op_type == "ConvInteger" and ranks.get(node.input[0], 4) != 4:
            problems.append((name, node.op_type, f"{ranks[node.input[0]] - 2}-D ConvInteger is not supported "
                                                 "(edgec runs 2-D: input [N, C, H, W])"))
        elif node.op_type == "MatMulInteger" and ranks.get(node.input[1], 2) != 2:
            problems.append((name, node.op_type, f"B of rank {ranks[node.input[1]]} is not supported "
                                                 "(edgec runs A [..., M, K] times a 2-D B [K, N])"))
    return problems


# Operators whose output has the type and shape of their first input, but which ONNX's shape inference leaves
# untyped (onnx 1.23 infers nothing for GroupNormalization), so that strict inference fails at their consumers.
SHAPE_PRESERVING_UNINFERRED = {"GroupNormalization"}


def infer_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """ONNX's strict shape inference, with the outputs of SHAPE_PRESERVING_UNINFERRED typed as their inputs."""
    pending = [n for n in model.graph.node if n.op_type in SHAPE_PRESERVING_UNINFERRED]
    while pending:
        inferred = onnx.shape_inference.infer_shapes(model)
        known = {v.name: v for v in list(inferred.graph.input) + list(inferred.graph.value_info)
                 + list(inferred.graph.output) if v.type.tensor_type.HasField("shape")}
        typed = [n for n in pending if n.input[0] in known]
        if not typed:
            break
        for node in typed:
            info = onnx.ValueInfoProto()
            info.CopyFrom(known[node.input[0]])
            info.name = node.output[0]
            if node.output[0] not in {v.name for v in model.graph.output}:
                model.graph.value_info.append(info)
        pending = [n for n in pending if n not in typed]
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def unsupported_float_variants(model: onnx.ModelProto) -> list[tuple[str, str, str]]:
    """Variants of supported float operators edgec has no kernel for, named before TVM's import. `model` has been
    through shape inference."""
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output)}
    ranks.update({i.name: len(i.dims) for i in model.graph.initializer})
    problems = []
    for i, node in enumerate(model.graph.node):
        if node.op_type == "ConvTranspose" and ranks.get(node.input[0], 4) not in (3, 4, 5):
            problems.append((node.name or f"#{i}", node.op_type, f"{ranks[node.input[0]] - 2}-D ConvTranspose is not "
                                                                 "supported (edgec runs 1-D, 2-D and 3-D)"))
    return problems


def bind_inputs(model: onnx.ModelProto, bindings: dict[str, np.ndarray]) -> None:
    """Turn graph inputs into initializers: shape, axes and pads tensors become compile-time constants."""
    inputs = {i.name: i for i in model.graph.input}
    for name, value in bindings.items():
        if name not in inputs:
            raise ModelLoadError(f"--bind {name}: the model has no input named '{name}' (inputs: {', '.join(inputs)})")
        model.graph.input.remove(inputs[name])
        model.graph.initializer.append(numpy_helper.from_array(np.asarray(value), name))


def set_input_shapes(model: onnx.ModelProto, shapes: dict[str, tuple[int, ...]]) -> None:
    inputs = {i.name: i for i in model.graph.input}
    for name, shape in shapes.items():
        if name not in inputs:
            raise ModelLoadError(f"--input-shape {name}: the model has no input named '{name}' (inputs: {', '.join(inputs)})")
        dims = inputs[name].type.tensor_type.shape.dim
        if len(dims) != len(shape):
            raise ModelLoadError(f"--input-shape {name}: the model's input has rank {len(dims)}, not {len(shape)}")
        for d, v in zip(dims, shape):
            d.ClearField("dim_param")
            d.dim_value = int(v)


def static_input_shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    init = {i.name for i in model.graph.initializer}
    shapes, dynamic = {}, []
    for inp in model.graph.input:
        if inp.name in init:
            continue
        dims = inp.type.tensor_type.shape.dim
        if any(not d.HasField("dim_value") for d in dims):
            dynamic.append(f"{inp.name} {[d.dim_param or '?' if not d.HasField('dim_value') else d.dim_value for d in dims]}")
        shapes[inp.name] = [d.dim_value for d in dims]
    if dynamic:
        raise ModelLoadError(
            "the model has inputs of unknown size: " + "; ".join(dynamic)
            + ". edgec compiles static shapes: give them with --input-shape NAME=D0,D1,..."
        )
    return shapes


def import_onnx(path: Path, options):
    model = load_onnx(path)
    from .onnx_check import check_onnx
    from .onnx_qdq import import_qdq_graph, is_qdq_model

    check_onnx(model, path, options.input_shapes, options.bindings)  # what the checker and shape inference miss

    if is_qdq_model(model):  # int8 kernels straight from the Q/DQ nodes (see onnx_qdq.py)
        from . import ImportedModel

        set_input_shapes(model, options.input_shapes)
        try:  # strict: a stored shape that contradicts its operator (a damaged value_info) is refused here
            infer_shapes(model)
        except Exception as exc:
            raise ModelLoadError(f"{path}: shape inference failed: {exc}") from None
        graph, names = import_qdq_graph(model)
        return ImportedModel(None, names, graph=graph)
    bind_inputs(model, options.bindings)
    set_input_shapes(model, options.input_shapes)
    model = fold_constants(model)  # shape arithmetic and constant-built weights; only what remains is checked
    problems = unsupported_nodes(model)
    if problems:
        raise UnsupportedModelError(problems)
    shapes = static_input_shapes(model)
    try:
        model = infer_shapes(model)
    except Exception as exc:
        raise ModelLoadError(f"{path}: shape inference failed: {exc}") from None
    problems = (unsupported_integer_variants(model) + unsupported_float_variants(model)
                + unsupported_recurrent_variants(model))
    if problems:
        raise UnsupportedModelError(problems)
    outputs_read = recurrent_outputs_read(model)

    from tvm.relax.frontend.onnx import from_onnx

    from . import ImportedModel
    from .onnx_converters import edgec_converters

    try:
        with edgec_converters(outputs_read):
            mod = from_onnx(model, shape_dict=shapes, keep_params_in_input=False)
        return ImportedModel(mod, list(shapes))
    except Exception as exc:
        raise ModelLoadError(f"{path}: TVM's ONNX importer failed: {exc.__class__.__name__}: {exc}") from None
