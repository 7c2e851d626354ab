"""Property: no damaged or hostile model file ends in an internal error, a crash or a hang, and what edgec accepts
it compiles right.

Mutants of real models (tests/model_mutants.py: byte flips, truncations, appended bytes, and structure-aware
changes of indices, shapes, scales, zero points, dtypes, names, options and buffer lengths) go through the real
CLI (tests/fuzz_runner.py: a worker process, a timeout per file). Every one must be refused with an
`edgec: error:` message or compiled; a share of the compiled ones is run with `edgec verify` on the mutated file
itself, which must match the reference executor, or, the documented rule, exit 6 when the reference executor
cannot run the file (edgec compiled a file TFLite Micro / onnxruntime refuse: verify says so and shows edgec's
own outputs). The seeds are fixed, so a failure here reproduces; benchmarks/fuzz_models.py runs thousands more.
"""

from __future__ import annotations

import pytest

from conftest import MLPERF, TINY_CNN
from fuzz_runner import run_files
from model_mutants import _pack_tflite, _tflite_model, mutants, ruled_change

# model, mutants, share verified: sized for about a minute of CI on two cores (ONNX compiles go through TVM)
CASES = [
    (MLPERF / "kws_ref_model.tflite", 150, 0.04),
    (MLPERF / "ad01_int8.tflite", 60, 0.05),
    (TINY_CNN, 30, 0.1),
    (MLPERF / "kws_ref_model_float32.tflite", 25, 0.04),  # hybrid: int8 conv weights, float activations
]


@pytest.mark.parametrize("model,count,verify_share", CASES, ids=[c[0].name for c in CASES])
def test_mutants_end_cleanly(tmp_path, model, count, verify_share):
    jobs, whats = [], []
    for k, m in enumerate(mutants(model, count, seed=2026)):
        path = tmp_path / f"m{k:04d}{m.suffix}"
        path.write_bytes(m.data)
        jobs.append({"file": str(path), "out": str(tmp_path / f"out{k}"), "verify": k % round(1 / verify_share) == 0})
        whats.append(m.what)
    results = run_files(jobs, tmp_path / "runner", timeout=60)
    assert len(results) == count
    bad = [f"{w}: {r['outcome']}: {r['message'][:300]}" for w, r in zip(whats, results)
           if r["outcome"] not in ("refused", "accepted")]
    assert not bad, "\n".join(bad)
    refused = [r for r in results if r["outcome"] == "refused"]
    verified = [(w, r) for w, r in zip(whats, results) if "verify_exit" in r]
    wrong = [f"{w}: verify exit {r['verify_exit']}: {r['verify_message'][:300]}" for w, r in verified
             if r["verify_exit"] not in (0, 6)]
    assert not wrong, "\n".join(wrong)
    # the generator must actually reach both sides: some mutants refused, some compiled
    assert refused and any(r["outcome"] == "accepted" for r in results)


def test_ruled_change_covers_weight_values_only():
    """The fuzz report's documented rule (benchmarks/fuzz_models.py): an accepted mutant needs no reference run of
    its own only if it is the same model or differs in the values of conv / FC weights and biases; a change to a
    scale, a batch-norm variance, a size or the graph is verified."""
    import onnx

    tflite = (MLPERF / "kws_ref_model.tflite").read_bytes()
    assert ruled_change(tflite, tflite + b"\x00" * 7, ".tflite") == "same model"
    model = _tflite_model(tflite)
    graph = model.subgraphs[0]
    conv = next(op for op in graph.operators if len(op.inputs) == 3)
    weights = model.buffers[graph.tensors[conv.inputs[1]].buffer]
    weights.data[5] ^= 0x40
    assert ruled_change(tflite, _pack_tflite(model), ".tflite") == "weights changed"
    weights.data = weights.data[:-1]
    assert ruled_change(tflite, _pack_tflite(model), ".tflite") is None
    model = _tflite_model(tflite)
    model.subgraphs[0].tensors[conv.inputs[0]].quantization.scale[0] *= 2
    assert ruled_change(tflite, _pack_tflite(model), ".tflite") is None
    assert ruled_change(tflite, tflite[:-100], ".tflite") is None

    original = TINY_CNN.read_bytes()
    def changed(name: str) -> bytes:
        m = onnx.load_from_string(original)
        init = next(i for i in m.graph.initializer if i.name == name)
        data = onnx.numpy_helper.to_array(init).copy()
        data.flat[0] += 1.0
        init.CopyFrom(onnx.numpy_helper.from_array(data, name))
        return m.SerializeToString()
    assert ruled_change(original, changed("conv1.w"), ".onnx") == "weights changed"
    assert ruled_change(original, changed("fc.b"), ".onnx") == "weights changed"
    assert ruled_change(original, changed("bn1.var"), ".onnx") is None
    m = onnx.load_from_string(original)
    next(a for a in m.graph.node[0].attribute if a.name == "strides").ints[:] = [3, 3]
    assert ruled_change(original, m.SerializeToString(), ".onnx") is None
