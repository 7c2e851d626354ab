"""ONNX QDQ models from onnxruntime's quantize_static: the float tiny_cnn is quantized (int8, per-channel
weights), compiled for cortex-m7 through frontend/onnx_qdq.py, and compared with onnxruntime on 300 inputs.

reduce_range=True (7-bit weights) is onnxruntime's own advice for x86 without VNNI: its u8s8 AVX2 kernels
(vpmaddubsw) saturate int16 pair sums otherwise, so onnxruntime itself is not exact integer arithmetic there.
With it, edgec matches onnxruntime bit for bit; the test demands >= 99.9 % within 1 LSB.

quantize_static with all its defaults (QDQ, int8 activations and weights, per-tensor, reduce_range=False):
tiny_cnn still meets >= 99.9 % against onnxruntime's default session (the "tiny_cnn-qdq-defaults" case). Where
it does not (small_cnn with per-channel weights: about half the outputs), onnxruntime's optimized kernels
disagree just as much with onnxruntime's own unoptimized session (ORT_DISABLE_ALL: DequantizeLinear -> float
op -> QuantizeLinear, the QDQ model's defining float semantics), which edgec matches;
test_defaults_where_onnxruntime_saturates states exactly that."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

from conftest import REPO, TINY_CNN
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model

RUNS = 300


class Reader(CalibrationDataReader):
    def __init__(self, name: str, shape, count: int = 16):
        rng = np.random.default_rng(0)
        self.data = iter([{name: rng.uniform(-1, 1, shape).astype(np.float32)} for _ in range(count)])

    def get_next(self):
        return next(self.data, None)


def matmul_model(path):
    """input [1, 64] -> MatMul [64, 10] (QLinearMatMul in QOperator format)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = np.random.default_rng(3).normal(0, 0.2, (64, 10)).astype(np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["input", "w"], ["y"])], "mm",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
                              [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def small_cnn_model(path):
    import sys

    sys.path.insert(0, str(REPO / "model_zoo"))
    import small_cnn

    onnx.save(small_cnn.build(), str(path))
    return path


# per_channel, int8 activations and weights, reduce_range: what the x86 onnxruntime reference needs to be exact
EXACT_ORT = dict(per_channel=True, activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, reduce_range=True)
CNN_OPS = {"conv2d_s8", "depthwise_conv2d_s8", "max_pool2d_s8", "global_avg_pool_s8", "softmax_q8"}
CASES = {
    "tiny_cnn-qdq": (lambda tmp: TINY_CNN, QuantFormat.QDQ, CNN_OPS, EXACT_ORT),
    "tiny_cnn-qoperator": (lambda tmp: TINY_CNN, QuantFormat.QOperator, {"conv2d_s8", "depthwise_conv2d_s8",
                                                                         "max_pool2d_s8", "softmax_q8"}, EXACT_ORT),
    "matmul-qoperator": (lambda tmp: matmul_model(tmp / "mm.onnx"), QuantFormat.QOperator, {"conv2d_s8"}, EXACT_ORT),
    # quantize_static's own defaults: per-tensor weights, reduce_range=False
    "tiny_cnn-qdq-defaults": (lambda tmp: TINY_CNN, QuantFormat.QDQ, CNN_OPS, {}),
}


def quantize(float_model, tmp_path, fmt=QuantFormat.QDQ, **options):
    pre, qdq = tmp_path / "pre.onnx", tmp_path / "q.onnx"
    quant_pre_process(str(float_model), str(pre))
    sess = ort.InferenceSession(str(float_model), providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    quantize_static(str(pre), str(qdq), Reader(inp.name, inp.shape), quant_format=fmt, **options)
    return qdq, inp


def lsb_apart(result, got, want):
    out_scale = next(n for n in result.graph.nodes if n.op == "dequantize_s8").attrs["scale"]
    return np.rint(np.abs(got - want) / np.float32(out_scale)).astype(int)


def run_ort(model, inp, batches, shape, optimized=True):
    so = ort.SessionOptions()
    if not optimized:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    return np.array([sess.run(None, {inp.name: b[0]})[0].reshape(shape) for b in batches])


@pytest.mark.parametrize("case", list(CASES))
def test_quantized_onnx_matches_onnxruntime(case, tmp_path):
    make, fmt, expect_ops, options = CASES[case]
    qdq, inp = quantize(make(tmp_path), tmp_path, fmt, **options)

    result = compile_model(qdq, "cortex-m7", tmp_path / "out", CompileOptions())
    ops = {layer["op"] for layer in result.report["layers"]}
    assert expect_ops | {"quantize_s8", "dequantize_s8"} <= ops, ops
    assert not any(op in ops for op in ("conv2d", "matmul", "softmax")), "float kernels left in a QDQ model"
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")

    rng = np.random.default_rng(1)
    batches = [[rng.uniform(-1, 1, inp.shape).astype(np.float32)] for _ in range(RUNS)]
    got = np.array([g[0] for g in run_host_executable_many(exe, result.report, batches, tmp_path / "run")])
    want = run_ort(qdq, inp, batches, got.shape[1:])
    lsb = lsb_apart(result, got, want)
    assert (lsb <= 1).mean() >= 0.999, np.bincount(lsb.ravel())
    if options:  # reduce_range: onnxruntime is exact integer arithmetic, so edgec is (nearly) bit-exact with it
        assert (lsb == 0).mean() >= 0.99, np.bincount(lsb.ravel())
    assert len({g.tobytes() for g in got}) >= 20, "outputs hardly depend on the input"


def test_defaults_where_onnxruntime_saturates(tmp_path):
    """small_cnn, quantize_static's defaults with per_channel=True (reduce_range=False): edgec is within 1 LSB of
    the QDQ model's float semantics (onnxruntime with ORT_DISABLE_ALL) on >= 99.9 % of the outputs. Against
    onnxruntime's optimized session it is not, on x86 without VNNI, only because that session's integer conv
    kernels saturate (AVX2 vpmaddubsw sums pairs of 8-bit products in int16): they then disagree with onnxruntime's own
    ORT_DISABLE_ALL session just as much, and the same model quantized with reduce_range=True (7-bit weights,
    no saturation) brings onnxruntime's optimized session back to >= 99.9 % within 1 LSB of edgec (bit-exact
    but for a few outputs)."""
    float_model = small_cnn_model(tmp_path / "small_cnn.onnx")
    rng = np.random.default_rng(1)
    fractions = {}
    for reduce_range in (False, True):
        work = tmp_path / f"rr{int(reduce_range)}"
        work.mkdir()
        qdq, inp = quantize(float_model, work, per_channel=True, reduce_range=reduce_range)
        result = compile_model(qdq, "host", work / "out", CompileOptions(measure_code=False))
        exe = build_host_executable(result.out_dir, result.report, work / "build")
        batches = [[rng.uniform(-1, 1, inp.shape).astype(np.float32)] for _ in range(RUNS)]
        got = np.array([g[0] for g in run_host_executable_many(exe, result.report, batches, work / "run")])
        optimized = run_ort(qdq, inp, batches, got.shape[1:])
        reference = run_ort(qdq, inp, batches, got.shape[1:], optimized=False)
        within = {name: float((lsb_apart(result, a, b) <= 1).mean()) for name, (a, b) in {
            "edgec-vs-ort_disable_all": (got, reference), "edgec-vs-ort": (got, optimized),
            "ort-vs-ort_disable_all": (optimized, reference)}.items()}
        fractions[reduce_range] = within
        print(f"small_cnn per-channel reduce_range={reduce_range}: within 1 LSB {within}")
        assert within["edgec-vs-ort_disable_all"] >= 0.999, within
    if fractions[False]["edgec-vs-ort"] < 0.999:  # onnxruntime's optimized kernels saturate on this host
        assert fractions[False]["ort-vs-ort_disable_all"] < 0.999, fractions
        assert fractions[True]["edgec-vs-ort"] >= 0.999, fractions
