"""ONNX dynamic quantization: onnxruntime's quantize_dynamic graphs (DynamicQuantizeLinear -> ConvInteger /
MatMulInteger -> Cast -> Mul -> Add) and the three integer operators on their own.

edgec fuses each chain onto its hybrid kernels (passes/fuse_dynamic_quant.py) and keeps the ONNX arithmetic
exactly: uint8 quantization of the whole tensor with round half to even, exact int32 sums of
(x - x_zp) * (w - w_zp), then y = float(acc) * (x_scale * w_scale) and y + bias, each rounded once as the Mul and
Add nodes do. Against onnxruntime the float results are therefore compared with MUL_TOLERANCE: the most two
implementations can differ when both compute the same int32 sum is the rounding of that final multiply-add
(one fused rounding instead of two, e.g. an FMA in onnxruntime's fused DynamicQuantizeMatMul: at most
~eps * (|y| + |bias|) apart). The measured maximum error is printed (pytest -s); on this x86 host it is 0 for
every Mul/Add output, i.e. bit-exact.

onnxruntime's x86 AVX2 kernels without VNNI multiply uint8 activations by *int8* weights with vpmaddubsw, which
saturates pairs of products to int16 (test_onnxruntime_u8s8_matmul_saturates proves it on a single
MatMulInteger). quantize_dynamic's default int8 weights therefore make onnxruntime itself inexact; such models
are checked against the ONNX reference evaluator (onnx.reference, exact integer arithmetic, numpy float32 for
the Mul and Add), and against onnxruntime with reduce_range=True (7-bit weights: no saturation) or uint8 weights.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.shape_inference import quant_pre_process

from conftest import COMPILERS, REPO, TINY_CNN, assert_compiles_warning_free, run_edgec
from edgec.build.host import build_host_executable, run_host_executable, run_host_executable_many
from edgec.errors import UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model

sys.path.insert(0, str(REPO / "model_zoo"))
import mlp  # noqa: E402  (model_zoo/mlp.py)

RUNS = 100
EPS = float(np.finfo(np.float32).eps)
FUSED_OPS = {"conv2d_hybrid", "fully_connected_hybrid"}
UNFUSED_OPS = {"dynamic_quantize_linear", "conv_integer", "matmul_integer", "cast"}


def mul_tolerance(want: np.ndarray, bias_abs: float) -> np.ndarray:
    """|got - want| allowed for y = float(acc) * s + bias when both sides have the same int32 acc: one rounding
    of the product and one of the sum each (<= eps/2 relative), or a single fused rounding on the other side."""
    return 2 * EPS * (np.abs(want).astype(np.float64) + bias_abs)


def quantize(float_model: Path, out: Path, **options) -> Path:
    pre = out.with_name(out.stem + "_pre.onnx")
    quant_pre_process(str(float_model), str(pre))
    quantize_dynamic(str(pre), str(out), op_types_to_quantize=["Conv", "MatMul", "Gemm"], **options)
    return out


def with_outputs(path: Path, names: list[str]) -> Path:
    """The model with extra graph outputs (intermediate tensors, to compare layer by layer)."""
    model = onnx.load(str(path))
    inferred = {v.name: v for v in onnx.shape_inference.infer_shapes(model).graph.value_info}
    model.graph.output.extend(inferred[n] for n in names)
    onnx.save(model, str(path))
    return path


def compile_and_run(model: Path, batches, tmp: Path, tag: str = "edgec"):
    result = compile_model(model, "host", tmp / f"{tag}_out", CompileOptions(measure_code=False))
    exe = build_host_executable(result.out_dir, result.report, tmp / f"{tag}_build")
    outs = run_host_executable_many(exe, result.report, batches, tmp / f"{tag}_run")
    return result, [np.array([o[i] for o in outs]) for i in range(len(result.report["outputs"]))]


def run_ort(model: Path, batches, optimized: bool = True) -> list[np.ndarray]:
    so = ort.SessionOptions()
    if not optimized:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    runs = [sess.run(None, dict(zip(names, b))) for b in batches]
    return [np.array([r[i] for r in runs]) for i in range(len(runs[0]))]


def run_reference(model: Path, batches) -> list[np.ndarray]:
    ref = ReferenceEvaluator(str(model))
    runs = [ref.run(None, dict(zip(ref.input_names, b))) for b in batches]
    return [np.array([r[i] for r in runs]) for i in range(len(runs[0]))]


def inputs(shape, count: int = RUNS, seed: int = 1):
    rng = np.random.default_rng(seed)
    return [[rng.uniform(-1, 1, shape).astype(np.float32)] for _ in range(count)]


def last_bias(model: Path) -> float:
    """max |bias| of the model's last Add with a constant (the output layer's bias)."""
    m = onnx.load(str(model))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    adds = [n for n in m.graph.node if n.op_type == "Add" and any(i in inits for i in n.input)]
    return float(np.abs(next(inits[i] for i in adds[-1].input if i in inits)).max())


def check_close(name: str, got: np.ndarray, want: np.ndarray, bias_abs: float) -> None:
    got = got.reshape(want.shape)
    err = np.abs(got.astype(np.float64) - want)
    print(f"{name}: max abs error {err.max():.3g}, bit-exact {np.mean(got == want):.4f}")
    assert np.all(err <= mul_tolerance(want, bias_abs)), f"{name}: max abs error {err.max():.3g}"


# -- quantize_dynamic'd MLP: MatMulInteger -> fully_connected_hybrid ---------------------------------------------
MLP_CASES = {
    "u8-per-tensor": dict(weight_type=QuantType.QUInt8, per_channel=False),
    "u8-per-channel": dict(weight_type=QuantType.QUInt8, per_channel=True),
    "s8-per-channel-reduce-range": dict(weight_type=QuantType.QInt8, per_channel=True, reduce_range=True),
}


@pytest.mark.parametrize("case", list(MLP_CASES))
def test_mlp_matches_onnxruntime(case, tmp_path):
    float_model = tmp_path / "mlp.onnx"
    onnx.save(mlp.build((256, 256, 256, 10)), str(float_model))
    model = quantize(float_model, tmp_path / "mlp_dyn.onnx", **MLP_CASES[case])
    batches = inputs((1, 256))
    result, (got,) = compile_and_run(model, batches, tmp_path)
    ops = [n.op for n in result.graph.nodes]
    assert ops == ["fully_connected_hybrid"] * 3, ops  # each DQL -> MatMulInteger -> Cast -> Mul -> Add is one call
    bias = last_bias(model)
    for optimized in (True, False):  # default: fused DynamicQuantizeMatMul; disabled: the graph's own nodes
        (want,) = run_ort(model, batches, optimized)
        check_close(f"{case} vs onnxruntime ({'optimized' if optimized else 'ORT_DISABLE_ALL'})", got, want, bias)
    (exact,) = run_reference(model, batches)
    np.testing.assert_array_equal(got.reshape(exact.shape), exact)  # the ONNX reference evaluator, bit for bit
    assert len({g.tobytes() for g in got}) == RUNS


def test_mlp_int8_weights_exact_where_onnxruntime_saturates(tmp_path):
    """quantize_dynamic's defaults (int8 weights) with per-channel scales: edgec is bit-exact with the ONNX
    reference evaluator; onnxruntime on AVX2 without VNNI is not (vpmaddubsw saturation, see the next test)."""
    float_model = tmp_path / "mlp.onnx"
    onnx.save(mlp.build((256, 256, 256, 10)), str(float_model))
    model = quantize(float_model, tmp_path / "mlp_dyn.onnx", per_channel=True)
    batches = inputs((1, 256))
    result, (got,) = compile_and_run(model, batches, tmp_path)
    assert {n.op for n in result.graph.nodes} == {"fully_connected_hybrid"}
    (exact,) = run_reference(model, batches)
    np.testing.assert_array_equal(got.reshape(exact.shape), exact)
    (want,) = run_ort(model, batches)
    print(f"int8 weights: onnxruntime vs the exact reference: max abs {np.abs(want - exact).max():.3g}")


def test_onnxruntime_u8s8_matmul_saturates(tmp_path):
    """One MatMulInteger, uint8 A x int8 B: edgec is exact; onnxruntime is either exact (VNNI, ARM) or exactly
    the sum of int16-saturated pairs of products, sat16(a[2k] b[2k] + a[2k+1] b[2k+1]) - a_zp sum(b) (AVX2
    vpmaddubsw): its deviation from exact arithmetic is that saturation and nothing else."""
    rng = np.random.default_rng(0)
    k, n = 64, 16
    w = rng.integers(-128, 128, (k, n)).astype(np.int8)
    graph = helper.make_graph([helper.make_node("MatMulInteger", ["a", "w", "a_zp"], ["y"], name="mmi")], "g",
                              [helper.make_tensor_value_info("a", TensorProto.UINT8, [1, k]),
                               helper.make_tensor_value_info("a_zp", TensorProto.UINT8, [])],
                              [helper.make_tensor_value_info("y", TensorProto.INT32, [1, n])],
                              [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "mmi.onnx"
    onnx.save(model, str(path))
    batches = [[rng.integers(0, 256, (1, k)).astype(np.uint8), np.array(rng.integers(0, 256), np.uint8)]
               for _ in range(RUNS)]
    result, (got,) = compile_and_run(path, batches, tmp_path)
    assert [n.op for n in result.graph.nodes] == ["matmul_integer"]
    a = np.array([b[0] for b in batches]).astype(np.int64)[:, 0, :]  # [runs, k]
    az = np.array([int(b[1]) for b in batches])[:, None]
    exact = (a - az) @ w.astype(np.int64)
    np.testing.assert_array_equal(got[:, 0, :], exact)
    (want,) = run_ort(path, batches)
    prods = a[:, :, None] * w.astype(np.int64)[None]  # [runs, k, n]
    saturated = np.clip(prods[:, 0::2] + prods[:, 1::2], -32768, 32767).sum(1) - az * w.astype(np.int64).sum(0)
    ort_exact = np.array_equal(want[:, 0, :], exact)
    print(f"onnxruntime u8 x s8 MatMulInteger: exact {ort_exact}, "
          f"equal to int16-saturated pair sums {np.array_equal(want[:, 0, :], saturated)}")
    assert ort_exact or np.array_equal(want[:, 0, :], saturated)


# -- quantize_dynamic'd CNN: ConvInteger (incl. depthwise, group=8) -> conv2d_hybrid -----------------------------
CNN_CASES = {
    "u8": dict(weight_type=QuantType.QUInt8),
    "s8-reduce-range": dict(weight_type=QuantType.QInt8, reduce_range=True),
    "s8-per-channel-reduce-range": dict(weight_type=QuantType.QInt8, per_channel=True, reduce_range=True),
}
CNN_LAYERS = ["r1", "r2", "r3", "logits"]  # after conv1+relu, dw2 (group 8)+relu, pw2+relu; the FC's output


def tiny_cnn_dynamic(tmp_path: Path, **options) -> Path:
    return with_outputs(quantize(TINY_CNN, tmp_path / "tiny_cnn_dyn.onnx", **options), CNN_LAYERS)


@pytest.mark.parametrize("case", list(CNN_CASES))
def test_cnn_matches_onnxruntime(case, tmp_path):
    model = tiny_cnn_dynamic(tmp_path, **CNN_CASES[case])
    batches = inputs((1, 1, 32, 32))
    result, got = compile_and_run(model, batches, tmp_path)
    ops = [n.op for n in result.graph.nodes]
    assert ops.count("conv2d_hybrid") == 3 and ops.count("fully_connected_hybrid") == 1, ops
    assert not UNFUSED_OPS & set(ops), ops
    assert next(n for n in result.graph.nodes if "dw2" in n.name).attrs["groups"] == 8
    want = run_ort(model, batches)
    probs_got, probs_want = got[0].reshape(want[0].shape), want[0]
    # the conv layers and the logits: the Mul/Add tolerance (bias of at most 2 in this model)
    for name, g, w in zip(CNN_LAYERS, got[1:], want[1:]):
        check_close(f"{case} {name}", g, w, bias_abs=2.0)
    # softmax: edgec's and onnxruntime's expf differ by a few ulp
    err = np.abs(probs_got - probs_want)
    print(f"{case} probabilities: max abs error {err.max():.3g}")
    assert err.max() <= 1e-6
    assert len({g.tobytes() for g in got[0]}) == RUNS


def test_cnn_int8_weights_exact(tmp_path):
    """quantize_dynamic's default int8 weights on the CNN: the conv layers are bit-exact with the ONNX reference
    evaluator (onnxruntime's AVX2 kernels saturate here)."""
    model = tiny_cnn_dynamic(tmp_path)
    batches = inputs((1, 1, 32, 32), count=20)
    _, got = compile_and_run(model, batches, tmp_path)
    exact = run_reference(model, batches)
    for name, g, w in zip(CNN_LAYERS[:3], got[1:4], exact[1:4]):
        np.testing.assert_array_equal(g.reshape(w.shape), w, err_msg=name)


@pytest.mark.parametrize("model_kind", ["cnn", "mlp"])
def test_fused_equals_integer_kernels(model_kind, tmp_path, monkeypatch):
    """Without the fuse-dynamic-quant pass the graph runs node by node on the integer kernels
    (edgec_dynamic_quantize_linear, edgec_conv_integer incl. groups, edgec_matmul_integer, edgec_cast) and the
    float Mul / Add: the fused hybrid kernels give the same bits."""
    import edgec.pipeline
    from edgec.passes.pipeline import GRAPH_PASSES

    if model_kind == "cnn":
        model, shape = tiny_cnn_dynamic(tmp_path, weight_type=QuantType.QUInt8, per_channel=True), (1, 1, 32, 32)
    else:
        float_model = tmp_path / "mlp.onnx"
        onnx.save(mlp.build((64, 48, 10)), str(float_model))
        model, shape = quantize(float_model, tmp_path / "mlp_dyn.onnx", per_channel=True), (1, 64)
    batches = inputs(shape, count=30)
    fused, got = compile_and_run(model, batches, tmp_path, "fused")
    monkeypatch.setattr(edgec.pipeline, "GRAPH_PASSES", [p for p in GRAPH_PASSES if p[0] != "fuse-dynamic-quant"])
    unfused, want = compile_and_run(model, batches, tmp_path, "unfused")
    assert UNFUSED_OPS - {"conv_integer"} <= {n.op for n in unfused.graph.nodes}
    assert not FUSED_OPS & {n.op for n in unfused.graph.nodes}
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    print(f"{model_kind}: arena fused {fused.report['arena_bytes']} B, unfused {unfused.report['arena_bytes']} B")


def test_conv_integer_per_channel_zero_points_grouped_dilated(tmp_path, monkeypatch):
    """A hand-built chain with what quantize_dynamic does not emit but ONNX allows: uint8 weights with a zero
    point and a scale per output channel, group=2, dilation 2, stride 2, asymmetric pads, batch 2. Checked
    fused and unfused against a numpy model of the ONNX definition (onnxruntime's ConvInteger takes only a
    per-tensor weight zero point)."""
    rng = np.random.default_rng(5)
    n, c, h, w_, m, k = 2, 4, 11, 9, 6, 3
    w = rng.integers(0, 256, (m, c // 2, k, k)).astype(np.uint8)
    wz = rng.integers(100, 156, (m,)).astype(np.uint8)
    ws = rng.uniform(0.001, 0.01, (m, 1, 1)).astype(np.float32)
    bias = rng.uniform(-1, 1, (1, m, 1, 1)).astype(np.float32)
    pads, strides, dil = [1, 2, 0, 1], [2, 2], [2, 2]
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="dql"),
             helper.make_node("Mul", ["xs", "ws"], ["s"], name="scales"),
             helper.make_node("ConvInteger", ["xq", "w", "xz", "wz"], ["acc"], name="conv", group=2, pads=pads,
                              strides=strides, dilations=dil),
             helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT, name="cast"),
             helper.make_node("Mul", ["accf", "s"], ["ys"], name="rescale"),
             helper.make_node("Add", ["ys", "b"], ["y"], name="bias")]
    oh, ow = (h + 1 + 0 - 2 * (k - 1) - 1) // 2 + 1, (w_ + 2 + 1 - 2 * (k - 1) - 1) // 2 + 1
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, w_])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, m, oh, ow])],
                              [numpy_helper.from_array(a, name) for a, name in ((w, "w"), (wz, "wz"), (ws, "ws"), (bias, "b"))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "conv.onnx"
    onnx.save(model, str(path))
    batches = inputs((n, c, h, w_), count=10, seed=3)

    def numpy_model(x):
        lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
        scale = np.float32(1.0) if hi == lo else np.float32(np.float32(hi) - np.float32(lo)) / np.float32(255)
        zp = np.rint(np.clip(np.float32(0) - np.float32(lo) / scale, 0, 255))
        xq = np.clip(np.rint(x / scale) + zp, 0, 255).astype(np.int64) - int(zp)
        xp = np.pad(xq, [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])])
        wd = w.astype(np.int64) - wz.astype(np.int64)[:, None, None, None]
        acc = np.zeros((n, m, oh, ow), np.int64)
        for oc in range(m):
            g0 = oc // (m // 2) * (c // 2)
            for ky in range(k):
                for kx in range(k):
                    patch = xp[:, g0:g0 + c // 2, ky * 2:ky * 2 + 2 * oh:2, kx * 2:kx * 2 + 2 * ow:2]
                    acc[:, oc] += np.einsum("nchw,c->nhw", patch, wd[oc, :, ky, kx])
        return acc.astype(np.float32) * (scale * ws)[None] + bias

    want = np.array([numpy_model(b[0]) for b in batches])
    fused, (got,) = compile_and_run(path, batches, tmp_path, "fused")
    assert [nd.op for nd in fused.graph.nodes] == ["conv2d_hybrid"]
    np.testing.assert_array_equal(got, want)
    import edgec.pipeline
    from edgec.passes.pipeline import GRAPH_PASSES

    monkeypatch.setattr(edgec.pipeline, "GRAPH_PASSES", [p for p in GRAPH_PASSES if p[0] != "fuse-dynamic-quant"])
    unfused, (got,) = compile_and_run(path, batches, tmp_path, "unfused")
    assert "conv_integer" in [nd.op for nd in unfused.graph.nodes]
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("cc,flags", COMPILERS, ids=[f"{c}{' '.join(f[:1])}" for c, f in COMPILERS])
def test_generated_c_is_warning_free(cc, flags, tmp_path, monkeypatch):
    """The fused model (hybrid kernels in their ONNX mode) and the unfused one (edgec_conv_integer,
    edgec_matmul_integer, edgec_cast, edgec_dynamic_quantize_linear) build freestanding with -Wall -Wextra
    -Werror for the host and Cortex-M."""
    import edgec.pipeline
    from edgec.passes.pipeline import GRAPH_PASSES

    model = quantize(TINY_CNN, tmp_path / "tiny_cnn_dyn.onnx", weight_type=QuantType.QUInt8)
    fused = compile_model(model, "cortex-m7", tmp_path / "fused", CompileOptions(measure_code=False))
    monkeypatch.setattr(edgec.pipeline, "GRAPH_PASSES", [p for p in GRAPH_PASSES if p[0] != "fuse-dynamic-quant"])
    unfused = compile_model(model, "cortex-m7", tmp_path / "unfused", CompileOptions(measure_code=False))
    files = {f.name for r in (fused, unfused) for f in r.out_dir.glob("edgec_*.c")}
    assert {"edgec_conv2d_hybrid.c", "edgec_fully_connected_hybrid.c", "edgec_hybrid_quantize.c",
            "edgec_conv_integer.c", "edgec_matmul_integer.c", "edgec_cast.c"} <= files
    for r in (fused, unfused):
        assert_compiles_warning_free(r.out_dir, tmp_path, cc, flags)


# -- the ONNX backend node tests of the three operators ------------------------------------------------------------
NODE_CASES = ["test_convinteger_without_padding", "test_convinteger_with_padding", "test_matmulinteger",
              "test_dynamicquantizelinear", "test_dynamicquantizelinear_max_adjusted",
              "test_dynamicquantizelinear_min_adjusted"]
# Not run: test_dynamicquantizelinear*_expanded spell the operator out as its function body (ReduceMin, Div,
# Round, Cast to uint8, QuantizeLinear, ...) - float->uint8 graphs of other operators, not DynamicQuantizeLinear.


def node_case(name: str):
    import onnx.backend.test.case.node as cases

    for module in ("convinteger", "matmulinteger", "dynamicquantizelinear"):
        importlib.import_module(f"onnx.backend.test.case.node.{module}")  # registers its cases on import
    return next(c for c in cases._NodeTestCases if c.name == name)


@pytest.mark.parametrize("name", NODE_CASES)
def test_onnx_node_case(name, tmp_path):
    case = node_case(name)
    path = tmp_path / "model.onnx"
    onnx.save(case.model, str(path))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert len(result.graph.nodes) == 1 and result.graph.nodes[0].op in UNFUSED_OPS
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")
    for k, (ins, outs) in enumerate(case.data_sets):
        feed = dict(zip([i.name for i in case.model.graph.input], ins))
        got = run_host_executable(exe, result.report, [feed[i["source_name"]] for i in result.report["inputs"]],
                                  tmp_path / f"run{k}")
        for g, w in zip(got, outs):
            w = np.asarray(w)
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g.reshape(w.shape), w)


def test_dynamic_quantize_linear_edge_cases(tmp_path):
    """Ties (x / scale exactly k + 0.5: round half to even), an all-zero input (onnxruntime: scale 1, zero point
    0), all-negative, all-positive and tiny inputs: y, scale and zero point identical to onnxruntime."""
    n = 8
    graph = helper.make_graph([helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"], name="dql")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [n]),
                               helper.make_tensor_value_info("s", TensorProto.FLOAT, []),
                               helper.make_tensor_value_info("z", TensorProto.UINT8, [])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "dql.onnx"
    onnx.save(model, str(path))
    rng = np.random.default_rng(2)
    vectors = [[0, 255, 0.5, 1.5, 2.5, 3.5, 253.5, 254.5],  # scale 1, zero point 0: ties
               [-255, 0, -0.5, -1.5, -2.5, -253.5, -254.5, -100.5],  # scale 1, zero point 255
               [0] * n, [-3, -2, -1, -0.5, -0.25, -4, -5, -6], [1, 2, 3, 4, 5, 6, 7, 8], [1e-30, -1e-30] * 4,
               [-1, 2, 0, 0.1, 0.2, 0.3, -0.7, 1.9]]
    vectors += [rng.normal(0, 3, n) for _ in range(50)]
    batches = [[np.array(v, np.float32)] for v in vectors]
    result, got = compile_and_run(path, batches, tmp_path)
    assert [nd.op for nd in result.graph.nodes] == ["dynamic_quantize_linear"]
    want = run_ort(path, batches)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.reshape(w.shape), w)
    assert list(want[0][0]) == [0, 255, 0, 2, 2, 4, 254, 254]


# -- clear errors ------------------------------------------------------------------------------------------------
def test_unsupported_variants_are_named(tmp_path):
    """3-D ConvInteger, MatMulInteger with a 3-D B and a Cast edgec has no kernel for (float to int32): refused
    with the node's name, from the API and the CLI."""
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="quant_in"),
             helper.make_node("ConvInteger", ["xq", "w", "xz"], ["acc"], name="conv3d_int"),
             helper.make_node("MatMulInteger", ["xq2", "b3"], ["mm"], name="batched_b"),
             helper.make_node("Cast", ["acc"], ["y"], to=TensorProto.FLOAT, name="cast"),
             helper.make_node("Cast", ["mm"], ["y2"], to=TensorProto.FLOAT, name="cast2"),
             helper.make_node("Cast", ["x"], ["xi"], to=TensorProto.INT32, name="to_int")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4, 4]),
                                           helper.make_tensor_value_info("xq2", TensorProto.UINT8, [2, 3, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 3, 3, 3]),
                               helper.make_tensor_value_info("y2", TensorProto.FLOAT, [2, 3, 5]),
                               helper.make_tensor_value_info("xi", TensorProto.INT32, [1, 2, 4, 4, 4])],
                              [numpy_helper.from_array(np.ones((3, 2, 2, 2, 2), np.uint8), "w"),
                               numpy_helper.from_array(np.ones((2, 4, 5), np.uint8), "b3")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "bad.onnx"
    onnx.save(model, str(path))
    with pytest.raises(UnsupportedModelError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert [p[:2] for p in err.value.problems] == [("conv3d_int", "ConvInteger"), ("batched_b", "MatMulInteger"),
                                                   ("to_int", "Cast")]
    proc = run_edgec("compile", path, "--target", "host", "-o", tmp_path / "cli")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "conv3d_int" in proc.stderr and "3-D ConvInteger is not supported" in proc.stderr, proc.stderr
