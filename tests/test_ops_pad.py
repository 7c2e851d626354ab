"""Pad (edgec_pad): every mode, pads wider than the input, cropping, axes, constant value as an input."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
@pytest.mark.parametrize("pads", [[0, 1, 2, 0, 2, 1], [1, 0, 0, 1, 3, 3], [0, 3, 4, 0, 3, 4]])
def test_pad_modes(mode, pads, tmp_path):
    # [0, 3, 4, 0, 3, 4] pads as much as reflect allows (dim - 1) and, for the other modes, up to the whole dim.
    x = rand(2, 4, 5)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode=mode)
    model = make_model([node], {"x": x.shape}, ["y"], index_inputs={"pads": (6,)})
    graph = check(model, {"x": x}, tmp_path, bindings={"pads": np.array(pads, np.int64)})
    assert "pad" in ops_of(graph)


def test_pad_constant_value_and_axes(tmp_path):
    x = rand(1, 3, 4, 4)
    node = helper.make_node("Pad", ["x", "pads", "value", "axes"], ["y"], mode="constant")
    model = make_model([node], {"x": x.shape}, {"y": (1, 5, 4, 8)}, initializers={"value": np.float32(-2.5)},
                       index_inputs={"pads": (4,), "axes": (2,)})
    graph = check(model, {"x": x}, tmp_path, bindings={"pads": np.array([1, 2, 3, 0], np.int64),
                                                       "axes": np.array([-1, 1], np.int64)})
    assert ops_of(graph) == ["pad"]


@pytest.mark.parametrize("mode", ["constant", "edge", "wrap"])
def test_pad_wider_than_input(mode, tmp_path):
    # 6 and 7 are more than the dims (4 and 5) hold: wrap goes around more than once.
    x = rand(2, 4, 5)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode=mode)
    model = make_model([node], {"x": x.shape}, ["y"], index_inputs={"pads": (6,)})
    check(model, {"x": x}, tmp_path, bindings={"pads": np.array([0, 6, 7, 0, 6, 7], np.int64)})


def test_pad_value_at_run_time(tmp_path):
    x = rand(2, 3)
    node = helper.make_node("Pad", ["x", "pads", "value"], ["y"], mode="constant")
    model = make_model([node], {"x": x.shape, "value": ()}, ["y"], index_inputs={"pads": (4,)})
    check(model, {"x": x, "value": np.array(7.25, np.float32)}, tmp_path,
          bindings={"pads": np.array([1, 1, 2, 0], np.int64)})


def test_pad_negative_crops(tmp_path):
    x = rand(3, 6)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="constant")
    model = make_model([node], {"x": x.shape}, ["y"], index_inputs={"pads": (4,)})
    check(model, {"x": x}, tmp_path, bindings={"pads": np.array([1, -2, 0, -1], np.int64)})


def test_pad_edge_rank5(tmp_path):
    x = rand(1, 2, 3, 2, 2)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="edge")
    model = make_model([node], {"x": x.shape}, ["y"], index_inputs={"pads": (10,)})
    check(model, {"x": x}, tmp_path, bindings={"pads": np.array([0, 0, 1, 2, 0, 0, 1, 2, 0, 1], np.int64)})
