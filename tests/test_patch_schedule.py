"""Patch-based scheduling (passes/patch_schedule.py, passes/patch_search.py): a patched model computes exactly
what the layer-by-layer one does (float within 1e-5, int8 bit for bit), on the host and with the Cortex-M DSP
kernels on QEMU, for random CNNs (odd sizes, strides, dilation, residual adds, depthwise 3/5/7, pooling,
explicit and implicit padding) and MobileNetV2, patched in one stage or in two one after the other (SPLIT:N,SPLIT:N);
`--patch auto` never gives a larger arena than `--patch off`."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from conftest import COMPILERS, MLPERF, REPO, assert_compiles_warning_free, run_edgec
from semihost_qemu import build_firmware, run_on_qemu
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.config import load_target, target_names
from edgec.errors import EdgecError
from edgec.ops.quantized_s8 import conv_params, dw_plane_path
from edgec.passes.patch_schedule import Box, axis_window, Window, split_ranges, valid_stages
from edgec.passes.patch_search import PatchOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.report import layer_rows

sys.path.insert(0, str(REPO / "model_zoo"))
import mcunet  # noqa: E402
import mobilenet_v2  # noqa: E402
from onnx_builder import GraphBuilder  # noqa: E402

RUNS = 3


# -- models --------------------------------------------------------------------------------------------------
def conv(b: GraphBuilder, x: str, cin: int, cout: int, k: int, stride: int = 1, dil: int = 1, groups: int = 1,
         pads=None) -> str:
    w = b.weight("w", (cout, cin // groups, k, k))
    bias = b.weight("b", (cout,), scale=0.1)
    pads = pads if pads is not None else [dil * (k - 1) // 2] * 4
    return b.op("Conv", [x, w, bias], kernel_shape=[k, k], strides=[stride, stride], dilations=[dil, dil],
                pads=list(pads), group=groups)


def random_cnn(seed: int, int8: bool = False) -> onnx.ModelProto:
    """A random small CNN built from spatially local layers, then a classifier head (which is not). int8: only
    the layers the QDQ frontend takes (no AveragePool, no Pad)."""
    rng = random.Random(seed)
    b = GraphBuilder(f"rand_{seed}", seed)
    h, w = rng.choice([13, 17, 19, 23, 25]), rng.choice([11, 15, 21, 27])
    c = rng.choice([3, 4])
    x = b.input("input", (1, c, h, w))
    cout = rng.choice([8, 12])
    x = b.op("Relu", [conv(b, x, c, cout, 3, stride=rng.choice([1, 2]), pads=[1, 1, rng.choice([0, 1]), 1])])
    c = cout
    for _ in range(rng.randint(3, 6)):
        kinds = ["dw", "dw", "pw", "full", "maxpool", "residual", "dilated"] + ([] if int8 else ["avgpool", "pad"])
        kind = rng.choice(kinds)
        if kind == "dw":
            k = rng.choice([3, 5, 7])
            stride = rng.choice([1, 1, 2])
            pads = [k // 2] * 4 if rng.random() < 0.7 else [k // 2 - 1, k // 2 - 1, k // 2, k // 2]
            x = b.op("Clip", [conv(b, x, c, c, k, stride=stride, groups=c, pads=pads), b.const_scalar(0.0),
                              b.const_scalar(6.0)])
        elif kind == "pw":
            cout = rng.choice([8, 16, 24])
            x = conv(b, x, c, cout, 1)
            c = cout
        elif kind == "full":
            cout = rng.choice([8, 16])
            x = b.op("Relu", [conv(b, x, c, cout, rng.choice([3, 5]), stride=rng.choice([1, 2]))])
            c = cout
        elif kind == "dilated":
            x = b.op("Relu", [conv(b, x, c, c, 3, dil=2, groups=rng.choice([1, c]))])
        elif kind == "maxpool":
            x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, rng.choice([0, 1]), 1])
        elif kind == "avgpool":
            x = b.op("AveragePool", [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1],
                     count_include_pad=rng.choice([0, 1]))
        elif kind == "residual":
            y = b.op("Relu", [conv(b, x, c, 2 * c, 1)])
            y = conv(b, y, 2 * c, 2 * c, 3, groups=2 * c)
            x = b.op("Add", [x, conv(b, y, 2 * c, c, 1)])
        elif kind == "pad":
            pad_values = np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)
            name = b.fresh("pads")
            b.inits.append(onnx.numpy_helper.from_array(pad_values, name))
            x = conv(b, b.op("Pad", [x, name], mode="constant"), c, c, 3, pads=[0, 0, 0, 0])
    x = b.op("GlobalAveragePool", [x])
    x = b.op("Flatten", [x])
    x = b.dense(x, c, 5)
    return b.build(x, (1, 5))


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def quantized(model_path: Path, out: Path) -> Path:
    """edgec's own PTQ (quantize/ptq.py) on random calibration data: the QDQ model it compiles."""
    from edgec.quantize.ptq import QuantizeOptions, quantize_onnx

    shape = [d.dim_value for d in onnx.load(str(model_path)).graph.input[0].type.tensor_type.shape.dim]
    cal = out.with_suffix(".cal.npy")
    np.save(cal, np.random.default_rng(0).standard_normal((4, *shape[1:])).astype(np.float32))
    quantize_onnx(model_path, out, QuantizeOptions(cal))
    return out


# -- helpers -------------------------------------------------------------------------------------------------
def compile_patched(model: Path, out: Path, mode: str, target: str = "host", overhead: float = 0.10):
    return compile_model(model, target, out, CompileOptions(measure_code=False, patch=PatchOptions(mode, overhead)))


def run_host(result, inputs: list[np.ndarray], work: Path) -> np.ndarray:
    exe = build_host_executable(result.out_dir, result.report, work)
    outs = run_host_executable_many(exe, result.report, [[x] for x in inputs], work / "run")
    return np.stack([o[0] for o in outs])


def random_inputs(report: dict, n: int = RUNS) -> list[np.ndarray]:
    info = report["inputs"][0]
    rng = np.random.default_rng(5)
    if info["dtype"] == "int8":
        return [rng.integers(-128, 128, info["shape"], dtype=np.int8) for _ in range(n)]
    return [rng.standard_normal(info["shape"]).astype(np.float32) for _ in range(n)]


def assert_same(got: np.ndarray, want: np.ndarray) -> None:
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(got, want)


def check_splits(model: Path, tmp: Path, modes: list[str]) -> dict[str, dict]:
    """Compile layer by layer and with each patch mode; every patched build's outputs equal the unpatched ones.
    Returns the reports by mode."""
    off = compile_patched(model, tmp / "off", "off")
    xs = random_inputs(off.report)
    want = run_host(off, xs, tmp / "off_build")
    reports = {"off": off.report}
    for i, mode in enumerate(modes):
        res = compile_patched(model, tmp / f"p{i}", mode)
        assert_same(run_host(res, xs, tmp / f"p{i}_build"), want)
        reports[mode] = res.report
        if mode != "auto":
            grids = [part.rpartition(":")[2] for part in mode.split(",")]
            assert [f"{int(st['grid'])}{'r' if st['bands'] else ''}" for st in res.report["patch"]["stages"]] == grids
            assert any(layer["op"] == "paste" for layer in res.report["layers"])
        else:  # never worse than layer by layer, by construction
            assert res.report["arena_bytes"] <= off.report["arena_bytes"]
            assert res.report["patch"]["arena_bytes_layer_by_layer"] == off.report["arena_bytes"]
    return reports


def load_graph(model: Path):
    """The IR compile_model plans memory for (after the graph passes and the conv + residual add fusion)."""
    from edgec.frontend import ImportOptions, import_model
    from edgec.lower import lower_module
    from edgec.passes import fuse_conv_add
    from edgec.pipeline import optimize_graph, optimize_relax

    imported = import_model(model, ImportOptions())
    return fuse_conv_add.run(optimize_graph(imported.graph or lower_module(optimize_relax(imported.mod))))


def stage_modes(model: Path, seed: int, count: int = 2, two_stages: bool = False) -> list[str]:
    """`count` random SPLIT:N modes over the model's valid splits (by index), a random SPLIT:Nr (row bands that
    keep their halo rows), plus auto; `two_stages`: plus a random SPLIT:N,SPLIT:Nr of two stages one after the
    other, where the model has one."""
    graph = load_graph(model)
    stages = valid_stages(graph)
    assert stages, "no valid split in the model"
    rng = random.Random(seed)

    def grid(stage) -> int:
        _, h, w, _ = graph.tensors[stage.output].shape
        return rng.randint(2, min(h, w, 5))

    def bands(stage) -> str:  # 2 .. every output row its own band
        return f"{rng.randint(2, graph.tensors[stage.output].shape[1])}r"

    modes = [f"{stage.end}:{grid(stage)}" for stage in rng.sample(stages, min(count, len(stages)))]
    tall = [s for s in stages if graph.tensors[s.output].shape[1] >= 2]
    modes += [f"{s.end}:{bands(s)}" for s in rng.sample(tall, min(1, len(tall)))]
    pairs = [(a, b) for a in stages for b in valid_stages(graph, a.end + 1) if b in tall]
    if two_stages and pairs:
        a, b = rng.choice(pairs)
        modes.append(f"{a.end}:{grid(a)},{b.end}:{bands(b)}")
    return modes + ["auto"]


# -- geometry --------------------------------------------------------------------------------------------------
def test_split_ranges_cover_the_axis():
    for size in (1, 7, 48, 112):
        for n in range(1, min(size, 8) + 1):
            r = split_ranges(size, n)
            assert r[0][0] == 0 and r[-1][1] == size and all(a[1] == b[0] for a, b in zip(r, r[1:]))
            assert max(b - a for a, b in r) - min(b - a for a, b in r) <= 1


def test_axis_window_halo_and_border_pads():
    win = Window(size=3, stride=2, dil=1, pad=1)  # 3x3 stride 2 "same" on 9 -> 5 rows
    assert axis_window(0, 2, win, 9) == (0, 4, 1)  # rows -1 .. 3: the first is padding
    assert axis_window(2, 5, win, 9) == (3, 9, 0)  # rows 3 .. 9: the last is padding, clipped
    dil = Window(size=3, stride=1, dil=2, pad=2)
    assert axis_window(3, 5, dil, 10) == (1, 7, 0)
    assert Box(0, 2, 0, 2).union(Box(1, 4, 3, 5)) == Box(0, 4, 0, 5)


# -- the search ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 3])
def test_search_finds_the_smallest_arena_within_the_mac_limit(seed, tmp_path):
    """The search counts without building (passes/patch_estimate.py): every schedule of one or two stages has the
    MACs and estimated instructions of its built graph, and a lower bound no larger than its planned arena, so
    pruning by it loses nothing: the winner is the brute-force minimum over every candidate planned the search's
    way (ties to the smaller estimated instruction overhead), all within the limit in MACs and in estimated
    instructions; and it beats layer by layer or is not chosen."""
    from edgec.ops.cost import graph_instructions
    from edgec.passes.patch_schedule import Bands, patch_stages
    from edgec.passes.patch_search import candidates, search, search_arena, total_macs

    graph = load_graph(save(random_cnn(seed), tmp_path / "m.onnx"))
    macs, instructions = total_macs(graph), graph_instructions(graph)
    pairs = bands = 0
    for limit in (0.0, 0.05, 0.5):
        best, ranked, over, off = search(graph, limit)
        every, over_all = candidates(graph, limit)
        assert over == over_all and len(ranked) <= len(every)
        pairs += sum(len(c.stages) == 2 for c in every)
        bands += sum(isinstance(n, Bands) for c in every for _, n in c.stages)
        arenas = []
        for c in every:
            assert c.mac_overhead <= limit and c.instruction_overhead <= limit
            patched = patch_stages(graph, c.stages)
            assert c.mac_overhead == pytest.approx(total_macs(patched) / macs - 1, abs=1e-12)
            assert c.instruction_overhead == pytest.approx(graph_instructions(patched) / instructions - 1, abs=1e-9)
            arenas.append((search_arena(patched, "auto"), c.instruction_overhead))
            assert c.lower_bound <= arenas[-1][0]  # a bound, in-place or not
        if best is None:
            assert not arenas or min(arenas)[0] >= off
        else:
            assert (best.arena, best.instruction_overhead) == min(arenas) and best.arena < off
    assert pairs, "no schedule of two stages was counted"
    assert bands, "no stage in row bands was counted"


# -- equivalence on the host -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_random_float_cnn_patched_equals_layer_by_layer(seed, tmp_path):
    model = save(random_cnn(seed), tmp_path / "m.onnx")
    reports = check_splits(model, tmp_path, stage_modes(model, seed))
    assert reports["auto"]["arena_bytes"] <= reports["off"]["arena_bytes"]


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_random_int8_cnn_patched_is_bit_exact(seed, tmp_path):
    model = quantized(save(random_cnn(seed, int8=True), tmp_path / "f.onnx"), tmp_path / "q.onnx")
    reports = check_splits(model, tmp_path, stage_modes(model, seed, count=3, two_stages=True))
    assert reports["auto"]["arena_bytes"] <= reports["off"]["arena_bytes"]


def test_mobilenet_v2_int8_patched_is_bit_exact(tmp_path):
    model = quantized(save(mobilenet_v2.build(0.35, 96), tmp_path / "f.onnx"), tmp_path / "q.onnx")
    # the fused block's name; two stages, the second over the 12x12 blocks (the 1.0 / 224 network's 28x28 ones)
    reports = check_splits(model, tmp_path, ["conv_84:3", "conv_76+add_82:4", "conv_104:3,conv_187:2",
                                             "conv_104:12r,conv_187:6r", "auto"])
    two = reports["conv_104:3,conv_187:2"]
    assert [st["stage_nodes"][0] for st in two["patch"]["stages"]] == ["conv_2", "conv_111"]
    assert [row["name"] for _, _, row in layer_rows(two) if row["name"].startswith("patched")] == [
        "patched stage (3x3)", "patched stage (2x2)"]
    patch = reports["conv_84:3"]["patch"]
    assert patch["stage_nodes"][0] == "conv_2" and patch["stage_nodes"][-1] == "conv_84"
    assert patch["mac_overhead"] > 0 and patch["arena_bytes"] == reports["conv_84:3"]["arena_bytes"]
    assert patch["arena_bytes_layer_by_layer"] == reports["off"]["arena_bytes"]
    assert reports["auto"]["arena_bytes"] <= reports["off"]["arena_bytes"]


def test_two_stage_auto_schedule_is_bit_exact(tmp_path):
    """mcunet-vww0 with an int8 camera input (`--int8-input`, as the benchmarks compile it): `--patch auto` takes
    two stages one after the other, and its outputs are the layer-by-layer build's bit for bit."""
    from edgec.frontend import ImportOptions

    model = quantized(save(mcunet.build("mcunet-vww0"), tmp_path / "f.onnx"), tmp_path / "q.onnx")
    results = {mode: compile_model(model, "host", tmp_path / mode, CompileOptions(
        measure_code=False, import_options=ImportOptions(int8_input=True), patch=PatchOptions(mode)))
        for mode in ("off", "auto")}
    patch = results["auto"].report["patch"]
    assert len(patch["stages"]) == 2 and patch["candidates"][0].get("stages")
    assert results["auto"].report["arena_bytes"] < results["off"].report["arena_bytes"]
    assert patch["mac_overhead"] <= 0.10 and patch["instruction_overhead_estimate"] <= 0.10
    xs = random_inputs(results["off"].report)
    assert_same(run_host(results["auto"], xs, tmp_path / "auto_build"), run_host(results["off"], xs, tmp_path / "off_build"))


def test_mlperf_vww_int8_patched_is_bit_exact(tmp_path):
    reports = check_splits(MLPERF / "vww_96_int8.tflite", tmp_path, ["auto", "4:4"])
    auto = reports["auto"]
    assert auto["patch"]["grid"], "auto should find a patched schedule for VWW"
    assert auto["arena_bytes"] < reports["off"]["arena_bytes"]


def tflite_pad_model(path: Path) -> Path:
    """int8 TFLite: conv (SAME, stride 2) -> PAD (asymmetric, NHWC) -> conv (VALID) -> 1x1 conv -> LOGISTIC ->
    MEAN."""
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder(3)
    x = b.act([1, 15, 13, 4])
    y = b.conv2d(x, 8, strides=(2, 2))
    paddings = b.tensor([4, 2], "int32", data=np.array([[0, 0], [1, 2], [3, 0], [0, 0]], np.int32))
    p = b.act([1, b.shape(y)[1] + 3, b.shape(y)[2] + 3, 8], *b.quant(y))
    b.op("PAD", [y, paddings], [p])
    y = b.conv2d(b.conv2d(p, 8, padding="VALID"), 6, kernel=(1, 1), relu=False)
    s = b.act(b.shape(y), 1 / 256, -128)  # TFLite's fixed output quantisation for int8 LOGISTIC
    b.op("LOGISTIC", [y], [s])  # a 256-entry table (lut_s8)
    y = s
    axis = b.tensor([2], "int32", data=np.array([1, 2], np.int32))
    out = b.act([1, 6])
    from ai_edge_litert import schema_py_generated as schema

    b.op("MEAN", [y, axis], [out], schema.ReducerOptionsT())
    path.write_bytes(b.finish([x], [out]))
    return path


def test_tflite_int8_pad_and_table_inside_the_stage_are_bit_exact(tmp_path):
    model = tflite_pad_model(tmp_path / "pad.tflite")
    reports = check_splits(model, tmp_path, ["4:2", "4:3", "2:4", "auto"])
    patch0 = [layer["op"] for layer in reports["4:3"]["layers"] if "@p0" in layer["name"]]
    assert patch0 == ["crop", "conv2d_s8", "pad", "conv2d_s8", "conv2d_s8", "lut_s8", "paste"]


# -- the Cortex-M7 DSP kernels on QEMU -------------------------------------------------------------------------
@pytest.mark.parametrize("model_name,cpu", [("vww", "cortex-m7"), ("mobilenet_v2", "cortex-m7"),
                                            ("random", "cortex-m7"), ("mcunet-vww0", "cortex-m7"),
                                            ("vww", "cortex-m55")])
def test_patched_cortex_m_kernels_bit_exact_on_qemu(model_name, cpu, tmp_path):
    """The DSP (Cortex-M7, mps2-an500) and Helium (Cortex-M55, mps3-an547) kernels on tiles: same bits as the
    layer-by-layer build on the same target. "random": a random int8 CNN (19x27 input; depthwise 5x5 stride 2,
    7x7, 7x7 stride 2; a residual block; a dilated conv) split after its last layer with an output of at least
    3x3 pixels, 3x3 and in row bands (one per output row, the halo rows cached). "mcunet-vww0": the smallest MCUNet (64x64; 5x5 stride-2 and 7x7 depthwise, float-requantised
    as its ONNX export has them; `--patch auto` keeps it layer by layer) split 3x3 after its fourth block (8x8x24:
    the 5x5 stride-2 depthwise, a residual block and a 3x3 stride-2 depthwise inside the stage)."""
    if model_name == "vww":
        model, mode = MLPERF / "vww_96_int8.tflite", "auto"
    elif model_name == "random":
        model = quantized(save(random_cnn(16, int8=True), tmp_path / "f.onnx"), tmp_path / "q.onnx")
        graph = load_graph(model)
        end = [s for s in valid_stages(graph) if min(graph.tensors[s.output].shape[1:3]) >= 3][-1].end
        mode, bands = f"{end}:3", f"{end}:{graph.tensors[graph.nodes[end].outputs[0]].shape[1]}r"
    elif model_name == "mcunet-vww0":
        model = quantized(save(mcunet.build(model_name), tmp_path / "f.onnx"), tmp_path / "q.onnx")
        mode = "12:3"
    else:
        model = quantized(save(mobilenet_v2.build(0.35, 96), tmp_path / "f.onnx"), tmp_path / "q.onnx")
        mode = "conv_84:3"
    outs = {}
    modes = ("off", mode, bands) if model_name == "random" else ("off", mode)
    for m in modes:
        res = compile_patched(model, tmp_path / m.replace(":", "_"), m, target=cpu)
        if m != "off":
            assert res.report["patch"]["grid"]
            assert "edgec_copy_window(" in (res.out_dir / "model.c").read_text()
        elf = build_firmware(res.out_dir, res.report, cpu)
        xs = np.stack(random_inputs(res.report, 2))
        outs[m] = run_on_qemu(elf, xs, res.report["outputs"][0]["bytes"], tmp_path / f"qemu_{m.replace(':', '_')}", cpu)
    for m in modes[1:]:
        np.testing.assert_array_equal(outs[m], outs["off"])


# -- generated C, weights, errors, CLI ----------------------------------------------------------------------------
def plane_only_when_patched(whole, patched) -> list[int]:
    """Channels of each depthwise layer (by weights) on the DSP kernel's 2 x 2 path in `patched` but not in `whole`."""
    def plane(g):
        return {nd.inputs[1]: conv_params(g, nd) for nd in g.nodes if nd.op == "depthwise_conv2d_s8"
                and dw_plane_path(conv_params(g, nd))}
    before, after = plane(whole), plane(patched)
    return [q["in_c"] for w, q in after.items() if w not in before]


def test_patched_c_is_warning_free_and_weights_are_not_duplicated(tmp_path):
    model = MLPERF / "vww_96_int8.tflite"
    off = compile_patched(model, tmp_path / "off", "off", target="cortex-m7")
    res = compile_patched(model, tmp_path / "p", "4:4", target="cortex-m7")
    # packed DSP weights once, not per patch (a depthwise layer some of whose patches leave the 2 x 2 path keeps its
    # weights as they are, smaller than its compile-time tables: ops/quantized_s8.py, depthwise_tables); a stride-2
    # layer too wide for that path whose patches all fit it takes the tables (13 words a channel) where its weights,
    # bias, multipliers and shifts were (21 bytes a channel)
    assert res.generated.weights_bytes <= off.generated.weights_bytes + sum(
        31 * c for c in plane_only_when_patched(off.graph, res.graph))
    for i, (cc, flags) in enumerate(COMPILERS):
        obj = tmp_path / f"obj{i}"
        obj.mkdir()
        assert_compiles_warning_free(res.out_dir, obj, cc, flags)


def test_bad_patch_values_are_clear_errors(tmp_path):
    model = save(random_cnn(0), tmp_path / "m.onnx")
    for mode, words in (("nosuchnode:2", "no node named"), ("999:2", "out of range"), ("2", "SPLIT:N"),
                        ("0:2", "transpose is not a spatially local operator"), ("1:1000", "does not fit"),
                        ("1:1000r", "1000 row bands do not fit"),
                        ("3:2,2:2", "not after the previous stage"), ("2:2,", "SPLIT:N separated by commas")):
        with pytest.raises(EdgecError, match=words):
            compile_patched(model, tmp_path / "o", mode)
    proc = run_edgec("compile", model, "-o", tmp_path / "cli", "--target", "host", "--no-code-size",
                     "--patch", "0:2", "-q")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot split after node" in proc.stderr + proc.stdout


def test_cli_prints_the_schedule_and_writes_the_report(tmp_path):
    proc = run_edgec("compile", MLPERF / "vww_96_int8.tflite", "-o", tmp_path / "out", "--target", "cortex-m7",
                     "--no-code-size", "--patch", "auto", "--planner", "greedy-by-size")
    assert proc.returncode == 0, proc.stderr
    assert "patch-based schedule" in proc.stdout
    patch = json.loads((tmp_path / "out" / "report.json").read_text())["patch"]
    assert patch["mode"] == "auto" and patch["grid"] >= 2 and patch["candidates"]
    assert patch["arena_bytes"] < patch["arena_bytes_layer_by_layer"]
    assert 0 <= patch["mac_overhead"] <= 0.10 and 0 <= patch["instruction_overhead_estimate"] <= 0.10


def test_auto_is_the_default_on_the_cortex_m_targets_only(tmp_path):
    """`--patch` not given: the target's own default, auto where SRAM runs out first (every Cortex-M target), layer
    by layer elsewhere; the report says the schedule was the target's choice, and `--patch off` turns it off."""
    for name in target_names():
        assert load_target(name).patch == ("auto" if name.startswith("cortex-m") else "off"), name
    model = save(random_cnn(0), tmp_path / "m.onnx")
    for target, option in (("cortex-m7", []), ("host", []), ("cortex-m7", ["--patch", "off"])):
        out = tmp_path / f"{target}{len(option)}"
        proc = run_edgec("compile", model, "-o", out, "--target", target, "--no-code-size", *option)
        assert proc.returncode == 0, proc.stderr
        patch = json.loads((out / "report.json").read_text()).get("patch")
        searched = target == "cortex-m7" and not option
        assert (patch is not None) == searched and ("the target's default" in proc.stdout) == searched
        if searched:
            assert patch["mode"] == "auto" and patch["target_default"]
            assert patch["arena_bytes"] <= patch["arena_bytes_layer_by_layer"]
