"""Build a one-node (or small) ONNX model, compile it with edgec for the host, run it, and compare with
onnxruntime on the same inputs. Used by the tests/test_ops_*.py operator tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from edgec.build.host import build_host_executable, run_host_executable
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference
from edgec.verify import compare

RTOL, ATOL = 1e-5, 1e-6


def make_model(nodes, inputs: dict[str, tuple], outputs: list[str] | dict[str, tuple], initializers: dict[str, np.ndarray] | None = None,
               opset: int = 21, index_inputs: dict[str, tuple] | None = None) -> onnx.ModelProto:
    """inputs: name -> shape (float32); index_inputs: name -> shape (int64, to bind); outputs: names, or
    name -> shape where shape inference cannot tell (an output shape that depends on an input's value)."""
    outputs = outputs if isinstance(outputs, dict) else dict.fromkeys(outputs)
    graph_inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()]
    graph_inputs += [helper.make_tensor_value_info(n, TensorProto.INT64, s) for n, s in (index_inputs or {}).items()]
    graph = helper.make_graph(
        nodes, "g", graph_inputs, [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs.items()],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in (initializers or {}).items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def check(model: onnx.ModelProto, feed: dict[str, np.ndarray], tmp: Path, bindings: dict | None = None,
          rtol: float = RTOL, atol: float = ATOL):
    """Compile, build, run; assert every output matches onnxruntime. Returns edgec's graph (to check which
    kernels ran)."""
    path = tmp / "model.onnx"
    onnx.save(model, str(path))
    bindings = {k: np.asarray(v) for k, v in (bindings or {}).items()}
    result = compile_model(path, "host", tmp / "out",
                           CompileOptions(import_options=ImportOptions(bindings=bindings), measure_code=False))
    report = result.report
    exe = build_host_executable(result.out_dir, report, tmp / "build")
    got = run_host_executable(exe, report, [feed[i["source_name"]] for i in report["inputs"]], tmp / "run")
    want = run_onnx_reference(path, feed, bindings)
    assert len(got) == len(want)
    for info, g, w in zip(report["outputs"], got, want):
        assert g.shape == w.shape, f"{info['name']}: shape {g.shape}, onnxruntime {w.shape}"
        cmp = compare(info["name"], g, w, rtol, atol)
        assert cmp.ok, f"{cmp.output}: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
    return result.graph


def rand(*shape, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def ops_of(graph) -> list[str]:
    return [n.op for n in graph.nodes]
