"""MLPerf Tiny int8 TFLite models, end to end: compile for cortex-m7 (the generated C must build warning-free
with arm-none-eabi-gcc), build the host executable once per model, run 100 random inputs in one process, and
compare with LiteRT's reference kernels (BUILTIN_REF) or, for TFLite Micro rounding on AD, a numpy model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter

from int8_numpy import run_fc_graph

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


# cortex-m7 builds ship the runtimes/cortex-m twins (their portable fallback runs on the host); host builds
# ship runtimes/reference only.
CASES = [(stem, "cortex-m7") for stem in ARENA_GOAL] + [("pretrainedResnet_quant", "host"), ("ad01_int8", "host")]


@pytest.mark.parametrize("stem,target", CASES)
def test_bit_exact_against_litert_reference(stem, target, tmp_path):
    result, exe = compile_and_build(stem, "litert", tmp_path, target)
    assert result.report["arena_bytes"] <= ARENA_GOAL[stem], "arena larger than TFLM's"
    assert result.report["inputs"][0]["dtype"] == "int8" and result.report["outputs"][0]["dtype"] == "int8"
    assert {layer["op"] for layer in result.report["layers"]} <= {
        "conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "add_s8", "avg_pool2d_s8", "softmax_s8", "copy"}
    batches = random_int8_inputs(result.report, seed=list(ARENA_GOAL).index(stem))
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    want = litert_outputs(stem, batches)
    mismatches = [k for k in range(RUNS) if not np.array_equal(got[k][0], want[k].reshape(got[k][0].shape))]
    assert not mismatches, f"{len(mismatches)}/{RUNS} inputs differ from LiteRT, first {mismatches[:5]}"
    # The outputs must actually vary with the input (a constant output would make the check meaningless);
    # VWW's two-class softmax only takes a handful of values on random inputs.
    assert len({got[k][0].tobytes() for k in range(RUNS)}) >= 5


def test_ad_tflm_rounding_exact_against_numpy_model(tmp_path):
    """Default (TFLite Micro) rounding: bit-exact with an independent numpy model of TFLM's arithmetic, and
    close to LiteRT (whose int8 FC rounds once instead of twice)."""
    result, exe = compile_and_build("ad01_int8", "tflm", tmp_path)
    batches = random_int8_inputs(result.report, seed=7)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    for k, (x,) in enumerate(batches):
        np.testing.assert_array_equal(got[k][0], run_fc_graph(result.graph, x), err_msg=f"input {k}")
    want = litert_outputs("ad01_int8", batches)
    diff = np.array([np.abs(got[k][0].astype(int) - want[k].reshape(got[k][0].shape)) for k in range(RUNS)])
    # Rounding differences (<= 1 LSB per layer) compound through AD's ten layers. Measured on these inputs:
    # max 3 LSB, 70 % of outputs identical, 99.2 % within 1 LSB.
    assert diff.max() <= 3 and (diff == 0).mean() > 0.6 and (diff <= 1).mean() > 0.98, (diff.max(), (diff == 0).mean())


def test_fc_rounding_modes_differ_somewhere(tmp_path):
    """The two roundings must really produce different code paths (otherwise the AD test proves nothing)."""
    r1, exe1 = compile_and_build("ad01_int8", "tflm", tmp_path / "a")
    r2, exe2 = compile_and_build("ad01_int8", "litert", tmp_path / "b")
    batches = random_int8_inputs(r1.report, seed=3)[:20]
    g1 = run_host_executable_many(exe1, r1.report, batches, tmp_path / "a" / "run")
    g2 = run_host_executable_many(exe2, r2.report, batches, tmp_path / "b" / "run")
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(g1, g2))


def test_edgec_verify_uses_litert_reference_kernels_for_int8(tmp_path):
    from conftest import run_edgec

    proc = run_edgec("verify", MODELS / "ad01_int8.tflite", "--int8-rounding", "litert", "--runs", "5", "--sanitize",
                     "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 5 outputs match" in proc.stdout


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
