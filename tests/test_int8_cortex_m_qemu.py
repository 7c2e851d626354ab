"""The Cortex-M DSP kernels (runtimes/cortex-m/, SXTB16 + SMLAD under __ARM_FEATURE_DSP) give the same bits as
LiteRT's reference kernels: each int8 MLPerf Tiny model is compiled for cortex-m7, linked into a small
semihosting firmware (tests/semihost/) and run on QEMU's mps2-an500 over a file of random inputs."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from conftest import MLPERF, require
from semihost_qemu import build_firmware, run_on_qemu
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter

RUNS = {"kws_ref_model": 20, "ad01_int8": 100, "pretrainedResnet_quant": 8, "vww_96_int8": 10}


@pytest.mark.parametrize("stem", list(RUNS))
def test_dsp_kernels_bit_exact_on_qemu(stem, tmp_path):
    options = CompileOptions(import_options=ImportOptions(int8_rounding="litert"), measure_code=False)
    result = compile_model(MLPERF / f"{stem}.tflite", "cortex-m7", tmp_path / "out", options)
    assert (result.out_dir / "edgec_fully_connected_s8.c").read_text().count("__smlad") >= 2  # the DSP twin
    elf = build_firmware(result.out_dir, result.report)
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", str(elf)], capture_output=True, text=True).stdout
    assert "smlad" in disasm and "sxtb16" in disasm, "the DSP path was not compiled in"
    if any(layer["op"] == "depthwise_conv2d_s8" for layer in result.report["layers"]):
        assert "smlabb" in disasm and "smlatt" in disasm, "the depthwise DSP path was not compiled in"

    info = result.report["inputs"][0]
    rng = np.random.default_rng(11)
    xs = rng.integers(-128, 128, (RUNS[stem], info["bytes"]), dtype=np.int8)
    got = run_on_qemu(elf, xs, result.report["outputs"][0]["bytes"], tmp_path / "qemu")

    interp = litert_interpreter(MLPERF / f"{stem}.tflite", reference_kernels=True)
    (din,), (dout,) = interp.get_input_details(), interp.get_output_details()
    for k, x in enumerate(xs):
        interp.set_tensor(din["index"], x.reshape(din["shape"]))
        interp.invoke()
        np.testing.assert_array_equal(got[k], interp.get_tensor(dout["index"]).ravel(), err_msg=f"input {k}")


def test_optimize_switches_fc_layout_with_same_outputs(tmp_path):
    """--optimize speed stores AD's fully connected weights wide (twice the bytes), size compact, and a flash budget
    they would crowd keeps speed compact too; on the board both layouts give the same bytes."""
    from edgec.config import load_target

    outs, reports = [], {}
    xs = np.random.default_rng(5).integers(-128, 128, (30, 640), dtype=np.int8)
    for optimize in ("speed", "size"):
        options = CompileOptions(measure_code=False, optimize=optimize)
        result = compile_model(MLPERF / "ad01_int8.tflite", "cortex-m7", tmp_path / optimize, options)
        reports[optimize] = result.report
        elf = build_firmware(result.out_dir, result.report)
        outs.append(run_on_qemu(elf, xs, result.report["outputs"][0]["bytes"], tmp_path / f"qemu_{optimize}"))
    layouts = {k: [c["layout"] for c in r["fully_connected_layouts"]["layers"]] for k, r in reports.items()}
    assert layouts == {"speed": ["wide"] * 10, "size": ["compact"] * 10}, layouts
    extra = sum(c["wide_extra_bytes"] for c in reports["speed"]["fully_connected_layouts"]["layers"])
    assert reports["speed"]["weights_bytes"] - reports["size"]["weights_bytes"] == extra == 264_192  # one per MAC
    np.testing.assert_array_equal(outs[0], outs[1])

    # a budget only a little above the compact model's: wide would leave less than 1/8 of it free
    near = load_target("cortex-m7", flash_bytes=reports["size"]["weights_bytes"] + 20_000)
    result = compile_model(MLPERF / "ad01_int8.tflite", near, tmp_path / "near", CompileOptions(measure_code=False))
    assert result.report["fits"] and result.report["weights_bytes"] == reports["size"]["weights_bytes"]
    assert all(c["layout"] == "compact" and "past the limit" in c["reason"]
               for c in result.report["fully_connected_layouts"]["layers"])
