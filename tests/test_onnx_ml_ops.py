"""ai.onnx.ml TreeEnsembleClassifier, ScatterND with run-time indices and BitShift with broadcasting: compiled for
the host, built with gcc, run on chosen inputs and compared with onnxruntime (the ONNX node cases of ScatterND
and BitShift run in test_onnx_node_cases.py; the ONNX suite has no TreeEnsembleClassifier case).

The tree ensembles are random, in the forms skl2onnx writes: a decision tree and a random forest (every class's
probability at every leaf, weights divided by the number of trees), gradient boosting multi-class (one tree per
class and round, base values, SOFTMAX) and binary (every weight for class 0, one base value, LOGISTIC), plus the
other post transforms and every branch mode. Features lie on a grid of quarters, so that BRANCH_EQ / NEQ and
thresholds are hit exactly, with NaNs for the nodes that track missing values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto as T
from onnx import helper as h

from conftest import COMPILERS, assert_compiles_warning_free
from edgec.build.host import build_host_executable, run_host_executable
from edgec.errors import EdgecError
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference
from edgec.verify import compare

RTOL, ATOL = 1e-5, 1e-6
MODES = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"]


def random_tree(rng, tree_id: int, depth: int, features: int, leaf_weights, modes=MODES) -> tuple[dict, dict]:
    """One random tree (node ids from 0, breadth first as skl2onnx numbers them): node and class attributes."""
    nodes = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                             "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true")}
    classes = {k: [] for k in ("class_treeids", "class_nodeids", "class_ids", "class_weights")}
    queue, next_id = [(0, 0)], 1
    while queue:
        node_id, level = queue.pop(0)
        leaf = level == depth or (level > 0 and rng.random() < 0.25)
        nodes["nodes_treeids"].append(tree_id)
        nodes["nodes_nodeids"].append(node_id)
        nodes["nodes_featureids"].append(0 if leaf else int(rng.integers(features)))
        nodes["nodes_values"].append(0.0 if leaf else float(rng.integers(-4, 5)) / 4)
        nodes["nodes_modes"].append("LEAF" if leaf else str(rng.choice(modes)))
        nodes["nodes_missing_value_tracks_true"].append(0 if leaf else int(rng.integers(2)))
        if leaf:
            nodes["nodes_truenodeids"].append(0)
            nodes["nodes_falsenodeids"].append(0)
            for c, w in leaf_weights(rng):
                classes["class_treeids"].append(tree_id)
                classes["class_nodeids"].append(node_id)
                classes["class_ids"].append(c)
                classes["class_weights"].append(float(w))
        else:
            nodes["nodes_truenodeids"].append(next_id)
            nodes["nodes_falsenodeids"].append(next_id + 1)
            queue += [(next_id, level + 1), (next_id + 1, level + 1)]
            next_id += 2
    return nodes, classes


def ensemble(rng, trees: int, depth: int, features: int, leaf_weights, **attrs) -> dict:
    merged: dict[str, list] = {}
    for t in range(trees):
        for part in random_tree(rng, t, depth, features, lambda r, t=t: leaf_weights(r, t)):
            for k, v in part.items():
                merged.setdefault(k, []).extend(v)
    return {**merged, **attrs}


def probabilities(n_classes: int, scale: float = 1.0):
    return lambda rng, tree: enumerate(rng.dirichlet(np.ones(n_classes)) * scale)


def one_class(n_classes: int, rounds_per_class: int = 1):
    return lambda rng, tree: [(tree % n_classes, rng.normal())]


def classifier_model(attrs: dict, rows: int, features: int, name: str = "trees") -> onnx.ModelProto:
    labels = attrs.get("classlabels_int64s") or attrs["classlabels_strings"]
    n_classes, label_type = len(labels), T.INT64 if "classlabels_int64s" in attrs else T.STRING
    node = h.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain="ai.onnx.ml",
                       name=name, **attrs)
    graph = h.make_graph([node], name, [h.make_tensor_value_info("X", T.FLOAT, [rows, features])],
                         [h.make_tensor_value_info("label", label_type, [rows]),
                          h.make_tensor_value_info("probabilities", T.FLOAT, [rows, n_classes])])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("ai.onnx.ml", 3)])


def tree_model(rng, rows: int, features: int) -> onnx.ModelProto:
    """Every ensemble below as one node of one model (one compile, one build), all reading X."""
    labels3, labels4 = [3, 7, 11], [0, 1, 2, 5]
    specs = {
        "decision_tree": ensemble(rng, 1, 5, features, probabilities(4), classlabels_int64s=labels4),
        "random_forest": ensemble(rng, 6, 4, features, probabilities(3, 1 / 6), classlabels_int64s=labels3),
        "gradient_boosting_softmax": ensemble(rng, 9, 3, features, one_class(3), classlabels_int64s=labels3,
                                              base_values=[0.1, -0.2, 0.05], post_transform="SOFTMAX"),
        "gradient_boosting_binary_logistic": ensemble(rng, 5, 3, features, lambda r, t: [(0, r.normal())],
                                                      classlabels_int64s=[0, 1], base_values=[0.3],
                                                      post_transform="LOGISTIC"),
        "binary_one_score_positive": ensemble(rng, 3, 3, features, lambda r, t: [(0, r.uniform(0, 0.4))],
                                              classlabels_int64s=[4, 9]),
        "binary_two_scores": ensemble(rng, 2, 4, features, probabilities(2, 0.5), classlabels_int64s=[0, 1]),
        "logistic_mixed": ensemble(rng, 4, 3, features, lambda r, t: [(int(r.integers(3)), r.normal())],
                                   classlabels_int64s=labels3, post_transform="LOGISTIC"),
        "softmax_zero_sparse": ensemble(rng, 4, 3, features, lambda r, t: [(int(r.integers(4)), r.normal())],
                                        classlabels_int64s=labels4, post_transform="SOFTMAX_ZERO"),
        "probit": ensemble(rng, 3, 3, features, lambda r, t: [(int(r.integers(3)), r.uniform(0.05, 0.3))],
                           classlabels_int64s=labels3, base_values=[0.1, 0.2, 0.15], post_transform="PROBIT"),
    }
    nodes, outputs = [], []
    for name, attrs in specs.items():
        nodes.append(h.make_node("TreeEnsembleClassifier", ["X"], [f"{name}_label", f"{name}_probabilities"],
                                 domain="ai.onnx.ml", name=name, **attrs))
        outputs += [h.make_tensor_value_info(f"{name}_label", T.INT64, [rows]),
                    h.make_tensor_value_info(f"{name}_probabilities", T.FLOAT,
                                             [rows, len(attrs["classlabels_int64s"])])]
    graph = h.make_graph(nodes, "trees", [h.make_tensor_value_info("X", T.FLOAT, [rows, features])], outputs)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("ai.onnx.ml", 3)])


def compile_and_run(model: onnx.ModelProto, feed: dict[str, np.ndarray], tmp: Path) -> tuple[list, list, tuple]:
    """edgec's outputs and onnxruntime's for one input feed, and (report, executable) to run it again."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "model.onnx"
    onnx.save(model, str(path))
    result = compile_model(path, "host", tmp / "out", CompileOptions(measure_code=False))
    report = result.report
    exe = build_host_executable(result.out_dir, report, tmp / "build")
    got = run_host_executable(exe, report, [feed[i["source_name"]] for i in report["inputs"]], tmp / "run")
    return got, run_onnx_reference(path, feed), (report, exe)


def assert_same(got, want, what: str) -> None:
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        what = f"{what}, output {k}"
        w = np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, f"{what}: {g.dtype}{g.shape}, expected {w.dtype}{w.shape}"
        if w.dtype.kind == "f":
            cmp = compare(what, g, w, RTOL, ATOL)
            assert cmp.ok, f"{what}: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
        else:
            assert np.array_equal(g, w), f"{what}: {g.tolist()} != {w.tolist()}"


def test_tree_ensembles_match_onnxruntime(tmp_path):
    """Nine random ensembles (every form and post transform edgec takes), on 96 rows of quarter-grid features
    with NaNs; the generated C is warning-free under every compiler."""
    rng = np.random.default_rng(9)
    rows, features = 96, 5
    x = (rng.integers(-5, 6, (rows, features)) / 4).astype(np.float32)
    x[rng.random((rows, features)) < 0.08] = np.nan
    got, want, _ = compile_and_run(tree_model(rng, rows, features), {"X": x}, tmp_path)
    assert_same(got, want, "tree ensembles")
    out_dir = tmp_path / "out"
    for cc, flags in COMPILERS:
        obj = tmp_path / f"obj_{cc}_{flags[-1].strip('-=')}"
        obj.mkdir()
        assert_compiles_warning_free(out_dir, obj, cc, flags)


@pytest.mark.parametrize("change,reason", [
    (dict(classlabels_int64s=None, classlabels_strings=["a", "b", "c"]), "string class labels"),
    (dict(post_transform="PROBIT", classlabels_int64s=[0, 1], class_ids=[0, 1, 0, 1]), "PROBIT with two classes"),
    (dict(nodes_modes=["BRANCH_LEQ", "LEAF", "BRANCH_LEQ"]), "branches to missing node"),
])
def test_tree_ensemble_refusals_name_the_node(change, reason, tmp_path):
    attrs = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                 nodes_values=[0.0, 0.0, 0.0], nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"],
                 nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 5], class_treeids=[0, 0, 0, 0],
                 class_nodeids=[1, 1, 2, 2], class_ids=[0, 2, 1, 2], class_weights=[0.5, 0.5, 0.7, 0.3],
                 classlabels_int64s=[1, 2, 3])
    attrs.update(change)
    attrs = {k: v for k, v in attrs.items() if v is not None}
    path = tmp_path / "model.onnx"
    onnx.save(classifier_model(attrs, 2, 1, name="forest_7"), str(path))
    with pytest.raises(EdgecError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert "forest_7" in str(err.value) and reason in str(err.value), str(err.value)


def scatter_model(data_shape, indices_shape, updates_shape, reductions, constant_indices=None):
    """One ScatterND per reduction, all on the same data, indices and updates."""
    nodes = [h.make_node("ScatterND", ["data", "indices", "updates"], [f"out_{r}"], name=f"scatter_{r}",
                         **({"reduction": r} if r != "none" else {})) for r in reductions]
    inputs = [h.make_tensor_value_info("data", T.FLOAT, data_shape),
              h.make_tensor_value_info("updates", T.FLOAT, updates_shape)]
    inits = []
    if constant_indices is None:
        inputs.insert(1, h.make_tensor_value_info("indices", T.INT64, indices_shape))
    else:
        inits.append(onnx.numpy_helper.from_array(np.asarray(constant_indices, np.int64), "indices"))
    graph = h.make_graph(nodes, "scatter", inputs,
                         [h.make_tensor_value_info(f"out_{r}", T.FLOAT, data_shape) for r in reductions], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 18)])


def test_scatter_nd_run_time_indices(tmp_path):
    """Indices read at run time (negative and repeated ones, every reduction) match onnxruntime; a run-time
    index outside the data is skipped (onnxruntime fails the run), a constant one refused naming the node."""
    rng = np.random.default_rng(3)
    data = rng.normal(size=(5, 4, 3)).astype(np.float32)
    indices = np.array([[[1, 2], [-1, 0]], [[1, 2], [0, -3]]], np.int64)  # [2, 2, 2]: (1, 2) twice
    updates = rng.normal(size=(2, 2, 3)).astype(np.float32)
    feed = {"data": data, "indices": indices, "updates": updates}
    reductions = ("none", "add", "mul", "max", "min")
    got, want, (report, exe) = compile_and_run(scatter_model([5, 4, 3], [2, 2, 2], [2, 2, 3], reductions), feed,
                                               tmp_path)
    assert_same(got, want, "ScatterND none, add, mul, max, min")
    # the same build again, with a tuple outside the data: skipped, the others applied (add)
    outside = indices.copy()
    outside[1, 0] = [5, 0]
    got = run_host_executable(exe, report, [data, outside, updates], tmp_path / "outside")[1]
    want = data.copy()
    for i, u in zip(outside.reshape(-1, 2), updates.reshape(-1, 3)):
        if -5 <= i[0] < 5 and -4 <= i[1] < 4:
            want[tuple(i)] += u
    assert_same([got], [want], "ScatterND with a run-time index outside the data")
    path = tmp_path / "const.onnx"
    onnx.save(scatter_model([5, 4, 3], [2, 2], [2, 3], ["none"], constant_indices=[[1, 2], [0, 4]]), str(path))
    with pytest.raises(EdgecError, match=r"scatter_none[\s\S]*outside the data"):
        compile_model(path, "host", tmp_path / "const_out", CompileOptions(measure_code=False))


def test_bitshift_broadcasting_matches_onnxruntime(tmp_path):
    """Every unsigned width, LEFT and RIGHT, broadcast operands, shifts past the width (0, as onnxruntime): one
    model, one node per case."""
    rng = np.random.default_rng(5)
    nodes, inputs, outputs, feed = [], [], [], {}
    for elem, dtype in ((T.UINT8, np.uint8), (T.UINT16, np.uint16), (T.UINT32, np.uint32), (T.UINT64, np.uint64)):
        bits, name = np.dtype(dtype).itemsize * 8, np.dtype(dtype).name
        feed[f"x_{name}"] = rng.integers(0, np.iinfo(dtype).max, (2, 3, 4), dtype=dtype, endpoint=True)
        feed[f"y_{name}"] = rng.integers(0, bits + 3, (3, 1), dtype=dtype)
        inputs += [h.make_tensor_value_info(f"x_{name}", elem, [2, 3, 4]),
                   h.make_tensor_value_info(f"y_{name}", elem, [3, 1])]
        for direction in ("LEFT", "RIGHT"):
            nodes.append(h.make_node("BitShift", [f"x_{name}", f"y_{name}"], [f"z_{name}_{direction}"],
                                     direction=direction))
            outputs.append(h.make_tensor_value_info(f"z_{name}_{direction}", elem, [2, 3, 4]))
    model = h.make_model(h.make_graph(nodes, "shift", inputs, outputs), opset_imports=[h.make_opsetid("", 18)])
    got, want, _ = compile_and_run(model, feed, tmp_path)
    assert_same(got, want, "BitShift")
