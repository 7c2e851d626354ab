"""The four MLPerf Tiny float32 models: compile for Cortex-M7, match LiteRT on the host, clean under ASan/UBSan.

KWS (kws_ref_model_float32.tflite) is a dynamic-range ("hybrid") quantized model: its five CONV_2D have int8
weights and float activations. edgec runs them with LiteRT's hybrid semantics (frontend/tflite_hybrid.py,
runtimes/reference/edgec_conv2d_hybrid.c) and keeps the weights int8 in flash.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import COMPILERS, assert_compiles_warning_free, run_edgec

MODELS = {
    "ic": "pretrainedResnet.tflite",
    "vww": "vww_96_float.tflite",
    "kws": "kws_ref_model_float32.tflite",
    "ad": "ad01_fp32.tflite",
}
RUNS = 4  # random inputs per model
RTOL, ATOL = 1e-4, 1e-5  # toolchain.toml's float tolerance


# The float32 AD model's weights alone (1,063,456 B) exceed the 1 MiB flash of the cortex-m7 target
# (STM32F746): edgec says so and fails; on a 2 MiB Cortex-M7 part (STM32F767 / H743 class) it fits.
FLASH_OVERRIDE = {"ad": 2 * 1024 * 1024}


def compile_for_host(model: Path, out: Path):
    from edgec.pipeline import CompileOptions, compile_model

    return compile_model(model, "host", out, CompileOptions(measure_code=False))


def check_against_litert(model: Path, result, runs: int = RUNS, seed: int = 0, sanitize: bool = False):
    from edgec.verify import verify_compiled

    comparisons = verify_compiled(model, result, runs=runs, rtol=RTOL, atol=ATOL, seed=seed, sanitize=sanitize)
    assert len(comparisons) == runs * len(result.report["outputs"])
    bad = [c for c in comparisons if not c.ok]
    assert not bad, "\n".join(f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}" for c in bad)
    return comparisons


@pytest.fixture(scope="module", params=list(MODELS))
def cortex_m7(request, mlperf_dir, tmp_path_factory):
    model = mlperf_dir / MODELS[request.param]
    out = tmp_path_factory.mktemp(request.param) / "out"
    extra = ["--flash", str(FLASH_OVERRIDE[request.param])] if request.param in FLASH_OVERRIDE else []
    proc = run_edgec("compile", model, "--target", "cortex-m7", "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return model, out, proc.stdout


@pytest.fixture(scope="module", params=list(MODELS))
def host_build(request, mlperf_dir, tmp_path_factory):
    model = mlperf_dir / MODELS[request.param]
    return request.param, model, compile_for_host(model, tmp_path_factory.mktemp(request.param + "_host") / "out")


def test_compiles_for_cortex_m7_with_memory_report(cortex_m7):
    model, out, stdout = cortex_m7
    report = json.loads((out / "report.json").read_text())
    for key in ("arena_bytes", "arena_lower_bound_bytes", "weights_bytes", "fits", "layers"):
        assert key in report, key
    assert report["target"] == "cortex-m7"
    assert report["fits"] is True
    assert report["arena_bytes"] >= report["arena_lower_bound_bytes"] > 0
    assert report["weights_bytes"] > 0 and report["code_bytes"] > 0
    assert len(report["layers"]) > 0
    # the planner's arena is printed next to its lower bound
    assert "arena (SRAM)" in stdout and "lower bound" in stdout
    assert f"{report['arena_bytes']:,}" in stdout and f"{report['arena_lower_bound_bytes']:,}" in stdout
    for src in ("model.c", "model.h", "weights.c"):
        assert (out / src).is_file()


def test_ad_float_overflows_the_1mib_cortex_m7_flash(mlperf_dir, tmp_path):
    proc = run_edgec("compile", mlperf_dir / MODELS["ad"], "--target", "cortex-m7", "-o", tmp_path / "out", "-q")
    assert proc.returncode == 3, proc.stderr
    assert "flash: weights and code need" in proc.stderr and "cortex-m7 has 1,048,576 B" in proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["fits"] is False and report["fits_sram"] is True
    assert report["weights_bytes"] > report["flash_budget_bytes"]  # no code-size work can make it fit


def test_matches_litert(host_build):
    _, model, result = host_build
    check_against_litert(model, result)


def test_clean_under_sanitizers(host_build):
    _, model, result = host_build
    check_against_litert(model, result, runs=2, seed=50, sanitize=True)


def test_kws_verify_command_with_sanitizers(mlperf_dir):
    proc = run_edgec("verify", mlperf_dir / MODELS["kws"], "--sanitize", "--runs", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 3 outputs match" in proc.stdout


# ---- KWS: the hybrid model -------------------------------------------------------------------------------

def test_kws_hybrid_ops_are_exactly_its_convs(mlperf_dir):
    from edgec.frontend.tflite import load_tflite
    from edgec.frontend.tflite_hybrid import hybrid_ops

    found = hybrid_ops(load_tflite(mlperf_dir / MODELS["kws"]))
    # CONV_2D (the 10x4 stem and four 1x1) are hybrid; DEPTHWISE_CONV_2D and FULLY_CONNECTED are float
    assert [name for _, name in found] == ["CONV_2D"] * 5
    assert [i for i, _ in found] == [0, 2, 4, 6, 8]
    for other in ("pretrainedResnet.tflite", "vww_96_float.tflite", "ad01_fp32.tflite"):
        assert hybrid_ops(load_tflite(mlperf_dir / other)) == []


def test_kws_weights_stay_int8(mlperf_dir, tmp_path):
    result = compile_for_host(mlperf_dir / MODELS["kws"], tmp_path / "out")
    g = result.graph
    hybrid = [n for n in g.nodes if n.op == "conv2d_hybrid"]
    assert len(hybrid) == 5
    int8_elems = 0
    for node in hybrid:
        w = g.tensors[node.inputs[1]]
        assert w.is_const and w.dtype == "int8" and w.data.dtype == np.int8
        int8_elems += w.elems
    assert int8_elems == 64 * 10 * 4 + 4 * 64 * 64
    weights_c = (tmp_path / "out" / "weights.c").read_text()
    assert weights_c.count("const int8_t ") == 5
    # 4x smaller than float: the int8 conv weights take int8_elems bytes of the total (packed at compile time for
    # the host's x86 kernel, whose windows are whole words already: no padding), plus each layer's 64 int32 weight
    # sums (ops/hybrid.py, pack_conv_hybrid_dot4); the float classifier (64 x 12) is packed for the x86 kernel too,
    # in a block of 16 columns (ops/matmul.py, pack_matmul_f32_x86): 4 zero columns more
    floats = sum(t.nbytes for t in g.tensors.values() if t.is_const and t.dtype == "float32")
    model_c = (tmp_path / "out" / "model.c").read_text()
    assert "edgec_conv2d_hybrid_dot4(" in model_c and model_c.count("edgec_matmul_f32_packed(") == 1
    assert result.report["weights_bytes"] == floats + int8_elems + 5 * 64 * 4 + 64 * 4 * 4


def test_kws_reference_is_litert_builtin_kernels(mlperf_dir, tmp_path):
    """LiteRT's XNNPACK delegate computes the hybrid convs differently (off by far more than 1e-4); edgec and
    the verify reference follow LiteRT's builtin kernels, which define the operator."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    from edgec.build.host import build_host_executable, run_host_executable
    from edgec.reference import random_inputs, run_reference

    model = mlperf_dir / MODELS["kws"]
    result = compile_for_host(model, tmp_path / "out")
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")
    x = random_inputs(result.report, 7)
    got = run_host_executable(exe, result.report, x, tmp_path / "run")[0]
    want = run_reference(model, ["input_1"], x)[0]
    assert np.allclose(got, want, rtol=RTOL, atol=ATOL)
    interp = Interpreter(model_path=str(model), experimental_op_resolver_type=OpResolverType.AUTO, num_threads=1)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x[0].reshape(1, 49, 10, 1))
    interp.invoke()
    xnnpack = interp.get_tensor(interp.get_output_details()[0]["index"])
    assert np.abs(xnnpack - want).max() > 1e-3


def test_kws_edge_inputs(mlperf_dir, tmp_path):
    """All-zero input (range 0: LiteRT's scale-1 branch), a constant, and inputs far outside [-1, 1]."""
    from edgec.build.host import build_host_executable, run_host_executable
    from edgec.reference import run_reference

    model = mlperf_dir / MODELS["kws"]
    result = compile_for_host(model, tmp_path / "out")
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    rng = np.random.default_rng(11)
    shape = (1, 49, 10, 1)
    cases = {
        "zeros": np.zeros(shape, np.float32),
        "constant": np.full(shape, -0.75, np.float32),
        "large": rng.normal(0, 300, shape).astype(np.float32),
        "sparse": (rng.uniform(-1, 1, shape) * (rng.uniform(size=shape) < 0.05)).astype(np.float32),
    }
    for name, x in cases.items():
        got = run_host_executable(exe, result.report, [x], tmp_path / name)[0]
        want = run_reference(model, ["input_1"], [x])[0]
        err = np.abs(got.astype(np.float64) - want)
        assert np.all(err <= ATOL + RTOL * np.abs(want)), f"{name}: max abs error {err.max():.3g}"


def per_channel_variant(src: Path, dst: Path) -> Path:
    """KWS with distinct per-channel weight scales on every hybrid conv (LiteRT's EvalHybridPerChannel:
    asymmetric input quantization) and the fused activations varied (NONE, RELU6)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    m = s.ModelT.InitFromPackedBuf(src.read_bytes(), 0)
    sg = m.subgraphs[0]
    acts = [s.ActivationFunctionType.NONE, s.ActivationFunctionType.RELU6]
    k = 0
    for op in sg.operators:
        code = m.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) != s.BuiltinOperator.CONV_2D:
            continue
        w = sg.tensors[op.inputs[1]]
        n = w.shape[0]
        w.quantization.scale = list(np.float32(w.quantization.scale[0]) * np.linspace(0.7, 1.3, n, dtype=np.float32))
        w.quantization.zeroPoint = [0] * n
        w.quantization.quantizedDimension = 0
        op.builtinOptions.fusedActivationFunction = acts[k % 2]
        k += 1
    assert k == 5
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    dst.write_bytes(bytes(b.Output()))
    return dst


def test_kws_per_channel_variant_matches_litert(mlperf_dir, tmp_path):
    model = per_channel_variant(mlperf_dir / MODELS["kws"], tmp_path / "kws_per_channel.tflite")
    result = compile_for_host(model, tmp_path / "out")
    check_against_litert(model, result, runs=3, seed=100)
    hybrid = [n for n in result.graph.nodes if n.op == "conv2d_hybrid"]
    assert len(hybrid) == 5 and all(n.attrs["per_channel"] for n in hybrid)
    assert [n.attrs["act"] for n in hybrid] == [(-np.inf, np.inf), (0.0, 6.0)] * 2 + [(-np.inf, np.inf)]


def test_hybrid_depthwise_is_refused_clearly(mlperf_dir, tmp_path):
    """A hybrid op edgec has no kernel for is named in a clean error, not TVM's."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    m = s.ModelT.InitFromPackedBuf((mlperf_dir / MODELS["kws"]).read_bytes(), 0)
    sg = m.subgraphs[0]
    op = sg.operators[1]  # the first DEPTHWISE_CONV_2D: make its weights int8, per-tensor
    w = sg.tensors[op.inputs[1]]
    data = np.frombuffer(bytes(m.buffers[w.buffer].data), np.float32)
    scale = float(np.abs(data).max() / 127)
    m.buffers[w.buffer].data = list(np.round(data / scale).astype(np.int8).view(np.uint8))
    w.type = s.TensorType.INT8
    w.quantization = s.QuantizationParametersT()
    w.quantization.scale, w.quantization.zeroPoint = [scale], [0]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    bad = tmp_path / "kws_hybrid_dw.tflite"
    bad.write_bytes(bytes(b.Output()))
    proc = run_edgec("compile", bad, "--target", "cortex-m7", "-o", tmp_path / "out")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "DEPTHWISE_CONV_2D" in proc.stderr and "hybrid" in proc.stderr


@pytest.fixture(scope="module")
def kws_m7(mlperf_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("kws_m7") / "out"
    proc = run_edgec("compile", mlperf_dir / MODELS["kws"], "--target", "cortex-m7", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize("cc,flags", COMPILERS)
def test_kws_hybrid_c_is_warning_free(kws_m7, tmp_path, cc, flags):
    for kernel_file in ("edgec_conv2d_hybrid.c", "edgec_conv2d_hybrid.h", "edgec_hybrid_quantize.c", "edgec_hybrid_quantize.h"):
        assert (kws_m7 / kernel_file).is_file(), kernel_file
    assert_compiles_warning_free(kws_m7, tmp_path, cc, flags)


def fc_hybrid_variant(src: Path, dst: Path, asymmetric: bool) -> Path:
    """KWS with its FULLY_CONNECTED made hybrid: int8 weights (per-tensor scale), float activations, and
    asymmetric_quantize_inputs as given."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    m = s.ModelT.InitFromPackedBuf(src.read_bytes(), 0)
    sg = m.subgraphs[0]
    ops = [op for op in sg.operators
           if max(m.operatorCodes[op.opcodeIndex].builtinCode, m.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode)
           == s.BuiltinOperator.FULLY_CONNECTED]
    assert len(ops) == 1
    op = ops[0]
    w = sg.tensors[op.inputs[1]]
    data = np.frombuffer(bytes(m.buffers[w.buffer].data), np.float32)
    scale = np.float32(np.abs(data).max() / 127)
    m.buffers[w.buffer].data = list(np.round(data / scale).astype(np.int8).view(np.uint8))
    w.type = s.TensorType.INT8
    w.quantization = s.QuantizationParametersT()
    w.quantization.scale, w.quantization.zeroPoint = [float(scale)], [0]
    op.builtinOptions.asymmetricQuantizeInputs = asymmetric
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    dst.write_bytes(bytes(b.Output()))
    return dst


@pytest.mark.parametrize("asymmetric", [False, True])
def test_hybrid_fully_connected_matches_litert(mlperf_dir, tmp_path, asymmetric):
    from edgec.build.host import build_host_executable, run_host_executable
    from edgec.reference import run_reference

    model = fc_hybrid_variant(mlperf_dir / MODELS["kws"], tmp_path / "kws_fc.tflite", asymmetric)
    result = compile_for_host(model, tmp_path / "out")
    fc = [n for n in result.graph.nodes if n.op == "fully_connected_hybrid"]
    assert len(fc) == 1 and fc[0].attrs["asymmetric"] is asymmetric
    assert result.graph.tensors[fc[0].inputs[1]].dtype == "int8"
    check_against_litert(model, result, runs=3, seed=200)
    # the FC's input is the pooled ReLU output: all zero when every input is 0 (LiteRT's zero-input branch)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    x = np.zeros((1, 49, 10, 1), np.float32)
    got = run_host_executable(exe, result.report, [x], tmp_path / "zeros")[0]
    want = run_reference(model, ["input_1"], [x])[0]
    assert np.allclose(got, want, rtol=RTOL, atol=ATOL)
