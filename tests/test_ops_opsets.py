"""Older opsets of the operators edgec converts itself (attributes instead of inputs): Pad-2, Pad-11, Clip-6,
plus ReduceMean-13 and Squeeze-11 with their axes as attributes."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad_opset2_attributes(mode, tmp_path):
    node = helper.make_node("Pad", ["x"], ["y"], mode=mode, pads=[0, 1, 2, 1, 0, 1], value=0.5)
    model = make_model([node], {"x": (2, 4, 5)}, ["y"], opset=10)
    graph = check(model, {"x": rand(2, 4, 5)}, tmp_path)
    assert ops_of(graph) == ["pad"]


def test_pad_opset11_constant_pads(tmp_path):
    node = helper.make_node("Pad", ["x", "pads", "v"], ["y"], mode="reflect")
    model = make_model([node], {"x": (3, 5)}, ["y"], opset=11,
                       initializers={"pads": np.array([1, 2, 2, 1], np.int64), "v": np.float32(0)})
    check(model, {"x": rand(3, 5)}, tmp_path)


def test_clip_opset6_attributes(tmp_path):
    node = helper.make_node("Clip", ["x"], ["y"], min=-0.2, max=0.3)
    model = make_model([node], {"x": (4, 4)}, ["y"], opset=6)
    graph = check(model, {"x": rand(4, 4)}, tmp_path)
    assert ops_of(graph) == ["clamp"]


def test_reduce_mean_opset13_and_squeeze_opset11(tmp_path):
    nodes = [helper.make_node("ReduceMean", ["x"], ["m"], axes=[1, -1], keepdims=1),
             helper.make_node("Squeeze", ["m"], ["y"], axes=[-1])]
    model = make_model(nodes, {"x": (2, 3, 4)}, ["y"], opset=11)
    check(model, {"x": rand(2, 3, 4)}, tmp_path)
