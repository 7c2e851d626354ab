"""Transpose (edgec_transpose_f32), Concat (edgec_concat) and ReduceMean / GlobalAveragePool
(edgec_mean_f32) against onnxruntime."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand


@pytest.mark.parametrize("perm", [[1, 0, 2], [2, 0, 1], [0, 2, 1, 3], [3, 1, 0, 2], [4, 3, 2, 1, 0, 5]])
def test_transpose(perm, tmp_path):
    shape = (2, 3, 4, 5, 1, 2)[: len(perm)]
    x = rand(*shape)
    model = make_model([helper.make_node("Transpose", ["x"], ["y"], perm=perm)], {"x": shape}, ["y"])
    graph = check(model, {"x": x}, tmp_path)
    assert ops_of(graph) == ["transpose"]


def test_transpose_of_unit_dims_is_a_view(tmp_path):
    x = rand(1, 3, 1, 4)
    model = make_model([helper.make_node("Transpose", ["x"], ["t"], perm=[2, 0, 1, 3]),
                        helper.make_node("Relu", ["t"], ["y"])], {"x": x.shape}, ["y"])
    graph = check(model, {"x": x}, tmp_path)
    assert "transpose" not in ops_of(graph)


def test_transpose_of_weights_is_folded(tmp_path):
    x, w = rand(3, 4), rand(5, 4, seed=1)
    model = make_model([helper.make_node("Transpose", ["w"], ["wt"], perm=[1, 0]),
                        helper.make_node("MatMul", ["x", "wt"], ["y"])], {"x": x.shape}, ["y"], initializers={"w": w})
    graph = check(model, {"x": x}, tmp_path)
    assert "transpose" not in ops_of(graph)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_concat_three_inputs(axis, tmp_path):
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for s, extra in zip(shapes, (1, 2, 3)):
        s[axis] = extra
    xs = {f"x{i}": rand(*s, seed=i) for i, s in enumerate(shapes)}
    model = make_model([helper.make_node("Concat", list(xs), ["y"], axis=axis)],
                       {k: v.shape for k, v in xs.items()}, ["y"])
    graph = check(model, xs, tmp_path)
    assert ops_of(graph) == ["concat"]


def test_concat_with_a_constant_and_a_computed_input(tmp_path):
    x, c = rand(1, 2, 3), rand(1, 4, 3, seed=1)
    model = make_model([helper.make_node("Relu", ["x"], ["r"]),
                        helper.make_node("Concat", ["c", "r", "x"], ["y"], axis=1)],
                       {"x": x.shape}, ["y"], initializers={"c": c})
    check(model, {"x": x}, tmp_path)


AXES = [[0], [1], [-1], [1, 2], [0, 3], [0, 1, 2, 3], [2, 1]]


@pytest.mark.parametrize("axes,keepdims", list(itertools.product(AXES, [0, 1])))
def test_reduce_mean(axes, keepdims, tmp_path):
    x = rand(2, 3, 4, 5)
    node = helper.make_node("ReduceMean", ["x", "axes"], ["y"], keepdims=keepdims)
    out_shape = [1 if i in {a % 4 for a in axes} else d for i, d in enumerate(x.shape)]
    if not keepdims:
        out_shape = [d for i, d in enumerate(x.shape) if i not in {a % 4 for a in axes}]
    model = make_model([node], {"x": x.shape}, {"y": tuple(out_shape)}, index_inputs={"axes": (len(axes),)})
    graph = check(model, {"x": x}, tmp_path, bindings={"axes": np.array(axes, np.int64)})
    assert ops_of(graph) == ["mean"]


def test_reduce_mean_default_axes_and_noop(tmp_path):
    x = rand(3, 1, 4)
    model = make_model([helper.make_node("ReduceMean", ["x"], ["m"], keepdims=0),
                        helper.make_node("ReduceMean", ["x", "unit"], ["u"], keepdims=1)],
                       {"x": x.shape}, ["m", "u"], initializers={"unit": np.array([1], np.int64)})
    check(model, {"x": x}, tmp_path)


@pytest.mark.parametrize("shape,axes", [((2, 0, 16), [0]), ((3, 0, 4), [1]), ((2, 0), [0, 1])])
def test_reduce_mean_of_an_empty_input(shape, axes, tmp_path):
    """Was: C failing -Werror=restrict (an empty output: input and output both at the arena's start) or a TVM
    internal error (divide by zero) for a mean over an empty dim. Now a constant, as onnxruntime: no elements, or
    0 for the mean of nothing."""
    x = np.zeros(shape, np.float32)
    out_shape = tuple(1 if i in axes else d for i, d in enumerate(shape))
    model = make_model([helper.make_node("ReduceMean", ["x", "axes"], ["y"], keepdims=1)], {"x": shape},
                       {"y": out_shape}, initializers={"axes": np.array(axes, np.int64)})
    graph = check(model, {"x": x}, tmp_path)
    assert set(ops_of(graph)) <= {"copy"}  # the constant into the output


EMPTY_CASES = {  # op, input shape, initializers: each failed -Werror=restrict (input and output at one address)
    "softmax": (helper.make_node("Softmax", ["x"], ["y"], axis=1), (2, 0, 3), {}),
    "transpose": (helper.make_node("Transpose", ["x"], ["y"], perm=[2, 1, 0]), (2, 0, 3), {}),
    "matmul": (helper.make_node("MatMul", ["x", "w"], ["y"]), (2, 0, 3), {"w": np.ones((3, 4), np.float32)}),
    "matmul_k0": (helper.make_node("MatMul", ["x", "w"], ["y"]), (2, 0), {"w": np.ones((0, 4), np.float32)}),
    "layer_norm": (helper.make_node("LayerNormalization", ["x", "s"], ["y"]), (2, 0, 3),
                   {"s": np.ones(3, np.float32)}),
}


@pytest.mark.parametrize("case", EMPTY_CASES)
def test_ops_on_empty_tensors_fold_to_constants(case, tmp_path):
    node, shape, inits = EMPTY_CASES[case]
    model = make_model([node], {"x": shape}, ["y"], initializers=inits)
    graph = check(model, {"x": np.zeros(shape, np.float32)}, tmp_path)
    assert set(ops_of(graph)) <= {"copy"}  # the constant into the output


@pytest.mark.parametrize("shape", [(1, 8, 7, 7), (2, 3, 5), (1, 2, 3, 4, 5)])
def test_global_average_pool(shape, tmp_path):
    x = rand(*shape)
    model = make_model([helper.make_node("GlobalAveragePool", ["x"], ["y"])], {"x": shape}, ["y"])
    graph = check(model, {"x": x}, tmp_path)
    assert ops_of(graph) in (["mean"], ["pool2d"])


def test_negative_squeeze_axis_after_conv(tmp_path):
    # TVM's ConvertLayout (NCHW -> NHWC) used to abort on squeeze with a negative axis.
    w = rand(4, 2, 3, 3, seed=1)
    model = make_model([helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3]),
                        helper.make_node("Squeeze", ["c", "axes"], ["s"]),
                        helper.make_node("Unsqueeze", ["s", "axes2"], ["y"])],
                       {"x": (1, 2, 3, 7)}, ["y"],
                       initializers={"w": w, "axes": np.array([-2], np.int64), "axes2": np.array([-1], np.int64)})
    check(model, {"x": rand(1, 2, 3, 7)}, tmp_path)


def test_pad_concat_mean_transpose_after_conv(tmp_path):
    # After a conv, TVM's ConvertLayout runs these channels-last: their axes and pads are rewritten for NHWC.
    w1, w2 = rand(4, 3, 3, 3, seed=1), rand(2, 3, 1, 1, seed=2)
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], kernel_shape=[3, 3], pads=[2, 2, 2, 2]),
        helper.make_node("Conv", ["x", "w2"], ["b0"], kernel_shape=[1, 1]),
        helper.make_node("Pad", ["b0", "pads"], ["b"], mode="reflect"),
        helper.make_node("Concat", ["a", "b"], ["c"], axis=1),
        helper.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 1, 3]),
        helper.make_node("ReduceMean", ["c", "axes"], ["m"], keepdims=1),
        helper.make_node("Concat", ["m", "m"], ["y"], axis=-1),
    ]
    model = make_model(nodes, {"x": (1, 3, 8, 9)}, ["t", "y"], initializers={
        "w1": w1, "w2": w2, "pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "axes": np.array([2, 3], np.int64)})
    graph = check(model, {"x": rand(1, 3, 8, 9)}, tmp_path)
    assert {"pad", "concat", "mean"} <= set(ops_of(graph))
