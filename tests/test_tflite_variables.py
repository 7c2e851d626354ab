"""TFLite resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE) kept as edgec's state.

One streaming model, written into a flatbuffer (tests/tflite_builder.py), float and int8: a sliding window of the
last frames (SLICE + CONCATENATION, assigned back), a running sum read twice before its assignment and once after,
and a variable only the initialiser sets. Run in sequence, with no reset in between, against LiteRT's builtin
kernels (float) and TFLite Micro (int8), which both run CALL_ONCE's initialiser on the first Invoke; then
<name>_reset_state() brings the initial values back."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as S
from conftest import run_edgec
from edgec.build.host import SANITIZE_FLAGS, WARNING_FLAGS, build_host_executable, c_sources, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter
from test_int8_tflite_coverage import run_tflm
from tflite_builder import TFLiteBuilder

RUNS = 6


def options(cls, **fields):
    o = cls()
    for k, v in fields.items():
        setattr(o, k, v)
    return o


def reference_runs(path, batches, int8: bool, n_outputs: int) -> list[list[np.ndarray]]:
    """The outputs of runs in sequence on one interpreter (state carried over): TFLite Micro for int8, LiteRT's
    builtin kernels for float."""
    if int8:
        return run_tflm(path, batches, n_outputs)
    interp = litert_interpreter(path)
    outs = []
    for inputs in batches:
        for d, value in zip(interp.get_input_details(), inputs):
            interp.set_tensor(d["index"], value)
        interp.invoke()
        outs.append([np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()])
    return outs


class Streaming:
    """The model and what the test needs to know of it."""

    def __init__(self, int8: bool, seed: int):
        self.int8 = int8
        b = self.b = TFLiteBuilder(seed)
        self.frames, self.channels = int(b.rng.integers(2, 5)), int(b.rng.integers(2, 7))
        self.window_q, self.sum_q = (0.05, 3), (0.08, -5)  # int8: a variable's reads share its scale
        window, frame = [1, self.frames, self.channels], [1, self.channels]
        self.initial = {"window": self.value(window, self.window_q), "sum": self.value(frame, self.sum_q),
                        "bias": self.value(frame, self.sum_q)}
        init = b.subgraph(self.initialiser)
        b.op("CALL_ONCE", [], [], options(S.CallOnceOptionsT, initSubgraphIndex=init))
        hw, hs, hb = (self.handle(name) for name in ("window", "sum", "bias"))
        x = self.act(frame, self.window_q)
        old = self.read(hw, window, self.window_q)
        kept = self.act([1, self.frames - 1, self.channels], self.window_q)
        b.op("SLICE", [old, self.const(np.array([0, 1, 0], np.int32)),
                       self.const(np.array([1, self.frames - 1, self.channels], np.int32))], [kept])
        x3 = self.act([1, 1, self.channels], self.window_q)
        b.op("RESHAPE", [x, self.const(np.array([1, 1, self.channels], np.int32))], [x3])
        new = self.act(window, self.window_q)
        b.op("CONCATENATION", [kept, x3], [new], options(S.ConcatenationOptionsT, axis=1))
        b.op("ASSIGN_VARIABLE", [hw, new], [])
        s0, s0_again = self.read(hs, frame, self.sum_q), self.read(hs, frame, self.sum_q)
        s1 = self.act(frame, self.sum_q)
        b.op("ADD", [s0, x], [s1], S.AddOptionsT())
        b.op("ASSIGN_VARIABLE", [hs, s1], [])
        s2, bias = self.read(hs, frame, self.sum_q), self.read(hb, frame, self.sum_q)
        out1, out2 = self.act(frame, (0.1, 0)), self.act(frame, (0.1, 0))
        b.op("ADD", [s2, bias], [out1], S.AddOptionsT())
        b.op("SUB", [s0_again, bias], [out2], S.SubOptionsT())
        self.inputs, self.outputs = [x], [new, out1, out2]

    def value(self, shape, q) -> np.ndarray:
        if self.int8:
            return self.b.rng.integers(-100, 100, shape).astype(np.int8)
        return self.b.rng.normal(0, 1, shape).astype(np.float32)

    def act(self, shape, q) -> int:
        return self.b.tensor(shape, "int8", *q) if self.int8 else self.b.tensor(shape, "float32")

    def const(self, value: np.ndarray) -> int:
        return self.b.tensor(list(value.shape), str(value.dtype), data=value)

    def handle(self, name: str) -> int:
        h = self.b.tensor([], "resource")
        self.b.op("VAR_HANDLE", [], [h], options(S.VarHandleOptionsT, sharedName=name.encode()))
        return h

    def read(self, handle: int, shape, q) -> int:
        y = self.act(shape, q)
        self.b.op("READ_VARIABLE", [handle], [y])
        return y

    def initialiser(self, b):
        for name, value in self.initial.items():
            q = self.window_q if name == "window" else self.sum_q
            data = b.tensor(list(value.shape), str(value.dtype), *(q if self.int8 else ()), data=value)
            b.op("ASSIGN_VARIABLE", [self.handle(name), data], [])
        return [], []

@pytest.mark.parametrize("int8", [False, True], ids=["float", "int8"])
def test_variables_carry_over_runs_as_the_reference_keeps_them(int8, tmp_path):
    m = Streaming(int8, seed=7 + int8)
    path = tmp_path / "streaming.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    # window and sum are state; bias, never assigned, is a constant
    assert result.report["state_bytes"] == (m.frames + 1) * m.channels * (1 if int8 else 4)
    rng = np.random.default_rng(3)
    dtype = np.int8 if int8 else np.float32
    batches = [[(rng.integers(-128, 128, (1, m.channels)) if int8 else rng.normal(0, 1, (1, m.channels)))
                .astype(dtype)] for _ in range(RUNS)]
    want = reference_runs(path, batches, int8, len(m.outputs))
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    for k in range(RUNS):
        for j, (g, w) in enumerate(zip(got[k], want[k])):
            if int8:
                np.testing.assert_array_equal(g, w.reshape(g.shape), err_msg=f"run {k}, output {j}")
            else:
                np.testing.assert_allclose(g, w.reshape(g.shape), rtol=1e-6, atol=1e-6, err_msg=f"run {k}, output {j}")
    assert not np.array_equal(want[0][1], want[-1][1]), "the running sum makes no difference"

    # <name>_reset_state() brings the initialiser's values back: the first input again gives the first outputs
    driver = tmp_path / "reset.c"
    driver.write_text("""#include <string.h>
#include "model.h"
#define N(k) STREAMING_OUTPUT##k##_BYTES
int main(void) {
    static unsigned char x[STREAMING_INPUT0_BYTES], a0[N(0)], a1[N(1)], a2[N(2)], b0[N(0)], b1[N(1)], b2[N(2)];
    for (unsigned i = 0; i < sizeof x; ++i) x[i] = (unsigned char)(i * 37u);
    if (streaming_run(x, a0, a1, a2) || streaming_run(x, b0, b1, b2)) return 2;
    if (memcmp(a1, b1, sizeof a1) == 0) return 3;  /* the state moved on */
    streaming_reset_state();
    if (streaming_run(x, b0, b1, b2)) return 2;
    return memcmp(a0, b0, sizeof a0) || memcmp(a1, b1, sizeof a1) || memcmp(a2, b2, sizeof a2) ? 4 : 0;
}
""")
    exe = tmp_path / "reset"
    subprocess.run(["gcc", "-std=c99", *WARNING_FLAGS, *SANITIZE_FLAGS, "-I", str(result.out_dir),
                    *map(str, c_sources(result.out_dir)), str(driver), "-o", str(exe), "-lm"], check=True)
    assert subprocess.run([str(exe)]).returncode == 0


def test_variables_edgec_cannot_keep_are_named_with_the_reason(tmp_path):
    """A variable read before anything sets it, and an initialiser that computes: one clear error naming both."""
    b = TFLiteBuilder(seed=1)

    def initialiser(b):  # assigns a value an operator computes, not a constant
        h, one, y = b.tensor([], "resource"), b.tensor([2], "float32", data=np.ones(2, np.float32)), b.tensor([2], "float32")
        b.op("VAR_HANDLE", [], [h], options(S.VarHandleOptionsT, sharedName=b"computed"))
        b.op("EXP", [one], [y])
        b.op("ASSIGN_VARIABLE", [h, y], [])
        return [], []

    b.op("CALL_ONCE", [], [], options(S.CallOnceOptionsT, initSubgraphIndex=b.subgraph(initialiser)))
    h = b.tensor([], "resource")
    b.op("VAR_HANDLE", [], [h], options(S.VarHandleOptionsT, sharedName=b"never_set"))
    x, s, y = (b.tensor([2], "float32") for _ in range(3))
    b.op("READ_VARIABLE", [h], [s])
    b.op("ADD", [x, s], [y], S.AddOptionsT())
    b.op("ASSIGN_VARIABLE", [h, y], [])
    path = tmp_path / "bad_variables.tflite"
    path.write_bytes(b.finish([x], [y]))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert "(EXP): CALL_ONCE's initialiser may only assign constants to variables" in proc.stderr, proc.stderr
    assert "variable 'never_set' is read before anything assigns it" in proc.stderr, proc.stderr
