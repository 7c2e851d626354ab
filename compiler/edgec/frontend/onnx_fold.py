"""Fold the static parts of an ONNX graph to initializers before anything else looks at it.

Exporters compute shapes at run time: PyTorch's flatten is Shape -> Gather -> Unsqueeze -> Concat -> Reshape,
the ONNX zoo's "light" models build their weights with ConstantOfShape. Once the input shapes are known these
are constants. A node is folded when every input is known (an initializer, or a tensor folded before it), and
Shape / Size also when only their input's shape is known (from shape inference). The values come from ONNX's
own reference evaluator, one node at a time, so every opset's semantics are the specification's.

What cannot fold stays in the graph and meets the operator check (frontend/onnx.py) like any other node.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

# Random generators: not constant, and no two executors draw the same values (verify.py says so)
RANDOM_OPS = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"}
# Nodes never folded: random generators and anything with a subgraph (If, Loop, Scan).
NOT_FOLDABLE = RANDOM_OPS | {"If", "Loop", "Scan"}
# Folding a large computation into a large constant would trade flash for nothing; shape arithmetic and
# constant-filled weights (ConstantOfShape) are what folding is for.
MAX_FOLDED_ELEMENTS = 1 << 24


def static_shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    """Fully static shapes of the graph's values, from shape inference (best effort: no inference, no entry)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:
        inferred = model
    shapes = {}
    for v in list(inferred.graph.input) + list(inferred.graph.value_info) + list(inferred.graph.output):
        tt = v.type.tensor_type
        if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
            shapes[v.name] = [d.dim_value for d in tt.shape.dim]
    return shapes


def _shape_value(node: onnx.NodeProto, shape: list[int]) -> np.ndarray:
    """Shape (with its start / end attributes, opset 15) or Size of a tensor of `shape`."""
    if node.op_type == "Size":
        return np.array(int(np.prod(shape, dtype=np.int64)), np.int64)
    attrs = {a.name: a.i for a in node.attribute}
    rank = len(shape)
    start = attrs.get("start", 0)
    end = attrs.get("end", rank)
    start, end = (min(max(v + rank if v < 0 else v, 0), rank) for v in (start, end))
    return np.array(shape[start:end], np.int64)


def _evaluate(node: onnx.NodeProto, values: list[np.ndarray | None], opsets) -> list[np.ndarray]:
    from onnx.reference import ReferenceEvaluator

    inputs = [n for n in node.input]
    graph = helper.make_graph([node], "fold", [], [helper.make_tensor_value_info(o, 0, None) for o in node.output if o],
                              [numpy_helper.from_array(v, n) for n, v in zip(inputs, values) if n and v is not None])
    model = helper.make_model(graph, opset_imports=list(opsets))
    return [np.asarray(v) for v in ReferenceEvaluator(model).run(None, {})]


def fold_constants(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with every foldable node replaced by initializers (in place; also returned)."""
    graph = model.graph
    known: dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    inputs = {i.name for i in graph.input} - set(known)
    shapes = static_shapes(model)
    kept, folded = [], False
    for node in graph.node:
        value = None
        try:
            if node.domain not in ("", "ai.onnx") or node.op_type in NOT_FOLDABLE:
                pass
            elif node.op_type in ("Shape", "Size") and node.input[0] in shapes:
                value = [_shape_value(node, shapes[node.input[0]])]
            elif all(not n or n in known for n in node.input) and not set(node.input) & inputs:
                value = _evaluate(node, [known.get(n) if n else None for n in node.input], model.opset_import)
        except Exception:  # the evaluator cannot run it: leave it to the importer, which names the node
            value = None
        if value is not None and len(value) == len(node.output) \
                and all(v.size <= MAX_FOLDED_ELEMENTS for v in value):
            for name, v in zip(node.output, value):
                if name:
                    known[name] = v
                    graph.initializer.append(numpy_helper.from_array(v, name))
            folded = True
        else:
            kept.append(node)
    if not folded:
        return model
    del graph.node[:]
    graph.node.extend(kept)
    _drop_unused(model)
    return model


def _drop_unused(model: onnx.ModelProto) -> None:
    """Remove initializers nothing reads any more (and graph inputs that only declared them)."""
    graph = model.graph
    used = {n for node in graph.node for n in node.input} | {o.name for o in graph.output}
    for sub in (a.g for node in graph.node for a in node.attribute if a.type == onnx.AttributeProto.GRAPH):
        used |= {n for node in sub.node for n in node.input}
    stale = [i for i in graph.initializer if i.name not in used]
    names = {i.name for i in stale}
    for i in stale:
        graph.initializer.remove(i)
    for i in [i for i in graph.input if i.name in names]:
        graph.input.remove(i)
    for v in [v for v in graph.value_info if v.name in names]:
        graph.value_info.remove(v)
