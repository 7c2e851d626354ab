"""int8 TFLite operators beyond the MLPerf Tiny set, one small model each (tests/tflite_builder.py): QUANTIZE /
DEQUANTIZE at a float boundary (what the TFLite converter writes unless told to use int8 input and output),
PAD / PADV2, CONCATENATION, MEAN, ADD / MUL with broadcasting and constant inputs, and one-input operators
(LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU, RELU6, ABS, GELU, NEG, RSQRT) that edgec tabulates. Each model is
compiled for cortex-m7, built for the host (with the sanitizers) and run on random inputs; the outputs must equal
TFLite Micro's and LiteRT's reference kernels' bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter

from tflite_builder import TFLiteBuilder

RUNS = 30


def float_boundary_conv(b: TFLiteBuilder):
    """float -> QUANTIZE -> CONV_2D -> DEQUANTIZE -> float."""
    xf = b.tensor([1, 8, 8, 3], "float32")
    xq = b.act([1, 8, 8, 3], 0.02, -5)
    b.op("QUANTIZE", [xf], [xq])
    y = b.conv2d(xq, 8)
    yf = b.tensor(b.shape(y), "float32")
    b.op("DEQUANTIZE", [y], [yf])
    return [xf], [yf]


def pads(b: TFLiteBuilder):
    """PAD (pads with the zero point) and PADV2 (with a constant), each feeding a VALID conv."""
    x = b.act([1, 6, 5, 4])
    paddings = b.tensor([4, 2], "int32", data=np.array([[0, 0], [1, 2], [3, 0], [0, 0]], np.int32))
    p1 = b.act([1, 9, 8, 4], *b.quant(x))
    b.op("PAD", [x, paddings], [p1])
    y1 = b.conv2d(p1, 4, padding="VALID", relu=False)
    value = b.tensor([], "int8", *b.quant(x), data=np.array(17, np.int8))
    p2 = b.act([1, 9, 8, 4], *b.quant(x))
    b.op("PADV2", [x, paddings, value], [p2])
    y2 = b.conv2d(p2, 4, padding="VALID", relu=False)
    return [x], [y1, y2]


def concatenation(b: TFLiteBuilder):
    """Two convolutions and the input concatenated along channels (TFLite Micro needs one quantisation)."""
    x = b.act([1, 6, 6, 4])
    q = b.quant(x)
    y1 = b.conv2d(x, 5, out_quant=q)
    y2 = b.conv2d(x, 3, kernel=(1, 1), out_quant=q)
    out = b.act([1, 6, 6, 12], *q)
    opts = schema.ConcatenationOptionsT()
    opts.axis = -1
    b.op("CONCATENATION", [y1, x, y2], [out], opts)
    return [x], [out]


def mean(axes, keep_dims: bool, same_quant: bool = False):
    def build(b: TFLiteBuilder):
        x = b.act([1, 5, 7, 6])
        kept = [1 if i in axes else d for i, d in enumerate(b.shape(x))]
        shape = kept if keep_dims else [d for i, d in enumerate(b.shape(x)) if i not in axes]
        out = b.act(shape, *(b.quant(x) if same_quant else (None, None)))
        axis = b.tensor([len(axes)], "int32", data=np.array(axes, np.int32))
        opts = schema.ReducerOptionsT()
        opts.keepDims = keep_dims
        b.op("MEAN", [x, axis], [out], opts)
        return [x], [out]
    return build


def binary(kind: str, shape_b, constant_b: bool = False, relu: bool = False):
    """ADD or MUL of a [1, 5, 6, 8] activation with a broadcast second input (an activation or a constant)."""
    def build(b: TFLiteBuilder):
        x = b.act([1, 5, 6, 8])
        if constant_b:
            y = b.tensor(shape_b, "int8", 0.02, 3, data=b.rng.integers(-128, 128, shape_b, dtype=np.int8))
        else:
            y = b.act(shape_b)
        out = b.act([1, 5, 6, 8], scale=0.05 if kind == "ADD" else 0.004)
        opts = schema.AddOptionsT() if kind == "ADD" else schema.MulOptionsT()
        opts.fusedActivationFunction = (schema.ActivationFunctionType.RELU if relu
                                        else schema.ActivationFunctionType.NONE)
        b.op(kind, [x, y], [out], opts)
        return [x] if constant_b else [x, y], [out]
    return build


def unary(kind: str, out_quant=(None, None), options=None, same_quant: bool = False, in_quant=(None, None)):
    """A one-input int8 operator (edgec tabulates it: frontend/tflite_lut.py) on a [1, 7, 9, 16] activation."""
    def build(b: TFLiteBuilder):
        x = b.act([1, 7, 9, 16], *in_quant)
        out = b.act([1, 7, 9, 16], *(b.quant(x) if same_quant else out_quant))
        b.op(kind, [x], [out], options)
        return [x], [out]
    return build


def leaky_relu_options():
    opts = schema.LeakyReluOptionsT()
    opts.alpha = 0.1
    return opts


def residual_add(b: TFLiteBuilder):
    """conv -> conv -> ADD with the block's input, 2,048 elements: the wide first conv's output is dead by the add,
    so the Cortex-M add kernel gets arena scratch for its tables of rescaled inputs (checked below)."""
    x = b.act([1, 16, 16, 8])
    h = b.conv2d(x, 32)
    c = b.conv2d(h, 8, relu=False)
    out = b.act([1, 16, 16, 8], scale=0.08)
    b.op("ADD", [c, x], [out], schema.AddOptionsT())
    return [x], [out]


CASES = {
    "residual_add_tables": residual_add,
    "logistic": unary("LOGISTIC", (1 / 256, -128)),  # TFLite's fixed output quantisation for int8
    "tanh": unary("TANH", (1 / 128, 0)),
    "hard_swish": unary("HARD_SWISH"),
    "leaky_relu": unary("LEAKY_RELU", options=leaky_relu_options()),
    # TFLite Micro's int8 RELU6 clamps without requantising (it assumes the output shares the input's
    # quantisation, as converters write it); LiteRT rescales. Only the shared case is comparable.
    "relu6": unary("RELU6", same_quant=True),
    "relu": unary("RELU", same_quant=True),
    "requantize": unary("QUANTIZE"),  # int8 -> int8 with another scale and zero point
    "abs": unary("ABS"),
    "gelu": unary("GELU"),
    "neg": unary("NEG"),
    "rsqrt": unary("RSQRT", in_quant=(0.05, -128)),  # TFLite Micro refuses negative inputs: none here
    "add_broadcast_channels": binary("ADD", [1, 1, 1, 8]),
    "add_broadcast_rows_relu": binary("ADD", [1, 5, 1, 8], relu=True),
    "mul_same_shape": binary("MUL", [1, 5, 6, 8]),
    "mul_broadcast_channels": binary("MUL", [1, 1, 1, 8]),
    "mul_by_constant": binary("MUL", [8], constant_b=True),
    "add_constant": binary("ADD", [1, 5, 6, 8], constant_b=True),
    "float_boundary_conv": float_boundary_conv,
    "pad_padv2": pads,
    "concatenation": concatenation,
    "mean_hw_keepdims": mean([1, 2], True),
    "mean_hw": mean([1, 2], False),
    "mean_hw_same_quant": mean([1, 2], True, same_quant=True),
    "mean_channels": mean([3], False),
    "mean_h": mean([1], True),
}



# Operators the tflite-micro wheel has no int8 kernel for: checked against LiteRT alone.
NOT_IN_TFLM = {"gelu", "neg"}


def random_inputs(interp, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(RUNS):
        inputs = []
        for d in interp.get_input_details():
            if d["dtype"] == np.float32:  # beyond the int8 range too, to check saturation
                scale = d["quantization"][0] or 1.0
                inputs.append(rng.uniform(-200 * scale, 200 * scale, d["shape"]).astype(np.float32))
            else:
                inputs.append(rng.integers(-128, 128, d["shape"], dtype=np.int8))
        batches.append(inputs)
    return batches


def run_litert(path, batches):
    interp = litert_interpreter(path, reference_kernels=True)
    outs = []
    for inputs in batches:
        for d, x in zip(interp.get_input_details(), inputs):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        outs.append([np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()])
    return outs


def run_tflm(path, batches, n_outputs: int):
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_file(str(path), arena_size=1 << 20)
    outs = []
    for inputs in batches:
        for k, x in enumerate(inputs):
            interp.set_input(x, k)
        interp.invoke()
        outs.append([np.array(interp.get_output(k)) for k in range(n_outputs)])
    return outs


@pytest.mark.parametrize("case", list(CASES))
def test_int8_operator_matches_tflite_micro(case, tmp_path):
    b = TFLiteBuilder(seed=len(case))
    inputs, outputs = CASES[case](b)
    path = tmp_path / f"{case}.tflite"
    path.write_bytes(b.finish(inputs, outputs))

    result = compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    assert all(layer["op"] not in ("conv2d", "mean", "matmul") for layer in result.report["layers"]), \
        "float kernels in an int8 model"
    if case == "residual_add_tables":  # the table path must really be taken (it runs on the host too)
        assert "edgec_add_s8(" in (result.out_dir / "model.c").read_text()
        assert "NULL);" not in next(line for line in (result.out_dir / "model.c").read_text().splitlines()
                                    if "edgec_add_s8(" in line)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    batches = random_inputs(litert_interpreter(path, reference_kernels=True), seed=3)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")

    references = [(run_litert(path, batches), "LiteRT")]
    if case not in NOT_IN_TFLM:
        references.insert(0, (run_tflm(path, batches, len(outputs)), "TFLite Micro"))
    for want, reference in references:
        for k, (gs, ws) in enumerate(zip(got, want)):
            for g, w in zip(gs, ws):
                np.testing.assert_array_equal(g, w.reshape(g.shape), err_msg=f"input {k}, against {reference}")
    assert len({got[k][0].tobytes() for k in range(RUNS)}) > RUNS // 2, "outputs hardly depend on the input"


def test_int8_operators_it_cannot_import_are_listed_with_reasons(tmp_path):
    from conftest import run_edgec

    b = TFLiteBuilder(seed=1)
    x = b.act([1, 4, 4, 2])
    requantized = b.tensor([1, 4, 4, 2], "int16", 0.001, 0)
    b.op("QUANTIZE", [x], [requantized])  # int8 -> int16: not supported
    other = b.act([1, 4, 4, 4])  # its own quantisation, unlike its inputs
    opts = schema.ConcatenationOptionsT()
    opts.axis = 3
    b.op("CONCATENATION", [x, x], [other], opts)
    path = tmp_path / "bad.tflite"
    path.write_bytes(b.finish([x], [requantized, other]))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "(QUANTIZE): int8 -> int16 (only int8 -> int8)" in proc.stderr, proc.stderr
    assert "(CONCATENATION): inputs typed or quantized differently from the output" in proc.stderr, proc.stderr


def test_operator_litert_cannot_tabulate_is_a_clear_error(tmp_path):
    """ELU at opcode version 1 has no int8 kernel in LiteRT (int8 ELU is version 2): named, no traceback."""
    from conftest import run_edgec

    b = TFLiteBuilder(seed=2)
    inputs, outputs = unary("ELU")(b)
    path = tmp_path / "elu.tflite"
    path.write_bytes(b.finish(inputs, outputs))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "(ELU): LiteRT's reference kernel, which edgec tabulates, cannot run it" in proc.stderr, proc.stderr


CONVERTED = sorted((Path(__file__).resolve().parents[1] / "model_zoo" / "models").glob("int8_mix_*.tflite"))


@pytest.mark.parametrize("path", CONVERTED, ids=lambda p: p.stem)
def test_models_from_the_tflite_converter(path, tmp_path):
    """Written by TensorFlow's converter (model_zoo/tflite_int8_mix.py): the same operators as above in the
    forms a converter really writes (per-channel FULLY_CONNECTED, a requantising QUANTIZE before CONCATENATION,
    float input and output around the int8 model), checked end to end on 50 inputs."""
    assert len(CONVERTED) == 2
    result = compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    ops = {layer["op"] for layer in result.report["layers"]}
    # its residual ADD runs fused with the 1x1 conv before it (passes/fuse_conv_add.py)
    assert {"lut_s8", "mul_s8", "conv2d_add_s8", "mean_s8", "concat", "conv2d_s8", "softmax_s8"} <= ops, ops
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    interp = litert_interpreter(path, reference_kernels=True)
    (d,) = interp.get_input_details()
    rng = np.random.default_rng(4)
    batches = [[rng.normal(0, 1, d["shape"]).astype(np.float32) if d["dtype"] == np.float32
                else rng.integers(-128, 128, d["shape"], dtype=np.int8)] for _ in range(50)]
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    for want, reference in ((run_tflm(path, batches, 1), "TFLite Micro"), (run_litert(path, batches), "LiteRT")):
        for k, (gs, ws) in enumerate(zip(got, want)):
            np.testing.assert_array_equal(gs[0], ws[0].reshape(gs[0].shape), err_msg=f"input {k}, {reference}")
    assert len({g[0].tobytes() for g in got}) > 25
