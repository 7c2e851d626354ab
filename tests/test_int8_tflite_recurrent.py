"""int8 SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM, bit-exact with TFLite Micro (the tflite-micro package), state kept
from one run to the next as TFLite Micro keeps it.

One model (tests/tflite_builder.py) holds many one-operator branches of random shapes (batch, units, rank,
memory, time steps, both time layouts, int16 and int8 SVDF state, a clipped cell state), each on its own graph
input. It is compiled once, built for the host with the sanitizers, and run on a sequence of inputs in one
process; TFLite Micro, reset once (its variable tensors to their zero points), runs the same sequence. Every
output of every run must be equal, so the second and later runs check the state each kernel carried over."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from edgec.build.host import SANITIZE_FLAGS, WARNING_FLAGS, build_host_executable, c_sources, run_host_executable_many
from edgec.errors import UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model

from conftest import COMPILERS, assert_compiles_warning_free
from tflite_builder import TFLiteBuilder

RUNS = 6
F32 = np.float32
SPREAD = 74 * 73  # the typical |w * (x - zero point)| of random int8 weights and inputs


def _variable(b: TFLiteBuilder, shape, dtype: str, scale: float, zero_point: int) -> int:
    t = b.tensor(shape, dtype, scale, zero_point)
    b.tensors[t].isVariable = True
    return t


def _weights(b: TFLiteBuilder, shape, dtype: str = "int8", scale: float = 0.01, limit: int = 127) -> int:
    data = b.rng.integers(-limit, limit + 1, shape).astype(dtype)
    return b.tensor(list(shape), dtype, scale, 0, data)


def svdf(b: TFLiteBuilder, batch: int, inp: int, units: int, rank: int, memory: int, state_type: str,
         source: int | None = None):
    """SVDF as TensorFlow's converter writes it (int16 state and time weights), or with an int8 state. source: an
    int8 [batch, inp] tensor to read instead of a new graph input."""
    filters = units * rank
    x = b.act([batch, inp]) if source is None else source
    s_x = b.quant(x)[0]
    s_wf = float(F32(b.rng.uniform(0.005, 0.02)))
    feature = np.sqrt(inp) * SPREAD * s_x * s_wf  # the spread of a filter's feature, real
    if state_type == "int16":
        s_state, zp_state, time_limit = float(F32(feature / 4000)), 0, 1024
    else:
        s_state, zp_state, time_limit = float(F32(feature / 40)), int(b.rng.integers(-10, 11)), 127
    s_wt = float(F32(b.rng.uniform(0.001, 0.01)))
    wf = _weights(b, [filters, inp], "int8", s_wf)
    wt = _weights(b, [filters, memory], state_type, s_wt, time_limit)
    s_bias = float(F32(s_state) * F32(s_wt))
    time_spread = np.sqrt(memory * rank) * (4000 if state_type == "int16" else 40) * time_limit / 2 * s_bias
    bias = b.tensor([units], "int32", s_bias, 0,
                    b.rng.integers(-1, 2, units) * int(time_spread / s_bias / 2) + b.rng.integers(-99, 99, units))
    state = _variable(b, [batch, filters * memory], state_type, s_state, zp_state)
    y = b.act([batch, units], float(F32(time_spread / 50)))
    opts = schema.SVDFOptionsT()
    opts.rank, opts.fusedActivationFunction = rank, schema.ActivationFunctionType.NONE
    b.op("SVDF", [x, wf, wt, bias, state], [y], opts)
    return x, y


def lstm(b: TFLiteBuilder, batch: int, seq: int, inp: int, units: int, time_major: bool, cell_clip: float = 0.0,
         peepholes: bool = False, gain: float = 1.0, source: int | None = None):
    """The integer (8x8->16) LSTM: int8 weights per tensor, int32 biases, an int16 cell state at 2^-11. gain > 1
    drives the gates' fully connected outputs past int16 (+-8 at 2^-12), where they saturate. source: an int8
    tensor the LSTM reads instead of a new graph input (its shape gives batch, seq and inp)."""
    x = b.act([seq, batch, inp] if time_major else [batch, seq, inp]) if source is None else source
    if source is not None:
        (batch, seq, inp) = b.shape(source) if not time_major else np.array(b.shape(source))[[1, 0, 2]].tolist()
    s_x = b.quant(x)[0]
    s_h, zp_h = float(F32(b.rng.uniform(0.005, 0.01))), int(b.rng.integers(-20, 21))
    w_in = [float(F32(2.0 * gain / (np.sqrt(inp) * SPREAD * s_x) * b.rng.uniform(0.5, 2))) for _ in range(4)]
    w_rec = [float(F32(1.0 * gain / (np.sqrt(units) * SPREAD * s_h) * b.rng.uniform(0.5, 2))) for _ in range(4)]
    ins = [x] + [_weights(b, [units, inp], "int8", s) for s in w_in] + [_weights(b, [units, units], "int8", s)
                                                                         for s in w_rec]
    ins += [_weights(b, [units], "int16", 0.01) for _ in range(3)] if peepholes else [-1] * 3
    ins += [b.tensor([units], "int32", float(F32(s_x) * F32(s)), 0,
                     (b.rng.uniform(-1, 1, units) / (s_x * s)).astype(np.int32)) for s in w_in]
    ins += [-1, -1]  # no projection
    ins += [_variable(b, [batch, units], "int8", s_h, zp_h), _variable(b, [batch, units], "int16", 2.0 ** -11, 0)]
    ins += [-1] * 4  # no layer normalisation
    y = b.act([seq, batch, units] if time_major else [batch, seq, units], s_h, zp_h)
    opts = schema.UnidirectionalSequenceLSTMOptionsT()
    opts.fusedActivationFunction, opts.timeMajor, opts.cellClip = schema.ActivationFunctionType.TANH, time_major, \
        cell_clip
    b.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y], opts)
    return x, y


def recurrent_model(b: TFLiteBuilder):
    rng = b.rng
    branches = []
    for state_type in ("int16", "int16", "int16", "int8", "int8"):
        batch = 1 if len(branches) < 3 else 2
        inp, units, rank, memory = (int(v) for v in rng.integers(2, 12, 4))
        branches.append((f"svdf {state_type} batch {batch} input {inp} units {units} rank {rank % 3 + 1} "
                         f"memory {memory}", *svdf(b, batch, inp, units, rank % 3 + 1, memory, state_type)))
    for k, (time_major, clip, gain) in enumerate(((False, 0.0, 1), (False, 0.0, 1), (True, 0.0, 1), (False, 1.5, 1),
                                                  (True, 3.0, 1), (False, 0.0, 8))):
        batch = 1 if k < 3 else 2
        seq, inp, units = int(rng.integers(1, 17)) if k == 0 else int(rng.integers(8, 17)), *(int(v) for v in
                                                                                           rng.integers(2, 17, 2))
        branches.append((f"lstm batch {batch} seq {seq} input {inp} units {units} time_major {time_major} "
                         f"clip {clip} gain {gain}", *lstm(b, batch, seq, inp, units, time_major, clip, gain=gain)))
    return branches


def _run_tflm(path, batches):
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_file(str(path), arena_size=1 << 20)
    interp.reset()  # TFLite Micro leaves variable tensors as the arena has them until a reset
    outs = []
    for inputs in batches:
        for k, x in enumerate(inputs):
            interp.set_input(x, k)
        interp.invoke()
        outs.append([np.array(interp.get_output(k)) for k in range(len(inputs))])
    return outs


def test_int8_svdf_and_lstm_match_tflite_micro_over_runs(tmp_path):
    b = TFLiteBuilder(seed=9)
    branches = recurrent_model(b)
    path = tmp_path / "recurrent.tflite"
    path.write_bytes(b.finish([x for _, x, _ in branches], [y for _, _, y in branches]))
    result = compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    variables = [i for i, t in enumerate(b.tensors) if t.isVariable]
    assert result.report["state_bytes"] == sum(int(np.prod(b.shape(i))) * (2 if b.tensors[i].type ==
                                               schema.TensorType.INT16 else 1) for i in variables)
    for cc, flags in COMPILERS:
        assert_compiles_warning_free(result.out_dir, tmp_path, cc, flags)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    rng = np.random.default_rng(4)
    batches = [[rng.integers(-128, 128, b.shape(x), dtype=np.int8) for _, x, _ in branches] for _ in range(RUNS)]
    batches[2] = batches[0]  # the same input later: the state must make a difference
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    want = _run_tflm(path, batches)
    for k in range(RUNS):
        for j, (label, _, _) in enumerate(branches):
            np.testing.assert_array_equal(got[k][j], want[k][j].reshape(got[k][j].shape), err_msg=f"{label}, run {k}")
    for j, (label, _, _) in enumerate(branches):
        assert not np.array_equal(want[0][j], want[2][j]), f"{label}: the state makes no difference"
        assert len(np.unique(np.concatenate([w[j].ravel() for w in want]))) > 4, f"{label}: saturated outputs"
    _check_reset_state(result.out_dir, len(branches), tmp_path)


def _check_reset_state(out_dir, n: int, tmp_path) -> None:
    """<name>_reset_state() puts every state back where it started (an int8 one at its zero point): the first input
    again gives the first outputs again, and without the reset it does not."""
    ins = ", ".join(f"x{k}" for k in range(n))
    runs = {r: ", ".join(f"{r}{k}" for k in range(n)) for r in "abc"}
    decls = "\n".join(f"static int8_t x{k}[RECURRENT_INPUT{k}_BYTES], a{k}[RECURRENT_OUTPUT{k}_BYTES], "
                      f"b{k}[RECURRENT_OUTPUT{k}_BYTES], c{k}[RECURRENT_OUTPUT{k}_BYTES];" for k in range(n))
    fill = "\n".join(f"    for (unsigned i = 0; i < sizeof x{k}; ++i) x{k}[i] = (int8_t)(i * 37u + {k}u);"
                      for k in range(n))
    same_ac = " && ".join(f"!memcmp(a{k}, c{k}, sizeof a{k})" for k in range(n))
    same_ab = " && ".join(f"!memcmp(a{k}, b{k}, sizeof a{k})" for k in range(n))
    driver = tmp_path / "reset.c"
    driver.write_text(f"""#include <stdint.h>
#include <string.h>
#include "model.h"
{decls}
int main(void) {{
{fill}
    if (recurrent_run({ins}, {runs['a']}) || recurrent_run({ins}, {runs['b']})) return 2;
    recurrent_reset_state();
    if (recurrent_run({ins}, {runs['c']})) return 2;
    return !({same_ac}) ? 3 : ({same_ab}) ? 4 : 0;
}}
""")
    exe = tmp_path / "reset"
    subprocess.run(["gcc", "-std=c99", *WARNING_FLAGS, *SANITIZE_FLAGS, "-I", str(out_dir),
                    *map(str, c_sources(out_dir)), str(driver), "-o", str(exe), "-lm"], check=True)
    assert subprocess.run([str(exe)]).returncode == 0


def test_unsupported_int8_recurrent_variants_are_named(tmp_path):
    """What TFLite Micro's integer kernels do not take: one error naming each node and the reason."""
    b = TFLiteBuilder(seed=2)
    cases = []

    def lstm_with(change, reason: str, **kwargs) -> None:
        x, y = lstm(b, 1, 3, 4, 5, False, **kwargs)
        change(b.operators[-1])
        cases.append((x, y, "UNIDIRECTIONAL_SEQUENCE_LSTM", reason))

    lstm_with(lambda op: None, "peepholes are not supported", peepholes=True)
    lstm_with(lambda op: op.inputs.__setitem__(16, _weights(b, [5, 5])), "projection is not supported")
    lstm_with(lambda op: op.inputs.__setitem__(20, _weights(b, [5], "int16")), "layer normalisation is not supported")
    lstm_with(lambda op: setattr(op.builtinOptions, "fusedActivationFunction", schema.ActivationFunctionType.RELU),
              "cell activation 1 (TFLite Micro takes tanh only)")
    x, y = svdf(b, 1, 4, 3, 1, 4, "int16")
    b.operators[-1].inputs[3] = -1
    cases.append((x, y, "SVDF", "no constant int32 bias"))
    x, y = svdf(b, 1, 4, 3, 1, 4, "int8")
    b.operators[-1].inputs[2] = _weights(b, [3, 4], "int16")
    cases.append((x, y, "SVDF", "int16 time weights (int8 expected)"))
    path = tmp_path / "unsupported.tflite"
    path.write_bytes(b.finish([x for x, _, _, _ in cases], [y for _, y, _, _ in cases]))
    with pytest.raises(UnsupportedModelError) as info:
        compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    message = str(info.value)
    for _, y, kind, reason in cases:
        assert f"'{b.tensors[y].name.decode()}' ({kind}): {reason}" in message, message


def _reshape(b: TFLiteBuilder, x: int, shape) -> int:
    y = b.act(list(shape), *b.quant(x))
    b.op("RESHAPE", [x, b.tensor([len(shape)], "int32", data=np.array(shape, np.int32))], [y])
    return y


def _fully_connected(b: TFLiteBuilder, x: int, units: int) -> int:
    """FULLY_CONNECTED to logits of a real spread about 2 (a softmax that is not one-hot)."""
    depth, s_x = b.shape(x)[-1], b.quant(x)[0]
    s_w = float(F32(2.0 / (np.sqrt(depth) * SPREAD * s_x)))
    w = _weights(b, [units, depth], "int8", s_w)
    bias = b.tensor([units], "int32", float(F32(s_x) * F32(s_w)), 0, b.rng.integers(-500, 500, units))
    y = b.act([b.shape(x)[0], units], 1.0 / 30)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], schema.FullyConnectedOptionsT())
    return y


def kws_lstm(b: TFLiteBuilder):
    """A keyword spotter in the shape of model_zoo/kws_lstm.py, int8: 49x10 MFCC -> conv 3x3 / 2 (8 channels)
    -> 25 steps of 40 features -> LSTM(16) -> FC(12) over all 25 steps -> softmax."""
    x = b.act([1, 49, 10, 1], 0.05, 0)
    c = b.conv2d(x, 8, strides=(2, 2))  # [1, 25, 5, 8]
    seq = _reshape(b, c, [1, 25, 40])
    _, h = lstm(b, 1, 0, 0, 16, False, source=seq)
    return x, _softmax(b, _fully_connected(b, _reshape(b, h, [1, 25 * 16]), 12))


def kws_svdf(b: TFLiteBuilder):
    """A streaming keyword spotter: one frame of 40 filterbank features per run -> conv 1x3 (4 channels) ->
    SVDF(32 units, rank 1, a memory of 8 frames, int16 state) -> FC(12) -> softmax."""
    x = b.act([1, 1, 40, 1], 0.05, 0)
    c = b.conv2d(x, 4, kernel=(1, 3))
    _, h = svdf(b, 1, 160, 32, 1, 8, "int16", source=_reshape(b, c, [1, 160]))
    return x, _softmax(b, _fully_connected(b, h, 12))


def _softmax(b: TFLiteBuilder, x: int) -> int:
    y = b.act(b.shape(x), 1.0 / 256, -128)
    opts = schema.SoftmaxOptionsT()
    opts.beta = 1.0
    b.op("SOFTMAX", [x], [y], opts)
    return y


KWS = {"lstm": (kws_lstm, (1, 49, 10, 1)), "svdf": (kws_svdf, (1, 1, 40, 1))}


@pytest.mark.parametrize("kind", list(KWS))
def test_kws_like_int8_models_on_the_cortex_m7(kind, tmp_path):
    """A keyword spotter on the emulated Cortex-M7 (QEMU mps2-an500), run on a sequence of inputs without a reset
    (the LSTM's or SVDF's state carries over): every output bit for bit TFLite Micro's."""
    from semihost_qemu import build_firmware, run_on_qemu

    build, shape = KWS[kind]
    b = TFLiteBuilder(seed=12)
    x, y = build(b)
    path = tmp_path / f"kws_{kind}_int8.tflite"
    path.write_bytes(b.finish([x], [y]))
    result = compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    assert [layer["op"] for layer in result.report["layers"]].count(f"{kind}_s8") == 1
    elf = build_firmware(result.out_dir, result.report)
    rng = np.random.default_rng(5)
    xs = rng.integers(-128, 128, (12, int(np.prod(shape))), dtype=np.int8)
    got = run_on_qemu(elf, xs, 12, tmp_path / "qemu")
    want = _run_tflm(path, [[x.reshape(shape)] for x in xs])
    for k in range(len(xs)):
        np.testing.assert_array_equal(got[k], want[k][0].ravel(), err_msg=f"input {k}")
    assert len(np.unique(np.stack(got))) > 8, "saturated outputs"
