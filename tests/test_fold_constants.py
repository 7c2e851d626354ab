"""passes/fold_constants.py: numpy folds exactly what TVM's FoldConstant would, bit for bit."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
import tvm
from onnx import TensorProto, helper, numpy_helper

from edgec.frontend import ImportOptions, import_model
from edgec.passes.relax_pipeline import relax_passes


def conv_bn_network(path, seed: int):
    """Conv -> BatchNormalization (twice, one depthwise) -> Relu -> Flatten -> Gemm, with random statistics spread
    over many magnitudes, so that sqrt, divide and multiply round differently from one value to the next."""
    rng = np.random.default_rng(seed)

    def const(name, array):
        return numpy_helper.from_array(np.asarray(array, np.float32), name)

    def bn(prefix, c):
        return [const(f"{prefix}_g", rng.normal(0, 3, c)), const(f"{prefix}_b", rng.normal(0, 1, c)),
                const(f"{prefix}_m", rng.normal(0, 1, c)), const(f"{prefix}_v", 10.0 ** rng.uniform(-6, 3, c))]

    inits = [const("w1", rng.normal(0, 1, (8, 3, 3, 3))), const("w2", rng.normal(0, 1, (8, 1, 3, 3))),
             const("fc", rng.normal(0, 1, (8 * 6 * 6, 5))), *bn("bn1", 8), *bn("bn2", 8)]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn1_g", "bn1_b", "bn1_m", "bn1_v"], ["b1"], epsilon=1e-3),
        helper.make_node("Conv", ["b1", "w2"], ["c2"], group=8),
        helper.make_node("BatchNormalization", ["c2", "bn2_g", "bn2_b", "bn2_m", "bn2_v"], ["b2"]),
        helper.make_node("Relu", ["b2"], ["r"]),
        helper.make_node("Flatten", ["r"], ["f"]),
        helper.make_node("MatMul", ["f", "fc"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "conv_bn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def optimized(path, with_numpy: bool) -> tvm.IRModule:
    mod = import_model(path, ImportOptions()).mod
    for name, p in relax_passes():
        if with_numpy or "numpy" not in name:
            mod = p(mod)
    return mod


@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_folding_equals_tvm_folding(tmp_path, seed):
    model = conv_bn_network(tmp_path / "net.onnx", seed)
    with_numpy, tvm_only = optimized(model, True), optimized(model, False)
    # structural_equal compares the folded constants' bytes too: one ulp of difference fails it
    tvm.ir.assert_structural_equal(with_numpy, tvm_only, map_free_vars=True)
    # and numpy really did the folding: nothing is left on constants for FoldConstant
    passes = dict(relax_passes())
    before_tvm = passes["fold-constant-numpy-before-layout"](
        passes["decompose-for-inference"](passes["fold-batchnorm-to-conv2d"](import_model(model, ImportOptions()).mod)))
    text = before_tvm.script(show_meta=False)
    assert "R.sqrt" not in text and "R.divide" not in text
