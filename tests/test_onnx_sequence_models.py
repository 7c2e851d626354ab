"""Sequence models in float ONNX: LSTM, GRU and RNN on random shapes against onnxruntime (the ONNX node cases
are in test_onnx_node_cases.py), the variants edgec refuses, the keyword-spotting LSTM of model_zoo/kws_lstm.py
on the emulated Cortex-M7, and the transformer encoder of model_zoo/transformer_encoder.py (torch.onnx.export's
opset 17 graph, written with onnx.helper)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import COMPILERS, assert_compiles_warning_free
from edgec.errors import EdgecError, UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference
from edgec.verify import compare, verify_compiled
from semihost_qemu import build_firmware, run_on_qemu

ZOO = Path(__file__).resolve().parents[1] / "model_zoo"
sys.path.insert(0, str(ZOO))
import kws_lstm  # noqa: E402
import transformer_encoder  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}


def recurrent_model(seed: int = 0, cases: int = 9, layout: int = 0) -> onnx.ModelProto:
    """`cases` recurrent nodes, each on its own input with random sizes, cycling through the cells, directions
    and optional inputs; initial states are graph inputs or constants; every other node leaves Y unread.
    Weights are constants (flash). One layout for all (onnxruntime runs layout 0 only)."""
    rng = np.random.default_rng(seed)
    nodes, inits, inputs, outputs = [], [], [], []

    def const(name, shape, scale=0.5):
        inits.append(numpy_helper.from_array(rng.uniform(-scale, scale, shape).astype(np.float32), name))
        return name

    for k in range(cases):
        op = ("LSTM", "GRU", "RNN")[k % 3]
        direction = ("forward", "reverse", "bidirectional")[(k // 3) % 3]
        seq, batch, size, hidden = (int(v) for v in rng.integers([1, 1, 1, 1], [9, 4, 7, 9]))
        dirs, g = 2 if direction == "bidirectional" else 1, GATES[op]
        x_shape = [batch, seq, size] if layout else [seq, batch, size]
        state = [batch, dirs, hidden] if layout else [dirs, batch, hidden]
        x = f"x{k}"
        inputs.append(helper.make_tensor_value_info(x, TensorProto.FLOAT, x_shape))
        ins = [x, const(f"w{k}", (dirs, g * hidden, size)), const(f"r{k}", (dirs, g * hidden, hidden)),
               const(f"b{k}", (dirs, 2 * g * hidden)) if k % 4 != 1 else "", ""]
        if k % 4 == 0:  # initial states fed at run time
            ins += [f"h{k}"] + ([f"c{k}"] if op == "LSTM" else [])
            inputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, state) for n in ins[5:]]
        elif k % 4 == 2:  # constant initial states (and peepholes)
            ins += [const(f"h{k}", state)] + ([const(f"c{k}", state), const(f"p{k}", (dirs, 3 * hidden))]
                                              if op == "LSTM" else [])
        while ins and not ins[-1]:
            ins.pop()
        outs = [f"y{k}" if k % 2 == 0 else "", f"yh{k}"] + ([f"yc{k}"] if op == "LSTM" else [])
        attrs = dict(hidden_size=hidden, direction=direction, layout=layout)
        if op == "GRU":
            attrs["linear_before_reset"] = k % 2
        nodes.append(helper.make_node(op, ins, outs, name=f"{op.lower()}{k}", **attrs))
        y_shape = [batch, seq, dirs, hidden] if layout else [seq, dirs, batch, hidden]
        outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, y_shape if o.startswith("y") and o[1].isdigit()
                                                  else state) for o in outs if o]
    graph = helper.make_graph(nodes, "recurrent", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])  # layout: opset 14
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def test_recurrent_random_shapes_match_onnxruntime(tmp_path):
    path = save(recurrent_model(layout=0), tmp_path / "recurrent.onnx")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=2, rtol=RTOL, atol=ATOL)
    assert len(comparisons) == 2 * len(onnx.load(str(path)).graph.output)
    bad = [c for c in comparisons if not c.ok]
    assert not bad, "\n".join(f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}" for c in bad)
    assert {n.op for n in result.graph.nodes} >= {"lstm", "gru", "rnn"}


def test_recurrent_batch_first_random_shapes_match_the_onnx_reference(tmp_path):
    """layout=1 (batch first), which onnxruntime refuses: against ONNX's reference evaluator (whose outputs the
    node cases hold too). Built with the reference kernels only (the other tests run the optimized twins)."""
    from onnx.reference import ReferenceEvaluator

    from edgec.build.host import build_host_executable, run_host_executable
    from edgec.config import load_config
    from edgec.reference import random_inputs

    model = recurrent_model(seed=3, cases=6, layout=1)
    path = save(model, tmp_path / "recurrent.onnx")
    config = load_config()
    config.target_overrides = {**config.target_overrides, "host": {"kernels": ["reference"]}}
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False), config=config)
    assert "edgec_gate_rows_f32.h" not in (result.out_dir / "edgec_lstm_f32.c").read_text()
    report = result.report
    exe = build_host_executable(result.out_dir, report, tmp_path / "build")
    inputs = random_inputs(report, seed=0)
    got = run_host_executable(exe, report, inputs, tmp_path / "run")
    want = ReferenceEvaluator(model).run(None, {i["source_name"]: x for i, x in zip(report["inputs"], inputs)})
    assert len(got) == len(want) == len(model.graph.output)
    for info, g, w in zip(report["outputs"], got, want):
        c = compare(info["name"], g, w, RTOL, ATOL)
        assert c.ok, f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}"


def test_unread_y_takes_no_arena(tmp_path):
    """An LSTM whose Y ([64, 1, 1, 32] floats, 8 KiB) nobody reads: the arena holds X, the states and the gates."""
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.uniform(-0.3, 0.3, (1, 128, 8)).astype(np.float32), "w")
    r = numpy_helper.from_array(rng.uniform(-0.3, 0.3, (1, 128, 32)).astype(np.float32), "r")
    node = helper.make_node("LSTM", ["x", "w", "r"], ["", "y_h"], hidden_size=32)
    graph = helper.make_graph([node], "lstm_y_h", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 1, 8])],
                              [helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [1, 1, 32])], [w, r])
    path = save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), tmp_path / "m.onnx")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    # x 2048 B, y_h and y_c 128 B each, gates 512 B
    assert result.report["arena_bytes"] <= 2048 + 128 + 128 + 512 + 64, result.report["arena_bytes"]


ACTIVATIONS = ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid",
               "Elu", "Softsign", "Softplus"]
USES = {"Affine": (1, 1), "LeakyRelu": (1, 0), "ThresholdedRelu": (1, 0), "ScaledTanh": (1, 1),
        "HardSigmoid": (1, 1), "Elu": (1, 0)}


def recurrent_variants_model(seed: int = 10, cases: int = 12) -> onnx.ModelProto:
    """LSTM, GRU and RNN nodes with every activation of the spec (different per direction), activation_alpha /
    activation_beta given in full, in part (the rest defaulted) or not at all, clip, and constant sequence_lens
    with rows shorter than the sequence; forward, reverse and bidirectional; Y, Y_h (, Y_c) all read."""
    rng = np.random.default_rng(seed)
    nodes, inits, inputs, outputs = [], [], [], []

    def const(name, shape, scale=0.5):
        inits.append(numpy_helper.from_array(rng.uniform(-scale, scale, shape).astype(np.float32), name))
        return name

    for k in range(cases):
        op = ("LSTM", "GRU", "RNN")[k % 3]
        direction = ("forward", "reverse", "bidirectional")[(k // 3) % 3]
        seq, batch, size, hidden = (int(v) for v in rng.integers([2, 2, 1, 1], [7, 4, 5, 6]))
        dirs, g = 2 if direction == "bidirectional" else 1, GATES[op]
        x = f"x{k}"
        inputs.append(helper.make_tensor_value_info(x, TensorProto.FLOAT, [seq, batch, size]))
        ins = [x, const(f"w{k}", (dirs, g * hidden, size)), const(f"r{k}", (dirs, g * hidden, hidden)),
               const(f"b{k}", (dirs, 2 * g * hidden))]
        attrs = dict(hidden_size=hidden, direction=direction)
        if k % 4 != 3:  # sequence lengths from 1 to seq, at least one row shorter than the sequence
            lens = rng.integers(1, seq + 1, batch).astype(np.int32)
            lens[0] = int(rng.integers(1, seq))
            inits.append(numpy_helper.from_array(lens, f"lens{k}"))
            ins.append(f"lens{k}")
        else:
            ins.append("")
        if op == "LSTM" and k % 2:
            ins += ["", "", const(f"p{k}", (dirs, 3 * hidden))]
        acts = [str(a) for a in rng.choice(ACTIVATIONS, len(DEFAULT_ACTIVATIONS[op]) * dirs)]
        attrs["activations"] = acts
        n_alpha = sum(USES.get(a, (0, 0))[0] for a in acts)
        n_beta = sum(USES.get(a, (0, 0))[1] for a in acts)
        given = (k // 2) % 3  # 0: all, 1: some (the rest take onnxruntime's defaults), 2: none
        if given < 2 and n_alpha > given:
            attrs["activation_alpha"] = [float(v) for v in rng.uniform(0.1, 1.5, n_alpha - given)]
        if given < 2 and n_beta > given:
            attrs["activation_beta"] = [float(v) for v in rng.uniform(-0.5, 1.0, n_beta - given)]
        if k % 3 != 2 or op == "RNN" and k % 2:
            attrs["clip"] = float(rng.uniform(0.3, 2.0))
        if op == "GRU":
            attrs["linear_before_reset"] = (k // 3) % 2
        while not ins[-1]:
            ins.pop()
        outs = [f"y{k}", f"yh{k}"] + ([f"yc{k}"] if op == "LSTM" else [])
        nodes.append(helper.make_node(op, ins, outs, name=f"{op.lower()}{k}", **attrs))
        state = [dirs, batch, hidden]
        outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, [seq, dirs, batch, hidden] if i == 0
                                                  else state) for i, o in enumerate(outs)]
    graph = helper.make_graph(nodes, "recurrent_variants", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def test_recurrent_activations_clip_and_sequence_lens_match_onnxruntime(tmp_path):
    """Non-default activations, clip and sequence_lens shorter than the sequence: Y zero past a row's length,
    Y_h / Y_c at its last step (the first, for the reverse direction), as onnxruntime computes them."""
    model = recurrent_variants_model()
    used = {a.decode() for n in model.graph.node for at in n.attribute if at.name == "activations" for a in at.strings}
    assert used == set(ACTIVATIONS), f"the seed leaves out {set(ACTIVATIONS) - used}"
    path = save(model, tmp_path / "variants.onnx")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=2, rtol=RTOL, atol=ATOL)
    assert len(comparisons) == 2 * len(model.graph.output)
    bad = [c for c in comparisons if not c.ok]
    assert not bad, "\n".join(f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}" for c in bad)


@pytest.mark.parametrize("op,attrs,extra,reason", [
    ("LSTM", {"activations": ["Sigmoid", "Swish", "Tanh"]}, {}, "activation 'Swish' is not one of"),
    ("LSTM", {"activations": ["Sigmoid", "Tanh"]}, {}, "2 activations for 1 direction(s) of 3"),
    ("GRU", {"clip": -1.0}, {}, "the threshold must be positive"),
    ("LSTM", {"input_forget": 1}, {}, "input_forget=1"),
    ("RNN", {}, {"lens": [4, 0]}, "one length from 1 to the sequence's 4"),
    ("GRU", {}, {"lens": "input"}, "known only at run time"),
])
def test_unsupported_recurrent_variants_are_refused_naming_the_node(op, attrs, extra, reason, tmp_path):
    g, hidden = GATES[op], 3
    inits = [numpy_helper.from_array(np.ones((1, g * hidden, 2), np.float32), "w"),
             numpy_helper.from_array(np.ones((1, g * hidden, hidden), np.float32), "r")]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 2, 2])]
    ins = ["x", "w", "r"]
    if "lens" in extra:
        ins += ["", "lens"]
        if extra["lens"] == "input":
            inputs.append(helper.make_tensor_value_info("lens", TensorProto.INT32, [2]))
        else:
            inits.append(numpy_helper.from_array(np.array(extra["lens"], np.int32), "lens"))
    node = helper.make_node(op, ins, ["", "y_h"], name="the_cell", hidden_size=hidden, **attrs)
    graph = helper.make_graph([node], "refused", inputs,
                              [helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [1, 2, hidden])], inits)
    path = save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), tmp_path / "m.onnx")
    with pytest.raises(UnsupportedModelError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert reason in str(err.value) and "the_cell" in str(err.value), str(err.value)


def test_recurrent_input_of_the_wrong_shape_is_refused_naming_the_node(tmp_path):
    """A B shorter than [dirs, 2 * gates * hidden] (which ONNX's shape inference does not check): refused, not
    read past its end."""
    inits = [numpy_helper.from_array(np.ones(shape, np.float32), n)
             for n, shape in (("w", (1, 12, 2)), ("r", (1, 12, 3)), ("b", (1, 12)))]
    node = helper.make_node("LSTM", ["x", "w", "r", "b"], ["", "y_h"], name="the_cell", hidden_size=3)
    graph = helper.make_graph([node], "short_b", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 1, 2])],
                              [helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [1, 1, 3])], inits)
    path = save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), tmp_path / "m.onnx")
    with pytest.raises(EdgecError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert "the_cell" in str(err.value) and "not [1, 24]" in str(err.value), str(err.value)


@pytest.mark.parametrize("script", [kws_lstm, transformer_encoder])
def test_committed_model_is_the_scripts_output(script):
    committed = onnx.load(str(ZOO / "models" / f"{script.__name__}.onnx"))
    assert committed.SerializeToString() == script.build().SerializeToString(), \
        f"model_zoo/models/{script.__name__}.onnx is stale: run python3 model_zoo/{script.__name__}.py"


@pytest.fixture(scope="module")
def kws_m7(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kws")
    result = compile_model(ZOO / "models" / "kws_lstm.onnx", "cortex-m7", tmp / "out",
                           CompileOptions(measure_code=False))
    return tmp, result


def test_kws_lstm_fits_the_m7_and_matches_onnxruntime_on_qemu(kws_m7):
    tmp, result = kws_m7
    report = result.report
    assert report["fits"], report
    assert report["arena_bytes"] < 20_000 and report["weights_bytes"] < 90_000, report
    elf = build_firmware(result.out_dir, report)
    x = np.random.default_rng(0).standard_normal((3, 1, kws_lstm.FRAMES, kws_lstm.MFCC)).astype(np.float32)
    got = run_on_qemu(elf, x, 4 * kws_lstm.CLASSES, tmp / "run").view(np.float32)
    want = np.concatenate([run_onnx_reference(ZOO / "models" / "kws_lstm.onnx", {"mfcc": xi})[0] for xi in x])
    c = compare("probs", got, want, RTOL, ATOL)
    assert c.ok, f"max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}"


def test_transformer_encoder_matches_onnxruntime(tmp_path):
    path = ZOO / "models" / "transformer_encoder.onnx"
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=2, rtol=RTOL, atol=ATOL)
    bad = [c for c in comparisons if not c.ok]
    assert len(comparisons) == 4 and not bad, "\n".join(f"{c.output}: {c.max_abs_err:.3g}" for c in bad)


@pytest.fixture(scope="module")
def recurrent_c(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recurrent_c")
    path = save(recurrent_model(seed=2, cases=3, layout=1), tmp / "recurrent.onnx")
    compile_model(path, "cortex-m7", tmp / "out", CompileOptions(measure_code=False))
    return tmp / "out"


@pytest.mark.parametrize("cc,flags", COMPILERS)
def test_recurrent_kernels_compile_warning_free(recurrent_c, tmp_path, cc, flags):
    assert {p.stem for p in recurrent_c.glob("edgec_*.c")} >= {"edgec_lstm_f32", "edgec_gru_f32", "edgec_rnn_f32"}
    assert_compiles_warning_free(recurrent_c, tmp_path, cc, flags)
