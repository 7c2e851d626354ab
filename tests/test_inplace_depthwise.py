"""In-place depthwise convolution (memory/inplace_depthwise.py, runtimes/reference/edgec_depthwise_inplace_*.c):
the band schedule's safety rule against a byte-level simulation; the output of a layer run over its own input equal
bit for bit to the ordinary call's, on random layers (stride 1 and 2, kernel 3/5/7, dilation, SAME and VALID, odd
sizes, channels not multiples of 4) with every kernel set: portable reference and optimized C on the host (also
under ASan + UBSan), the DSP kernels on the emulated Cortex-M7, Helium on the emulated Cortex-M55; and the planner,
which takes it only where the arena shrinks."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from conftest import MLPERF, REPO, assert_compiles_warning_free, run_edgec
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.config import load_config
from edgec.ir import Graph, Node, Tensor
from edgec.memory import inplace_depthwise as dw
from edgec.memory.inplace import in_place_merges
from edgec.memory.liveness import buffers_of
from edgec.passes.patch_search import PatchOptions
from edgec.pipeline import CompileOptions, compile_model
from semihost_qemu import build_firmware, run_on_qemu
from tflite_builder import TFLiteBuilder



# -- the schedule's safety rule ------------------------------------------------------------------------------------
def simulate(g: dw.Geometry, band_rows: int) -> bool:
    """Run the band schedule on byte intervals: True if no band reads an input byte a copy has overwritten."""
    overwritten = 0  # output bytes [0, overwritten) of the buffer hold output by now
    pending = None  # (start, end) of the band computed but not copied yet
    for o0 in range(0, g.out_h, band_rows):
        o1 = min(o0 + band_rows, g.out_h)
        taps = [o * g.stride - g.pad_top + k * g.dil for o in range(o0, o1) for k in range(g.k_h)]
        if min(max(taps) + 1, g.in_h) <= max(min(taps), 0):
            return False  # the band's window of input rows is empty: refused
        rows = [r for r in taps if 0 <= r < g.in_h]
        if rows and min(rows) * g.in_row_bytes < overwritten:
            return False
        if pending is not None:
            overwritten = pending[1]
        pending = (o0 * g.out_row_bytes, o1 * g.out_row_bytes)
    return True


def geometries(rng, n: int):
    for _ in range(n):
        k, s, d = int(rng.choice([1, 3, 5, 7])), int(rng.choice([1, 2, 3])), int(rng.choice([1, 1, 2, 3]))
        h = int(rng.integers(1, 30))
        pad = int(rng.integers(0, k * d))
        span = (k - 1) * d + 1
        out_h = (h + 2 * pad - span) // s + 1
        if out_h < 1:
            continue
        w, c, e = int(rng.integers(1, 20)), int(rng.integers(1, 9)), int(rng.choice([1, 4]))
        out_w = (w + 2 * int(rng.integers(0, k * d)) - span) // s + 1
        if out_w < 1:
            continue
        yield dw.Geometry(h, out_h, k, s, pad, d, w * c * e, out_w * c * e)


def test_band_rule_matches_a_byte_level_simulation():
    """Sound (safe by the rule -> no stale read in the simulation) and tight but where taps skip the window's first
    rows (a stride or dilation larger than the kernel: the rule counts the window, the simulation the taps)."""
    rng = np.random.default_rng(0)
    checked = safe = agree = 0
    for g in geometries(rng, 3000):
        for band_rows in range(1, g.out_h + 1):
            rule, sim = dw.schedule_is_safe(g, band_rows), simulate(g, band_rows)
            assert sim or not rule, (g, band_rows)
            checked, safe, agree = checked + 1, safe + rule, agree + (rule == sim)
            if g.dil == 1 and g.stride <= g.k_h:
                assert rule == sim, (g, band_rows)
    assert checked > 10000 and 0 < safe < checked and agree > 0.98 * checked


@pytest.mark.parametrize("k, stride, pad, dil, rows", [(3, 1, 1, 1, 1), (5, 1, 2, 1, 2), (7, 1, 3, 1, 3),
                                                       (3, 1, 2, 2, 2), (3, 2, 1, 1, 1), (3, 2, 0, 1, 1),
                                                       (3, 1, 0, 1, 1)])
def test_band_height_is_the_halo_for_same_width_layers(k, stride, pad, dil, rows):
    """Stride 1 with 'same' width: band k - 1's output overlaps the pad rows above band k + 1's window, so a band
    needs pad rows; stride 2 halves the output rows and one row per band does."""
    h = 16
    out_h = (h + 2 * pad - (k - 1) * dil - 1) // stride + 1
    g = dw.Geometry(h, out_h, k, stride, pad, dil, 16 * 8, -(-16 // stride) * 8)
    assert dw.safe_band_rows(g) == rows


def test_layers_the_scheme_cannot_help_are_refused():
    # 7x7, pad 3, six rows: a safe band needs 3 rows, and two such bands are the whole output
    assert dw.safe_band_rows(dw.Geometry(6, 6, 7, 1, 3, 1, 6 * 8, 6 * 8)) is None
    # an output larger than the input (1x1 kernel, padding 1) cannot live in the input's buffer
    g = Graph()
    g.add_tensor(Tensor("x", (1, 8, 8, 4), "int8"))
    g.add_tensor(Tensor("y", (1, 10, 10, 4), "int8"))
    w = g.add_const("w", np.ones((1, 1, 1, 4), np.int8))
    node = Node("depthwise_conv2d_s8", ["x", w], ["y"], {"strides": [1, 1], "pads": [1, 1, 1, 1],
                                                          "dilation": [1, 1]})
    assert dw.is_depthwise(node) and dw.geometry(g, node) is None


# -- models --------------------------------------------------------------------------------------------------------
# (kernel, stride, padding, dilation, channels) of the depthwise layers of the random int8 network
LAYERS = [(3, 1, "SAME", 1, 6), (3, 2, "SAME", 1, 10), (5, 1, "SAME", 1, 7), (7, 1, "SAME", 1, 5),
          (3, 1, "SAME", 2, 13), (3, 1, "VALID", 1, 16), (3, 1, "SAME", 3, 4), (5, 2, "VALID", 1, 9),
          (3, 2, "SAME", 1, 8)]


def dw_network_tflite(path: Path, seed: int = 0, hw=(33, 29)) -> Path:
    """Expand (1x1) -> depthwise -> project (1x1) per entry of LAYERS: every depthwise input comes from a conv."""
    b = TFLiteBuilder(seed)
    x = b.act([1, *hw, 3], 0.05, 0)
    y = x
    for k, s, padding, d, c in LAYERS:
        y = b.conv2d(y, c, kernel=(1, 1))
        y = b.depthwise_conv2d(y, kernel=(k, k), strides=(s, s), padding=padding, dilation=(d, d))
        y = b.conv2d(y, 3, kernel=(1, 1))
    path.write_bytes(b.finish([x], [y]))
    return path


def dw_network_onnx(path: Path, seed: int = 0, hw=(31, 27)) -> Path:
    """The float twin: Conv 1x1 -> depthwise Conv (group = C) -> Relu per layer, NCHW as ONNX has it."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    cin, y, (h, w) = 3, "input", hw
    for i, (k, s, padding, d, c) in enumerate(LAYERS):
        inits += [helper.make_tensor(f"we{i}", TensorProto.FLOAT, [c, cin, 1, 1], rng.normal(0, 0.5, c * cin)),
                  helper.make_tensor(f"wd{i}", TensorProto.FLOAT, [c, 1, k, k], rng.normal(0, 0.3, c * k * k)),
                  helper.make_tensor(f"bd{i}", TensorProto.FLOAT, [c], rng.normal(0, 0.1, c))]
        pad = (k - 1) * d // 2 if padding == "SAME" else 0
        nodes += [helper.make_node("Conv", [y, f"we{i}"], [f"e{i}"]),
                  helper.make_node("Conv", [f"e{i}", f"wd{i}", f"bd{i}"], [f"d{i}"], group=c, kernel_shape=[k, k],
                                   strides=[s, s], dilations=[d, d], pads=[pad, pad, pad, pad]),
                  helper.make_node("Relu", [f"d{i}"], [f"r{i}"])]
        cin, y = c, f"r{i}"
        h, w = ((n + 2 * pad - (k - 1) * d - 1) // s + 1 for n in (h, w))
    graph = helper.make_graph(nodes, "dw_net", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, *hw])],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, [1, cin, h, w])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, str(path))
    return path


def compile_with(model: Path, target: str, out_dir: Path, mode: str, quantize=None):
    config = load_config()
    config = dataclasses.replace(config, passes={**config.passes, "depthwise_in_place": mode})
    # layer by layer (not the Cortex-M targets' default patching): the in-place bands counted are the whole layers'
    return compile_model(model, target, out_dir, CompileOptions(measure_code=False, quantize=quantize,
                                                                patch=PatchOptions("off")), config=config)


def depthwise_nodes(result) -> list[str]:
    return [n.outputs[0] for n in result.graph.nodes if dw.is_depthwise(n)]


def random_inputs(report: dict, n: int, seed: int = 1) -> np.ndarray:
    info = report["inputs"][0]
    rng = np.random.default_rng(seed)
    if info["dtype"] == "int8":
        return rng.integers(-128, 128, (n, *info["shape"]), dtype=np.int8)
    return rng.normal(0, 1, (n, *info["shape"])).astype(np.float32)


def host_outputs(result, xs, work: Path, sanitize: bool = False) -> np.ndarray:
    exe = build_host_executable(result.out_dir, result.report, work / "build", sanitize=sanitize)
    runs = run_host_executable_many(exe, result.report, [[x] for x in xs], work / "run")
    return np.stack([r[0] for r in runs])


@pytest.mark.parametrize("kind", ["int8", "float"])
def test_in_place_equals_ordinary_on_the_host(kind, tmp_path):
    """Host target: the portable reference int8 kernel, the optimized float one; also under ASan + UBSan."""
    model = (dw_network_tflite(tmp_path / "net.tflite") if kind == "int8"
             else dw_network_onnx(tmp_path / "net.onnx"))
    plain = compile_with(model, "host", tmp_path / "plain", "never")
    inplace = compile_with(model, "host", tmp_path / "inplace", "always")
    assert not plain.plan.depthwise_bands
    assert set(inplace.plan.depthwise_bands) == set(depthwise_nodes(inplace))  # every layer qualifies
    model_c = (inplace.out_dir / "model.c").read_text()
    calls = model_c.count(f"edgec_depthwise_inplace_{'s8' if kind == 'int8' else 'f32'}(")
    calls += model_c.count("edgec_depthwise_channels_s8(")  # int8: channel groups where they need less scratch
    assert calls == len(LAYERS)
    assert all(layer["in_place"] for layer in inplace.report["layers"]
               if layer["name"] in {n.name for n in inplace.graph.nodes if dw.is_depthwise(n)})
    xs = random_inputs(plain.report, 12)
    want = host_outputs(plain, xs, tmp_path / "p")
    np.testing.assert_array_equal(host_outputs(inplace, xs, tmp_path / "i"), want)
    np.testing.assert_array_equal(host_outputs(inplace, xs[:3], tmp_path / "s", sanitize=True), want[:3])
    assert np.ptp(want) > 0  # the network does not collapse to a constant


def test_in_place_code_is_warning_free(tmp_path):
    from conftest import COMPILERS

    for model in (dw_network_tflite(tmp_path / "net.tflite"), dw_network_onnx(tmp_path / "net.onnx")):
        result = compile_with(model, "cortex-m7", tmp_path / model.suffix[1:], "always")
        assert result.plan.depthwise_bands
        for i, (cc, flags) in enumerate(COMPILERS):
            obj_dir = tmp_path / f"obj_{model.suffix[1:]}_{i}"
            obj_dir.mkdir()
            assert_compiles_warning_free(result.out_dir, obj_dir, cc, flags)


@pytest.mark.parametrize("core", ["cortex-m7", "cortex-m55"])
def test_in_place_equals_ordinary_on_qemu(core, tmp_path):
    """The DSP depthwise (3x3 fast path and general path) on mps2-an500, Helium on mps3-an547: the band calls give
    the ordinary call's bits."""
    model = dw_network_tflite(tmp_path / "net.tflite", seed=3, hw=(35, 27))
    got = {}
    for mode in ("never", "always"):
        result = compile_with(model, core, tmp_path / mode, mode)
        kset = "cortex-m55" if core == "cortex-m55" else "cortex-m"
        shipped = (result.out_dir / "edgec_depthwise_conv2d_s8.c").read_text()
        assert shipped == (REPO / "runtimes" / kset / "edgec_depthwise_conv2d_s8.c").read_text()
        elf = build_firmware(result.out_dir, result.report, core)
        xs = random_inputs(result.report, 6, seed=7).reshape(6, -1)
        got[mode] = run_on_qemu(elf, xs, result.report["outputs"][0]["bytes"], tmp_path / f"q_{mode}", core)
        assert len(result.plan.depthwise_bands) == (len(LAYERS) if mode == "always" else 0)
    np.testing.assert_array_equal(got["always"], got["never"])
    assert np.ptp(got["never"]) > 0


WIDE = [(3, 1, 40), (5, 2, 37), (3, 1, 64), (7, 1, 24)]  # kernel, dilation, channels: more channels than rows


def wide_dw_tflite(path: Path, seed: int = 0, hw=(9, 7)) -> Path:
    """Expand -> depthwise (stride 1, SAME) -> project on a small map with many channels: the channel-group scheme
    needs less scratch than two rows there."""
    b = TFLiteBuilder(seed)
    x = b.act([1, *hw, 5], 0.05, 0)
    y = x
    for k, d, c in WIDE:
        y = b.conv2d(b.depthwise_conv2d(b.conv2d(y, c, kernel=(1, 1)), kernel=(k, k), dilation=(d, d)), 5,
                     kernel=(1, 1), relu=False)
    path.write_bytes(b.finish([x], [y]))
    return path


@pytest.mark.parametrize("core", ["host", "cortex-m7", "cortex-m55"])
def test_channel_groups_equal_tflite_micro(core, tmp_path):
    """Depthwise layers run over their own input a channel group at a time (edgec_depthwise_channels_s8.c, groups
    of 1 up to the widest that fits, the last one partial): the portable kernel on the host (also under the
    sanitizers), the DSP kernel on the emulated Cortex-M7 and Helium on the M55 give TFLite Micro's bits; the C is
    warning-free."""
    from edgec.reference import run_tflm_reference

    model = wide_dw_tflite(tmp_path / "wide.tflite")
    res = compile_with(model, core, tmp_path / "c", "always")
    groups = [s.channel_group for s in res.plan.depthwise_bands.values()]
    assert len(groups) == len(WIDE) and all(groups) and any(c % g for g, (_, _, c) in zip(groups, WIDE))
    assert (res.out_dir / "model.c").read_text().count("edgec_depthwise_channels_s8(") == len(WIDE)
    xs = random_inputs(res.report, 4, seed=3)
    want = np.stack([run_tflm_reference(model, [x])[0] for x in xs])
    if core == "host":
        np.testing.assert_array_equal(host_outputs(res, xs, tmp_path / "h").reshape(want.shape), want)
        np.testing.assert_array_equal(host_outputs(res, xs[:2], tmp_path / "s", sanitize=True).reshape(want[:2].shape),
                                      want[:2])
    else:
        elf = build_firmware(res.out_dir, res.report, core)
        got = run_on_qemu(elf, xs.reshape(len(xs), -1), res.report["outputs"][0]["bytes"], tmp_path / "q", core)
        np.testing.assert_array_equal(got.reshape(want.shape), want)
    if core == "cortex-m7":
        from conftest import COMPILERS

        for i, (cc, flags) in enumerate(COMPILERS):
            (tmp_path / f"obj{i}").mkdir()
            assert_compiles_warning_free(res.out_dir, tmp_path / f"obj{i}", cc, flags)
    assert np.ptp(want.astype(np.int32)) > 20  # not a constant


def mobilenet_v2(path: Path, width: float, resolution: int) -> Path:
    sys.path.insert(0, str(REPO / "model_zoo"))
    from mobilenet_v2 import build

    onnx.save(build(width, resolution), str(path))
    return path


def test_small_mobilenet_v2_in_place_equals_ordinary(tmp_path):
    """A whole float MobileNetV2 (residual adds, ReLU6) with every depthwise in place where bands help (not on the
    last maps, 2x2 and 1x1: two bands there are the whole output)."""
    model = mobilenet_v2(tmp_path / "mbv2.onnx", 0.35, 32)
    plain = compile_with(model, "host", tmp_path / "plain", "never")
    inplace = compile_with(model, "host", tmp_path / "inplace", "always")
    helped = {n.outputs[0] for n in inplace.graph.nodes
              if dw.is_depthwise(n) and dw.safe_band_rows(dw.geometry(inplace.graph, n)) is not None}
    assert set(inplace.plan.depthwise_bands) == helped and len(helped) >= 6 and len(depthwise_nodes(inplace)) == 17
    xs = random_inputs(plain.report, 4)
    np.testing.assert_array_equal(host_outputs(inplace, xs, tmp_path / "i"), host_outputs(plain, xs, tmp_path / "p"))


def test_int8_mobilenet_v2_from_ptq_in_place_equals_ordinary(tmp_path):
    """edgec's PTQ of MobileNetV2 0.35/96: the QDQ path's depthwise (onnxruntime's float requantisation) in place,
    on the host's reference kernel; the planner alone takes none (the float input's quantize is the peak)."""
    from edgec.quantize.ptq import QuantizeOptions

    model = mobilenet_v2(tmp_path / "mbv2.onnx", 0.35, 96)
    calib = tmp_path / "calib.npy"
    np.save(calib, np.random.default_rng(0).uniform(-1, 1, (4, 1, 3, 96, 96)).astype(np.float32))
    plain = compile_with(model, "host", tmp_path / "plain", "never", QuantizeOptions(calib))
    inplace = compile_with(model, "host", tmp_path / "inplace", "always", QuantizeOptions(calib))
    assert len(inplace.plan.depthwise_bands) >= 12
    assert all(inplace.graph.nodes[s.step].op == "depthwise_conv2d_s8" for s in inplace.plan.depthwise_bands.values())
    xs = random_inputs(plain.report, 3)
    np.testing.assert_array_equal(host_outputs(inplace, xs, tmp_path / "i"), host_outputs(plain, xs, tmp_path / "p"))


# -- the planner ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", ["vww_96_int8", "kws_ref_model"])
def test_arena_never_grows_on_mlperf_tiny(stem, tmp_path):
    """VWW and KWS (MobileNetV1-like: depthwise -> pointwise) peak at a pointwise layer, where in-place depthwise
    cannot help: auto keeps the arena and then runs no depthwise in place (no copies for nothing)."""
    plain = compile_with(MLPERF / f"{stem}.tflite", "cortex-m7", tmp_path / "plain", "never")
    auto = compile_with(MLPERF / f"{stem}.tflite", "cortex-m7", tmp_path / "auto", "auto")
    always = compile_with(MLPERF / f"{stem}.tflite", "cortex-m7", tmp_path / "always", "always")
    assert auto.plan.arena_bytes <= plain.plan.arena_bytes
    assert always.plan.depthwise_bands  # candidates exist: the planner declined them
    if auto.plan.arena_bytes == plain.plan.arena_bytes:
        assert not auto.plan.depthwise_bands


def test_arena_shrinks_where_the_depthwise_is_the_peak(tmp_path):
    """Expand 4 -> 48 channels, depthwise 3x3, project to 4: the depthwise's input + output are the peak; in place,
    a channel group at a time (two 20 x 20 planes per channel, far less than two rows of 48 channels), the peak is
    the expansion's input and output, and the groups widen to the 2 channels that room allows."""
    b = TFLiteBuilder(5)
    x = b.act([1, 20, 20, 4], 0.05, 0)
    y = b.conv2d(b.depthwise_conv2d(b.conv2d(x, 48, kernel=(1, 1))), 4, kernel=(1, 1))
    model = tmp_path / "block.tflite"
    model.write_bytes(b.finish([x], [y]))
    plain = compile_with(model, "cortex-m7", tmp_path / "plain", "never")
    auto = compile_with(model, "cortex-m7", tmp_path / "auto", "auto")
    wide = 20 * 20 * 48
    assert plain.plan.arena_bytes == 2 * wide
    assert auto.plan.arena_bytes == wide + 20 * 20 * 4 == auto.plan.lower_bound
    # The bound the patch search prunes with holds for every in-place choice, and is this one here (the plain
    # largest-live-set bound, 2 * wide, is not a bound once a depthwise can run in place)
    merged = in_place_merges(plain.graph)
    assert dw.lower_bound(plain.graph, merged, buffers_of(plain.graph, merged)) == auto.plan.arena_bytes
    (bands,) = auto.plan.depthwise_bands.values()
    assert bands.channel_group == 2 and bands.scratch_bytes == 2 * 20 * 20 * 2
    scratch = next(b for b in auto.plan.buffers if b.name == bands.scratch)
    assert scratch.first == scratch.last == bands.step == 1  # the planners see it, live at that step only
    layer = next(layer for layer in auto.report["layers"] if layer["op"] == "depthwise_conv2d_s8")
    assert layer["in_place"] and layer["output_bytes"] == 0 and auto.report["in_place_ops"] == 1
    xs = random_inputs(plain.report, 5)
    np.testing.assert_array_equal(host_outputs(auto, xs, tmp_path / "a"), host_outputs(plain, xs, tmp_path / "p"))


def test_cli_table_marks_in_place_layers(tmp_path):
    b = TFLiteBuilder(5)
    x = b.act([1, 20, 20, 4], 0.05, 0)
    y = b.conv2d(b.depthwise_conv2d(b.conv2d(x, 48, kernel=(1, 1))), 4, kernel=(1, 1))
    model = tmp_path / "block.tflite"
    model.write_bytes(b.finish([x], [y]))
    proc = run_edgec("compile", model, "-t", "cortex-m7", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("(in place)") == 1  # the depthwise row of the per-layer table
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [layer["in_place"] for layer in report["layers"]] == [False, True, False]


def test_bad_mode_is_a_clear_error(tmp_path):
    toml = tmp_path / "toolchain.toml"
    toml.write_text((REPO / "toolchain.toml").read_text().replace('depthwise_in_place = "auto"',
                                                                   'depthwise_in_place = "sometimes"'))
    proc = run_edgec("compile", dw_network_tflite(tmp_path / "net.tflite"), "-o", tmp_path / "out",
                     "--config", toml)
    assert proc.returncode != 0 and "depthwise_in_place" in proc.stderr and "Traceback" not in proc.stderr

