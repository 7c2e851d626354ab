"""QDQ operators beyond conv / pooling, as torch exports and quantize_static leave them (MCUNet and friends):
ReduceMean pairs over H and W, one-input float ops as tables (Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Tanh,
a Relu / Clip that quantize_static did not fold), Add / Mul with broadcasting (SE blocks), Concat, Pad,
Transpose. Each small model is quantized by onnxruntime's quantize_static, compiled for the host and compared
with onnxruntime's ORT_DISABLE_ALL session (the QDQ model's float semantics) on random inputs.

Tables and data movement are exact by construction, and so are the global average (an exact int32 sum, one
float requantisation) and binary_q8 (Add / Mul in onnxruntime's own float32 steps) but for float ties; the
conv after them may round a tie apart too (about 2 in 10^6, see test_int8_onnx_qdq.py). Measured on 50 inputs:
every case 100 % identical; the thresholds leave room for ties on other inputs."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import COMPILERS, assert_compiles_warning_free
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.errors import UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model
from test_int8_onnx_qdq import lsb_apart, quantize, run_ort

C, H, W = 8, 10, 12


class Net:
    """A float ONNX graph on a [1, 3, H, W] input, built node by node with seeded random weights."""

    def __init__(self, opset: int = 13):
        self.rng = np.random.default_rng(7)
        self.nodes, self.inits, self.opset, self.k = [], [], opset, 0

    def const(self, value) -> str:
        self.k += 1
        name = f"c{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs) -> str:
        self.k += 1
        out = f"{op_type.lower()}_{self.k}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, cin: int, cout: int, k: int = 3, groups: int = 1) -> str:
        w = self.const((self.rng.standard_normal((cout, cin // groups, k, k)) * 0.4).astype(np.float32))
        b = self.const((self.rng.standard_normal(cout) * 0.1).astype(np.float32))
        return self.op("Conv", [x, w, b], kernel_shape=[k, k], pads=[k // 2] * 4, group=groups)

    def model(self, y: str, shape) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, "ops", [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                                                    [1, 3, H, W])],
                                  [helper.make_tensor_value_info(y, TensorProto.FLOAT, list(shape))], self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        onnx.checker.check_model(m, full_check=True)
        return m


def reduce_mean_pair(order=(3, 2), keepdims=0, opset=13):
    n = Net(opset)
    x = n.conv("input", 3, C)
    for axis in order:
        if opset >= 18:
            x = n.op("ReduceMean", [x, n.const(np.array([axis], np.int64))], keepdims=keepdims)
        else:
            x = n.op("ReduceMean", [x], axes=[axis], keepdims=keepdims)
    if keepdims:
        x = n.op("Flatten", [x])
    w = n.const((n.rng.standard_normal((5, C)) * 0.4).astype(np.float32))
    return n.model(n.op("Gemm", [x, w, n.const(np.zeros(5, np.float32))], transB=1), (1, 5))


def unary(op_type, opset=13, **attrs):
    def build():
        n = Net(opset)
        x = n.conv("input", 3, C)
        x = n.op(op_type, [x], **attrs)
        return n.model(n.conv(x, C, 4), (1, 4, H, W))
    return build


def relu6_unfolded():
    """Conv whose output feeds a Clip and a residual Add: quantize_static cannot fold the Clip away."""
    n = Net()
    x = n.conv("input", 3, C)
    y = n.op("Clip", [x, n.const(np.float32(0)), n.const(np.float32(6))])
    return n.model(n.op("Add", [x, n.conv(y, C, C)]), (1, C, H, W))


def se_block(gate="HardSigmoid"):
    """Squeeze-excitation: x * gate(conv(relu(conv(mean_hw(x))))), the per-channel scale broadcast over H, W."""
    def build():
        n = Net()
        x = n.op("Relu", [n.conv("input", 3, C)])
        s = n.op("ReduceMean", [x], axes=[2, 3], keepdims=1)
        s = n.op("Relu", [n.conv(s, C, 4, k=1)])
        s = n.op(gate, [n.conv(s, 4, C, k=1)])
        y = n.op("Mul", [x, s])
        y = n.op("Add", [y, s])  # a broadcasting Add too
        return n.model(n.conv(y, C, 4), (1, 4, H, W))
    return build


def se_torch_hard_sigmoid():
    """MCUNetV2's SE block as torch.onnx.export writes it: x.mean(3, keepdim).mean(2, keepdim), conv + ReLU6, conv,
    `relu6(s + 3) / 6` (Add, Clip and Div by constants), Mul."""
    n = Net()
    x = n.op("Relu", [n.conv("input", 3, C)])
    s = n.op("ReduceMean", [n.op("ReduceMean", [x], axes=[3], keepdims=1)], axes=[2], keepdims=1)
    s = n.op("Clip", [n.conv(s, C, 4, k=1), n.const(np.float32(0)), n.const(np.float32(6))])
    s = n.op("Add", [n.conv(s, 4, C, k=1), n.const(np.float32(3))])
    s = n.op("Div", [n.op("Clip", [s, n.const(np.float32(0)), n.const(np.float32(6))]), n.const(np.float32(6))])
    return n.model(n.conv(n.op("Mul", [x, s]), C, 4), (1, 4, H, W))


def concat_pad_transpose():
    n = Net()
    a = n.conv("input", 3, C)
    b = n.conv("input", 3, 4, k=1)
    x = n.op("Concat", [a, b], axis=1)
    x = n.op("Pad", [x, n.const(np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64))], mode="constant")
    x = n.op("Transpose", [x], perm=[0, 1, 3, 2])
    return n.model(n.conv(x, C + 4, 4), (1, 4, W + 3, H + 3))


# quantize_static leaves ReduceMean in float; asked to quantize it, it puts a Q / DQ pair between the two means
SPLIT_MEANS = dict(op_types_to_quantize=["Conv", "ReduceMean", "Flatten", "Gemm"])


# case -> (model, IR ops it must produce, minimum fraction of outputs identical to onnxruntime[, quantize options])
CASES = {
    "reducemean-w-then-h": (lambda: reduce_mean_pair((3, 2)), {"global_avg_pool_s8"}, 0.995),
    "reducemean-h-then-w-keepdims": (lambda: reduce_mean_pair((2, 3), keepdims=1), {"global_avg_pool_s8"}, 0.995),
    "reducemean-opset18": (lambda: reduce_mean_pair((3, 2), opset=18), {"global_avg_pool_s8"}, 0.995),
    # each mean on its own: a global average over a view ([N*H, W, C], then [N, H, W*C])
    "reducemean-split-by-qdq": (lambda: reduce_mean_pair((3, 2), keepdims=1), {"global_avg_pool_s8"}, 0.995,
                                SPLIT_MEANS),
    "reducemean-split-h-first": (lambda: reduce_mean_pair((2, 3), keepdims=1), {"global_avg_pool_s8"}, 0.995,
                                 SPLIT_MEANS),
    "sigmoid": (unary("Sigmoid"), {"lut_s8"}, 0.999),
    "hardsigmoid": (unary("HardSigmoid", alpha=0.2, beta=0.5), {"lut_s8"}, 0.999),
    "hardswish": (unary("HardSwish", opset=14), {"lut_s8"}, 0.999),
    "leakyrelu": (unary("LeakyRelu", alpha=0.1), {"lut_s8"}, 0.999),
    "tanh": (unary("Tanh"), {"lut_s8"}, 0.999),
    "relu6-unfolded": (relu6_unfolded, {"lut_s8", "add_q8"}, 0.999),
    "se-hardsigmoid": (se_block("HardSigmoid"), {"binary_q8", "lut_s8", "global_avg_pool_s8"}, 0.999),
    "se-sigmoid": (se_block("Sigmoid"), {"binary_q8", "lut_s8", "global_avg_pool_s8"}, 0.999),
    "se-torch-hard-sigmoid": (se_torch_hard_sigmoid, {"binary_q8", "lut_s8", "global_avg_pool_s8"}, 0.999),
    "concat-pad-transpose": (concat_pad_transpose, {"concat", "pad", "transpose"}, 0.999),
}


@pytest.mark.parametrize("case", list(CASES))
def test_qdq_op_matches_onnxruntime(case, tmp_path):
    build, expect_ops, min_identical = CASES[case][:3]
    options = CASES[case][3] if len(CASES[case]) > 3 else {}
    onnx.save(build(), str(tmp_path / "float.onnx"))
    qdq, inp = quantize(tmp_path / "float.onnx", tmp_path, per_channel=True, **options)
    result = compile_model(qdq, "host", tmp_path / "out", CompileOptions(measure_code=False))
    ops = [layer["op"] for layer in result.report["layers"]]
    assert expect_ops <= set(ops), ops
    if options is SPLIT_MEANS:
        assert ops.count("global_avg_pool_s8") == 2, ops
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")
    rng = np.random.default_rng(1)
    batches = [[rng.uniform(-1, 1, inp.shape).astype(np.float32)] for _ in range(50)]
    got = np.array([g[0] for g in run_host_executable_many(exe, result.report, batches, tmp_path / "run")])
    want = run_ort(qdq, inp, batches, got.shape[1:], optimized=False)
    lsb = lsb_apart(result, got, want)
    print(f"{case}: {lsb.size} outputs, {np.mean(lsb == 0):.5f} identical, max {lsb.max()} LSB")
    assert lsb.max() <= 1, np.bincount(lsb.ravel())
    assert np.mean(lsb == 0) >= min_identical, np.bincount(lsb.ravel())
    assert len({g.tobytes() for g in got}) >= 20, "outputs hardly depend on the input"


@pytest.mark.parametrize("case", ["se-hardsigmoid", "concat-pad-transpose", "reducemean-split-by-qdq"])
def test_generated_cortex_m7_c_is_warning_free(case, tmp_path):
    build = CASES[case][0]
    options = CASES[case][3] if len(CASES[case]) > 3 else {}
    onnx.save(build(), str(tmp_path / "float.onnx"))
    qdq, _ = quantize(tmp_path / "float.onnx", tmp_path, per_channel=True, **options)
    result = compile_model(qdq, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    for k, (cc, flags) in enumerate(COMPILERS):
        (tmp_path / f"obj{k}").mkdir()
        assert_compiles_warning_free(result.out_dir, tmp_path / f"obj{k}", cc, flags)


def test_unsupported_qdq_nodes_are_all_named(tmp_path):
    """A ReduceMean over channels, a float Sin between DQ and Q and a Div by a per-channel constant (not one
    table): all refused, each by name."""
    n = Net()
    x = n.conv("input", 3, C)
    m = n.op("ReduceMean", [x], axes=[1], keepdims=1)
    s = n.op("Sin", [n.conv("input", 3, 1)])
    d = n.op("Div", [n.conv("input", 3, C), n.const(np.arange(1, C + 1, dtype=np.float32).reshape(C, 1, 1))])
    y = n.op("Add", [n.op("Add", [m, s]), d])
    onnx.save(n.model(y, (1, C, H, W)), str(tmp_path / "float.onnx"))
    qdq, _ = quantize(tmp_path / "float.onnx", tmp_path, per_channel=True, op_types_to_quantize=["Conv", "Add"])
    with pytest.raises(UnsupportedModelError) as err:
        compile_model(qdq, "host", tmp_path / "out", CompileOptions(measure_code=False))
    text = str(err.value)
    assert m in text and s in text and d in text and "not a scalar" in text, text
