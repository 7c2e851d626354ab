"""--int8-input: an int8 model with a float input takes the input already quantized (int8, NHWC), as a camera-fed
MCU has it. The float input and its conversion leave the arena; the outputs stay those of the float-input model
fed the same values."""

from __future__ import annotations

import json

import numpy as np

from conftest import REPO, TINY_CNN, run_edgec
from edgec.build.host import build_host_executable, run_host_executable
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.quantize.ptq import QuantizeOptions
from edgec.reference import random_inputs, reference_inputs

MCUNET = REPO / "model_zoo" / "models" / "mcunet-vww1_torch.onnx"


def calibration(tmp_path, shape) -> QuantizeOptions:
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).uniform(-1, 1, (8, *shape[1:])).astype(np.float32))
    return QuantizeOptions(tmp_path / "cal.npy")


def test_int8_input_equals_the_float_input_model_fed_the_same_values(tmp_path):
    quant = calibration(tmp_path, (1, 1, 32, 32))
    as_float = compile_model(TINY_CNN, "host", tmp_path / "f", CompileOptions(measure_code=False, quantize=quant))
    as_int8 = compile_model(TINY_CNN, "host", tmp_path / "q", CompileOptions(
        measure_code=False, quantize=quant, import_options=ImportOptions(int8_input=True)))
    (info,) = as_int8.report["inputs"]
    assert info["dtype"] == "int8" and info["shape"] == [1, 32, 32, 1]
    assert info["quantized_from"] == {"float_input": as_float.report["inputs"][0]["name"], "float_shape": [1, 1, 32, 32],
                                      "nchw_to_nhwc": True}
    assert "quantize_s8" not in [layer["op"] for layer in as_int8.report["layers"]]
    assert as_int8.report["arena_bytes"] <= as_float.report["arena_bytes"]
    header = (as_int8.out_dir / "model.h").read_text()
    assert "TINY_CNN_INPUT0_SCALE" in header and "TINY_CNN_INPUT0_ZERO_POINT" in header

    outs = {}
    qs = [random_inputs(as_int8.report, seed) for seed in range(4)]
    for key, result in (("float", as_float), ("int8", as_int8)):
        exe = build_host_executable(result.out_dir, result.report, tmp_path / f"exe_{key}")
        feed = [reference_inputs(as_int8.report, q) for q in qs] if key == "float" else qs
        outs[key] = [run_host_executable(exe, result.report, x, tmp_path / f"run_{key}_{i}")[0]
                     for i, x in enumerate(feed)]
    for a, b in zip(outs["float"], outs["int8"]):
        np.testing.assert_array_equal(a, b)


def test_mcunet_with_int8_input_and_patches_fits_the_cortex_m7(tmp_path):
    """The bundled MCUNet (a torch export), quantized, with an int8 input and patch-based scheduling, through the
    real command line."""
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).uniform(-1, 1, (4, 3, 80, 80)).astype(np.float32))
    out = tmp_path / "out"
    proc = run_edgec("compile", MCUNET, "--target", "cortex-m7", "--quantize", "int8", "--calibration",
                     tmp_path / "cal.npy", "--int8-input", "--patch", "auto", "-o", out, "--no-code-size", "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["inputs"][0]["dtype"] == "int8" and report["inputs"][0]["shape"] == [1, 80, 80, 3]
    assert report["patch"]["grid"] and report["arena_bytes"] < report["patch"]["arena_bytes_layer_by_layer"]
    assert report["fits"]


def test_verify_with_int8_input_feeds_the_reference_the_dequantized_input(tmp_path):
    """`edgec verify` runs onnxruntime on the QDQ model's own float input: the int8 input dequantized."""
    import onnx
    from onnx import numpy_helper

    np.save(tmp_path / "cal.npy", np.random.default_rng(0).uniform(-1, 1, (8, 1, 32, 32)).astype(np.float32))
    out = tmp_path / "out"
    proc = run_edgec("compile", TINY_CNN, "--target", "host", "--quantize", "int8", "--calibration",
                     tmp_path / "cal.npy", "-o", out, "--no-code-size", "-q")
    assert proc.returncode == 0, proc.stderr
    qdq = out / "tiny_cnn_int8.onnx"
    model = onnx.load(str(qdq))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    last_dq = next(n for n in reversed(model.graph.node) if n.op_type == "DequantizeLinear")
    lsb = float(inits[last_dq.input[1]])
    proc = run_edgec("verify", qdq, "--int8-input", "--runs", "3", "--rtol", "0", "--atol", f"{lsb * 1.001:.9g}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "match" in proc.stdout


def test_a_float_model_cannot_take_an_int8_input(tmp_path):
    proc = run_edgec("compile", TINY_CNN, "--int8-input", "-o", tmp_path / "out", "--no-code-size")
    assert proc.returncode == 1
    assert "--int8-input" in proc.stderr and "--quantize int8" in proc.stderr and "Traceback" not in proc.stderr


def test_calibration_script_writes_samples_and_refuses_a_bad_file(tmp_path):
    """model_zoo/calibration.py (the README's first command): samples shaped like the input; a missing or damaged
    model file is one clear line and exit 1, not a traceback."""
    import subprocess
    import sys

    script = REPO / "model_zoo" / "calibration.py"
    ok = subprocess.run([sys.executable, script, MCUNET, "-n", "3", "-o", tmp_path / "c.npy"], capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stderr
    samples = np.load(tmp_path / "c.npy")
    assert samples.shape == (3, 1, 3, 80, 80) and samples.dtype == np.float32 and np.abs(samples).max() <= 1
    (tmp_path / "junk.onnx").write_bytes(b"\x08\xff\xff\xff not protobuf")
    for bad in (tmp_path / "missing.onnx", tmp_path / "junk.onnx"):
        proc = subprocess.run([sys.executable, script, bad, "-o", tmp_path / "x.npy"], capture_output=True, text=True)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr and bad.name in proc.stderr
