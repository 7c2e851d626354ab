"""Damaged and hostile copies of a model file, for fuzzing edgec's frontends (tests/test_fuzz_models.py and
benchmarks/fuzz_models.py).

Two kinds of mutation:
- bytes: flip a few bytes, truncate, append garbage (what transfer and storage do to a file);
- structure: decode the model (TFLite through the flatbuffer object API LiteRT ships, ONNX through its protobuf),
  change one field a reader trusts (an index, a shape, a scale, a zero point, a dtype, a name, an attribute,
  a buffer's length) to a value that is out of range or contradicts the rest, and encode it again.

Every mutant is deterministic in (model, seed), and says what was done to it (`what`), so a failure found by the
fuzzer can be reproduced from its seed.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Mutant:
    what: str  # e.g. "tflite: tensor 3 'conv/w' shape[1] = -640"
    data: bytes
    suffix: str  # ".onnx" or ".tflite"
    family: str = ""  # one of FAMILIES: what kind of damage, for reports


# The mutation families, and the structural mutators' kinds in each (what a report counts by).
FAMILIES = {
    "byte flip": ["flip"], "truncation": ["truncate"], "appended bytes": ["append"],
    "index": ["buffer", "op_input", "op_output", "opcode", "graph_io", "node_input", "remove_inputs"],
    "shape": ["shape", "shape_signature", "input_dim", "init_dims"],
    "quantization": ["scale", "zero_point", "quant_dim", "scale_as_input"],
    "dtype": ["dtype", "input_type", "optional_input"],
    "name": ["name"],
    "data length": ["buffer_data", "init_data"],
    "operator": ["options", "builtin_code", "attribute"],
}
FAMILY_OF = {kind: family for family, kinds in FAMILIES.items() for kind in kinds}


# -- bytes ---------------------------------------------------------------------------------------------------
def byte_mutant(data: bytes, rng: random.Random, suffix: str) -> Mutant:
    kind = rng.choice(["flip", "flip", "truncate", "append"])
    if kind == "flip":
        buf = bytearray(data)
        n = rng.choice([1, 1, 2, 4, 16])
        positions = [rng.randrange(len(buf)) for _ in range(n)]
        for pos in positions:
            buf[pos] = rng.randrange(256)
        return Mutant(f"bytes: {n} byte(s) set at {positions[:4]}", bytes(buf), suffix, FAMILY_OF[kind])
    if kind == "truncate":
        cut = rng.randrange(len(data))
        return Mutant(f"bytes: truncated to {cut} of {len(data)}", data[:cut], suffix, FAMILY_OF[kind])
    extra = bytes(rng.randrange(256) for _ in range(rng.choice([1, 7, 64, 1000])))
    return Mutant(f"bytes: {len(extra)} bytes appended", data + extra, suffix, FAMILY_OF[kind])


# -- TFLite structure ----------------------------------------------------------------------------------------
BAD_INTS = [-1, -2, -640, 0, 1, 2, 255, 256, 65535, 2**31 - 1, -(2**31)]
BAD_SCALES = [0.0, -1.0, float("nan"), float("inf"), 1.9e29, 1e-40, 1e-12, 1e6]
BAD_ZERO_POINTS = [-129, 128, 300, -300, 2**31 - 1]


def _tflite_model(data: bytes):
    from ai_edge_litert import schema_py_generated as schema

    return schema.ModelT.InitFromPackedBuf(bytearray(data), 0)


def _pack_tflite(model) -> bytes:
    import flatbuffers

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def tflite_structure_mutant(model, rng: random.Random) -> tuple[str, str, object]:
    """Change one field of a copy of `model` (a schema ModelT); return the kind of change, what was done and the
    copy."""
    m = copy.deepcopy(model)
    sg = m.subgraphs[0]
    tensors, ops = sg.tensors, sg.operators
    t_idx = rng.randrange(len(tensors))
    t = tensors[t_idx]
    tname = t.name.decode(errors="replace") if t.name else f"#{t_idx}"
    kind = rng.choice(["buffer", "op_input", "op_output", "opcode", "graph_io", "shape", "shape", "scale", "scale",
                       "zero_point", "dtype", "name", "buffer_data", "quant_dim", "options", "builtin_code",
                       "shape_signature"])
    rng.choice(BAD_INTS)  # drawn and unused: kept so that the mutant corpus (seeded) stays the same
    if kind == "buffer":
        t.buffer = rng.choice([len(m.buffers), len(m.buffers) + 7, -1, rng.randrange(len(m.buffers))])
        return kind, f"tflite: tensor {t_idx} '{tname}' buffer = {t.buffer}", m
    if kind in ("op_input", "op_output"):
        op_i = rng.randrange(len(ops))
        op = ops[op_i]
        lst = list(op.inputs if kind == "op_input" else op.outputs)
        if not lst:
            return kind, "tflite: no change", m
        j = rng.randrange(len(lst))
        lst[j] = rng.choice([len(tensors), len(tensors) + 100, -1, -5, rng.randrange(len(tensors))])
        if kind == "op_input":
            op.inputs = lst
        else:
            op.outputs = lst
        return kind, f"tflite: operator {op_i} {kind[3:]} {j} = {lst[j]}", m
    if kind == "opcode":
        op_i = rng.randrange(len(ops))
        ops[op_i].opcodeIndex = rng.choice([len(m.operatorCodes), len(m.operatorCodes) + 3, 2**31 - 1])
        return kind, f"tflite: operator {op_i} opcode_index = {ops[op_i].opcodeIndex}", m
    if kind == "graph_io":
        which = rng.choice(["inputs", "outputs"])
        lst = list(getattr(sg, which))
        choice = rng.choice(["out_of_range", "empty", "other"])
        if choice == "empty":
            lst = []
        elif lst:
            lst[rng.randrange(len(lst))] = len(tensors) + 3 if choice == "out_of_range" else rng.randrange(len(tensors))
        setattr(sg, which, lst)
        return kind, f"tflite: subgraph {which} = {lst}", m
    if kind == "shape":
        shape = list(t.shape if t.shape is not None else [])
        if not shape:
            return kind, "tflite: no change", m
        j = rng.randrange(len(shape))
        shape[j] = rng.choice([0, -1, -640, shape[j] + 1, max(1, shape[j] - 1), shape[j] * 2, 1])
        t.shape = shape
        return kind, f"tflite: tensor {t_idx} '{tname}' shape = {shape}", m
    if kind == "shape_signature":
        t.shapeSignature = [-1] * len(t.shape if t.shape is not None else [])
        return kind, f"tflite: tensor {t_idx} '{tname}' shape_signature = {t.shapeSignature}", m
    if kind in ("scale", "zero_point", "quant_dim"):
        quantized = [i for i, x in enumerate(tensors) if x.quantization is not None and x.quantization.scale is not None
                     and len(x.quantization.scale)]
        if not quantized:
            return kind, "tflite: no change", m
        t_idx = rng.choice(quantized)
        t = tensors[t_idx]
        tname = t.name.decode(errors="replace") if t.name else f"#{t_idx}"
        q = t.quantization
        if kind == "scale":
            scales = list(q.scale)
            if rng.random() < 0.2 and len(scales) > 1:
                scales = scales[:-1]
            else:
                scales[rng.randrange(len(scales))] = rng.choice(BAD_SCALES)
            q.scale = scales
            return kind, f"tflite: tensor {t_idx} '{tname}' scale = {scales[:4]}", m
        if kind == "zero_point":
            zps = list(q.zeroPoint if q.zeroPoint is not None else [0] * len(q.scale))
            zps[rng.randrange(len(zps))] = rng.choice(BAD_ZERO_POINTS)
            q.zeroPoint = zps
            return kind, f"tflite: tensor {t_idx} '{tname}' zero_point = {zps[:4]}", m
        q.quantizedDimension = rng.choice([1, 2, 3, 7])
        return kind, f"tflite: tensor {t_idx} '{tname}' quantized_dimension = {q.quantizedDimension}", m
    if kind == "dtype":
        t.type = rng.choice([0, 1, 2, 3, 4, 5, 7, 9, 17, 42])
        return kind, f"tflite: tensor {t_idx} '{tname}' type = {t.type}", m
    if kind == "name":
        t.name = rng.choice([b"\xff\xfe bad", b"", b"a" * 300, b"x\x00y"])
        return kind, f"tflite: tensor {t_idx} name = {t.name[:12]!r}", m
    if kind == "buffer_data":
        with_data = [i for i, b in enumerate(m.buffers) if b.data is not None and len(b.data)]
        if not with_data:
            return kind, "tflite: no change", m
        b = rng.choice(with_data)
        data = np.asarray(m.buffers[b].data, np.uint8)
        m.buffers[b].data = data[: rng.randrange(len(data))] if rng.random() < 0.7 else np.concatenate([data, data[:5]])
        return kind, f"tflite: buffer {b} data = {len(m.buffers[b].data)} of {len(data)} bytes", m
    if kind == "options":
        op_i = rng.randrange(len(ops))
        opts = ops[op_i].builtinOptions
        fields = [k for k, v in vars(opts).items() if isinstance(v, (int, float)) and not isinstance(v, bool)] \
            if opts is not None else []
        if not fields:
            return kind, "tflite: no change", m
        field = rng.choice(fields)
        setattr(opts, field, rng.choice([0, -1, 7, 100]) if isinstance(getattr(opts, field), int)
                else rng.choice([0.0, -1.0, float("nan"), 1e30]))
        return kind, f"tflite: operator {op_i} option {field} = {getattr(opts, field)}", m
    code = rng.randrange(len(m.operatorCodes))
    new = rng.choice([0, 3, 9, 22, 25, 40, 127, 200, 300])
    m.operatorCodes[code].builtinCode = new
    m.operatorCodes[code].deprecatedBuiltinCode = min(new, 127)
    return kind, f"tflite: operator code {code} builtin = {new}", m


# -- ONNX structure ------------------------------------------------------------------------------------------
def onnx_structure_mutant(model, rng: random.Random) -> tuple[str, str, object]:
    import onnx
    from onnx import TensorProto, numpy_helper

    m = copy.deepcopy(model)
    g = m.graph
    init_names = {i.name for i in g.initializer}
    real_inputs = [i for i in g.input if i.name not in init_names]
    kind = rng.choice(["input_dim", "input_dim", "input_type", "optional_input", "init_dims", "init_data",
                       "node_input", "attribute", "attribute", "scale", "scale", "zero_point", "scale_as_input",
                       "remove_inputs", "dtype", "name"])
    if kind == "input_dim" and real_inputs:
        inp = rng.choice(real_inputs)
        dims = inp.type.tensor_type.shape.dim
        if not dims:
            return kind, "onnx: no change", m
        j = rng.randrange(len(dims))
        v = rng.choice([0, -1, -640, 2, 1000])
        dims[j].dim_value = v
        return kind, f"onnx: input '{inp.name}' dim {j} = {v}", m
    if kind == "input_type" and real_inputs:
        inp = rng.choice(real_inputs)
        inp.type.tensor_type.elem_type = rng.choice([TensorProto.INT64, TensorProto.DOUBLE, TensorProto.UINT8,
                                                     TensorProto.STRING, TensorProto.FLOAT16])
        return kind, f"onnx: input '{inp.name}' elem_type = {inp.type.tensor_type.elem_type}", m
    if kind == "optional_input" and real_inputs:
        inp = rng.choice(real_inputs)
        inner = copy.deepcopy(inp.type)
        wrapper = rng.choice(["optional", "sequence"])
        inp.type.Clear()
        if wrapper == "optional":
            inp.type.optional_type.elem_type.CopyFrom(inner)
        else:
            inp.type.sequence_type.elem_type.CopyFrom(inner)
        return kind, f"onnx: input '{inp.name}' is a {wrapper} type", m
    if kind == "remove_inputs" and real_inputs:
        for inp in real_inputs:  # every input becomes a constant: a graph without inputs
            dims = [max(1, d.dim_value) for d in inp.type.tensor_type.shape.dim]
            dtype = onnx.helper.tensor_dtype_to_np_dtype(inp.type.tensor_type.elem_type)
            g.initializer.append(numpy_helper.from_array(np.zeros(dims, dtype), inp.name))
            g.input.remove(inp)
        return kind, "onnx: every input made a constant", m
    if kind in ("init_dims", "init_data", "dtype") and g.initializer:
        init = rng.choice(list(g.initializer))
        if kind == "init_dims" and init.dims:
            j = rng.randrange(len(init.dims))
            init.dims[j] = rng.choice([0, -1, init.dims[j] + 1, init.dims[j] * 2])
            return kind, f"onnx: initializer '{init.name}' dims = {list(init.dims)}", m
        if kind == "init_data" and init.raw_data:
            init.raw_data = init.raw_data[: rng.randrange(len(init.raw_data))]
            return kind, f"onnx: initializer '{init.name}' raw_data truncated to {len(init.raw_data)}", m
        if kind == "dtype":
            arr = numpy_helper.to_array(init)
            new = rng.choice([np.float64, np.int64, np.int32, np.float16, np.uint8, np.int8])
            init.CopyFrom(numpy_helper.from_array(arr.astype(new), init.name))
            return kind, f"onnx: initializer '{init.name}' dtype = {np.dtype(new).name}", m
    if kind == "node_input" and g.node:
        node = rng.choice(list(g.node))
        if not node.input:
            return kind, "onnx: no change", m
        j = rng.randrange(len(node.input))
        names = [v for n in g.node for v in n.output] + [i.name for i in g.input]
        node.input[j] = rng.choice(["", "no_such_tensor", rng.choice(names)])
        return kind, f"onnx: node '{node.name}' input {j} = '{node.input[j]}'", m
    if kind == "attribute":
        nodes = [n for n in g.node if any(a.type in (onnx.AttributeProto.INT, onnx.AttributeProto.INTS) for a in n.attribute)]
        if not nodes:
            return kind, "onnx: no change", m
        node = rng.choice(nodes)
        attr = rng.choice([a for a in node.attribute if a.type in (onnx.AttributeProto.INT, onnx.AttributeProto.INTS)])
        v = rng.choice([0, -1, 2, 3, 5, 100])
        if attr.type == onnx.AttributeProto.INT:
            attr.i = v
        elif attr.ints:
            attr.ints[rng.randrange(len(attr.ints))] = v
        return kind, f"onnx: node '{node.name}' attribute {attr.name} -> {v}", m
    if kind in ("scale", "zero_point", "scale_as_input"):
        qnodes = [n for n in g.node if n.op_type in ("QuantizeLinear", "DequantizeLinear") and len(n.input) > 1]
        if not qnodes:
            return kind, "onnx: no change", m
        node = rng.choice(qnodes)
        inits = {i.name: i for i in g.initializer}
        target = node.input[1] if kind != "zero_point" else (node.input[2] if len(node.input) > 2 else "")
        if target not in inits:
            return kind, "onnx: no change", m
        init = inits[target]
        if kind == "scale_as_input":
            g.initializer.remove(init)
            g.input.append(onnx.helper.make_tensor_value_info(target, init.data_type, list(init.dims)))
            return kind, f"onnx: scale '{target}' of '{node.name}' made a graph input", m
        arr = numpy_helper.to_array(init).copy()
        if kind == "scale":
            arr.reshape(-1)[rng.randrange(arr.size)] = rng.choice(BAD_SCALES)
        else:
            info = np.iinfo(arr.dtype)
            arr = arr.astype(np.int64)
            arr.reshape(-1)[rng.randrange(arr.size)] = rng.choice([info.min, info.max, 0, 5])
            arr = arr.astype(numpy_helper.to_array(init).dtype)
        init.CopyFrom(numpy_helper.from_array(arr, target))
        return kind, f"onnx: {kind.replace('_', ' ')} '{target}' = {arr.reshape(-1)[:4].tolist()}", m
    if kind == "name" and g.node:
        node = rng.choice(list(g.node))
        node.name = rng.choice(["\u00e9t\u00e9", "x\x00y", "a" * 200])
        return kind, f"onnx: node renamed to {node.name[:10]!r}", m
    return kind, "onnx: no change", m


def _serialize_onnx(model) -> bytes:
    return model.SerializeToString()


# -- the documented rule for accepted mutants ------------------------------------------------------------------
# A mutant that changed only the values of weights or biases is still a valid model of the same graph: edgec
# compiles it with the same code paths as the original, so it needs no reference run of its own (the fuzz report
# still verifies a sample of them, to check the rule). Weights here are the constant weight and bias operands
# of the multiply-accumulate operators (an int8 weight through its DequantizeLinear in QDQ models), not
# constants that are shapes, indices, scales or zero points: a change to those is verified.
TFLITE_WEIGHT_OPERANDS = {"CONV_2D": (1, 2), "DEPTHWISE_CONV_2D": (1, 2), "FULLY_CONNECTED": (1, 2)}
ONNX_WEIGHT_OPERANDS = {"Conv": (1, 2), "Gemm": (1, 2), "MatMul": (1,)}


RULED = ("same model", "weights changed")


def ruled_change(original: bytes, mutated: bytes, suffix: str) -> str | None:
    """"same model" if `mutated` parses to the same model as `original` (bytes nothing reads, trailing bytes, a
    field set to the value it had), "weights changed" if it differs only in the values (not the sizes) of
    weights, else None."""
    try:
        if suffix == ".tflite":
            a, b = _tflite_model(original), _tflite_model(mutated)
            if _pack_tflite(a) == _pack_tflite(b):
                return RULED[0]
            return RULED[1] if _tflite_weights_only(a, b) else None
        import onnx

        a, b = onnx.load_from_string(original), onnx.load_from_string(mutated)
        if b.IsInitialized() and a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True):
            return RULED[0]
        return RULED[1] if _onnx_weights_only(a, b) else None
    except Exception:  # noqa: BLE001 - a file the parser cannot read is not a valid model: verified, not ruled
        return None


def _tflite_weights_only(*models) -> bool:
    from ai_edge_litert import schema_py_generated as schema

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if isinstance(v, int)}
    for m in models:
        weights, others = set(), set()  # buffers read as weights, and read any other way too
        for g in m.subgraphs or []:
            for op in g.operators or []:
                code = m.operatorCodes[op.opcodeIndex]
                kind = names.get(max(code.builtinCode, code.deprecatedBuiltinCode))
                for i, t in enumerate(op.inputs):
                    if t >= 0:
                        (weights if i in TFLITE_WEIGHT_OPERANDS.get(kind, ()) else others).add(g.tensors[t].buffer)
            others |= {g.tensors[t].buffer for t in [*(g.inputs or []), *(g.outputs or [])]}
            others |= {g.tensors[t].buffer for op in g.operators or [] for t in op.outputs if t >= 0}
        for b in weights - others:
            if m.buffers[b].data is not None:
                m.buffers[b].data = np.zeros(len(m.buffers[b].data), np.uint8)
    return _pack_tflite(models[0]) == _pack_tflite(models[1])


def _onnx_weights_only(*models) -> bool:
    for m in models:
        g = m.graph
        dequantized = {n.output[0]: n.input[0] for n in g.node if n.op_type == "DequantizeLinear"}
        weights = {n.input[i] for n in g.node for i in ONNX_WEIGHT_OPERANDS.get(n.op_type, ()) if i < len(n.input)}
        others = {x for n in g.node for i, x in enumerate(n.input) if i not in ONNX_WEIGHT_OPERANDS.get(n.op_type, ())
                  and not (n.op_type == "DequantizeLinear" and i == 0 and n.output[0] in weights)}
        others |= {v.name for v in [*g.input, *g.output]}
        weights |= {dequantized[w] for w in weights if w in dequantized}
        for init in g.initializer:
            if init.name in weights - others:
                size = len(init.raw_data) or len(init.SerializeToString())
                del init.float_data[:], init.int32_data[:], init.int64_data[:], init.double_data[:]
                init.raw_data = bytes(size)
    return all(m.IsInitialized() for m in models) and (
        models[0].SerializeToString(deterministic=True) == models[1].SerializeToString(deterministic=True))


def mutants(path: Path, count: int, seed: int = 0, structure_share: float = 0.6):
    """`count` mutants of the model file at `path`: about `structure_share` of them structural."""
    path = Path(path)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    rng = random.Random(f"{path.name}:{seed}")
    if suffix == ".tflite":
        base = _tflite_model(data)
        mutate, encode = tflite_structure_mutant, _pack_tflite
    else:
        import onnx

        base = onnx.load_from_string(data)
        mutate, encode = onnx_structure_mutant, _serialize_onnx
    made = 0
    while made < count:
        if rng.random() >= structure_share:
            yield byte_mutant(data, rng, suffix)
            made += 1
            continue
        kind, what, m = mutate(base, rng)
        if what.endswith("no change"):
            continue
        try:
            encoded = encode(m)
        except Exception as exc:  # e.g. protobuf refuses a non-UTF-8 string: not a file anyone could write
            what, encoded = f"{what} (not encodable: {exc.__class__.__name__})", None
        if encoded is None:
            continue
        yield Mutant(what, encoded, suffix, FAMILY_OF[kind])
        made += 1
