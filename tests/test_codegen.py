"""The generated C: warning-free under every compiler, deterministic, with the documented API."""

from __future__ import annotations

import json
import re

import pytest

from conftest import COMPILERS, TINY_CNN, assert_compiles_warning_free, run_edgec

@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "out"
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m7", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize("cc,flags", COMPILERS)
def test_compiles_warning_free(compiled, tmp_path, cc, flags):
    assert_compiles_warning_free(compiled, tmp_path, cc, flags)


def test_deterministic(compiled, tmp_path):
    again = tmp_path / "again"
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m7", "-o", again)
    assert proc.returncode == 0, proc.stderr
    first = {p.name: p.read_bytes() for p in compiled.iterdir()}
    second = {p.name: p.read_bytes() for p in again.iterdir()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two compiles"


def test_freestanding_api(compiled):
    header = (compiled / "model.h").read_text()
    assert "int tiny_cnn_run(const void *input, void *output);" in header
    for macro in ("TINY_CNN_ARENA_BYTES", "TINY_CNN_INPUT0_SHAPE {1, 1, 32, 32}", "TINY_CNN_OUTPUT0_BYTES 40u",
                  "TINY_CNN_INPUT0_DTYPE EDGEC_DTYPE_FLOAT32"):
        assert macro in header
    report = json.loads((compiled / "report.json").read_text())
    assert f"TINY_CNN_ARENA_BYTES {report['arena_bytes']}u" in header
    for path in compiled.glob("*.[ch]"):
        text = path.read_text()
        for banned in ("malloc", "printf", "FILE", "stdio.h", "stdlib.h", "tvm"):
            assert not re.search(rf"\b{re.escape(banned)}\b", text), f"{path.name} uses {banned}"
        for line in text.splitlines():
            if line.startswith("#include <"):
                assert line.split()[1] in ("<stdint.h>", "<stddef.h>", "<string.h>", "<math.h>"), f"{path.name}: {line}"


def test_report_keys(compiled):
    report = json.loads((compiled / "report.json").read_text())
    for key in ("arena_bytes", "arena_lower_bound_bytes", "weights_bytes", "fits", "layers", "flash_bytes"):
        assert key in report
    assert report["fits"] is True
    assert report["arena_bytes"] >= report["arena_lower_bound_bytes"] > 0
    # inputs and outputs live in the arena: it is at least their size
    assert report["arena_bytes"] >= 1 * 32 * 32 * 4 + 10 * 4
    assert report["weights_bytes"] > 0 and report["code_bytes"] > 0
    assert all({"name", "op", "output_shape", "live_bytes"} <= set(layer) for layer in report["layers"])


def test_compile_prints_the_table(tmp_path):
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m4", "-o", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr
    for text in ("arena (SRAM)", "lower bound", "weights (flash)", "fits cortex-m4", "live B"):
        assert text in proc.stdout


def test_targets_lists_budgets():
    proc = run_edgec("targets")
    assert proc.returncode == 0, proc.stderr
    for text in ("cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55", "host", "320 KiB", "1,024 KiB"):
        assert text in proc.stdout


def test_verify_tiny_cnn_with_sanitizers():
    proc = run_edgec("verify", TINY_CNN, "--sanitize", "--runs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "match" in proc.stdout


def test_report_names_layers_after_the_model(compiled):
    """Fused layers carry the ONNX node names of what they absorbed, not TVM's temporaries."""
    # a patched stage's layers (the M7's default) are named <layer>@p<k>...: still the model's names
    names = [layer["name"].split("@")[0] for layer in json.loads((compiled / "report.json").read_text())["layers"]]
    for expected in ("conv1+relu1", "dw2+relu2", "pw2+relu3", "pool3", "gap", "fc"):
        assert expected in names, names
    # and the weights in flash are named after the layers that use them
    weights_h = (compiled / "weights.h").read_text()
    for symbol in ("tiny_cnn_conv1_relu1_weights[72]", "tiny_cnn_fc_weights[160]", "tiny_cnn_fc_bias[10]"):
        assert f"extern const float {symbol};" in weights_h


def test_layer_names_cannot_break_the_generated_c(tmp_path):
    """Layer names are free text (TFLite tensor names go through unchanged) and end up in C comments: a name
    containing the comment terminator must not end one early."""
    from edgec.codegen.c_emitter import emit_c, write_output
    from edgec.memory.plan import plan_memory
    from edgec.pipeline import CompileOptions, compile_model

    result = compile_model(TINY_CNN, "host", tmp_path / "first", CompileOptions(measure_code=False))
    graph = result.graph
    graph.nodes[0].name = "evil*/ int broken = ; /*"
    out = tmp_path / "out"
    write_output(emit_c(graph, plan_memory(graph), "tiny_cnn", ["optimized", "reference"]), out)
    assert "evil* / int broken" in (out / "model.c").read_text()
    assert_compiles_warning_free(out, tmp_path, "gcc", ["-O2"])
