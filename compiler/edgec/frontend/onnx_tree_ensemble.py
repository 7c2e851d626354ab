"""ai.onnx.ml TreeEnsembleClassifier (decision trees, random forests, gradient boosting as skl2onnx writes them):
the nodes_* / class_* attributes become tables in flash (node table, thresholds, leaf classes and weights, roots,
base values, labels) and the node the extern `edgec.tree_ensemble_classifier` (ops/tree_ensemble.py,
runtimes/reference/edgec_tree_ensemble_f32.c). TVM has no converter for it.

Labels and scores follow onnxruntime (the reference edgec verifies against), whose rules for two classes the
ONNX specification leaves open; the forms whose onnxruntime result is not a defined function of the scores
(PROBIT with two classes, two base values with one scored class, ...) are refused naming the node."""

from __future__ import annotations

import numpy as np
from tvm import relax
from tvm.relax.frontend.onnx import onnx_frontend as tvm_onnx

MODES = {"BRANCH_LEQ": 0, "BRANCH_LT": 1, "BRANCH_GTE": 2, "BRANCH_GT": 3, "BRANCH_EQ": 4, "BRANCH_NEQ": 5,
         "LEAF": 6}
POST_TRANSFORMS = {"NONE": 0, "SOFTMAX": 1, "LOGISTIC": 2, "SOFTMAX_ZERO": 3, "PROBIT": 4}
MULTICLASS, BINARY_ONE_SCORE, BINARY_TWO_SCORES = 0, 1, 2
NODE_FIELDS = 7  # mode, feature, true, false, nan_true, first weight, weights (edgec_tree_ensemble_f32.h)


def _text(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _list(attr, name, kind=int) -> list:
    v = attr.get(name)
    if v is None:
        return []
    if isinstance(v, (bytes, str, int, float)):
        v = [v]
    return [_text(x) if kind is str else kind(x) for x in v]


def tree_tables(attr: dict, features: int) -> dict:
    """The kernel's tables and parameters from the node's attributes; ValueError for what edgec does not take."""
    for name in ("base_values_as_tensor", "nodes_values_as_tensor", "class_weights_as_tensor",
                 "nodes_hitrates_as_tensor"):
        if attr.get(name) is not None:
            raise ValueError(f"{name} (double attributes) is not supported; edgec takes the float ones")
    if attr.get("classlabels_strings"):
        raise ValueError("string class labels (classlabels_strings) are not supported: edgec's label output is "
                         "int64 (classlabels_int64s)")
    labels = _list(attr, "classlabels_int64s")
    if not labels:
        raise ValueError("no classlabels_int64s")
    post = _text(attr.get("post_transform", "NONE"))
    if post not in POST_TRANSFORMS:
        raise ValueError(f"post_transform {post} is not supported ({', '.join(POST_TRANSFORMS)})")
    tree_ids, node_ids = _list(attr, "nodes_treeids"), _list(attr, "nodes_nodeids")
    feature_ids, values = _list(attr, "nodes_featureids"), _list(attr, "nodes_values", float)
    modes, true_ids = _list(attr, "nodes_modes", str), _list(attr, "nodes_truenodeids")
    false_ids = _list(attr, "nodes_falsenodeids")
    nan_true = _list(attr, "nodes_missing_value_tracks_true") or [0] * len(tree_ids)
    n = len(tree_ids)
    if not n or any(len(a) != n for a in (node_ids, feature_ids, values, modes, true_ids, false_ids, nan_true)):
        raise ValueError("the nodes_* attributes differ in length (or are empty)")
    bad = sorted({m for m in modes if m not in MODES})
    if bad:
        raise ValueError(f"node modes {bad} are not supported ({', '.join(MODES)})")
    index = {}
    for i, key in enumerate(zip(tree_ids, node_ids)):
        if key in index:
            raise ValueError(f"tree {key[0]} has node {key[1]} twice")
        index[key] = i
    class_trees, class_nodes = _list(attr, "class_treeids"), _list(attr, "class_nodeids")
    class_ids, class_weights = _list(attr, "class_ids"), _list(attr, "class_weights", float)
    if any(len(a) != len(class_ids) for a in (class_trees, class_nodes, class_weights)):
        raise ValueError("the class_* attributes differ in length")
    classes = len(labels)
    if any(not 0 <= c < classes for c in class_ids):
        raise ValueError(f"class_ids outside [0, {classes})")
    leaf_weights: dict[int, list[tuple[int, float]]] = {}
    for t, nd, c, w in zip(class_trees, class_nodes, class_ids, class_weights):
        if (t, nd) not in index:
            raise ValueError(f"a class weight names node {nd} of tree {t}, which does not exist")
        leaf_weights.setdefault(index[(t, nd)], []).append((c, w))
    table = np.zeros((n, NODE_FIELDS), np.int32)
    leaf_class, weights = [], []
    for i in range(n):
        mode = MODES[modes[i]]
        table[i, 0], table[i, 4] = mode, int(bool(nan_true[i]))
        if mode != MODES["LEAF"]:
            if not 0 <= feature_ids[i] < features:
                raise ValueError(f"node {node_ids[i]} of tree {tree_ids[i]} reads feature {feature_ids[i]} "
                                 f"of {features}")
            for field, target in ((2, true_ids[i]), (3, false_ids[i])):
                if (tree_ids[i], target) not in index:
                    raise ValueError(f"node {node_ids[i]} of tree {tree_ids[i]} branches to missing node {target}")
                table[i, field] = index[(tree_ids[i], target)]
            table[i, 1] = feature_ids[i]
        table[i, 5], table[i, 6] = len(weights), len(leaf_weights.get(i, []))
        for c, w in leaf_weights.get(i, []):
            leaf_class.append(c)
            weights.append(w)
    trees = sorted(set(tree_ids))
    # a root is the node no other node of its tree branches to (node 0 as skl2onnx writes it)
    targets = {(tree_ids[i], t) for i in range(n) if modes[i] != "LEAF" for t in (true_ids[i], false_ids[i])}
    roots = []
    for t in trees:
        candidates = [i for i in range(n) if tree_ids[i] == t and (t, node_ids[i]) not in targets]
        if len(candidates) != 1:
            raise ValueError(f"tree {t} has {len(candidates)} roots")
        roots.append(candidates[0])
    _check_acyclic(table, roots, n)
    base = _list(attr, "base_values", float)
    scored = sorted(set(class_ids))
    if classes > 2:
        finalize = MULTICLASS
        if base and len(base) != classes:
            raise ValueError(f"{len(base)} base_values for {classes} classes")
    elif classes == 2 and scored in ([], [0]):
        finalize = BINARY_ONE_SCORE
        if len(base) > 1:
            raise ValueError("two base_values with weights for class 0 only (onnxruntime then writes unscaled "
                             "two-class scores that depend on the base values' order); give one base value")
    elif classes == 2 and scored == [0, 1]:
        finalize = BINARY_TWO_SCORES
        if base or labels != [0, 1]:
            raise ValueError("two scored classes with base_values or labels other than [0, 1]: onnxruntime's "
                             "label rule for that form is not a function of the scores edgec reproduces")
    else:
        raise ValueError(f"{classes} class label(s) with weights for classes {scored}: not supported "
                         "(one class, or two classes with weights for class 1 only)")
    if classes == 2 and post == "PROBIT":
        raise ValueError("PROBIT with two classes is not supported (onnxruntime writes one score of two)")
    base_arr = np.zeros(classes, np.float32)
    base_arr[:len(base)] = base
    return dict(nodes=table, thresholds=np.asarray(values, np.float32),
                leaf_class=np.asarray(leaf_class or [0], np.int32),
                weights=np.asarray(weights or [0.0], np.float32), roots=np.asarray(roots, np.int32),
                base=base_arr, labels=np.asarray(labels, np.int64),
                params=dict(classes=classes, trees=len(trees), post_transform=POST_TRANSFORMS[post],
                            finalize=finalize, weights_all_positive=int(all(w >= 0 for w in class_weights)),
                            has_base=int(bool(base))))


def _check_acyclic(table: np.ndarray, roots: list[int], n: int) -> None:
    """Every walk from a root reaches a leaf (a cycle would make the kernel loop forever)."""
    state = np.zeros(n, np.int8)  # 0 unseen, 1 on the current path, 2 done
    for root in roots:
        stack = [(root, 0)]
        while stack:
            i, k = stack.pop()
            if k == 0:
                if state[i] == 1:
                    raise ValueError("a tree's branches form a cycle")
                if state[i] == 2:
                    continue
                state[i] = 1
                stack.append((i, 1))
                if table[i, 0] != MODES["LEAF"]:
                    stack += [(int(table[i, 2]), 0), (int(table[i, 3]), 0)]
            else:
                state[i] = 2


class TreeEnsembleClassifier(tvm_onnx.OnnxOpConverter):
    """(label int64 [N], scores float32 [N, classes]) from X float32 [N, features]."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        x = inputs[0]
        shape = [int(d) for d in x.ty.shape.values]
        if str(x.ty.dtype) != "float32" or len(shape) != 2:
            raise ValueError(f"X of {x.ty.dtype} {shape}: edgec takes float32 [N, features]")
        t = tree_tables(attr, shape[1])
        p = t.pop("params")
        func = relax.ExternFunc("edgec.tree_ensemble_classifier")
        for key, value in p.items():
            func = func.with_attr(key, value)
        args = [x] + [relax.const(t[k], str(t[k].dtype)) for k in ("nodes", "thresholds", "leaf_class", "weights", "roots", "base",
                                                  "labels")]
        return relax.call_dps_packed(func, relax.Tuple(args), out_ty=[
            relax.TensorType([shape[0]], "int64"), relax.TensorType([shape[0], p["classes"]], "float32")])
