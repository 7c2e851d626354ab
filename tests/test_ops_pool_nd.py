"""1-D pooling (on the 2-D kernel with a unit height) and 3-D pooling against onnxruntime: pads, strides,
dilations, ceil_mode, count_include_pad."""

from __future__ import annotations

import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand

POOL1D = [
    dict(kernel_shape=[3]),
    dict(kernel_shape=[3], strides=[2], pads=[1, 2]),
    dict(kernel_shape=[2], strides=[2], ceil_mode=1),
    dict(kernel_shape=[3], dilations=[2], pads=[2, 0]),
    dict(kernel_shape=[4], strides=[3], pads=[1, 1], ceil_mode=1),
]


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize("attrs", POOL1D)
def test_pool1d(op, attrs, tmp_path):
    if op == "AveragePool" and "pads" in attrs:
        attrs = dict(attrs, count_include_pad=1)
    model = make_model([helper.make_node(op, ["x"], ["y"], **attrs)], {"x": (2, 3, 11)}, ["y"])
    graph = check(model, {"x": rand(2, 3, 11)}, tmp_path)
    assert ops_of(graph) == ["pool2d"]


POOL3D = [
    dict(kernel_shape=[2, 2, 2]),
    dict(kernel_shape=[3, 2, 3], strides=[2, 1, 2], pads=[1, 0, 1, 1, 1, 0]),
    dict(kernel_shape=[2, 3, 2], strides=[2, 2, 2], ceil_mode=1),
]


POOL3D_CASES = [("MaxPool", a) for a in POOL3D] + [
    ("AveragePool", dict(a, count_include_pad=c)) for a in POOL3D for c in (0, 1)]


@pytest.mark.parametrize("op,attrs", POOL3D_CASES)
def test_pool3d(op, attrs, tmp_path):
    model = make_model([helper.make_node(op, ["x"], ["y"], **attrs)], {"x": (1, 2, 5, 6, 7)}, ["y"])
    graph = check(model, {"x": rand(1, 2, 5, 6, 7)}, tmp_path)
    assert ops_of(graph) == ["pool3d"]
