"""Issue 11's models: the MatMul-free language model (model_zoo/matmulfree_lm.py) generating text with
`<name>_generate` on the host and on the emulated Cortex-M7, token for token as onnxruntime's greedy decoding, on
the float path and with `--quantize ternary` (per-token activations); the ternary digits CNN (model_zoo/ternary_cnn.py) fitting the M7 and matching onnxruntime on the
held-out split; and the run-time Gather it needs (an embedding lookup), bounds-checked."""

from __future__ import annotations

import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import COMPILERS, REPO, assert_compiles_warning_free
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.codegen.step_generate import carry_order, emit_generate
from edgec.errors import EdgecError
from edgec.ir import Graph, Node, Tensor
from edgec.memory.plan import MemoryPlan
from edgec.pipeline import CompileOptions, compile_model
from edgec.quantize.ptq import QuantizeOptions
from edgec.quantize.ternary import TernaryOptions
from generate_qemu import build_generate_firmware, host_generate, run_generate_qemu

sys.path.insert(0, str(REPO / "model_zoo"))
from matmulfree_lm import greedy_decode  # noqa: E402
from ternary_cnn import load_heldout  # noqa: E402

MODELS = REPO / "model_zoo" / "models"
LM = MODELS / "matmulfree_lm.onnx"
PROMPTS = [b"First Citizen:\n", b"ROMEO:\nWhat", b"All:\nSpeak, speak.\n\nMENENIUS:\nThe", b"\n"]
N_TOKENS = 64


def _ternary_rows(w: np.ndarray) -> bool:
    """Every output channel (axis 0 of a conv weight, axis 1 of a MatMul [in, out] weight) is s * {-1, 0, 1}."""
    return all(len(set(np.abs(r[r != 0]).tolist())) <= 1 for r in w.reshape(len(w), -1))


def test_committed_models_have_exact_ternary_weights():
    lm = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(LM)).graph.initializer}
    bitlinear = [k for k in lm if k.startswith("l") and k.split(".")[1].startswith(("w", "glu"))]
    assert len(bitlinear) == 14 and all(_ternary_rows(lm[k].T) for k in bitlinear)
    assert not _ternary_rows(lm["head"].T)  # the float head is not (the check can fail)
    cnn = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(MODELS / "digits_cnn_ternary.onnx")).graph.initializer}
    assert _ternary_rows(cnn["conv2.w"]) and _ternary_rows(cnn["conv3.w"]) and not _ternary_rows(cnn["conv1.w"])


def test_runtime_gather_matches_onnxruntime_and_never_reads_outside_the_table(tmp_path):
    """Gather(axis 1) of a constant table by int32 indices fed at run time, negative ones included, under
    AddressSanitizer: the table is a global, so a read past it would abort. Out-of-range indices give zero rows
    (onnxruntime refuses them)."""
    table = np.arange(3 * 5 * 4, dtype=np.float32).reshape(3, 5, 4) + 0.5
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "idx"], ["y"], name="lookup", axis=1)], "gather",
        [helper.make_tensor_value_info("idx", TensorProto.INT32, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2, 3, 4])], [numpy_helper.from_array(table, "table")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "gather.onnx"
    onnx.save(model, str(path))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert [n.op for n in result.graph.nodes] == ["gather"]
    assert result.report["inputs"][0]["index_range"] == [-5, 5]
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    valid = [np.array([[0, 4, -1], [-5, 2, 2]], np.int32), np.array([[3, -2, 1], [0, 0, -4]], np.int32)]
    bad = np.array([[5, -6, 2**31 - 1], [-(2**31), 1, 0]], np.int32)
    got = run_host_executable_many(exe, result.report, [[v] for v in valid + [bad]], tmp_path / "run")
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for v, g in zip(valid, got):
        np.testing.assert_array_equal(g[0], sess.run(None, {"idx": v})[0])
    want = np.take(table, np.where(bad < 0, bad + 5, bad).clip(0, 4), axis=1)
    want[:, (bad < -5) | (bad >= 5)] = 0.0
    np.testing.assert_array_equal(got[2][0], want)


def test_matmulfree_lm_generates_as_onnxruntime_on_host_and_cortex_m7(tmp_path):
    """The step model compiles for the Cortex-M7 with `<name>_generate`; greedy decoding of 64 tokens from several
    prompts gives onnxruntime's tokens, on the host (ctypes) and on QEMU mps2-an500 (one firmware run)."""
    out = tmp_path / "out"
    result = compile_model(LM, "cortex-m7", out, CompileOptions(name="lm", generate=True))
    assert result.report["fits"] and (out / "generate.c").exists()
    only_generate = tmp_path / "generate_only"  # the new file; the model's own C is checked everywhere else
    only_generate.mkdir()
    for f in ("generate.c", "generate.h", "model.h"):
        (only_generate / f).write_text((out / f).read_text())
    for cc, flags in COMPILERS:
        assert_compiles_warning_free(only_generate, tmp_path, cc, flags)
    sess = ort.InferenceSession(str(LM), providers=["CPUExecutionProvider"])
    want = [greedy_decode(sess, p, N_TOKENS) for p in PROMPTS]
    assert len({tuple(w) for w in want}) == len(PROMPTS)  # the prompts lead to different texts
    generate = host_generate(out, "lm", tmp_path)
    assert [generate(list(p), N_TOKENS) for p in PROMPTS] == want
    # an out-of-vocabulary prompt token reads a zero embedding instead of memory past the table
    assert len(generate([300, -129, 65], 4)) == 4
    elf = build_generate_firmware(out, "lm", tmp_path / "fw.elf")
    recs = run_generate_qemu(elf, [(p, N_TOKENS) for p in PROMPTS], tmp_path / "qemu")
    assert list(recs["status"]) == [0] * len(PROMPTS)
    assert [list(r["tokens"][:N_TOKENS]) for r in recs] == want


def test_ternary_cnn_fits_cortex_m7_and_matches_onnxruntime_on_heldout(tmp_path):
    model = MODELS / "digits_cnn_ternary.onnx"
    m7 = compile_model(model, "cortex-m7", tmp_path / "m7", CompileOptions())
    assert m7.report["fits"]
    host = compile_model(model, "host", tmp_path / "host", CompileOptions(measure_code=False))
    exe = build_host_executable(host.out_dir, host.report, tmp_path / "build")
    images, labels = load_heldout()
    got = np.stack([o[0] for o in run_host_executable_many(exe, host.report, [[img[None]] for img in images],
                                                           tmp_path / "run")])
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    want = np.stack([sess.run(None, {"input": img[None]})[0] for img in images])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert np.array_equal(got.argmax(-1), want.argmax(-1))
    assert np.mean(got.argmax(-1).reshape(-1) == labels) > 0.95


def _step_graph_and_plan(out_offsets: dict[str, int]):
    """A step model's graph (token, h1, h2) -> (logits, o1, o2) and a plan with the state outputs where asked."""
    g = Graph()
    for name, shape, dtype in (("token", (1,), "int64"), ("h1", (1, 4), "float32"), ("h2", (1, 4), "float32"),
                               ("table", (8, 4), "float32"), ("logits", (1, 8), "float32"),
                               ("o1", (1, 4), "float32"), ("o2", (1, 4), "float32")):
        g.add_tensor(Tensor(name, shape, dtype, data=np.zeros(shape, np.float32) if name == "table" else None))
    g.inputs, g.outputs = ["token", "h1", "h2"], ["logits", "o1", "o2"]
    g.nodes.append(Node("gather", ["table", "token"], ["logits"], {"axis": 0}))
    offsets = {"token": 0, "h1": 64, "h2": 80, "logits": 96, **out_offsets}
    return g, MemoryPlan([], offsets, 256, 0, "test", [])


def test_state_carry_is_ordered_against_overlaps_and_breaks_cycles():
    # o1 sits where h2 is read: h1 <- o1 must go before h2 <- o2 overwrites it
    g, plan = _step_graph_and_plan({"o1": 80, "o2": 128})
    assert carry_order(g, plan) == [("copy", 1), ("copy", 2)]
    g, plan = _step_graph_and_plan({"o1": 128, "o2": 64})  # o2 sits where h1 is read
    assert carry_order(g, plan) == [("copy", 2), ("copy", 1)]
    # each output where the other state is read: a cycle, broken through the carry buffer
    g, plan = _step_graph_and_plan({"o1": 80, "o2": 64})
    assert carry_order(g, plan) == [("save", 1), ("copy", 2), ("restore", 1)]
    files = emit_generate(g, plan, "m")
    assert "M_GENERATE_EXTRA_BYTES 16u" in files["generate.h"] and "carry.bytes" in files["generate.c"]
    g.inputs = ["h1", "token", "h2"]
    with pytest.raises(EdgecError, match="step model.*input 0 'h1'"):
        emit_generate(g, plan, "m")


def test_ternary_lm_generates_as_onnxruntime_on_its_quantized_model(tmp_path):
    """`--quantize ternary --generate`: the MatMuls' activations quantized per token at run time, the ternary weights
    packed (edgec_ternary_hybrid over the kernel set's edgec_ternary_sums_s8; the fuzz harness of test_ternary.py
    checks the portable sums against these); greedy decoding equals onnxruntime's on the quantized model
    (out/lm_ternary.onnx) token for token, on the host and on QEMU mps2-an500 (look-up and add/subtract layers
    both). Also the CLI's refusal of --calibration with --generate."""
    from edgec.cli import build_parser

    args = build_parser().parse_args(["compile", str(LM), "-t", "cortex-m7", "-o", str(tmp_path / "refused"),
                                      "--quantize", "ternary", "--generate", "--calibration", "none.npy"])
    with pytest.raises(EdgecError, match="--calibration is not used with --generate: .* quantized per token"):
        args.func(args)  # the CLI prints an EdgecError as one line, exit 1 (tests/test_cli_errors.py)
    out = tmp_path / "out"
    report = compile_model(LM, "cortex-m7", out, CompileOptions(
        name="lm", generate=True, quantize=QuantizeOptions(None, ternary=TernaryOptions()))).report
    layers = [layer for layer in report["layers"] if "format" in layer]
    assert len(layers) == 15 and layers[-1]["format"] == "int8"  # the head stays int8 (the last layer)
    assert {layer["kernel"] for layer in layers[:-1]} == {"addsub", "lut"}
    assert all(layer["format"].startswith("ternary") for layer in layers[:-1])
    assert report["weights_bytes"] < 100_000 and report["fits"]  # float: 493 kB
    kernels = tmp_path / "kernels"  # the new kernel code; the model's own C is checked everywhere else
    kernels.mkdir()
    for f in [*out.glob("*.h"), out / "edgec_ternary_s8.c", out / "edgec_ternary_hybrid.c"]:
        (kernels / f.name).write_text(f.read_text())
    for cc, flags in COMPILERS:
        assert_compiles_warning_free(kernels, tmp_path, cc, flags)
    sess = ort.InferenceSession(str(out / "lm_ternary.onnx"), providers=["CPUExecutionProvider"])
    want = [greedy_decode(sess, p, N_TOKENS) for p in PROMPTS]
    generate = host_generate(out, "lm", tmp_path)
    assert [generate(list(p), N_TOKENS) for p in PROMPTS] == want
    elf = build_generate_firmware(out, "lm", tmp_path / "fw.elf")
    recs = run_generate_qemu(elf, [(p, N_TOKENS) for p in PROMPTS], tmp_path / "qemu")
    assert [list(r["tokens"][:N_TOKENS]) for r in recs] == want
