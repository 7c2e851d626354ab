"""MLPerf Tiny int8 TFLite models, end to end: compile for cortex-m7 (the generated C must build warning-free
with arm-none-eabi-gcc), build the host executable once per model and rounding, run 100 random inputs in one
process, and compare bit for bit with TFLite Micro itself (the tflite-micro package, reference kernels) for the
default rounding, and with LiteRT's reference kernels (BUILTIN_REF) for --int8-rounding litert."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter, tflm_interpreter

from int8_numpy import multiply_by_quantized_multiplier, run_fc_graph

from conftest import MLPERF as MODELS
RUNS = 100
# Arena goals (TFLM + CMSIS-NN on mps2-an500); edgec must not need more.
ARENA_GOAL = {"pretrainedResnet_quant": 49_152, "vww_96_int8": 55_296, "kws_ref_model": 16_000, "ad01_int8": 768}


def compile_and_build(stem: str, rounding: str, tmp: Path, target: str = "cortex-m7"):
    options = CompileOptions(import_options=ImportOptions(int8_rounding=rounding))
    # Compiles the generated C with the target's compiler (-Wall -Wextra -Werror -ffreestanding) for code size.
    result = compile_model(MODELS / f"{stem}.tflite", target, tmp / "out", options)
    assert result.report["code_bytes"] is not None, f"the {target} compiler must be on PATH"
    exe = build_host_executable(result.out_dir, result.report, tmp / "build")
    return result, exe


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """compile_and_build, once per (model, rounding, target) in this module."""
    cache = {}

    def get(stem: str, rounding: str, target: str = "cortex-m7"):
        key = (stem, rounding, target)
        if key not in cache:
            tmp = tmp_path_factory.mktemp(f"{stem}-{rounding}-{target}")
            cache[key] = compile_and_build(stem, rounding, tmp, target)
        return cache[key]

    return get


def random_int8_inputs(report: dict, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    shape = report["inputs"][0]["shape"]
    return [[rng.integers(-128, 128, shape, dtype=np.int8)] for _ in range(RUNS)]


def litert_outputs(stem: str, batches) -> list[np.ndarray]:
    interp = litert_interpreter(MODELS / f"{stem}.tflite", reference_kernels=True)
    (din,), (dout,) = interp.get_input_details(), interp.get_output_details()
    outs = []
    for (x,) in batches:
        interp.set_tensor(din["index"], x.reshape(din["shape"]))
        interp.invoke()
        outs.append(np.array(interp.get_tensor(dout["index"])))
    return outs


def tflm_outputs(stem: str, batches) -> list[np.ndarray]:
    interp = tflm_interpreter(MODELS / f"{stem}.tflite")
    shape = interp.get_input_details(0)["shape"]
    outs = []
    for (x,) in batches:
        interp.set_input(x.reshape(shape), 0)
        interp.invoke()
        outs.append(np.array(interp.get_output(0)))
    return outs


def mismatching(got, want) -> list[int]:
    return [k for k in range(len(got)) if not np.array_equal(got[k][0], want[k].reshape(got[k][0].shape))]


# cortex-m7 builds ship the runtimes/cortex-m twins (their portable fallback runs on the host); host builds
# ship runtimes/reference only.
CASES = [(stem, "cortex-m7") for stem in ARENA_GOAL] + [("pretrainedResnet_quant", "host"), ("ad01_int8", "host")]


@pytest.mark.parametrize("stem,target", CASES)
def test_bit_exact_against_litert_reference(stem, target, build, tmp_path):
    result, exe = build(stem, "litert", target)
    assert result.report["arena_bytes"] <= ARENA_GOAL[stem], "arena larger than TFLM's"
    assert result.report["inputs"][0]["dtype"] == "int8" and result.report["outputs"][0]["dtype"] == "int8"
    assert {layer["op"] for layer in result.report["layers"]} <= {  # crop / paste: the M7's default patching
        "conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "add_s8", "avg_pool2d_s8", "softmax_s8", "copy",
        "crop", "paste"}
    batches = random_int8_inputs(result.report, seed=list(ARENA_GOAL).index(stem))
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    bad = mismatching(got, litert_outputs(stem, batches))
    assert not bad, f"{len(bad)}/{RUNS} inputs differ from LiteRT, first {bad[:5]}"
    # The outputs must actually vary with the input (a constant output would make the check meaningless);
    # VWW's two-class softmax only takes a handful of values on random inputs.
    assert len({got[k][0].tobytes() for k in range(RUNS)}) >= 5


@pytest.mark.parametrize("stem", list(ARENA_GOAL))
def test_bit_exact_against_tflite_micro(stem, build, tmp_path):
    """Default rounding (TFLite Micro's): the same bits as TFLite Micro's reference kernels on every input."""
    result, exe = build(stem, "tflm")
    assert result.report["int8_rounding"] == "tflm"
    batches = random_int8_inputs(result.report, seed=11)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    bad = mismatching(got, tflm_outputs(stem, batches))
    assert not bad, f"{len(bad)}/{RUNS} inputs differ from TFLite Micro, first {bad[:5]}"
    assert len({got[k][0].tobytes() for k in range(RUNS)}) >= 5


def test_ad_tflm_rounding_numpy_model_and_distance_from_litert(build, tmp_path):
    """AD, ten fully connected layers, default rounding: edgec == the numpy model of TFLM's arithmetic == TFLite
    Micro, bit for bit. TFLM itself is not within 1 LSB of LiteRT's reference kernels: LiteRT requantises FC once,
    in double, TFLM twice in fixed point, and the differences compound over the ten layers."""
    result, exe = build("ad01_int8", "tflm")
    batches = random_int8_inputs(result.report, seed=11)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    tflm = tflm_outputs("ad01_int8", batches)
    for k, (x,) in enumerate(batches):
        np.testing.assert_array_equal(got[k][0], run_fc_graph(result.graph, x), err_msg=f"input {k}")
    assert not mismatching(got, tflm)
    litert = litert_outputs("ad01_int8", batches)
    diff = np.array([np.abs(tflm[k].astype(int) - litert[k].astype(int)).ravel() for k in range(RUNS)])
    # Measured (tflite-micro 0.dev20261023182759, ai-edge-litert 2.3), TFLM vs LiteRT: on these 100 inputs x 640
    # outputs max 3 LSB, 66.4 % of outputs identical, 99.08 % within 1 LSB, every input has some output apart; on
    # 1000 other random inputs max 4 LSB, 68.9 % identical, 99.29 % within 1 LSB, 57 % of inputs all within 1 LSB.
    assert diff.max() <= 3 and (diff == 0).mean() > 0.6 and (diff <= 1).mean() > 0.98, (
        diff.max(), (diff == 0).mean(), (diff <= 1).mean())


def test_fc_rounding_modes_differ_somewhere(build, tmp_path):
    """The two roundings must really produce different code paths (otherwise the AD tests prove less)."""
    r1, exe1 = build("ad01_int8", "tflm")
    r2, exe2 = build("ad01_int8", "litert")
    batches = random_int8_inputs(r1.report, seed=3)[:20]
    g1 = run_host_executable_many(exe1, r1.report, batches, tmp_path / "a")
    g2 = run_host_executable_many(exe2, r2.report, batches, tmp_path / "b")
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(g1, g2))


def crafted_last_fc(tmp_path: Path, scales: tuple[np.float32, np.float32, np.float32], bias: np.ndarray) -> Path:
    """AD with its last FULLY_CONNECTED's weights zeroed (so its accumulators are its biases), `bias` as those
    biases, and (input, filter, output) scales as given; the bias scale follows (input x filter)."""
    import tflite

    buf = bytearray((MODELS / "ad01_int8.tflite").read_bytes())
    sg = tflite.Model.GetRootAsModel(buf, 0).Subgraphs(0)
    op = sg.Operators(sg.OperatorsLength() - 1)
    x, w, b = (int(i) for i in op.InputsAsNumpy())
    y = int(op.OutputsAsNumpy()[0])
    model = tflite.Model.GetRootAsModel(buf, 0)
    for t, s in ((x, scales[0]), (w, scales[1]), (b, np.float32(scales[0] * scales[1])), (y, scales[2])):
        sg.Tensors(t).Quantization().ScaleAsNumpy()[0] = s  # views into buf
    model.Buffers(sg.Tensors(w).Buffer()).DataAsNumpy()[:] = 0
    model.Buffers(sg.Tensors(b).Buffer()).DataAsNumpy().view(np.int32)[:] = bias
    path = tmp_path / "crafted.tflite"
    path.write_bytes(bytes(buf))
    return path


def test_fc_multiplier_matches_tflite_micro_at_rounding_ties(tmp_path):
    """The FC multiplier as TFLite Micro derives it from the scales, checked where it matters: random scales, and
    accumulators placed where a multiplier a few units off (the input x filter scale product rounded to float
    first) would round to another output. AD's own layers hit such a tie only on a few inputs in a hundred."""
    from edgec.frontend.tflite import load_tflite
    from edgec.frontend.tflite_int8 import import_int8_graph, quantize_multiplier

    rng = np.random.default_rng(0)
    checked = discriminating = 0
    while checked < 12:
        i_s, w_s, o_s = (np.float32(rng.uniform(0.5, 1) * 2.0 ** rng.integers(-12, 0)) for _ in range(3))
        o_s = np.float32(o_s * 2.0 ** rng.integers(0, 12))
        m, s = quantize_multiplier(float(i_s) * float(w_s) / float(o_s))
        m_float, s_float = quantize_multiplier(float(np.float32(i_s * w_s)) / float(o_s))
        if (m, s) == (m_float, s_float) or not -24 <= s <= -2:
            continue
        # Around each output's rounding threshold, the accumulators where the two multipliers disagree.
        accs = []
        for level in range(-128, 127):
            c = int((level + 0.5) * 2.0 ** (31 - s) / m)
            near = np.arange(c - 200, c + 200, dtype=np.int64)
            near = near[np.abs(near) < 2**31 - 1]
            y, y_float = (multiply_by_quantized_multiplier(near, *q) for q in ((m, s), (m_float, s_float)))
            accs += near[y != y_float][:2].tolist()
        accs = np.resize(np.array(accs[:640], np.int64), 640)  # AD's last layer has 640 units
        path = crafted_last_fc(tmp_path, (i_s, w_s, o_s), accs.astype(np.int32))
        graph, _ = import_int8_graph(load_tflite(path))
        attrs = graph.nodes[-1].attrs
        want = np.clip(multiply_by_quantized_multiplier(accs, attrs["multiplier"], attrs["shift"])
                       + attrs["output_offset"], -128, 127)
        interp = tflm_interpreter(path)
        interp.set_input(np.zeros((1, 640), np.int8), 0)
        interp.invoke()
        got = np.array(interp.get_output(0)).ravel()
        np.testing.assert_array_equal(got, want, err_msg=f"scales {i_s!r} {w_s!r} {o_s!r}")
        discriminating += int(np.count_nonzero(got != np.clip(
            multiply_by_quantized_multiplier(accs, m_float, s_float) + attrs["output_offset"], -128, 127)))
        checked += 1
    assert discriminating > 1000  # the float-product multiplier would have failed on these


def test_edgec_verify_uses_litert_reference_kernels_for_int8(tmp_path):
    from conftest import run_edgec

    proc = run_edgec("verify", MODELS / "ad01_int8.tflite", "--int8-rounding", "litert", "--runs", "5", "--sanitize",
                     "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 5 outputs match LiteRT's reference kernels" in proc.stdout


def test_edgec_verify_uses_tflite_micro_for_default_rounding(tmp_path):
    from conftest import run_edgec

    proc = run_edgec("verify", MODELS / "ad01_int8.tflite", "--runs", "5", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 5 outputs match TFLite Micro" in proc.stdout


def test_edgec_verify_without_tflite_micro_falls_back_to_litert(tmp_path):
    """tflite-micro is optional for users: without it, verify compares with LiteRT's reference kernels (as before),
    which round AD's fully connected layers differently, and says what to do."""
    stub = tmp_path / "stub" / "tflite_micro"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('tflite-micro hidden by the test')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(stub.parent), os.environ["PYTHONPATH"]]))
    proc = subprocess.run([sys.executable, "-m", "edgec", "verify", str(MODELS / "ad01_int8.tflite"), "--runs", "2",
                           "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out, out
    assert "differ from LiteRT's reference kernels" in out and "pip install tflite-micro" in out, out


def patched_kws(tmp_path, new_code: int) -> Path:
    """KWS with its AVERAGE_POOL_2D operator code rewritten in place (MAX_POOL_2D shares Pool2DOptions)."""
    import tflite

    buf = bytearray((MODELS / "kws_ref_model.tflite").read_bytes())
    model = tflite.Model.GetRootAsModel(buf, 0)
    patched = 0
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) == 1:  # AVERAGE_POOL_2D
            for slot, size in ((4, 1), (10, 4)):  # deprecated_builtin_code (int8), builtin_code (int32)
                off = code._tab.Offset(slot)
                if off:
                    pos = code._tab.Pos + off
                    buf[pos:pos + size] = new_code.to_bytes(size, "little", signed=True)
                    patched += 1
    assert patched
    path = tmp_path / f"kws_{new_code}.tflite"
    path.write_bytes(bytes(buf))
    return path


def test_int8_max_pool_bit_exact(tmp_path):
    model = patched_kws(tmp_path, 17)  # MAX_POOL_2D
    options = CompileOptions(import_options=ImportOptions(int8_rounding="litert"), measure_code=False)
    result = compile_model(model, "cortex-m7", tmp_path / "out", options)
    assert "max_pool2d_s8" in {layer["op"] for layer in result.report["layers"]}
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build")
    batches = random_int8_inputs(result.report, seed=5)[:50]
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    interp = litert_interpreter(model, reference_kernels=True)
    (din,), (dout,) = interp.get_input_details(), interp.get_output_details()
    for k, (x,) in enumerate(batches):
        interp.set_tensor(din["index"], x)
        interp.invoke()
        np.testing.assert_array_equal(got[k][0], interp.get_tensor(dout["index"]), err_msg=f"input {k}")


def test_int8_operator_without_kernel_is_listed(tmp_path):
    from conftest import run_edgec

    proc = run_edgec("compile", patched_kws(tmp_path, 12), "-o", tmp_path / "out")  # L2_POOL_2D
    assert proc.returncode != 0 and "(L2_POOL_2D): no int8 kernel" in proc.stderr, proc.stderr
    assert proc.stderr.count("node '") == 1 and "Traceback" not in proc.stderr  # only the root, not its users
