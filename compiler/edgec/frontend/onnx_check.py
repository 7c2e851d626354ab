"""ONNX invariants that onnx.checker and shape inference leave to the importer.

The checker accepts a zero or negative input dimension, an optional- or sequence-typed input, a Conv whose
kernel_shape contradicts its weights, an initializer whose raw bytes are too short, and a quantization scale
that is a graph input or zero. TVM's importer and edgec's QDQ reader then fail far from the cause (a TVM
error, a KeyError naming 'y_scale'), or compile garbage. Each is named here, before any importer runs, with
what to do about it.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import numpy_helper

from ..errors import ModelLoadError, UnsupportedModelError

# Operator -> the positions of its quantization parameter inputs (scales and zero points): they must be
# constants, since the int8 kernels take them at compile time.
QUANT_PARAM_INPUTS = {
    "QuantizeLinear": (1, 2), "DequantizeLinear": (1, 2),
    "QLinearConv": (1, 2, 4, 5, 6, 7), "QLinearMatMul": (1, 2, 4, 5, 6, 7), "QGemm": (1, 2, 4, 5, 7, 8),
    "QLinearAdd": (1, 2, 4, 5, 6, 7), "QLinearMul": (1, 2, 4, 5, 6, 7), "QLinearGlobalAveragePool": (1, 2, 3, 4),
    "QLinearSoftmax": (1, 2, 3, 4),
}
# Operator -> which of those are scales (the others are zero points): a scale is a float tensor
SCALE_INPUTS = {
    "QuantizeLinear": (1,), "DequantizeLinear": (1,), "QLinearConv": (1, 4, 6), "QLinearMatMul": (1, 4, 6),
    "QGemm": (1, 4, 7), "QLinearAdd": (1, 4, 6), "QLinearMul": (1, 4, 6), "QLinearGlobalAveragePool": (1, 3),
    "QLinearSoftmax": (1, 3),
}
# Operator -> inputs that must be compile-time constants (shapes, axes, pads): a graph input there needs --bind
STATIC_INPUTS = {
    "Reshape": (1,), "Expand": (1,), "Tile": (1,), "Pad": (1, 3), "Slice": (1, 2, 3, 4), "Resize": (1, 2, 3),
    "Unsqueeze": (1,), "Squeeze": (1,), "ReduceMean": (1,), "ReduceSum": (1,), "ReduceMax": (1,),
    "ReduceMin": (1,), "ConstantOfShape": (0,), "TopK": (1,), "Split": (1,), "Upsample": (1,),
    "CumSum": (1,),
}
# Operator -> the input holding its weights [M, C/group, k...]
CONV_WEIGHTS = {"Conv": 1, "ConvInteger": 1, "QLinearConv": 3}
WINDOW_OPS = {"Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool"}


def check_onnx(model: onnx.ModelProto, path, input_shapes: dict, bindings: dict) -> None:
    """Raise ModelLoadError / UnsupportedModelError for what the importers would trip over. `input_shapes` and
    `bindings` are the user's --input-shape and --bind: an input they fix is not held to the file's dims."""
    graph = model.graph
    problems: list[tuple[str, str, str]] = []
    damaged: list[str] = _non_utf8_names(graph)
    if damaged:  # every importer keys its tables by these names
        raise ModelLoadError(f"{path}: the ONNX model is malformed:\n" + "\n".join(f"  - {d}" for d in damaged[:20]))
    inits: dict[str, np.ndarray] = {}
    for init in graph.initializer:
        try:
            inits[init.name] = numpy_helper.to_array(init)
        except Exception as exc:  # raw_data shorter than its dims, an unknown data type, ...
            damaged.append(f"initializer '{init.name}' (dims {list(init.dims)}) cannot be read: "
                           f"{exc.__class__.__name__}: {str(exc)[:200]}")
    for node in graph.node:  # Constant nodes hold constants too (scales are often written so)
        if node.op_type == "Constant" and node.output:
            for attr in node.attribute:
                if attr.name == "value" and attr.type == onnx.AttributeProto.TENSOR:
                    try:
                        inits[node.output[0]] = numpy_helper.to_array(attr.t)
                    except Exception as exc:
                        damaged.append(f"Constant '{node.name or node.output[0]}' cannot be read: {exc.__class__.__name__}")
    for name, shape in input_shapes.items():
        if any(int(d) <= 0 for d in shape):
            raise ModelLoadError(f"--input-shape {name}={','.join(map(str, shape))}: dimensions must be positive")

    quantized = any(n.op_type in QUANT_PARAM_INPUTS for n in graph.node)
    real_inputs = [i for i in graph.input if i.name not in inits and i.name not in bindings]
    if not real_inputs:
        problems.append(("(graph)", "inputs", "the model has no inputs (its outputs are constants); "
                                              "edgec compiles models with at least one input"))
    for inp in real_inputs:
        which = inp.type.WhichOneof("value")
        if which != "tensor_type":
            problems.append((inp.name, "input", f"a {which or 'missing'} type: edgec compiles plain tensor inputs "
                                                "(not optional, sequence or map types)"))
            continue
        if inp.name in input_shapes:
            continue
        dims = inp.type.tensor_type.shape.dim
        # negative: damage. Zero is legal ONNX (an empty tensor, which edgec runs); where a kernel cannot take
        # it (a window larger than the padded input, a channel count the weights contradict) it is named below.
        # The int8 (QDQ) kernels take no empty tensors at all.
        bad = [d.dim_value for d in dims if d.HasField("dim_value") and (d.dim_value < 0 or (quantized and d.dim_value == 0))]
        if bad:
            shown = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
            damaged.append(f"input '{inp.name}' has shape {shown}: a dimension of {bad[0]} "
                           f"(dimensions must be positive; give the real size with --input-shape {inp.name}=D0,D1,...)")
    for out in graph.output:
        if out.type.WhichOneof("value") not in (None, "tensor_type"):
            problems.append((out.name, "output", f"a {out.type.WhichOneof('value')} type: edgec writes plain tensors"))

    graph_inputs = {i.name for i in real_inputs}
    for k, node in enumerate(graph.node):
        label = node.name or f"#{k}"
        for pos in QUANT_PARAM_INPUTS.get(node.op_type, ()):
            if pos >= len(node.input) or not node.input[pos]:
                continue
            name = node.input[pos]
            if name not in inits:
                hint = (f"bind it to a value with --bind {name}=file.npy" if name in graph_inputs
                        else "edgec needs it to be a constant (an initializer or a Constant node)")
                problems.append((label, node.op_type, f"quantization parameter '{name}' (input {pos}) is not a constant: {hint}"))
                continue
            value = inits[name]
            is_scale = pos in SCALE_INPUTS[node.op_type]
            if is_scale != (value.dtype.kind == "f"):
                damaged.append(f"node '{label}' ({node.op_type}): {'scale' if is_scale else 'zero point'} '{name}' "
                               f"is {value.dtype.name} ({'scales are float' if is_scale else 'zero points are integer'} "
                               "tensors)")
            elif is_scale:
                bad = [float(v) for v in value.reshape(-1) if not (math.isfinite(v) and v > 0)]
                if bad:
                    damaged.append(f"node '{label}' ({node.op_type}): quantization scale '{name}' holds {bad[0]:g} "
                                   "(scales must be finite and positive)")
        for pos in STATIC_INPUTS.get(node.op_type, ()):
            if pos < len(node.input) and node.input[pos] in graph_inputs:
                name = node.input[pos]
                problems.append((label, node.op_type, f"input {pos} '{name}' is a graph input, but edgec needs it at "
                                                      f"compile time: give its value with --bind {name}=file.npy"))
        if node.op_type in WINDOW_OPS:
            damaged += _window_problems(node, label, {**inits, **_dequantized_weights(graph, inits)})
    if not damaged:
        try:
            inferred = onnx.shape_inference.infer_shapes(_with_input_shapes(model, input_shapes))
        except Exception:  # inference problems are reported, with their context, by the importer's strict pass
            inferred = None
        if inferred is not None:
            damaged += check_group_channels(inferred) + empty_intermediates(inferred) + windows_too_large(inferred)
    if damaged:
        raise ModelLoadError(f"{path}: the ONNX model is malformed:\n" + "\n".join(f"  - {d}" for d in damaged[:20]))
    if problems:
        raise UnsupportedModelError(problems)


def _non_utf8_names(graph) -> list[str]:
    """Names protobuf could not decode as UTF-8 (it hands them over as bytes): where they are."""
    found = []
    for k, node in enumerate(graph.node):
        for what, names in (("name", [node.name]), ("input", node.input), ("output", node.output)):
            found += [f"node {k} ({node.op_type}): {what} {n!r} is not UTF-8" for n in names if isinstance(n, bytes)]
    for what, values in (("initializer", graph.initializer), ("graph input", graph.input),
                         ("graph output", graph.output), ("value_info", graph.value_info)):
        found += [f"{what} {v.name!r}: the name is not UTF-8" for v in values if isinstance(v.name, bytes)]
    return found


def _window_problems(node, label: str, inits: dict) -> list[str]:
    """Attributes of a Conv or pool that contradict each other or the weights (onnx.checker does not look)."""
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    out = []
    where = f"node '{label}' ({node.op_type})"
    for name in ("strides", "dilations", "kernel_shape"):
        values = attrs.get(name)
        if values is not None and any(int(v) <= 0 for v in values):
            out.append(f"{where}: {name} {list(values)} (must be positive)")
    pads = attrs.get("pads")
    if pads is not None and any(int(v) < 0 for v in pads):
        out.append(f"{where}: pads {list(pads)} (negative pads are not supported)")
    w_pos = CONV_WEIGHTS.get(node.op_type)
    w = inits.get(node.input[w_pos]) if w_pos is not None and w_pos < len(node.input) else None
    kernel = attrs.get("kernel_shape")
    if w is not None:
        if w.ndim < 3:
            out.append(f"{where}: weights '{node.input[w_pos]}' of shape {list(w.shape)} (need [M, C/group, k...])")
            return out
        spatial = w.ndim - 2
        if kernel is not None and list(kernel) != list(w.shape[2:]):
            out.append(f"{where}: kernel_shape {list(kernel)} contradicts the weights '{node.input[w_pos]}' of shape "
                       f"{list(w.shape)}")
        group = int(attrs.get("group", 1))
        if group <= 0 or w.shape[0] % group:
            out.append(f"{where}: group {group} does not divide the {w.shape[0]} output channels of the weights")
        for name in ("strides", "dilations"):
            if attrs.get(name) is not None and len(attrs[name]) != spatial:
                out.append(f"{where}: {name} {list(attrs[name])} for {spatial} spatial dimensions")
        if pads is not None and len(pads) != 2 * spatial:
            out.append(f"{where}: pads {list(pads)} for {spatial} spatial dimensions (need {2 * spatial} values)")
    elif kernel is not None:
        for name in ("strides", "dilations"):
            if attrs.get(name) is not None and len(attrs[name]) != len(kernel):
                out.append(f"{where}: {name} {list(attrs[name])} for a kernel_shape of {len(kernel)} dimensions")
        if pads is not None and len(pads) != 2 * len(kernel):
            out.append(f"{where}: pads {list(pads)} for a kernel_shape of {len(kernel)} dimensions")
    return out


def _dequantized_weights(graph, inits: dict) -> dict:
    """A QDQ model's weights reach its Conv through DequantizeLinear: the output of a DequantizeLinear of a
    constant, with the constant's shape (what the checks of weights' shapes need)."""
    return {n.output[0]: inits[n.input[0]] for n in graph.node
            if n.op_type == "DequantizeLinear" and n.input and n.output and n.input[0] in inits}


def check_group_channels(model: onnx.ModelProto) -> list[str]:
    """After shape inference: a Conv's input channels must be its weights' C/group times group."""
    shapes = {}
    for vi in list(model.graph.input) + list(model.graph.value_info):
        dims = vi.type.tensor_type.shape.dim
        if len(dims) > 1 and dims[1].HasField("dim_value"):
            shapes[vi.name] = dims[1].dim_value
    inits = {i.name: list(i.dims) for i in model.graph.initializer}
    inits.update({k: list(v) for k, v in _dequantized_weights(model.graph, inits).items()})
    out = []
    for k, node in enumerate(model.graph.node):
        w_pos = CONV_WEIGHTS.get(node.op_type)
        if w_pos is None or len(node.input) <= w_pos:
            continue
        w, c = inits.get(node.input[w_pos]), shapes.get(node.input[0])
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        if w is not None and c is not None and len(w) > 1 and c != w[1] * group:
            out.append(f"node '{node.name or f'#{k}'}' ({node.op_type}): the input has {c} channels, but the weights "
                       f"{w} with group {group} take {w[1] * group}")
    return out


def _with_input_shapes(model: onnx.ModelProto, input_shapes: dict) -> onnx.ModelProto:
    """A copy with the user's --input-shape applied, for inference (the importer applies them to its own)."""
    if not input_shapes:
        return model
    from .onnx import set_input_shapes

    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    set_input_shapes(copy, input_shapes)
    return copy


def empty_intermediates(model: onnx.ModelProto) -> list[str]:
    """After shape inference: a tensor with a negative dimension (an input too small for a kernel and its
    strides, say) would reach TVM as a division by zero. Named by the node that computes it."""
    producer = {o: (n.name or f"#{k}", n.op_type) for k, n in enumerate(model.graph.node) for o in n.output}
    out = []
    for vi in list(model.graph.value_info) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if any(d.HasField("dim_value") and d.dim_value < 0 for d in dims):
            shape = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]
            node, op = producer.get(vi.name, ("?", "?"))
            out.append(f"node '{node}' ({op}): its output '{vi.name}' would have shape {shape} (the input is too small "
                       "for this operator's kernel, strides and pads; check --input-shape)")
    return out[:5]


def windows_too_large(model: onnx.ModelProto) -> list[str]:
    """After shape inference: a Conv or pool window larger than its padded input. ONNX's inference rounds such
    an output size up to 1 where TVM computes 0 (and then divides by it)."""
    shapes = {vi.name: [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]
              for vi in list(model.graph.input) + list(model.graph.value_info)}
    inits = {i.name: list(i.dims) for i in model.graph.initializer}
    inits.update({k: list(v) for k, v in _dequantized_weights(model.graph, inits).items()})
    out = []
    for k, node in enumerate(model.graph.node):
        if node.op_type not in WINDOW_OPS or not node.input:
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", b"VALID", "NOTSET", "VALID"):
            continue
        x = shapes.get(node.input[0])
        w_pos = CONV_WEIGHTS.get(node.op_type)
        w = inits.get(node.input[w_pos]) if w_pos is not None and w_pos < len(node.input) else None
        kernel = list(attrs.get("kernel_shape") or (w[2:] if w else []))
        if not x or len(x) != len(kernel) + 2 or any(v is None for v in x[2:]):
            continue
        pads = list(attrs.get("pads") or [0] * 2 * len(kernel))
        dil = list(attrs.get("dilations") or [1] * len(kernel))
        if len(pads) != 2 * len(kernel) or len(dil) != len(kernel):
            continue
        for a, (size, kk) in enumerate(zip(x[2:], kernel)):
            padded, window = size + pads[a] + pads[a + len(kernel)], (kk - 1) * dil[a] + 1
            if padded < window:
                out.append(f"node '{node.name or f'#{k}'}' ({node.op_type}): its input '{node.input[0]}' of shape {x} "
                           f"is smaller than the window ({window} > {padded} padded, axis {a + 2}); check --input-shape")
                break
    return out
