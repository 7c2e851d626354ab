"""A pointwise int8 convolution fused with its residual add (passes/fuse_conv_add.py, runtimes/*/edgec_conv2d_add_*.c):
the output written over the residual's buffer where the residual dies (memory/inplace.py), the convolution's row in
a planned scratch buffer. Outputs must be the unfused pair's bit for bit, and so TFLite Micro's (TFLite ADD) and
onnxruntime's (the QDQ path's QLinearAdd, as `edgec verify` runs it), on the host's reference kernels, under the sanitizers, inside a patched
stage and with the Cortex-M7's packed DSP convolution on QEMU."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import onnx
from ai_edge_litert import schema_py_generated as schema

from conftest import COMPILERS, REPO, assert_compiles_warning_free
from semihost_qemu import build_firmware, run_on_qemu
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.config import load_config
from edgec.ir import scratch_buffer
from edgec.passes.patch_search import PatchOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference, run_tflm_reference
from tflite_builder import TFLiteBuilder

sys.path.insert(0, str(REPO / "model_zoo"))
import mobilenet_v2  # noqa: E402

FUSED = ("conv2d_add_s8", "conv2d_add_q8")


def add(b: TFLiteBuilder, x: int, y: int, relu: bool = False) -> int:
    out = b.act(b.shape(x))
    opts = schema.AddOptionsT()
    opts.fusedActivationFunction = schema.ActivationFunctionType.RELU if relu else schema.ActivationFunctionType.NONE
    b.op("ADD", [x, y], [out], opts)
    return out


def residual_blocks(path: Path) -> Path:
    """Inverted residual blocks on an odd-sized map. Block by block: the projection first or second in the ADD, with
    and without a fused RELU; a projection reading as many channels as it writes (its input has the output's shape:
    only the residual may be overwritten); a residual read again after the add (no in place there); a residual that
    is the graph input (never written); a 3x3 projection (not fused)."""
    b = TFLiteBuilder(3)
    x = b.act([1, 13, 11, 8])
    r = add(b, b.conv2d(x, 8, kernel=(1, 1), relu=False), x)  # the residual is the graph input
    keep = None
    for expand, conv_first, relu in ((24, True, False), (8, False, True), (40, True, False), (16, False, False)):
        h = b.depthwise_conv2d(b.conv2d(r, expand, kernel=(1, 1)))
        r_next = add(b, b.conv2d(h, 8, kernel=(1, 1), relu=False), r, relu) if conv_first else \
            add(b, r, b.conv2d(h, 8, kernel=(1, 1), relu=False), relu)
        if expand == 40:
            keep = r  # read again below: this block's add may not write over it
        r = r_next
    r = add(b, b.conv2d(r, 8, kernel=(3, 3), relu=False), r)  # 3x3: stays a conv and an add
    r = add(b, r, keep)
    path.write_bytes(b.finish([x], [r]))
    return path


def compile_with(model: Path, target: str, out: Path, fuse: str, patch: str = "off", quantize=None):
    config = load_config()
    config = dataclasses.replace(config, passes={**config.passes, "fuse_conv_add": fuse})
    return compile_model(model, target, out, CompileOptions(measure_code=False, patch=PatchOptions(patch),
                                                            quantize=quantize), config=config)


def run_host(result, xs: list[np.ndarray], work: Path, sanitize: bool = False) -> np.ndarray:
    exe = build_host_executable(result.out_dir, result.report, work, sanitize=sanitize)
    return np.stack([o[0] for o in run_host_executable_many(exe, result.report, [[x] for x in xs], work / "run")])


def fused_nodes(result):
    return [(step, n) for step, n in enumerate(result.graph.nodes) if n.op in FUSED]


def test_residual_blocks_fused_equal_unfused_and_tflite_micro(tmp_path):
    model = residual_blocks(tmp_path / "res.tflite")
    plain = compile_with(model, "host", tmp_path / "plain", "never")
    fused = compile_with(model, "host", tmp_path / "fused", "always")
    nodes = fused_nodes(fused)
    assert len(nodes) == 3 and not fused_nodes(plain)
    g = fused.graph
    # fused (and in place over the residual) where the residual dies at the add: not where it is the graph input
    # (block 0) or read again later (`keep`, block 3); there fusing would only add the row scratch
    assert all(n.outputs[0] in fused.plan.in_place for _, n in nodes)
    for _, n in nodes:
        assert fused.plan.in_place.get(n.outputs[0]) != g.storage_root(n.inputs[0])  # never over the conv's input
        assert scratch_buffer(n) in fused.plan.offsets
    assert fused.plan.arena_bytes <= plain.plan.arena_bytes  # the peak is the `keep` block here, fused or not
    assert (fused.out_dir / "model.c").read_text().count("edgec_conv2d_add_s8(") == 3
    rng = np.random.default_rng(1)
    xs = [rng.integers(-128, 128, (1, 13, 11, 8), dtype=np.int8) for _ in range(8)]
    want = np.stack([run_tflm_reference(model, [x])[0] for x in xs])
    np.testing.assert_array_equal(run_host(plain, xs, tmp_path / "p").reshape(want.shape), want)
    np.testing.assert_array_equal(run_host(fused, xs, tmp_path / "f").reshape(want.shape), want)
    got = run_host(fused, xs[:2], tmp_path / "s", sanitize=True)
    np.testing.assert_array_equal(got.reshape(want[:2].shape), want[:2])
    assert np.ptp(want.astype(np.int32)) > 100


def test_qdq_mobilenet_v2_fused_patched_and_onnxruntime_agree(tmp_path):
    """edgec's PTQ of MobileNetV2 0.35 / 48 (QDQ: QLinearAdd semantics), quantized once: fused layer by layer and
    fused inside a patched stage (the 24-channel block's add) give onnxruntime's bits (the unfused build is checked
    against it by the QDQ tests)."""
    from edgec.quantize.ptq import QuantizeOptions, quantize_onnx

    model, qdq = tmp_path / "mbv2.onnx", tmp_path / "mbv2_int8.onnx"
    onnx.save(mobilenet_v2.build(0.35, 48), str(model))
    calib = tmp_path / "calib.npy"
    np.save(calib, np.random.default_rng(0).uniform(-1, 1, (4, 1, 3, 48, 48)).astype(np.float32))
    quantize_onnx(model, qdq, QuantizeOptions(calib))
    plain = compile_with(qdq, "host", tmp_path / "plain", "never")
    fused = compile_with(qdq, "host", tmp_path / "fused", "always")
    nodes = fused_nodes(fused)
    assert len(nodes) == 10 and {n.op for _, n in nodes} == {"conv2d_add_q8"}  # every residual block's add
    assert all(n.outputs[0] in fused.plan.in_place for _, n in nodes)
    assert fused.plan.arena_bytes <= plain.plan.arena_bytes
    split = next(n.name for n in fused.graph.nodes
                 if n.op == "conv2d_s8" and fused.graph.tensors[n.outputs[0]].shape[1] == 6)
    patched = compile_with(qdq, "host", tmp_path / "patched", "always", patch=f"{split}:2")
    assert patched.report["patch"]["grid"] == 2
    assert sum(n.op == "conv2d_add_q8" and "@p" in n.name for n in patched.graph.nodes) == 4
    rng = np.random.default_rng(2)
    xs = [rng.uniform(-1, 1, (1, 3, 48, 48)).astype(np.float32) for _ in range(4)]
    # what `edgec verify` compares with: onnxruntime runs the QDQ pairs as QLinearConv / QLinearAdd
    want = np.stack([run_onnx_reference(qdq, {"input": x})[0] for x in xs])
    np.testing.assert_array_equal(run_host(fused, xs, tmp_path / "f").reshape(want.shape), want)
    np.testing.assert_array_equal(run_host(patched, xs, tmp_path / "pp").reshape(want.shape), want)


def test_cortex_m7_packed_fused_kernel_bit_exact_on_qemu_and_warning_free(tmp_path):
    """TFLite's fixed-point requantisation on the Cortex-M7 (mps2-an500): the twin calls the packed DSP convolution
    per row; TFLite Micro's bits."""
    model = residual_blocks(tmp_path / "res.tflite")
    res = compile_with(model, "cortex-m7", tmp_path / "m7", "always")
    calls = [line for line in (res.out_dir / "model.c").read_text().splitlines() if "edgec_conv2d_add_s8(" in line]
    assert len(calls) == 3 and all("NULL, NULL, NULL, NULL, res_" in c for c in calls)  # packed weights only
    assert (res.out_dir / "edgec_conv2d_add_s8.c").read_text() == \
        (REPO / "runtimes" / "cortex-m" / "edgec_conv2d_add_s8.c").read_text()
    for i, (cc, flags) in enumerate(COMPILERS):
        obj = tmp_path / f"obj{i}"
        obj.mkdir()
        assert_compiles_warning_free(res.out_dir, obj, cc, flags)
    elf = build_firmware(res.out_dir, res.report, "cortex-m7")
    xs = np.random.default_rng(4).integers(-128, 128, (3, 1, 13, 11, 8), dtype=np.int8)
    got = run_on_qemu(elf, xs.reshape(3, -1), res.report["outputs"][0]["bytes"], tmp_path / "q", "cortex-m7")
    want = np.stack([run_tflm_reference(model, [x])[0] for x in xs])
    np.testing.assert_array_equal(got.reshape(want.shape), want)
    assert np.ptp(want.astype(np.int32)) > 100
