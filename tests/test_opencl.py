"""--target opencl: OpenCL C kernel templates with a plain-C host, run on PoCL (the CPU OpenCL implementation), against
onnxruntime / LiteRT within the float tolerance (toolchain.toml: rtol 1e-4, atol 1e-5).

PoCL compiles each kernel on first use, so the per-operator cases share one model (one input and one output per
case, shapes drawn at random from a fixed seed): one compile, one program build, one run. The no-driver cases reuse
that binary. MobileNetV2 (0.35, 32x32) and MLPerf Tiny's VWW run end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import REPO, require, run_edgec

RTOL, ATOL = 1e-4, 1e-5
SEED = int(os.environ.get("EDGEC_TEST_SEED", "14"))


def pocl_available() -> None:
    """The tests need an OpenCL implementation: PoCL (pocl-opencl-icd) with the ICD loader (ocl-icd-libopencl1)."""
    require("clinfo")
    proc = subprocess.run(["clinfo", "-l"], capture_output=True, text=True)
    if "Device" not in proc.stdout:
        pytest.fail(f"no OpenCL device (install pocl-opencl-icd: run `bash .ci/setup`):\n{proc.stdout}{proc.stderr}")


class OpCases:
    """One ONNX model, one independent branch per operator case, each with its own input and output."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.inputs, self.outputs, self.kernels = [], [], [], [], {}
        self.k = 0

    def dim(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def weight(self, shape) -> str:
        name = f"w{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(self.rng.standard_normal(shape).astype(np.float32) * 0.5, name))
        return name

    def case(self, kernel: str, shapes: list, ops: list[tuple]) -> None:
        """ops: (op_type, extra inputs, attrs) applied in a chain to the case's inputs (the first op takes them all)."""
        self.k += 1
        names = [f"c{self.k}_in{i}" for i in range(len(shapes))]
        self.inputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in zip(names, shapes)]
        x = names
        for j, (op, extra, attrs) in enumerate(ops):
            out = f"c{self.k}_{op.lower()}{j}"
            self.nodes.append(helper.make_node(op, [*x, *extra], [out], name=out, **attrs))
            x = [out]
        self.outputs.append(helper.make_tensor_value_info(x[0], TensorProto.FLOAT, None))
        self.kernels[x[0]] = kernel

    def model(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, "opencl_ops", self.inputs, self.outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        return onnx.shape_inference.infer_shapes(m)


def op_cases_model(seed: int) -> tuple[onnx.ModelProto, dict[str, str]]:
    c = OpCases(seed)
    d = c.dim
    # general convolution: 2 groups, a rectangular kernel, strides, dilation, asymmetric padding, bias
    cin, cout = 2 * d(2, 4), 2 * d(1, 3)  # groups 2 < in channels: not a depthwise
    c.case("edgec_conv2d_nhwc", [(1, cin, d(6, 11), d(6, 11))],
           [("Conv", [c.weight((cout, cin // 2, 3, 2)), c.weight((cout,))],
             dict(kernel_shape=[3, 2], strides=[2, 1], pads=[1, 0, 0, 1], dilations=[1, 2], group=2))])
    # pointwise with a channel count that is not a multiple of 4 (the vload4 tail), stride 2, fused ReLU
    cin, cout = d(5, 11), d(3, 9)
    c.case("edgec_conv2d_1x1_nhwc", [(1, cin, d(4, 9), d(4, 9))],
           [("Conv", [c.weight((cout, cin, 1, 1)), c.weight((cout,))], dict(kernel_shape=[1, 1], strides=[2, 2])),
            ("Relu", [], {})])
    # depthwise with channel multiplier 2, stride 2, ReLU6
    ch = d(2, 6)
    c.case("edgec_depthwise_conv2d_nhwc", [(1, ch, d(5, 10), d(5, 10))],
           [("Conv", [c.weight((2 * ch, 1, 3, 3)), c.weight((2 * ch,))],
             dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], group=ch)),
            ("Clip", [c.weight(()), c.weight(())], {})])
    m, k, n = d(1, 5), d(3, 40), d(2, 17)
    c.case("edgec_matmul", [(m, k)], [("Gemm", [c.weight((n, k)), c.weight((n,))], dict(transB=1))])
    m, k, n = d(2, 4), d(2, 6), d(2, 5)
    c.case("edgec_matmul", [(2, 1, m, k), (3, k, n)], [("MatMul", [], {})])  # batch broadcast, two activations
    c.case("edgec_pool2d", [(1, d(1, 4), d(5, 9), d(5, 9))],
           [("MaxPool", [], dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))])
    c.case("edgec_pool2d", [(1, d(1, 4), d(5, 9), d(5, 9))],
           [("AveragePool", [], dict(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1))])
    shape = (1, d(2, 5), d(2, 6), d(2, 6))
    c.case("edgec_binary", [shape, (1, shape[1], 1, 1)], [("Mul", [], {}), ("Add", [c.weight(shape[1:])], {}),
                                                         ("Sub", [c.weight((shape[3],))], {})])
    shape = (d(2, 4), d(2, 9))
    c.case("edgec_binary", [shape, (shape[1],)], [("Max", [], {}), ("Div", [c.weight((1,))], {})])
    c.case("edgec_softmax", [(d(1, 3), d(2, 9), d(1, 4))], [("Softmax", [], dict(axis=1))])
    c.case("edgec_softmax", [(d(1, 3), d(2, 9))], [("LogSoftmax", [], dict(axis=-1))])
    c.case("edgec_unary", [(d(1, 3), d(2, 30))], [("Sigmoid", [], {}), ("LeakyRelu", [], dict(alpha=0.1))])
    c.case("edgec_unary", [(d(1, 3), d(2, 30))], [("HardSwish", [], {}), ("Tanh", [], {})])
    shape = (2, d(1, 4), d(2, 5))
    c.case("edgec_concat", [shape, (2, d(1, 4), shape[2])], [("Concat", [], dict(axis=1))])
    c.case("edgec_strided_copy", [(d(2, 4), d(2, 5), d(2, 6))], [("Transpose", [], dict(perm=[2, 0, 1]))])
    c.case("edgec_mean", [(1, d(2, 6), d(2, 7), d(2, 7))], [("GlobalAveragePool", [], {})])
    c.case("edgec_pad", [(1, d(1, 3), d(2, 5), d(2, 5))],
           [("Pad", [numpy_helper_const(c, np.array([0, 0, 1, 2, 0, 1, 2, 0], np.int64)),
                     numpy_helper_const(c, np.array(0.5, np.float32))], dict(mode="constant"))])
    # a batch of 2 through the three convolution templates: their batch coordinate (the cases above have one image)
    ch = d(2, 4)
    c.case("edgec_depthwise_conv2d_nhwc", [(2, ch, d(4, 7), d(4, 7))],
           [("Conv", [c.weight((ch, ch, 3, 3))], dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])),
            ("Conv", [c.weight((ch, ch, 1, 1))], dict(kernel_shape=[1, 1])),
            ("Conv", [c.weight((ch, 1, 3, 3))], dict(kernel_shape=[3, 3], group=ch))])
    return c.model(), c.kernels


def numpy_helper_const(c: OpCases, value: np.ndarray) -> str:
    name = f"k{len(c.inits)}"
    c.inits.append(numpy_helper.from_array(value, name))
    return name


def compile_gpu(model: Path, target: str, out: Path):
    """model compiled for --target opencl or vulkan (this file's and test_vulkan.py's builds)."""
    from edgec.pipeline import CompileOptions, compile_model

    return compile_model(model, target, out, CompileOptions(measure_code=False))


def verify(model: Path, result, runs: int = 2):
    from edgec.verify import verify_compiled

    comparisons = verify_compiled(model, result, runs=runs, rtol=RTOL, atol=ATOL)
    assert len(comparisons) == runs * len(result.report["outputs"])
    bad = [c for c in comparisons if not c.ok]
    assert not bad, "\n".join(f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}" for c in bad)
    return comparisons


def build_op_cases(tmp_path_factory, target: str):
    """The operator cases' model compiled for target (opencl or vulkan): (model path, result, kernel per output)."""
    tmp = tmp_path_factory.mktemp(f"{target}_ops")
    model, kernels = op_cases_model(SEED)
    path = tmp / f"{target}_ops.onnx"
    onnx.save(model, str(path))
    return path, compile_gpu(path, target, tmp / "out"), kernels


def check_op_cases(op_build) -> set[str]:
    """Every case matches the reference, every template ran, each convolution got its own; returns the templates
    that ran."""
    path, result, kernels = op_build
    comparisons = verify(path, result)
    assert len(comparisons) == 2 * len(kernels) == 36
    used = {name for layer in result.report["layers"] for name in layer["kernel"].split(",")}
    assert set(kernels.values()) <= used  # every template ran in some case
    by_name = {layer["name"].split("+")[0]: layer["kernel"] for layer in result.report["layers"]}  # conv0+relu1
    convs = ["edgec_conv2d_nhwc", "edgec_conv2d_1x1_nhwc", "edgec_depthwise_conv2d_nhwc"]
    assert [by_name[f"c{k}_conv0"] for k in (1, 2, 3)] == convs
    assert [by_name[f"c18_conv{j}"] for j in range(3)] == convs  # the batch of 2
    return used


def check_host_code_warning_free(out_dir: Path, tmp_path: Path, cc: str, flags: tuple[str, ...] = ()) -> None:
    require(cc)
    for src in sorted(out_dir.glob("*.c")):
        proc = subprocess.run([cc, "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", *flags, "-I", str(out_dir), "-c",
                               str(src), "-o", str(tmp_path / (src.stem + ".o"))], capture_output=True, text=True)
        assert proc.returncode == 0, f"{cc} {src.name}:\n{proc.stderr}"


def host_command(out_dir: Path, report: dict, build_dir: Path) -> list[str]:
    """The host harness for out_dir built, and its command line with input and output paths (no file there: these
    tests stop in <name>_init)."""
    from edgec.build.host import build_host_executable

    exe = build_host_executable(out_dir, report, build_dir)
    return [str(exe)] + [str(build_dir / "x")] * (len(report["inputs"]) + len(report["outputs"]))


def init_failure(args: list[str], **env: str) -> str:
    """The harness run with env added to the environment must exit 7 (<name>_init failed): its stderr."""
    proc = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, **env), timeout=120)
    assert proc.returncode == 7, proc.stderr
    return proc.stderr


@pytest.fixture(scope="module")
def op_build(tmp_path_factory):
    pocl_available()
    return build_op_cases(tmp_path_factory, "opencl")


def test_operator_cases_match_onnxruntime_on_pocl(op_build):
    check_op_cases(op_build)


def test_report_has_device_arena_and_kernel_per_layer(op_build):
    _, result, _ = op_build
    report = json.loads((result.out_dir / "report.json").read_text())
    assert report["backend"] == "opencl" and report["target"] == "opencl"
    assert report["device_arena_bytes"] == result.plan.arena_bytes == report["arena_bytes"] > 0
    assert report["device_arena_bytes"] >= report["arena_lower_bound_bytes"]
    assert all(layer["kernel"].startswith("edgec_") for layer in report["layers"])
    # weights: one array in weights.c, the bytes the report counts
    assert f"const uint32_t opencl_ops_weights[{report['weights_bytes'] // 4}]" in (result.out_dir / "weights.c").read_text()
    assert (result.out_dir / "kernels.cl").read_text().count("__kernel void") == len(
        {layer["kernel"] for layer in report["layers"]})
    # model.h: each input's and output's shape and size as the report has them (no EDGEC_DTYPE_* codes in a GPU build)
    header = (result.out_dir / "model.h").read_text()
    for kind, tensors in (("INPUT", report["inputs"]), ("OUTPUT", report["outputs"])):
        for i, t in enumerate(tensors):
            assert f"#define OPENCL_OPS_{kind}{i}_SHAPE {{{', '.join(map(str, t['shape']))}}}\n" in header
            assert f"#define OPENCL_OPS_{kind}{i}_BYTES {t['bytes']}u\n" in header
    assert "_DTYPE" not in header


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_host_code_is_warning_free(op_build, tmp_path, cc):
    check_host_code_warning_free(op_build[1].out_dir, tmp_path, cc)


def test_without_opencl_library_or_device_init_says_so(op_build, tmp_path):
    """The binary starts where no OpenCL driver is installed and <name>_init returns the error code: the library is
    looked up by the name in $EDGEC_OPENCL_LIBRARY (here a missing one), and with no ICD registered there is no
    platform."""
    _, result, _ = op_build
    args = host_command(result.out_dir, result.report, tmp_path)
    stderr = init_failure(args, EDGEC_OPENCL_LIBRARY="libOpenCL-not-installed.so.1")
    assert "_init: -2: the OpenCL library (libOpenCL.so.1) cannot be loaded" in stderr
    assert "cannot load libOpenCL-not-installed.so.1" in stderr
    stderr = init_failure(args, OCL_ICD_VENDORS=str(tmp_path / "no-vendors"), OPENCL_VENDOR_PATH=str(tmp_path / "none"))
    assert "_init: -4: no OpenCL platform or device" in stderr, stderr


def test_kernel_build_failure_names_the_layer(op_build, tmp_path):
    """A template that does not build on the device (here: edgec_binary made invalid in model.c's program text): init
    returns EDGEC_CL_ERR_BUILD, and the detail names the first layer that runs it, with the device compiler's log
    of that template built alone."""
    import shutil

    _, result, _ = op_build
    out = tmp_path / "out"
    shutil.copytree(result.out_dir, out)
    model_c = (out / "model.c").read_text()
    assert model_c.count("__kernel void edgec_binary(") == 1
    broken = model_c.replace("__kernel void edgec_binary(", "__kernel void edgec_binary(no_such_type t, ")
    (out / "model.c").write_text(broken)
    args = host_command(out, result.report, tmp_path / "build")
    stderr = init_failure(args)
    layer = next(i for i, layer in enumerate(result.report["layers"]) if layer["kernel"] == "edgec_binary")
    assert f"_init: -6: the OpenCL kernels did not build: layer {layer}: kernel template edgec_binary did not build" \
        in stderr, stderr
    assert "no_such_type" in stderr


def fold_batchnorm(model: onnx.ModelProto) -> onnx.ModelProto:
    """Each BatchNormalization after a Conv folded into its weights and bias, as a deployed model has it: the same
    network, and TVM's constant folding then has 52 fewer normalisations to compile (half the compile time)."""
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    keep, new_inits = [], dict(inits)
    for node in g.node:
        conv = producer.get(node.input[0]) if node.op_type == "BatchNormalization" else None
        if conv is None or conv.op_type != "Conv":
            keep.append(node)
            continue
        scale, bias, mean, var = (inits[n] for n in node.input[1:5])
        eps = next((a.f for a in node.attribute if a.name == "epsilon"), 1e-5)
        k = scale / np.sqrt(var + eps)
        w = inits[conv.input[1]] * k[:, None, None, None]
        b = (inits[conv.input[2]] if len(conv.input) > 2 else 0) * k + bias - mean * k
        wname, bname = conv.input[1] + "_bn", conv.output[0] + "_bn_bias"
        new_inits[wname], new_inits[bname] = w.astype(np.float32), b.astype(np.float32)
        del conv.input[1:]
        conv.input.extend([wname, bname])
        conv.output[0] = node.output[0]
    del g.node[:]
    g.node.extend(keep)
    used = {i for n in g.node for i in n.input}
    del g.initializer[:]
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in new_inits.items() if k in used)
    return model


def test_mobilenet_v2_matches_onnxruntime(tmp_path):
    pocl_available()
    sys.path.insert(0, str(REPO / "model_zoo"))
    from mobilenet_v2 import build

    path = tmp_path / "mobilenet_v2_0.35_32.onnx"
    onnx.save(fold_batchnorm(build(0.35, 32)), str(path))
    result = compile_gpu(path, "opencl", tmp_path / "out")
    verify(path, result)
    kernels = {layer["kernel"] for layer in result.report["layers"]}
    assert {"edgec_conv2d_nhwc", "edgec_conv2d_1x1_nhwc", "edgec_depthwise_conv2d_nhwc", "edgec_binary"} <= kernels


def test_mlperf_tiny_image_classification_float_matches_litert(mlperf_dir, tmp_path):
    """MLPerf Tiny IC (a ResNet-8 on 32x32: convolutions, residual adds, pooling, fully connected, softmax) through the
    command line, `edgec verify --target opencl`. VWW and AD match too (benchmarks/opencl_pocl.py checks them), at a
    larger compile cost."""
    pocl_available()
    out = tmp_path / "out"
    proc = run_edgec("verify", mlperf_dir / "pretrainedResnet.tflite", "--target", "opencl", "--runs", "2", "-o", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 2 outputs match LiteRT" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["target"] == "opencl" and report["device_arena_bytes"] > 0
    kernels = {layer["kernel"] for layer in report["layers"]}
    assert {"edgec_conv2d_nhwc", "edgec_binary", "edgec_pool2d", "edgec_softmax", "edgec_matmul"} <= kernels


HYBRID_KERNELS = "edgec_absmax_partial,edgec_absmax_final,edgec_quantize_symmetric_s8,edgec_conv2d_hybrid_nhwc"


def test_mlperf_tiny_kws_float_hybrid_matches_litert(mlperf_dir, tmp_path):
    """MLPerf Tiny KWS float: its five CONV_2D are dynamic-range quantized (int8 weights, float activations), here with
    its FULLY_CONNECTED made hybrid too (test_mlperf_float.fc_hybrid_variant), against LiteRT's builtin kernels, with
    the float tolerance the CPU build of KWS meets. The integer arithmetic is the CPU kernel's exactly
    (test_hybrid_layer_equals_the_c_kernel); the float layers between round apart by ~1e-7."""
    from test_mlperf_float import fc_hybrid_variant

    pocl_available()
    model = fc_hybrid_variant(mlperf_dir / "kws_ref_model_float32.tflite", tmp_path / "kws_fc.tflite", False)
    result = compile_gpu(model, "opencl", tmp_path / "out")
    verify(model, result)
    kernels = {layer["op"]: layer["kernel"] for layer in result.report["layers"]}
    assert kernels["conv2d_hybrid"] == kernels["fully_connected_hybrid"] == HYBRID_KERNELS
    hybrid = [n for n in result.graph.nodes if n.op.endswith("_hybrid")]
    assert len(hybrid) == 6 and all(result.graph.tensors[n.inputs[1]].dtype == "int8" for n in hybrid)
    # the int8 weights are uploaded as int8: four to a word of the weights array
    int8_bytes = sum(result.graph.tensors[n.inputs[1]].nbytes for n in hybrid)
    float_bytes = sum(t.nbytes for t in result.graph.tensors.values() if t.is_const and t.dtype == "float32")
    assert int8_bytes + float_bytes <= result.report["weights_bytes"] <= int8_bytes + float_bytes + 3 * len(hybrid)


def first_ops(src: Path, dst: Path, n: int) -> Path:
    """The TFLite model cut after its first n operators (the last one's output becomes the model's)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    m = s.ModelT.InitFromPackedBuf(src.read_bytes(), 0)
    sg = m.subgraphs[0]
    sg.operators = sg.operators[:n]
    sg.outputs = [sg.operators[-1].outputs[0]]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    dst.write_bytes(bytes(b.Output()))
    return dst


def test_hybrid_layer_equals_the_c_kernel(mlperf_dir, tmp_path):
    """KWS's first layer alone (a hybrid 10x4 convolution, stride 2, padded, ReLU): the OpenCL and Vulkan builds give
    the host C build's outputs bit for bit (same range, same int8 rounding, same int32 sums, same rescale), on inputs
    of four magnitudes, and an all-zero input gives relu(bias) (range 0: scale 1, every x_q 0). A mode without a
    template is refused naming the node."""
    from edgec.build.host import build_host_executable, run_host_executable
    from edgec.pipeline import CompileOptions, compile_model
    from test_vulkan import lavapipe_available

    pocl_available()
    lavapipe_available()
    model = first_ops(mlperf_dir / "kws_ref_model_float32.tflite", tmp_path / "kws_stem.tflite", 1)
    rng = np.random.default_rng(SEED)
    inputs = [np.zeros((1, 49, 10, 1), np.float32)] + [
        (rng.standard_normal((1, 49, 10, 1)) * scale).astype(np.float32) for scale in (1e-3, 1.0, 30.0)]
    outputs = {}
    for target in ("host", "opencl", "vulkan"):
        result = compile_model(model, target, tmp_path / target, CompileOptions(measure_code=False))
        if target != "host":
            assert result.report["layers"][0]["kernel"] == HYBRID_KERNELS
        exe = build_host_executable(result.out_dir, result.report, tmp_path / f"build_{target}")
        outputs[target] = [run_host_executable(exe, result.report, [x], tmp_path / f"{target}{k}")[0]
                           for k, x in enumerate(inputs)]
    bias = np.maximum(result.graph.tensors[result.graph.nodes[0].inputs[3]].data, 0)
    assert np.array_equal(outputs["host"][0], np.broadcast_to(bias, outputs["host"][0].shape))
    for target in ("opencl", "vulkan"):
        for k, (got, want) in enumerate(zip(outputs[target], outputs["host"])):
            assert np.array_equal(got, want), f"{target}, input {k}: max abs {np.abs(got - want).max():.3g}"
    # LiteRT's asymmetric mode (per-channel weight scales: a nudged zero point) has no template yet: refused, naming
    # the node and the mode
    from edgec.codegen.opencl_kernels import check_supported
    from edgec.errors import UnsupportedModelError

    result.graph.nodes[0].attrs["per_channel"] = True
    with pytest.raises(UnsupportedModelError) as info:
        check_supported(result.graph, "Vulkan")
    assert [(p[1], "hybrid input quantisation 'tflite_asymmetric'" in p[2]) for p in info.value.problems] == [
        ("conv2d_hybrid", True)]


def check_unsupported_named(tmp_path: Path, target: str, api: str) -> None:
    """A model with two ops no template runs (Erf, Round) is refused naming both; --patch is refused too."""
    from edgec.errors import EdgecError, UnsupportedModelError
    from edgec.passes.patch_search import PatchOptions
    from edgec.pipeline import CompileOptions, compile_model

    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"), helper.make_node("Erf", ["r"], ["e"], name="erf1"),
             helper.make_node("Round", ["e"], ["y"], name="round1")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    path = tmp_path / "erf.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(UnsupportedModelError) as info:
        compile_gpu(path, target, tmp_path / "out")
    assert [(p[1], f"no {api} kernel template" in p[2]) for p in info.value.problems] == [("erf", True), ("round", True)]
    assert "erf1" in str(info.value) or "e" in [p[0] for p in info.value.problems]
    with pytest.raises(EdgecError, match=f"--target {target} does not support --patch"):
        compile_model(path, target, tmp_path / "out2", CompileOptions(patch=PatchOptions("auto")))


def test_unsupported_nodes_and_options_are_named(tmp_path):
    check_unsupported_named(tmp_path, "opencl", "OpenCL")
