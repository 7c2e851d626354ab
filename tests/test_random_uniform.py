"""ONNX RandomUniform: fresh values in [low, high) on every run, from a generator whose state the model keeps
(ops/random.py); <name>_reset_state() repeats the sequence. onnxruntime draws from another generator, so the
check is of the distribution, not of the values."""

from __future__ import annotations

import subprocess

import numpy as np
import onnx
from conftest import COMPILERS, assert_compiles_warning_free, run_edgec
from edgec.build.host import SANITIZE_FLAGS, WARNING_FLAGS, build_host_executable, c_sources, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model
from onnx import TensorProto, helper

LOW, HIGH, N = -2.0, 3.0, 4000


def model(path, seed: float | None):
    attrs = dict(low=LOW, high=HIGH, shape=[2, N // 2], **({} if seed is None else {"seed": seed}))
    graph = helper.make_graph(
        [helper.make_node("RandomUniform", [], ["r"], **attrs), helper.make_node("Add", ["x", "r"], ["y"])], "noise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, N // 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, N // 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_random_uniform_draws_anew_each_run_and_repeats_after_a_reset(tmp_path):
    model(tmp_path / "noise.onnx", seed=3.0)
    result = compile_model(tmp_path / "noise.onnx", "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert result.report["state_bytes"] == 4
    for cc, flags in COMPILERS:
        assert_compiles_warning_free(result.out_dir, tmp_path, cc, flags)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    zeros = [np.zeros((2, N // 2), np.float32)]
    runs = [out[0].ravel() for out in run_host_executable_many(exe, result.report, [zeros] * 4, tmp_path / "run")]
    for r in runs:
        assert r.min() >= LOW and r.max() < HIGH
        # uniform on [-2, 3): mean 0.5, standard deviation 5 / sqrt(12); 4000 draws: 5 standard errors apart
        assert abs(r.mean() - 0.5) < 5 * 1.443 / np.sqrt(N) and abs(r.std() - 1.443) < 0.08
        assert np.histogram(r, bins=10, range=(LOW, HIGH))[0].min() > 0.8 * N / 10
    assert len({r.tobytes() for r in runs}) == len(runs), "the same values twice"

    # the reset brings the first draw back; another seed gives another sequence
    driver = tmp_path / "reset.c"
    driver.write_text("""#include <string.h>
#include "model.h"
int main(void) {
    static float x[NOISE_INPUT0_ELEMS], a[NOISE_OUTPUT0_ELEMS], b[NOISE_OUTPUT0_ELEMS];
    if (noise_run(x, a) || noise_run(x, b) || memcmp(a, b, sizeof a) == 0) return 2;
    noise_reset_state();
    if (noise_run(x, b)) return 2;
    return memcmp(a, b, sizeof a) != 0;
}
""")
    exe = tmp_path / "reset"
    subprocess.run(["gcc", "-std=c99", *WARNING_FLAGS, *SANITIZE_FLAGS, "-I", str(result.out_dir),
                    *map(str, c_sources(result.out_dir)), str(driver), "-o", str(exe), "-lm"], check=True)
    assert subprocess.run([str(exe)]).returncode == 0
    model(tmp_path / "other.onnx", seed=None)
    other = compile_model(tmp_path / "other.onnx", "host", tmp_path / "out2", CompileOptions(measure_code=False))
    exe = build_host_executable(other.out_dir, other.report, tmp_path / "build2")
    (first,) = run_host_executable_many(exe, other.report, [zeros], tmp_path / "run2")
    assert not np.array_equal(first[0].ravel(), runs[0])


def test_verify_says_random_outputs_cannot_be_compared(tmp_path):
    model(tmp_path / "noise.onnx", seed=1.0)
    proc = run_edgec("verify", tmp_path / "noise.onnx")
    assert proc.returncode == 6 and "Traceback" not in proc.stderr, proc.stderr
    assert "the model draws random numbers ('r' (RandomUniform)), and the reference draws others" in proc.stderr
