"""ai.onnx.ml TreeEnsembleClassifier: the extern `edgec.tree_ensemble_classifier` (frontend/onnx_tree_ensemble.py),
whose tables are constants (flash), becomes one call of runtimes/reference/edgec_tree_ensemble_f32.c. A third
output, `scored` (one byte per class), is the kernel's scratch: an arena tensor live only while it runs."""

from __future__ import annotations

from . import kernel
from .hybrid import extern

PARAMS = ("classes", "trees", "post_transform", "finalize", "weights_all_positive", "has_base")


@extern("edgec.tree_ensemble_classifier")
def lower_tree_ensemble(ctx, call, attrs, args, out):
    (l_shape, l_dtype), (s_shape, s_dtype) = out
    x, *tables = (ctx.tensor(a) for a in args)
    if ctx.graph.tensors[x].dtype != "float32" or any(not ctx.graph.tensors[t].is_const for t in tables):
        raise NotImplementedError("TreeEnsembleClassifier takes float32 features and constant tables")
    label = ctx.new_tensor("tree_label", l_shape, l_dtype)
    scores = ctx.new_tensor("tree_scores", s_shape, s_dtype)
    scored = ctx.new_tensor("tree_scored", (int(attrs["classes"]),), "uint8")
    ctx.emit("tree_ensemble_classifier", [x, *tables], None, None, {k: int(attrs[k]) for k in PARAMS}, out=label)
    ctx.graph.nodes[-1].outputs += [scores, scored]
    return label, scores


@kernel("tree_ensemble_classifier")
def emit_tree_ensemble(node, ctx):
    rows, features = ctx.graph.tensors[node.inputs[0]].shape
    params = ctx.static_params("edgec_tree_ensemble_params",
                               dict(rows=rows, features=features, **{k: node.attrs[k] for k in PARAMS}))
    ctx.use("edgec_tree_ensemble_f32")
    ins = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    outs = ", ".join(ctx.ptr(t) for t in node.outputs)
    return f"edgec_tree_ensemble_classifier_f32({ins}, {outs}, {params});"
