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


MAXPOOL_INDICES = [
    dict(kernel_shape=[3, 3]),
    dict(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 2, 1]),
    dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
    dict(kernel_shape=[3, 3], strides=[3, 2], pads=[1, 1, 1, 1], ceil_mode=1, storage_order=1),
    dict(kernel_shape=[2, 3], dilations=[2, 2], pads=[1, 2, 0, 1]),
    dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
    dict(kernel_shape=[2, 2], strides=[2, 1], auto_pad="SAME_LOWER", storage_order=1),
    dict(kernel_shape=[3, 2], strides=[1, 2], auto_pad="VALID"),
]


def test_maxpool_indices(tmp_path):
    """MaxPool's second output (int64 indices into the flattened input, row or column major) beside its values,
    against onnxruntime: every attribute in one model (one compile), batch 2. Ties (repeated values) take the
    first maximum, as onnxruntime."""
    import numpy as np
    import onnx
    from onnx import TensorProto

    nodes = [helper.make_node("MaxPool", ["x"], [f"y{k}", f"i{k}"], **attrs) for k, attrs in enumerate(MAXPOOL_INDICES)]
    outputs = []
    for k in range(len(MAXPOOL_INDICES)):
        outputs += [helper.make_tensor_value_info(f"y{k}", TensorProto.FLOAT, None),
                    helper.make_tensor_value_info(f"i{k}", TensorProto.INT64, None)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 9, 8])],
                              outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    x = np.round(rand(2, 3, 9, 8) * 4) / 4  # a few values, many ties
    graph = check(model, {"x": x.astype(np.float32)}, tmp_path)
    assert ops_of(graph).count("max_pool_argmax") == len(MAXPOOL_INDICES)


def test_maxpool_indices_of_1d_pooling_are_refused_naming_the_node(tmp_path):
    import onnx
    from onnx import TensorProto

    from edgec.errors import EdgecError
    from edgec.pipeline import CompileOptions, compile_model

    node = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2], name="pool1d")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 7]),
                               helper.make_tensor_value_info("i", TensorProto.INT64, [1, 2, 7])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 8
    onnx.save(model, str(tmp_path / "m.onnx"))
    with pytest.raises(EdgecError) as err:
        compile_model(tmp_path / "m.onnx", "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert "pool1d" in str(err.value) and "Indices output of a 1-D MaxPool" in str(err.value), str(err.value)
