"""Einsum beyond matmul-shaped equations: diagonals (a letter repeated in one term), ellipses (batched, and
broadcast between the operands as NumPy does) and both together, against onnxruntime and NumPy. One model holds
every equation, so one compile and one build cover them."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

from edgec.errors import EdgecError
from edgec.pipeline import CompileOptions, compile_model
from onnx_check import check, make_model, ops_of, rand

# (equation, operand shapes)
EQUATIONS = [
    ("ii->i", [(4, 4)]),                                   # diagonal
    ("ii", [(5, 5)]),                                      # trace (implicit output)
    ("bii->bi", [(3, 4, 4)]),                              # batched diagonal
    ("iji->j", [(3, 2, 3)]),                               # diagonal of two axes apart, summed
    ("iii->i", [(3, 3, 3)]),                               # a letter three times
    ("ijij->ji", [(2, 3, 2, 3)]),                          # two diagonals in one term
    ("...ii->...i", [(2, 3, 4, 4)]),                       # the ONNX node case's form, one more batch axis
    ("...ij->...ji", [(2, 3, 4)]),                         # batched transpose
    ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 2)]),  # batched matmul
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (1, 5, 4, 2)]),  # broadcast ellipses (axes of 1)
    ("...ij,...jk", [(3, 1, 2, 4), (1, 4, 4, 3)]),         # implicit output, broadcast both ways
    ("ij...,jk...->ik...", [(3, 4, 2), (4, 2, 1)]),        # ellipsis last, broadcast
    ("b...i,b...i->b...", [(2, 3, 4, 5), (2, 3, 4, 5)]),   # batched inner products
    ("...ii,...i->...i", [(2, 3, 3), (1, 3)]),             # diagonal times a broadcast vector
    ("ii,jj->ij", [(3, 3), (4, 4)]),                       # outer product of two diagonals
    ("bij,bjj->bi", [(2, 3, 4), (2, 4, 4)]),               # matmul with a diagonal
    ("...,...->...", [(2, 3), (1, 3)]),                    # ellipsis only: broadcast product
]


def test_einsum_diagonals_and_ellipses(tmp_path):
    nodes, inputs, feed, outputs = [], {}, {}, []
    for k, (equation, shapes) in enumerate(EQUATIONS):
        names = [f"x{k}_{j}" for j in range(len(shapes))]
        for j, (n, s) in enumerate(zip(names, shapes)):
            inputs[n], feed[n] = s, rand(*s, seed=10 * k + j)
        nodes.append(helper.make_node("Einsum", names, [f"y{k}"], equation=equation))
        outputs.append(f"y{k}")
    model = make_model(nodes, inputs, outputs, opset=12)
    graph = check(model, feed, tmp_path)
    assert "matmul" in ops_of(graph)
    # ONNX's reference is NumPy's einsum: the same equations there, so a disagreement of onnxruntime with NumPy
    # (rather than edgec's) would show
    from edgec.reference import run_onnx_reference

    got = run_onnx_reference(tmp_path / "model.onnx", feed)
    for (equation, shapes), k, g in zip(EQUATIONS, range(len(EQUATIONS)), got):
        want = np.einsum(equation, *(feed[f"x{k}_{j}"].astype(np.float64) for j in range(len(shapes))))
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6, err_msg=equation)


@pytest.mark.parametrize("equation,shapes,out,reason", [
    ("...ij->ij", [(2, 3, 4)], [3, 4], "the ellipsis stands for 1 axes the output lacks"),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], [2, 5], "edgec takes one or two operands"),
])
def test_einsum_refusals_name_the_node(equation, shapes, out, reason, tmp_path):
    names = [f"x{j}" for j in range(len(shapes))]
    node = helper.make_node("Einsum", names, ["y"], equation=equation, name="the_einsum")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, s)
                                            for n, s in zip(names, shapes)],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, out)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 10
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    with pytest.raises(EdgecError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert reason in str(err.value) and "the_einsum" in str(err.value), str(err.value)
