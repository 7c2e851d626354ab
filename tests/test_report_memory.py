"""The memory figures of every compile beyond the arena: the arena without the input (the figure MCUNet reports),
the picture of memory over the layers, and what would make a model that does not fit fit."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import onnx
import pytest

from conftest import REPO, TINY_CNN, run_edgec
from edgec.fit_hints import as_int8, int8_weight_bytes
from edgec.memory.liveness import buffers_of
from edgec.memory.plan import best_placement, plan_memory
from edgec.pipeline import CompileOptions, compile_model
from edgec.quantize.ptq import QuantizeOptions


def wide_input_cnn(path):
    """A large input shrunk at once by a strided conv: the input dominates the peak, as in MCUNet's first layer."""
    sys.path.insert(0, str(REPO / "model_zoo"))
    from onnx_builder import GraphBuilder

    b = GraphBuilder("wide_input", 1)
    x = b.conv_bn(b.input("x", (1, 8, 32, 32)), 8, 4, 3, stride=2)
    x = b.conv_bn(x, 4, 8, 3)
    onnx.save(b.build(x, (1, 8, 16, 16)), str(path))
    return path


@pytest.mark.parametrize("model", ["tiny_cnn", "wide_input"])
def test_arena_without_the_input_is_planned_without_it(model, tmp_path):
    path = TINY_CNN if model == "tiny_cnn" else wide_input_cnn(tmp_path / "wide.onnx")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    plan, graph, report = result.plan, result.graph, result.report
    (inp,) = graph.inputs
    rest = [b for b in buffers_of(graph, plan.in_place) if b.name != graph.storage_root(inp)]
    assert report["arena_bytes_excluding_input"] == best_placement(rest, len(graph.nodes))[0]
    assert report["arena_bytes_excluding_input"] <= report["arena_bytes"]
    if model == "wide_input":  # the peak holds the NCHW input and its NHWC copy: leaving the input out saves a lot
        assert report["arena_bytes_excluding_input"] <= report["arena_bytes"] - 32 * 32 * 8 * 4 // 2
    assert report["arena_bytes_excluding_input"] >= max(b.size for b in rest)


def test_memory_picture_has_a_bar_per_layer_and_marks_the_peak(tmp_path):
    out = tmp_path / "out"
    proc = run_edgec("compile", TINY_CNN, "--target", "host", "-o", out, "--no-code-size")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    page = (out / "memory.html").read_text()
    bars = re.findall(r"<title>#(\d+) (.*?) \((\w+)\): ([\d,]+) B live</title>", page)
    assert [int(b[0]) for b in bars] == list(range(len(report["layers"])))
    assert [int(b[3].replace(",", "")) for b in bars] == [layer["live_bytes"] for layer in report["layers"]]
    live = [layer["live_bytes"] for layer in report["layers"]]
    assert f"peak at layer #{int(np.argmax(live))} " in page
    assert f"arena {report['arena_bytes'] / 1024:,.1f} KiB" in page


def fit_hint_arena(hint: str) -> int:
    return int(re.search(r"arena about ([\d,]+) B", hint).group(1).replace(",", ""))


def test_a_float_model_that_does_not_fit_is_told_what_would(tmp_path):
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m7", "--sram", "3000", "--patch", "off",
                     "-o", tmp_path / "out")
    assert proc.returncode == 3, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    int8, patched, note = report["fit_hints"]
    assert int8.startswith("with --quantize int8 --calibration DATA --int8-input: ") and int8 in proc.stderr
    assert patched.startswith("with --quantize int8 --calibration DATA --int8-input --patch auto: ")
    assert "estimated" in note
    arena, patched_arena = fit_hint_arena(int8), fit_hint_arena(patched)
    assert arena < report["arena_bytes"] / 3  # a quarter of the bytes, give or take alignment
    assert patched_arena < arena
    assert ("would fit" in int8) == (arena <= 3000)
    # by default the M7 patch-schedules: the int8 twin is estimated as its compile would schedule it, patched
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m7", "--sram", "3000", "-o", tmp_path / "default")
    assert proc.returncode == 3, proc.stderr
    report = json.loads((tmp_path / "default" / "report.json").read_text())
    assert report["patch"]["target_default"] and report["patch"]["grid"]
    default_int8, note = report["fit_hints"]
    assert default_int8.startswith("with --quantize int8 --calibration DATA --int8-input (patch-scheduled, as by "
                                   "default): ") and default_int8 in proc.stderr
    assert fit_hint_arena(default_int8) < arena


def test_an_int8_model_that_does_not_fit_is_told_what_patching_would_do(tmp_path):
    from conftest import MLPERF

    proc = run_edgec("compile", MLPERF / "vww_96_int8.tflite", "--target", "cortex-m7", "--sram", "45000",
                     "--patch", "off", "-o", tmp_path / "out", "--no-code-size", "-q")
    assert proc.returncode == 3
    (hint,) = json.loads((tmp_path / "out" / "report.json").read_text())["fit_hints"]
    assert hint.startswith("with --patch auto: arena about ") and "would fit" in hint and hint in proc.stderr
    for option in (["--patch", "auto"], []):  # auto is the M7's default
        proc = run_edgec("compile", MLPERF / "vww_96_int8.tflite", "--target", "cortex-m7", "--sram", "45000",
                         *option, "-o", tmp_path / "out2", "--no-code-size")
        assert proc.returncode == 0, proc.stderr
        assert ("the target's default" in proc.stdout) == (not option)


def test_int8_estimate_matches_the_quantized_compile(tmp_path):
    """The estimate is the graph's own plan at one byte per activation: compared with the real PTQ compile (whose
    graph differs by its quantize / dequantize ends), it must land close."""
    graph = compile_model(TINY_CNN, "host", tmp_path / "f", CompileOptions(measure_code=False)).graph
    estimate = plan_memory(as_int8(graph)).arena_bytes
    calib = np.random.default_rng(0).standard_normal((8, *graph.tensors[graph.inputs[0]].shape[1:]))
    np.save(tmp_path / "calib.npy", calib.astype(np.float32))
    real = compile_model(TINY_CNN, "host", tmp_path / "q",
                         CompileOptions(measure_code=False, quantize=QuantizeOptions(tmp_path / "calib.npy")))
    assert 0.5 * real.report["arena_bytes"] <= estimate <= 1.5 * real.report["arena_bytes"]
    real_weights = real.report["weights_bytes"]
    assert 0.5 * real_weights <= int8_weight_bytes(graph) <= 1.5 * real_weights


def test_an_integer_model_gets_no_quantization_hint(tmp_path):
    from conftest import MLPERF

    proc = run_edgec("compile", MLPERF / "kws_ref_model.tflite", "--target", "cortex-m7", "--sram", "1000",
                     "-o", tmp_path / "out", "--no-code-size")
    assert proc.returncode == 3
    assert "--quantize" not in proc.stderr
    # KWS: row bands shrink its arena a little, nowhere near 1,000 B, and the hint says so
    assert "--patch auto" not in proc.stderr or "would still not fit" in proc.stderr, proc.stderr
