"""Graph passes: each one changes the IR the way it says, and the compiled model still matches onnxruntime."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from edgec.frontend import ImportOptions, import_model
from edgec.lower import lower_module
from edgec.passes import fold_affine, fuse_activation, remove_copies
from edgec.pipeline import CompileOptions, compile_model, optimize_relax
from edgec.verify import verify_compiled


def conv_bn_relu_model(path, with_bias: bool = True, act: str = "Relu"):
    rng = np.random.default_rng(1)
    c = lambda name, *shape: numpy_helper.from_array(rng.uniform(0.5, 1.5, shape).astype(np.float32), name)
    inits = [c("w", 6, 3, 3, 3), c("b", 6), c("g", 6), c("be", 6), c("m", 6), c("v", 6)]
    conv_inputs = ["x", "w", "b"] if with_bias else ["x", "w"]
    nodes = [
        helper.make_node("Conv", conv_inputs, ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "g", "be", "m", "v"], ["bn"], name="bn"),
    ]
    if act == "Relu":
        nodes.append(helper.make_node("Relu", ["bn"], ["y"], name="act"))
    else:
        inits += [numpy_helper.from_array(np.float32(0.0), "lo"), numpy_helper.from_array(np.float32(6.0), "hi")]
        nodes.append(helper.make_node("Clip", ["bn", "lo", "hi"], ["y"], name="act"))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 8, 8])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def lowered(path):
    return lower_module(optimize_relax(import_model(path, ImportOptions()).mod))


def compute_ops(graph) -> list[str]:
    """The ops that compute, without the layout transposes at the model's NCHW boundary."""
    return [n.op for n in graph.nodes if n.op != "transpose"]


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("act", ["Relu", "Clip"])
def test_conv_bn_act_becomes_one_kernel(tmp_path, with_bias, act):
    path = conv_bn_relu_model(tmp_path / "m.onnx", with_bias, act)
    g = lowered(path)
    assert compute_ops(g)[0] == "conv2d" and len(compute_ops(g)) > 2  # bias add + BN affine + activation
    g = fuse_activation.run(fold_affine.run(g))
    assert compute_ops(g) == ["conv2d"]
    conv = next(n for n in g.nodes if n.op == "conv2d")
    assert conv.attrs["act"] == ((0.0, np.inf) if act == "Relu" else (0.0, 6.0))
    assert len(conv.inputs) == 3  # folded bias

    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert compute_ops(result.graph) == ["conv2d"]
    assert all(c.ok for c in verify_compiled(path, result, runs=2, rtol=1e-5, atol=1e-5))


def test_affine_fold_skips_a_shared_output(tmp_path):
    """conv output read by two nodes: folding the add into the conv would change the other reader's input."""
    rng = np.random.default_rng(2)
    inits = [numpy_helper.from_array(rng.standard_normal((4, 3, 1, 1)).astype(np.float32), "w"),
             numpy_helper.from_array(rng.standard_normal((1, 4, 1, 1)).astype(np.float32), "t")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"]), helper.make_node("Add", ["c", "t"], ["a"]),
             helper.make_node("Mul", ["c", "a"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4])], inits)
    path = tmp_path / "shared.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    g = fold_affine.run(lowered(path))
    assert compute_ops(g) == ["conv2d", "add", "mul"]
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert all(c.ok for c in verify_compiled(path, result, runs=2, rtol=1e-5, atol=1e-6))


def test_output_that_is_a_view_costs_no_copy(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Flatten", ["r"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6])])
    path = tmp_path / "view.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    g = remove_copies.run(lowered(path))
    # the output is a view of relu's result: no copy, and its storage lives to the end
    assert [n.op for n in g.nodes] == ["clamp"]
    assert g.storage_root(g.outputs[0]) == g.nodes[0].outputs[0]
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert all(c.ok for c in verify_compiled(path, result, runs=1, rtol=0, atol=0))


def test_input_passed_straight_through_is_copied(tmp_path):
    """An output that is (a view of) an input must not share the input's storage."""
    nodes = [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Relu", ["x"], ["z"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3]),
                               helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])])
    path = tmp_path / "passthrough.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert "copy" in [n.op for n in result.graph.nodes]
    assert "int passthrough_run(const void *input0, void *output0, void *output1);" in (tmp_path / "out" / "model.h").read_text()
    assert all(c.ok for c in verify_compiled(path, result, runs=1, rtol=0, atol=0))
