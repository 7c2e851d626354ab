"""Ternary weights and the MatMul-free kernels (issue 11): `--quantize ternary`, the ternary_kernels pass, the
packing (quantize/ternary_pack.py) and runtimes/{reference,cortex-m}/edgec_ternary_s8.c.

- packing round trips, and the ternary-row detection, as properties (hypothesis);
- random layers, lowered by the compiler's own pass, in one firmware run on QEMU mps2-an500 (the Cortex-M7 DSP
  paths), one on mps3-an547 (the Cortex-M55: Helium look-ups) and one host run under ASan + UBSan: the int8 reference kernel of the original layer, the portable ternary
  kernel and the Cortex-M one give identical bytes, for both methods, both packings, conv and fully connected, all
  three requantisations;
- the inner accumulation loops of the Cortex-M build contain no multiply instruction (disassembled);
- a small float CNN compiled with --quantize ternary equals onnxruntime (ORT_DISABLE_ALL) on out/<name>_ternary.onnx
  exactly, on the host and on the emulated M7, with weight bytes at most 1/4 (2-bit) and 1/5 (base 3) of int8."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from conftest import COMPILERS, STRICT_C_FLAGS, require, run_edgec
from edgec.ir import Graph, Node, Tensor
from edgec.passes import ternary_kernels as tk
from edgec.quantize import ternary_pack as tp

REPO = Path(__file__).resolve().parents[1]
RUNTIMES = REPO / "runtimes"
SEMIHOST = Path(__file__).parent / "semihost"
M7 = ["-O2", "-std=c99", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-ffreestanding",
      "-nostartfiles", "-nostdlib", "-I", str(RUNTIMES / "include")]
M55 = ["-O2", "-std=c99", "-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard", *M7[M7.index("-ffreestanding"):]]
HOST = ["-O1", "-g", "-std=c99", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-I",
        str(RUNTIMES / "include")]
QEMU = ["-M", "mps2-an500", "-nographic", "-monitor", "none", "-serial", "none", "-semihosting-config",
        "enable=on,target=native", "-kernel"]
QEMU_M55 = ["-M", "mps3-an547", *QEMU[2:]]


# -- packing -----------------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.integers(1, 9), st.integers(1, 70), st.sampled_from(sorted(tp.NAMES)), st.integers(0, 2 ** 32 - 1))
def test_packing_round_trips(channels, k, fmt, seed):
    rng = np.random.default_rng(seed)
    trits = rng.integers(-1, 2, (channels, k))
    packed = tp.pack(trits, fmt)
    assert packed.dtype == np.uint8 and packed.size == channels * -(-k // tp.GROUP[fmt])
    assert np.array_equal(tp.unpack(packed, fmt, channels, k), trits)
    if fmt == tp.FORMAT_BASE3:
        assert packed.max(initial=0) <= 242
    else:  # never plus and minus at once
        assert not np.any(packed & (packed >> 4) & 15)
    a = rng.integers(0, 128, channels)
    got = tp.ternary_rows((a[:, None] * trits).astype(np.int8))
    assert got is not None and np.array_equal(got[1], np.sign(a[:, None] * trits))
    assert np.array_equal(got[0][np.abs(trits).sum(1) * a > 0], a[np.abs(trits).sum(1) * a > 0])
    live = np.flatnonzero((a > 0) & ((trits != 0).sum(1) > 1))
    if live.size:  # a second magnitude in one channel: not ternary
        c = int(live[0])
        w = (a[:, None] * trits).astype(np.int64)
        j = int(np.flatnonzero(trits[c])[0])
        w[c, j] = np.sign(w[c, j]) * (a[c] % 127 + 1)
        assert tp.ternary_rows(w.astype(np.int8)) is None


# -- kernels against their twins and the int8 layer -----------------------------------------------------------------
def _ternary_weights(rng, channels: int, k: int) -> np.ndarray:
    trits = rng.integers(-1, 2, (channels, k)) * (rng.random((channels, k)) < rng.uniform(0.3, 1.0))
    a = np.full(channels, 127) if rng.random() < 0.5 else rng.integers(1, 128, channels)
    if channels > 2 and rng.random() < 0.3:
        trits[rng.integers(channels)] = 0  # a pruned channel
    return (a[:, None] * trits).astype(np.int8)


def _requant(rng, channels: int, k: int, float_mode: bool):
    if float_mode:  # onnxruntime's: float32 scale bits
        scales = (rng.uniform(0.3, 3.0, channels) / (127 * 40 * np.sqrt(k))).astype(np.float32)
        return scales.view(np.int32), np.zeros(channels, np.int32)
    return rng.integers(1 << 30, (1 << 31) - 1, channels).astype(np.int32), -rng.integers(10, 18, channels).astype(np.int32)


def conv_case(rng, method: str, fmt: str):
    """A random int8 convolution with ternary weights, and its ternary lowering by the compiler's pass."""
    kh, kw = rng.integers(1, 4, 2)
    sh, sw, dh, dw = rng.integers(1, 3, 4)
    ph, pw = rng.integers(0, 3, 2)
    in_h = int(rng.integers(max(1, (kh - 1) * dh + 1 - 2 * ph), 8))
    in_w = int(rng.integers(max(1, (kw - 1) * dw + 1 - 2 * pw), 8))
    out_h, out_w = (in_h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (in_w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    batch, in_c, out_c = int(rng.integers(1, 3)), int(rng.integers(1, 40)), int(rng.integers(1, 40))
    k = int(kh * kw * in_c)
    w = _ternary_weights(rng, out_c, k).reshape(out_c, kh, kw, in_c)
    float_mode = bool(rng.random() < 0.5)
    mult, shift = _requant(rng, out_c, k, float_mode)
    lo, hi = (-128, 127) if rng.random() < 0.6 else sorted(rng.integers(-128, 128, 2))
    g = Graph()
    g.add_tensor(Tensor("x", (batch, in_h, in_w, in_c), "int8"))
    g.add_tensor(Tensor("y", (batch, out_h, out_w, out_c), "int8"))
    bias = rng.integers(-(1 << 14), 1 << 14, out_c).astype(np.int32)
    ins = ["x", g.add_const("w", w), g.add_const("b", bias), g.add_const("m", mult), g.add_const("s", shift)]
    attrs = dict(strides=[int(sh), int(sw)], pads=[int(ph), int(pw)], dilation=[int(dh), int(dw)],
                 input_offset=-int(rng.integers(-128, 128)), output_offset=int(rng.integers(-128, 128)),
                 act=(int(lo), int(hi)), requant_float=float_mode)
    node = Node("conv2d_s8", ins, ["y"], attrs, "conv")
    params = [batch, in_h, in_w, in_c, out_h, out_w, out_c, kh, kw, sh, sw, ph, pw, dh, dw, 1,
              attrs["input_offset"], attrs["output_offset"], lo, hi, int(float_mode)]
    return g, node, params, w, bias, mult, shift


def fc_case(rng, method: str, fmt: str):
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 320)), int(rng.integers(1, 40))
    w = _ternary_weights(rng, units, depth)
    mult, shift = _requant(rng, 1, depth, False)
    single = bool(rng.random() < 0.5)
    lo, hi = (-128, 127) if rng.random() < 0.6 else sorted(rng.integers(-128, 128, 2))
    g = Graph()
    g.add_tensor(Tensor("x", (batches, depth), "int8"))
    g.add_tensor(Tensor("y", (batches, units), "int8"))
    bias = rng.integers(-(1 << 14), 1 << 14, units).astype(np.int32)
    attrs = dict(depth=depth, units=units, input_offset=-int(rng.integers(-128, 128)), filter_offset=0,
                 output_offset=int(rng.integers(-128, 128)), multiplier=int(mult[0]), shift=int(shift[0]),
                 act=(int(lo), int(hi)), single_rounding=single)
    node = Node("fully_connected_s8", ["x", g.add_const("w", w), g.add_const("b", bias)], ["y"], attrs, "fc")
    params = [batches, depth, units, attrs["input_offset"], 0, attrs["output_offset"], int(mult[0]), int(shift[0]),
              lo, hi, int(single)]
    return g, node, params, w, bias, np.full(units, mult[0], np.int32), np.full(units, shift[0], np.int32)


def ternary_params(node: Node) -> list[int]:
    """edgec_ternary_s8_params in field order (runtimes/include/edgec_ternary_s8.h)."""
    a = node.attrs
    n, h, w, c = a["x_shape"]
    return [n, h, w, c, a["out_h"], a["out_w"], a["out_c"], a["k_h"], a["k_w"], a["stride_h"], a["stride_w"],
            a["pad_top"], a["pad_left"], a["dil_h"], a["dil_w"], a["input_offset"], a["output_offset"], a["act"][0],
            a["act"][1], a["requant"], a["format"], a["method"], a["row_bytes"], a["scale_all"]]


def write_cases(path: Path, count: int, seed: int = 11) -> dict:
    rng = np.random.default_rng(seed)
    seen: dict = {"combos": set(), "requant": set(), "per_channel_scale": 0, "lut_chunks": 0}
    blob = [np.int32(count).tobytes()]
    for i in range(count):
        method, fmt = ("addsub", "lut")[i % 2], ("2bit", "base3")[(i // 2 + i // 8) % 2]
        kind = int(i % 8 >= 6)  # three conv cases in four
        g, node, params, w, bias, mult, shift = (fc_case if kind else conv_case)(rng, method, fmt)
        t = tk.lower_node(g, node, method, fmt, "cortex-m")
        assert t is not None
        assert tk.METHOD_NAMES[t.attrs["method"]] == method and t.attrs["format"] == tp.FORMATS[fmt]
        seen["combos"].add((kind, method, fmt))
        seen["requant"].add(t.attrs["requant"])
        seen["per_channel_scale"] += len(t.inputs) > 5
        seen["lut_chunks"] += t.attrs["row_bytes"] > tk.LUT_GROUPS
        packed, bias_t, t_mult, t_shift = (g.tensors[n].data for n in t.inputs[1:5])
        scale = g.tensors[t.inputs[5]].data if len(t.inputs) > 5 else np.zeros(0, np.int32)
        x = rng.integers(-128, 128, g.tensors["x"].elems).astype(np.int8)
        n_out = g.tensors["y"].elems
        assert g.tensors[t.outputs[1]].nbytes <= 8192 * 4 and n_out + 4 <= 16384
        hdr = [kind, x.size, w.size, n_out, len(bias), packed.size, int(scale.size > 0)]

        def padded(a):
            b = np.ascontiguousarray(a).tobytes()
            return b + bytes(-len(b) % 4)

        blob += [np.array(hdr + params + ternary_params(t), np.int32).tobytes(), padded(x), padded(w),
                 bias.astype(np.int32).tobytes(), mult.astype(np.int32).tobytes(), shift.astype(np.int32).tobytes(),
                 padded(packed), scale.astype(np.int32).tobytes(), bias_t.tobytes(), t_mult.tobytes(),
                 t_shift.tobytes()]
    path.write_bytes(b"".join(blob))
    return seen


def _build_harness(tmp_path: Path, cc: str, flags: list[str], link: list[str], tag: str) -> Path:
    objs = []
    for src, alias in (("edgec_conv2d_s8", "ref_conv"), ("edgec_fully_connected_s8", "ref_fc"),
                       ("edgec_ternary_s8", "ref_ternary")):
        renames = ([f"-Dedgec_ternary_conv_s8={alias}", f"-Dedgec_ternary_sums_s8={alias}_sums"]
                   if src == "edgec_ternary_s8" else [f"-D{src}={alias}"])
        obj = tmp_path / f"{tag}_{alias}.o"
        subprocess.run([cc, *flags, *renames, "-c", str(RUNTIMES / "reference" / f"{src}.c"), "-o",
                        str(obj)], check=True)
        objs.append(str(obj))
    exe = tmp_path / f"ternary_fuzz_{tag}"
    subprocess.run([cc, *flags, "-Wall", "-Wextra", "-Werror", *link, str(SEMIHOST / "ternary_fuzz.c"),
                    str(RUNTIMES / "cortex-m" / "edgec_ternary_s8.c"), *objs, "-o", str(exe)], check=True)
    return exe


def test_kernels_equal_the_int8_layer_and_each_other_on_random_shapes(tmp_path):
    seen = write_cases(tmp_path / "cases.bin", 400)
    assert len(seen["combos"]) == 8 and seen["requant"] == {0, 1, 2}, seen
    assert seen["per_channel_scale"] > 50 and seen["lut_chunks"] > 50, seen
    qemu, cc = require("qemu-system-arm"), require("arm-none-eabi-gcc")
    runs = {"qemu": ([qemu, *QEMU], _build_harness(tmp_path, cc, M7, ["-T", str(SEMIHOST / "link.ld"), "-lgcc"], "m7")),
            # the Cortex-M55 build takes the look-up kernel's Helium gathers (the other paths as on the M7)
            "qemu-m55": ([qemu, *QEMU_M55], _build_harness(tmp_path, cc, M55, ["-T", str(SEMIHOST / "link_an547.ld"),
                                                                            "-lgcc"], "m55")),
            "host-sanitized": ([], _build_harness(tmp_path, require("gcc"), HOST, [], "host"))}
    for name, (prefix, exe) in runs.items():
        proc = subprocess.run([*prefix, str(exe)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (f"{name}: {proc.returncode} cases differ (cases {proc.stdout.split()[:10]}) "
                                      f"{proc.stderr[:500]}")


# -- no multiply in the inner loops ---------------------------------------------------------------------------------
MULTIPLY = re.compile(r"\b(mul|muls|mla|mls|smla\w*|smlsl?d\w*|smul\w*|smmul\w*|smmla\w*|smmls\w*|umull|umlal|"
                      r"umaal|smull|smlal\w*|sdiv|udiv|vmul\w*|vmla\w*|vfma\w*)(\.\w+)?\b")


def test_kernels_are_warning_free_and_inner_loops_have_no_multiply_instruction(tmp_path):
    for i, (cc, flags) in enumerate(COMPILERS):
        for kset in ("reference", "cortex-m"):
            subprocess.run([require(cc), *flags, *STRICT_C_FLAGS, "-I", str(RUNTIMES / "include"),
                            str(RUNTIMES / kset / "edgec_ternary_s8.c"), "-o", str(tmp_path / f"{kset}{i}.o")],
                           check=True)
    obj = tmp_path / "ternary_m7.o"
    subprocess.run([require("arm-none-eabi-gcc"), *M7, "-c", str(RUNTIMES / "cortex-m" / "edgec_ternary_s8.c"),
                    "-o", str(obj)], check=True)
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", str(obj)], capture_output=True, text=True,
                            check=True).stdout
    functions = dict(re.findall(r"^[0-9a-f]+ <(\w+)>:\n(.*?)(?=\n\n|\Z)", disasm, flags=re.M | re.S))
    loops = [f for f in functions if f.startswith("edgec_ternary_") and f.endswith("_loop")]
    assert sorted(loops) == ["edgec_ternary_addsub_2bit_loop", "edgec_ternary_addsub_2bit_x4_loop",
                             "edgec_ternary_addsub_base3_loop", "edgec_ternary_lut4_loop",
                             "edgec_ternary_lut8_loop"], sorted(functions)
    for name in loops:
        body = functions[name]
        assert "usada8" in body or "ldrsh" in body, name  # the DSP / assembly paths were compiled in
        found = [m.group(0) for line in body.splitlines() for m in [MULTIPLY.search(line.split("\t", 2)[-1])] if m]
        assert not found, f"{name} multiplies: {found}"
    # the check itself would see one: the whole file does multiply, once per output (scale * acc)
    assert MULTIPLY.search(disasm)


# -- a float CNN, ternarized, end to end ----------------------------------------------------------------------------
def small_cnn() -> onnx.ModelProto:
    """Conv 3x3 (first: stays int8), conv 3x3 / 1x1 / 3x3 stride 2 with 20 input channels, Gemm 80 -> 40 and
    Gemm 40 -> 10 (last: stays int8). K = 180, 20, 180, 80: whole bytes in both packings."""
    rng = np.random.default_rng(0)

    def c(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)

    inits = [c("w1", 20, 1, 3, 3), c("b1", 20), c("w2", 20, 20, 3, 3), c("b2", 20), c("w3", 20, 20, 1, 1),
             c("b3", 20), c("w4", 40, 20, 3, 3), c("b4", 40), c("w5", 40, 80), c("b5", 40), c("w6", 10, 40),
             c("b6", 10)]
    # conv3's weights are already ternary per channel (as if trained quantization-aware): kept as they are
    w3 = numpy_helper.to_array(inits[4])
    inits[4] = numpy_helper.from_array((np.sign(w3) * (np.abs(w3) > 0.2) * rng.uniform(0.1, 0.5, (20, 1, 1, 1)))
                                       .astype(np.float32), "w3")
    n = helper.make_node
    nodes = [n("Conv", ["input", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1], strides=[2, 2]),
             n("Relu", ["c1"], ["r1"], name="relu1"),
             n("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
             n("Relu", ["c2"], ["r2"], name="relu2"),
             n("Conv", ["r2", "w3", "b3"], ["c3"], name="conv3"),
             n("Relu", ["c3"], ["r3"], name="relu3"),
             n("Conv", ["r3", "w4", "b4"], ["c4"], name="conv4", pads=[0, 0, 1, 1], strides=[2, 2]),
             n("Relu", ["c4"], ["r4"], name="relu4"),
             n("GlobalAveragePool", ["r4"], ["g"], name="gap"),
             n("Flatten", ["g"], ["f"], name="flatten"),
             n("Concat", ["f", "f"], ["ff"], name="cat", axis=1),
             n("Gemm", ["ff", "w5", "b5"], ["h"], name="fc1", transB=1),
             n("Relu", ["h"], ["rh"], name="relu5"),
             n("Gemm", ["rh", "w6", "b6"], ["logits"], name="fc2", transB=1)]
    graph = helper.make_graph(nodes, "small_ternary_cnn",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 16, 16])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def test_ternary_cnn_is_exact_on_host_and_m7_with_small_weights(tmp_path):
    """Compiled for the host with --quantize ternary (portable kernels: base 3), then its QDQ model
    out/<name>_ternary.onnx compiled for the Cortex-M7 (the cost model's choice of kernel and packing): both equal
    onnxruntime (ORT_DISABLE_ALL) on that QDQ model bit for bit."""
    from edgec.build.host import build_host_executable, run_host_executable_many
    from semihost_qemu import build_firmware, run_on_qemu

    model = tmp_path / "tcnn.onnx"
    onnx.save(small_cnn(), str(model))
    rng = np.random.default_rng(1)
    np.save(tmp_path / "calib.npy", rng.uniform(-1, 1, (8, 1, 1, 16, 16)).astype(np.float32))
    host = tmp_path / "host"
    proc = run_edgec("compile", model, "-t", "host", "-o", host, "-q", "--quantize", "ternary", "--calibration",
                     tmp_path / "calib.npy", "--keep-int8", "w5")  # fc1, by its weight's name
    assert proc.returncode == 0, proc.stderr
    assert "ternary vs float on 8 calibration samples" in proc.stdout
    qdq = host / "tcnn_ternary.onnx"
    m7 = tmp_path / "m7"
    proc = run_edgec("compile", qdq, "-t", "cortex-m7", "-o", m7, "-q")
    assert proc.returncode == 0, proc.stderr
    reports = {name: json.loads((out / "report.json").read_text()) for name, out in (("host", host), ("m7", m7))}

    for name, report in reports.items():
        layers = {layer["name"]: layer for layer in report["layers"]}
        ternary = [layer for layer in report["layers"] if layer.get("format", "int8") != "int8"]
        assert {layer["name"] for layer in ternary} == {"conv2", "conv3", "conv4"}, (name, layers.keys())
        assert all(layers[k]["format"] == "int8" for k in ("conv1", "fc1", "fc2"))
        for fmt, most in (("ternary-2bit", 0.25), ("ternary-base3", 0.2)):
            same = [layer for layer in ternary if layer["format"] == fmt]
            if same:  # weight bytes, scales included (one a per layer, in the parameters: PTQ makes every a_c 127)
                ratio = sum(la["weight_bytes"] for la in same) / sum(la["int8_weight_bytes"] for la in same)
                assert ratio <= most, (name, fmt, ratio)
    assert {layer.get("format") for layer in reports["host"]["layers"]} >= {"ternary-base3"}
    errors = {t["name"]: t for t in reports["host"]["ternary"]["layers"]}
    assert [errors[k]["method"] for k in ("conv1", "conv2", "conv3", "conv4", "fc1", "fc2")] == [
        "kept", "absmean", "detected", "absmean", "kept", "kept"]
    assert 0.2 < errors["conv2"]["error"] < 0.7 and errors["conv3"]["error"] < 1e-6
    assert reports["host"]["layers"][2]["ternarization"]["relative_l2_error"] == errors["conv2"]["error"]

    xs = rng.uniform(-1.2, 1.2, (24, 1, 1, 16, 16)).astype(np.float32)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(qdq), opts, providers=["CPUExecutionProvider"])
    want = np.array([sess.run(None, {"input": x})[0].ravel() for x in xs])
    exe = build_host_executable(host, reports["host"], tmp_path / "build")
    got = np.array([g[0].ravel() for g in run_host_executable_many(exe, reports["host"], [[x] for x in xs],
                                                                    tmp_path / "run")])
    assert np.array_equal(got, want), np.abs(got - want).max()
    elf = build_firmware(m7, reports["m7"])
    got_m7 = run_on_qemu(elf, xs, reports["m7"]["outputs"][0]["bytes"], tmp_path / "qemu")
    got_m7 = got_m7.view(np.float32).reshape(len(xs), -1)
    assert np.array_equal(got_m7, want), np.abs(got_m7 - want).max()


def test_bad_ternary_options_are_clear_errors(tmp_path):
    """Each names what is wrong (the CLI prints an EdgecError as one line, exit 1: tests/test_cli_errors.py)."""
    from edgec.errors import EdgecError
    from edgec.quantize.ternary import TernaryOptions, ternarize_onnx

    model = tmp_path / "tcnn.onnx"
    onnx.save(small_cnn(), str(model))
    with pytest.raises(EdgecError, match="--keep-int8: no weighted layer named conv9 .layers: conv1, conv2"):
        ternarize_onnx(model, tmp_path / "t.onnx", TernaryOptions(keep_int8=("conv9",)))
    with pytest.raises(EdgecError, match="--ternary-method ternary: expected one of absmean, twn"):
        ternarize_onnx(model, tmp_path / "t.onnx", TernaryOptions(method="ternary"))
    for mode, fmt, message in (("sometimes", "auto", "ternary_kernels = 'sometimes'"),
                               ("auto", "3bit", "ternary_format = '3bit'")):
        with pytest.raises(EdgecError, match=message):
            tk.run(Graph(), mode, fmt, ["cortex-m", "reference"])


def test_twn_and_per_tensor_ternarization():
    """TWN: threshold 0.7 mean |W|, scale the mean of the kept magnitudes; per tensor: one scale for all rows."""
    from edgec.quantize.ternary import ternarize

    rows = np.array([[0.1, -0.9, 0.5, 0.0], [2.0, -2.0, 0.2, 1.0]])
    s, t = ternarize(rows, "twn", per_channel=True)
    assert np.array_equal(t, [[0, -1, 1, 0], [1, -1, 0, 1]]) and np.allclose(s, [0.7, 5 / 3])
    s, t = ternarize(rows, "absmean", per_channel=False)
    assert np.allclose(s, np.abs(rows).mean()) and np.array_equal(t, np.round(np.clip(rows / s[:, None], -1, 1)))
