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
test_defaults_where_onnxruntime_saturates states exactly that.

MobileNetV2 with the defaults is within 1 LSB of ORT_DISABLE_ALL on only about 80 % of its outputs, yet every
layer of it, fed onnxruntime's own quantized input, is bit-exact but for ties:
test_mobilenet_v2_every_layer_matches_onnxruntime_on_its_own_input shows both, and why they go together."""

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


def mul_model(path):
    """input [1, 4, 6, 6] -> Conv 1x1 -> Mul by a per-channel constant [1, 4, 1, 1] (SE-style scaling), then Mul of
    two activations (QLinearMul in QOperator format, with a constant and an activation operand)."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(5)
    inits = [numpy_helper.from_array(rng.normal(0, 0.5, (4, 4, 1, 1)).astype(np.float32), "w"),
             numpy_helper.from_array(rng.uniform(0.5, 2.0, (1, 4, 1, 1)).astype(np.float32), "s")]
    nodes = [helper.make_node("Conv", ["input", "w"], ["c"]), helper.make_node("Mul", ["c", "s"], ["m"]),
             helper.make_node("Mul", ["m", "c"], ["y"])]
    graph = helper.make_graph(nodes, "mul", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4, 6, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])], inits)
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
    "mul-qoperator": (lambda tmp: mul_model(tmp / "mul.onnx"), QuantFormat.QOperator, {"conv2d_s8", "binary_q8"},
                      EXACT_ORT),
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


def isolated_layers(model):
    """Every operator of a QDQ model on its own, for comparing layers on identical inputs: each activation
    input of an operator becomes a float graph input feeding the original QuantizeLinear -> DequantizeLinear
    pair (so a dequantized int8 value comes back as exactly that int8 value), and each operator's
    QuantizeLinear output becomes a graph output through a DequantizeLinear. Returns the model and, per
    operator in graph order, (op_type, name, [quantized tensors it reads], quantized tensor it writes)."""
    from onnx import TensorProto, helper, shape_inference

    model = shape_inference.infer_shapes(model)
    g = model.graph
    inits = {i.name for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    users = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.value_info) + list(g.input) + list(g.output)}
    nodes = [n for n in g.node if n.op_type == "DequantizeLinear" and n.input[0] in inits]  # weights, biases
    inputs, outputs, layers = [], [], []
    for n in g.node:
        if n.op_type in ("QuantizeLinear", "DequantizeLinear"):
            continue
        ins, reads = [], []
        for k, name in enumerate(n.input):
            dq = producer.get(name)
            if dq is None or dq.op_type != "DequantizeLinear" or dq.input[0] in inits:
                ins.append(name)
                continue
            q = producer[dq.input[0]]
            feed = f"feed_{n.name}_{k}"
            inputs.append(helper.make_tensor_value_info(feed, TensorProto.FLOAT, shapes[dq.input[0]]))
            nodes += [helper.make_node("QuantizeLinear", [feed, *q.input[1:]], [feed + "_q"]),
                      helper.make_node("DequantizeLinear", [feed + "_q", *dq.input[1:]], [feed + "_dq"])]
            ins.append(feed + "_dq")
            reads.append(dq.input[0])
        op = helper.make_node(n.op_type, ins, list(n.output), name=n.name)
        op.attribute.extend(n.attribute)
        (q,) = users[n.output[0]]
        assert q.op_type == "QuantizeLinear", n.name
        nodes += [op, q, helper.make_node("DequantizeLinear", [q.output[0], *q.input[1:]], [q.output[0] + "_out"])]
        outputs.append(helper.make_tensor_value_info(q.output[0] + "_out", TensorProto.FLOAT, shapes[q.output[0]]))
        layers.append((n.op_type, n.name, reads, q.output[0]))
    isolated = helper.make_model(helper.make_graph(nodes, "isolated_layers", inputs, outputs, list(g.initializer)),
                                 opset_imports=model.opset_import)
    isolated.ir_version = model.ir_version
    return isolated, layers


def quantized_tensors(model, inputs: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
    """onnxruntime's ORT_DISABLE_ALL run of a QDQ model with every QuantizeLinear output (int8) exposed."""
    from onnx import TensorProto, helper

    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    names = [n.output[0] for n in model.graph.node if n.op_type == "QuantizeLinear"]
    exposed.graph.output.extend(helper.make_tensor_value_info(n, TensorProto.INT8, None) for n in names)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(exposed.SerializeToString(), so, providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    return [dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {inp.name: x}))) for x in inputs]


@pytest.mark.parametrize("per_channel", [False, True])
def test_mobilenet_v2_every_layer_matches_onnxruntime_on_its_own_input(per_channel, tmp_path):
    """MobileNetV2 (model_zoo, random weights) quantized with quantize_static's defaults: edgec's int8 output
    is within 1 LSB of onnxruntime's ORT_DISABLE_ALL (the QDQ model's float semantics) on only about 80 % of
    the outputs (measured over 300 inputs: 82.0 % per-tensor, 80.3 % per-channel; 74.8 / 74.0 % identical),
    the gap growing with depth, while each layer alone is (all but) bit-exact.

    Every operator (52 Conv with their fused ReLU6 / Clip, 10 residual Add, GlobalAveragePool, Flatten,
    Gemm) is compiled on its own and fed onnxruntime's own quantized input: every layer is within 1 LSB of
    onnxruntime on all its outputs, and identical on all but about 2 in 10^6 (50 inputs: 58 and 50 of 26.3
    million Conv outputs, per-tensor and per-channel; Add, GlobalAveragePool, Gemm: none). Those few are
    ties: onnxruntime's float value (Conv in float32, then / y_scale) lies within 1e-4 of k + 0.5, where its
    float accumulation and edgec's exact int32 accumulator round apart.

    The end-to-end gap is how this random-weight network propagates such differences: onnxruntime disagrees
    with itself more when a single input value (of 27648) moves by 1 LSB (300 inputs: 57 % / 53 % of the
    outputs within 1 LSB), and its own optimized session is further still from ORT_DISABLE_ALL on this x86
    host (AVX2, no VNNI: 8 % / 7 %; see test_defaults_where_onnxruntime_saturates). The test checks the
    per-layer property on 12 inputs and the end-to-end figure (40 inputs) against that 1-LSB control."""
    import sys

    sys.path.insert(0, str(REPO / "model_zoo"))
    from mobilenet_v2 import build

    onnx.save(build(), str(tmp_path / "mbv2.onnx"))
    qdq, inp = quantize(tmp_path / "mbv2.onnx", tmp_path, per_channel=per_channel)
    model = onnx.load(str(qdq))
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
    qparams = {n.output[0]: (np.float32(inits[n.input[1]]), int(inits[n.input[2]]))
               for n in model.graph.node if n.op_type == "QuantizeLinear"}
    rng = np.random.default_rng(1)
    xs = [rng.uniform(-1, 1, inp.shape).astype(np.float32) for _ in range(12)]
    ref = quantized_tensors(model, xs)

    isolated, layers = isolated_layers(model)
    onnx.save(isolated, str(tmp_path / "layers.onnx"))
    result = compile_model(tmp_path / "layers.onnx", "host", tmp_path / "layers", CompileOptions(measure_code=False))
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build_layers")

    def dequantize(name, q):
        s, z = qparams[name]
        return ((q.astype(np.float32) - np.float32(z)) * s).astype(np.float32)

    batches = [[dequantize(t, r[t]) for _, _, reads, _ in layers for t in reads] for r in ref]
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run_layers")
    counts = {}
    for k, (op, name, _, out) in enumerate(layers):
        s, z = qparams[out]
        ours = np.array([np.rint(g[k] / s) + z for g in got]).astype(int)
        theirs = np.array([r[out] for r in ref]).astype(int).reshape(ours.shape)
        lsb = np.abs(ours - theirs)
        assert (lsb <= 1).mean() >= 0.999, (name, op, np.bincount(lsb.ravel()))
        c = counts.setdefault(op, np.zeros(3, np.int64))
        c += [(lsb == 0).sum(), (lsb == 1).sum(), (lsb > 1).sum()]
    print({op: f"{c.sum()} outputs: {c[0] / c.sum():.6f} identical, {c[2]} more than 1 LSB apart"
           for op, c in counts.items()})
    assert {"Conv", "Add", "GlobalAveragePool", "Gemm"} <= set(counts), counts
    for op, c in counts.items():  # identical but for ties (about 2 in 10^6), never more than 1 LSB apart
        assert c[2] == 0 and c[1] <= max(2, 1e-4 * c.sum()), (op, c)

    # End to end: edgec's whole model against ORT_DISABLE_ALL, and ORT_DISABLE_ALL against itself with one
    # input value moved by 1 LSB (in_scale): edgec is no further from onnxruntime than that.
    result = compile_model(qdq, "host", tmp_path / "out", CompileOptions(measure_code=False))
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")
    xs = [rng.uniform(-1, 1, inp.shape).astype(np.float32) for _ in range(40)]
    got = np.array([g[0] for g in run_host_executable_many(exe, result.report, [[x] for x in xs], tmp_path / "run")])
    reference = run_ort(qdq, inp, [[x] for x in xs], got.shape[1:], optimized=False)
    in_scale = qparams[next(n.output[0] for n in model.graph.node if n.op_type == "QuantizeLinear")][0]
    moved = []
    for x in xs:
        x = x.copy().ravel()
        i = rng.integers(x.size)
        x[i] += in_scale if x[i] < 0 else -in_scale
        moved.append([x.reshape(inp.shape)])
    perturbed = run_ort(qdq, inp, moved, got.shape[1:], optimized=False)
    edgec_within = float((lsb_apart(result, got, reference) <= 1).mean())
    control_within = float((lsb_apart(result, perturbed, reference) <= 1).mean())
    print(f"end to end within 1 LSB of ORT_DISABLE_ALL: edgec {edgec_within:.3f}, "
          f"ORT_DISABLE_ALL with one input moved by 1 LSB {control_within:.3f}")
    assert edgec_within >= control_within, (edgec_within, control_within)
