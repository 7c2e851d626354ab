"""Hand-made damaged and hostile model files (the cases a new user hit: out-of-range indices, a short weight
buffer, a zero or absurd scale, a name that is not UTF-8, negative and zero dimensions, optional inputs,
attributes that contradict the weights, scales that are graph inputs, graphs without inputs): each ends in a
clear `edgec: error:` naming the tensor, operator or field, never in an internal error (exit 70) or wrong C.
The CLI runs in-process (edgec.cli.main), as `edgec compile` would."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import MLPERF, REPO, TINY_CNN, run_edgec
from model_mutants import _pack_tflite, _tflite_model

KWS = MLPERF / "kws_ref_model.tflite"


def compile_in_process(path, tmp_path, *extra) -> tuple[int, str]:
    import contextlib
    import io

    from edgec.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["compile", str(path), "-o", str(tmp_path / "out"), "--target", "host", "--no-code-size",
                     "--quiet", *map(str, extra)])
    return code, err.getvalue()


def assert_refused(code: int, message: str, *fragments: str) -> None:
    assert code not in (0, 70), message
    assert message.startswith("edgec: error:"), message
    assert "Traceback" not in message and "internal error" not in message, message
    for frag in fragments:
        assert frag in message, message


# -- TFLite ----------------------------------------------------------------------------------------------------
def kws():
    return _tflite_model(KWS.read_bytes())


def first_op(model, kind: str):
    from ai_edge_litert import schema_py_generated as schema

    code = getattr(schema.BuiltinOperator, kind)
    sg = model.subgraphs[0]
    return next(op for op in sg.operators if max(model.operatorCodes[op.opcodeIndex].builtinCode,
                                                 model.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode) == code)


def write(tmp_path, model, name="m.tflite"):
    path = tmp_path / name
    path.write_bytes(_pack_tflite(model))
    return path


def mutate_buffer_index(m):
    m.subgraphs[0].tensors[first_op(m, "CONV_2D").inputs[1]].buffer = len(m.buffers) + 5


def mutate_op_input(m):
    first_op(m, "CONV_2D").inputs = [len(m.subgraphs[0].tensors) + 3, *first_op(m, "CONV_2D").inputs[1:]]


def mutate_opcode(m):
    m.subgraphs[0].operators[2].opcodeIndex = len(m.operatorCodes) + 1


def mutate_graph_output(m):
    m.subgraphs[0].outputs = [len(m.subgraphs[0].tensors)]


def mutate_graph_input(m):
    m.subgraphs[0].inputs = [-4]


def mutate_short_weights(m):
    buf = m.buffers[m.subgraphs[0].tensors[first_op(m, "CONV_2D").inputs[1]].buffer]
    buf.data = np.asarray(buf.data)[:-7]


def mutate_zero_scale(m):
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization.scale = [0.0]


def mutate_huge_scale(m):  # TFLite Micro refuses this file; edgec compiled it into wrong code
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization.scale = [1.9e29]


def mutate_tiny_output_scale(m):  # a conv output scale of 1e-12: edgec wrapped its accumulator, TFLite Micro not
    m.subgraphs[0].tensors[first_op(m, "CONV_2D").outputs[0]].quantization.scale = [1e-12]


def mutate_zero_point(m):
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization.zeroPoint = [300]


def mutate_per_channel_length(m):
    q = m.subgraphs[0].tensors[first_op(m, "CONV_2D").inputs[1]].quantization
    q.scale, q.zeroPoint = list(q.scale)[:-1], list(q.zeroPoint)[:-1]


def mutate_name(m):
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].name = b"in\xff\xfeput"


def mutate_negative_dim(m):  # model.h got `-640u` bytes
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].shape = [1, -640, 10, 1]


def mutate_zero_dim(m):  # `edgec verify` looped forever on a zero-element input
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].shape = [1, 0, 10, 1]


def mutate_conv_output_shape(m):
    t = m.subgraphs[0].tensors[first_op(m, "CONV_2D").outputs[0]]
    t.shape = [t.shape[0], t.shape[1] + 3, *t.shape[2:]]


def mutate_no_inputs(m):
    m.subgraphs[0].inputs = []


def mutate_int4(m):
    m.subgraphs[0].tensors[first_op(m, "CONV_2D").outputs[0]].type = 17


def mutate_missing_first_input(m):
    op = first_op(m, "DEPTHWISE_CONV_2D")
    op.inputs = [-1, *op.inputs[1:]]


def mutate_missing_weights(m):
    op = first_op(m, "CONV_2D")
    op.inputs = [op.inputs[0], -1, *op.inputs[2:]]


def test_operator_without_options_gets_the_defaults():
    """An ADD written without its options table reads as TFLite reads it: the schema's defaults."""
    import tflite

    from edgec.frontend.tflite_int8 import _options

    class NoOptions:
        def BuiltinOptions(self):
            return None

    o = _options(NoOptions(), tflite.AddOptions)
    assert o.FusedActivationFunction() == 0 and o.PotScaleInt16() is True


def mutate_uint8_input(m):
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].type = 3


def mutate_conv_into_add(m):  # an operator code rewritten: ADD with a conv's inputs is fine, with one input not
    from ai_edge_litert import schema_py_generated as schema

    op = first_op(m, "DEPTHWISE_CONV_2D")
    op.inputs = op.inputs[:1]
    code = m.operatorCodes[op.opcodeIndex]
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.ADD


def mutate_softmax_beta(m):
    first_op(m, "SOFTMAX").builtinOptions.beta = float("nan")


def mutate_stride(m):
    first_op(m, "CONV_2D").builtinOptions.strideH = 0


TFLITE_CASES = [
    (mutate_buffer_index, ["buffer index", "out of range"]),
    (mutate_op_input, ["operator", "input 0 is tensor"]),
    (mutate_opcode, ["opcode index", "out of range"]),
    (mutate_graph_output, ["graph output 0 is tensor"]),
    (mutate_graph_input, ["graph input 0 is tensor -4"]),
    (mutate_short_weights, ["holds", "bytes", "needs"]),
    (mutate_zero_scale, ["quantization scale 0", "out of range"]),
    (mutate_huge_scale, ["quantization scale 1.9e+29"]),
    (mutate_tiny_output_scale, ["requantisation factor 2^", "overflows the int32 accumulator"]),
    (mutate_zero_point, ["zero point 300", "int8 range"]),
    (mutate_per_channel_length, ["per-channel scales"]),
    (mutate_name, ["not UTF-8"]),
    (mutate_negative_dim, ["shape [1, -640, 10, 1]", "negative dimension"]),
    (mutate_zero_dim, ["shape [1, 0, 10, 1]", "zero dimension"]),
    (mutate_conv_output_shape, ["CONV_2D", "output shape"]),
    (mutate_no_inputs, ["neither a graph input"]),
    (mutate_int4, ["int4"]),
    (mutate_missing_first_input, ["DEPTHWISE_CONV_2D", "input 0 is missing"]),
    (mutate_missing_weights, ["CONV_2D", "input 1 is missing"]),
    (mutate_stride, ["stride_h is 0"]),
    (mutate_uint8_input, ["graph input", "uint8, not int8"]),
    (mutate_conv_into_add, ["(ADD)", "input 1 is missing"]),
    (mutate_softmax_beta, ["beta is nan"]),
]


@pytest.mark.parametrize("mutate,fragments", TFLITE_CASES, ids=[f.__name__[7:] for f, _ in TFLITE_CASES])
def test_hostile_tflite_is_refused_by_name(tmp_path, mutate, fragments):
    m = kws()
    mutate(m)
    code, message = compile_in_process(write(tmp_path, m), tmp_path)
    assert_refused(code, message, *fragments)


def hybrid_activation_made_int8(m):
    """An activation of the hybrid KWS (float activations, int8 conv weights) retyped int8 without a scale: the
    model now reads as an integer one. Was: `internal error: TypeError: 'NoneType' object is not subscriptable`."""
    first = first_op(m, "DEPTHWISE_CONV_2D")
    m.subgraphs[0].tensors[first.outputs[0]].type = 9


def int8_activation_without_quantization(m):
    """A byte flip in the int8 operator mix dropped a conv output's quantization table. Was the same TypeError."""
    m.subgraphs[0].tensors[first_op(m, "CONV_2D").outputs[0]].quantization = None


def graph_input_made_int32(m):
    """The int8 mix's input retyped int32 (seed 53): taken as the int32 indices a GATHER reads, it reached a conv,
    and the generated C failed -Werror (an int32_t pointer where the kernel takes int8_t)."""
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].type = 2


def softmax_output_made_bool(m):
    """An operator code rewritten into SOFTMAX over a bool output without quantization (seed 53). Was: `internal
    error: TypeError: 'NoneType' object is not subscriptable`."""
    out = m.subgraphs[0].tensors[first_op(m, "SOFTMAX").outputs[0]]
    out.type, out.quantization = 6, None


def depth_multiplier_made_7(m):
    """Seed 71: a depthwise conv's depth_multiplier option 7 for 64 channels in and out. TFLite Micro loops by it
    (out of bounds), edgec by the weights: the outputs differed by 1. The file contradicts itself: refused."""
    op = first_op(m, "DEPTHWISE_CONV_2D")
    op.builtinOptions.depthMultiplier = 7


def input_made_float16(m):
    """Seed 71: the hybrid KWS's softmax output retyped float16: edgec computed float32 and the outputs differed by
    3.5e4 from LiteRT's (now refused as a float operator with a non-float32 output, below). float16 is taken for
    weights only: a float16 graph input is refused too."""
    m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].type = 1


def float_op_output_made_integer(m):
    """Seed 71: a float LSTM's output retyped int64 and an operator code rewritten to SOFTMAX over an int32 output:
    edgec computed float32, LiteRT wrote other bytes (differences of 1e9 and more). A float operator's output is
    float32."""
    g = m.subgraphs[0]
    g.tensors[first_op(m, "CONV_2D").outputs[0]].type = 4
    g.tensors[first_op(m, "SOFTMAX").outputs[0]].type = 2


def bias_made_float(m):
    """Seed 71: an int8 depthwise conv's bias retyped float32. TFLite Micro reads the bytes as int32, edgec read
    float32 values: outputs 255 apart. The int8 kernels take int32 biases and int8 weights (uint8 weights, too, are named)."""
    m.subgraphs[0].tensors[first_op(m, "DEPTHWISE_CONV_2D").inputs[2]].type = 0


def weights_made_uint8(m):
    m.subgraphs[0].tensors[first_op(m, "FULLY_CONNECTED").inputs[1]].type = 3


def dilation_made_131072(m):
    """Seed 83: one byte of a conv's options vtable, its length, raised so that the file's next bytes read as a
    dilation_h of 131072. TFLite keeps dilations and the SAME padding it derives (131071) in int16_t: TFLite Micro
    computed with a dilation of 0 and a padding of -1, edgec with the real values, and the outputs differed by 13.
    Any stride, dilation or padding above 32767 is refused by name."""
    first_op(m, "CONV_2D").builtinOptions.dilationHFactor = 131072


def padding_made_over_int16(m):
    """A dilation TFLite holds (8000) whose SAME padding it does not: KWS's 10 x 4 kernel needs 36,000 rows above."""
    first_op(m, "CONV_2D").builtinOptions.dilationHFactor = 8000


# Mutants benchmarks/fuzz_models.py found, reduced to the one field that matters: (model, mutation, message parts)
FUZZ_FOUND = [
    (KWS, bias_made_float, ["(DEPTHWISE_CONV_2D): bias", "is float32, not int32"]),
    (KWS, weights_made_uint8, ["(FULLY_CONNECTED): weights", "are uint8, not int8"]),
    (MLPERF / "kws_ref_model_float32.tflite", float_op_output_made_integer,
     ["(CONV_2D): input tensor 0", "is float32, but output", "is int64", "(SOFTMAX): input", "is int32"]),
    (MLPERF / "kws_ref_model_float32.tflite", lambda m: setattr(m.subgraphs[0].tensors[m.subgraphs[0].outputs[0]], "type", 1),
     ["(SOFTMAX): input", "is float16"]),
    (KWS, depth_multiplier_made_7, ["(DEPTHWISE_CONV_2D): depth_multiplier 7, but weights [1, 3, 3, 64] on 64 "
                                    "input channels give 1"]),
    (MLPERF / "kws_ref_model_float32.tflite", input_made_float16, ["(CONV_2D): float16 activations are not supported"]),
    (REPO / "model_zoo/models/int8_mix_int8io.tflite", graph_input_made_int32, ["(CONV_2D): input 0", "is int32, not int8"]),
    (KWS, softmax_output_made_bool, ["(SOFTMAX)", "is not per-tensor quantized"]),
    (MLPERF / "kws_ref_model_float32.tflite", hybrid_activation_made_int8,
     ["an int8 tensor of an integer model without quantization parameters"]),
    (REPO / "model_zoo/models/int8_mix_int8io.tflite", int8_activation_without_quantization,
     ["an int8 tensor of an integer model without quantization parameters"]),
    (REPO / "model_zoo/models/int8_mix_int8io.tflite", dilation_made_131072,
     ["(CONV_2D): dilation_h is 131072: TFLite's kernels hold it in 16 bits (at most 32767)",
      "SAME padding of 131071 along the height"]),
    (KWS, padding_made_over_int16, ["(CONV_2D): SAME padding of 36000 along the height"]),
]


def test_fuzz_found_tflite_mutants_are_refused_by_name(tmp_path):
    for k, (model, mutate, fragments) in enumerate(FUZZ_FOUND):
        m = _tflite_model(model.read_bytes())
        mutate(m)
        code, message = compile_in_process(write(tmp_path, m, f"m{k}.tflite"), tmp_path)
        assert_refused(code, message, *fragments)


def test_transpose_conv_stride_over_int16_is_refused(tmp_path):
    """TRANSPOSE_CONV's strides and padding live in TFLite's int16_t ConvParams too: a stride of 40000 (a 1-pixel
    input to 40000 rows) would wrap there, so it is refused naming the node, as the conv's are."""
    from test_int8_tflite_coverage import Model, transpose_conv

    m = Model(seed=5)
    transpose_conv(m, m.input([1, 1, 2, 3]), 2, (3, 3), (40000, 1), "SAME", True, False)
    path = tmp_path / "tconv.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(TRANSPOSE_CONV)", "strides 40000, 1", "hold them in 16 bits")


def test_fuzz_found_tensors_without_names_compile(tmp_path):
    """Seed 71: a byte flip left a tensor of an int8 model without a name, and the int8 importer ended in an
    internal error (None.decode). Names are optional in the schema: KWS with no tensor names at all compiles and
    matches TFLite Micro."""
    from edgec.pipeline import CompileOptions, compile_model
    from edgec.verify import verify_compiled

    m = _tflite_model(KWS.read_bytes())
    for t in m.subgraphs[0].tensors:
        t.name = None
    path = write(tmp_path, m, "nameless.tflite")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=1)
    assert comparisons and all(c.ok for c in comparisons), [(c.output, c.max_abs_err) for c in comparisons]


def test_fuzz_found_float_tensors_of_one_name_compile(tmp_path):
    """Seed 83: a byte flip renamed a float model's tensor 't102' to 't96', another tensor's name. TVM's importer
    keys tensors by name, so the two were wired as one and an output differed from LiteRT's. Names need not be
    unique nor present: the float importer now renames repeats ('<name>#<index>'); KWS float with two tensors
    sharing a name and one without a name compiles and matches LiteRT."""
    from edgec.pipeline import CompileOptions, compile_model
    from edgec.verify import verify_compiled

    m = _tflite_model((MLPERF / "kws_ref_model_float32.tflite").read_bytes())
    g = m.subgraphs[0]
    first, second = first_op(m, "CONV_2D").outputs[0], first_op(m, "DEPTHWISE_CONV_2D").outputs[0]
    g.tensors[second].name = g.tensors[first].name
    g.tensors[first_op(m, "FULLY_CONNECTED").outputs[0]].name = None
    path = write(tmp_path, m, "renamed.tflite")
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=1)
    assert comparisons and all(c.ok for c in comparisons), [(c.output, c.max_abs_err) for c in comparisons]


def test_fuzz_found_float_broadcast_output_shape_is_checked(tmp_path):
    """Seed 83: a float LESS of [3, 2, 6] and [1] whose output the file declares [3, 2, 3]: edgec computed 3 values
    a row, LiteRT 6. The broadcast check the int8 operators had now holds for every dtype."""
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder(seed=1)
    x, y = b.tensor([3, 2, 6], "float32"), b.tensor([1], "float32")
    out = b.tensor([3, 2, 3], "bool")
    b.op("LESS", [x, y], [out])
    path = tmp_path / "less.tflite"
    path.write_bytes(b.finish([x, y], [out]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(LESS): output shape [3, 2, 3], but inputs [3, 2, 6] and [1] broadcast to [3, 2, 6]")


def test_fuzz_found_float_softmax_beta_matches_litert(tmp_path):
    """Was a silent wrong answer: TVM's TFLite SOFTMAX ignores beta (a mutant with beta -1 compiled and differed
    from LiteRT by 0.26). Three softmaxes of one input: beta -1, beta 0.25, and no options table (the schema's
    default beta, 0, as LiteRT reads it), each against LiteRT."""
    from ai_edge_litert import schema_py_generated as schema

    from edgec.pipeline import CompileOptions, compile_model
    from edgec.verify import verify_compiled
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder()
    x = b.tensor([1, 10], "float32")
    outs = []
    for beta in (-1.0, 0.25, None):
        y = b.tensor([1, 10], "float32")
        opts = None
        if beta is not None:
            opts = schema.SoftmaxOptionsT()
            opts.beta = beta
        b.op("SOFTMAX", [x], [y], opts)
        outs.append(y)
    path = tmp_path / "softmax_beta.tflite"
    path.write_bytes(b.finish([x], outs))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=2)
    assert len(comparisons) == 6 and all(c.ok for c in comparisons), [(c.output, c.max_abs_err) for c in comparisons]


def test_fuzz_found_operators_without_options_have_their_shapes_checked(tmp_path):
    """Seed 71: a DYNAMIC_UPDATE_SLICE whose output claims [8, 2, 3] for a [4, 2, 3] operand compiled (the shape
    check returned early for an operator without an options table), and `edgec verify` ended in an internal error
    when the reference gave 24 values for 48. Now the file is refused as damaged, naming the operator."""
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder()
    operand, update = b.tensor([4, 2, 3], "float32"), b.tensor([1, 1, 2], "float32")
    start = b.tensor([3], "int32", data=np.zeros(3, np.int32))
    out = b.tensor([8, 2, 3], "float32")
    b.op("DYNAMIC_UPDATE_SLICE", [operand, update, start], [out])
    relu_in, relu_out = b.tensor([2, 3], "float32"), b.tensor([3, 3], "float32")
    b.op("RELU", [relu_in], [relu_out])
    path = tmp_path / "update_slice.tflite"
    path.write_bytes(b.finish([operand, update, relu_in], [out, relu_out]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(DYNAMIC_UPDATE_SLICE): input [4, 2, 3] and output [8, 2, 3]",
                   "(RELU): input [2, 3] and output [3, 3]")


def test_fuzz_found_int8_data_movement_of_a_float_input_is_refused(tmp_path):
    """Seed 71: an int8 model's graph input retyped float32 and reversed (REVERSE_V2) into an int8 output: the C
    passed a float pointer to edgec_transpose_s8 and failed -Werror. A data-movement operator (and a
    concatenation) copies values, so input and output must have one type; the node is named."""
    from tflite_builder import TFLiteBuilder

    b = TFLiteBuilder()
    x = b.tensor([4, 2, 3], "int32", scale=0.05, zero_point=0)  # int32: the seed-71 file 200
    axis = b.tensor([1], "int32", data=np.array([1], np.int32))
    y = b.tensor([4, 2, 3], "int8", scale=0.05, zero_point=0)
    b.op("REVERSE_V2", [x, axis], [y])
    q = b.tensor([4, 2, 3], "int8", scale=0.05, zero_point=0)
    c = b.tensor([4, 2, 6], "int8", scale=0.05, zero_point=0)
    b.op("CONCATENATION", [q, x], [c], _concat_options(axis=2))
    path = tmp_path / "reverse.tflite"
    path.write_bytes(b.finish([x, q], [y, c]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(REVERSE_V2): input t0 is int32 but output t2 is int8",
                   "(CONCATENATION): inputs typed or quantized differently from the output")
    # a float32 input (the seed-71 file 67) is damage before the importer sees it: a float operator's output
    b = TFLiteBuilder()
    x = b.tensor([4, 2, 3], "float32", scale=0.05, zero_point=0)
    axis = b.tensor([1], "int32", data=np.array([1], np.int32))
    y = b.tensor([4, 2, 3], "int8", scale=0.05, zero_point=0)
    b.op("REVERSE_V2", [x, axis], [y])
    path.write_bytes(b.finish([x], [y]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(REVERSE_V2): input tensor 0 't0' is float32, but output tensor 2 't2' is int8")


def test_fuzz_found_reduction_shapes_and_detection_types_are_checked(tmp_path):
    """Seed 71: a REDUCE_ALL whose output claims [17, 1, 3] where its axes give [1, 1, 3] compiled (51 values
    against LiteRT's 3), and a DETECTION_POSTPROCESS with an int64 input ended in an internal error at lowering.
    Both are refused now, naming the operator."""
    from tflite_builder import TFLiteBuilder

    import test_float_tflite_ops as cases

    b = TFLiteBuilder()
    x = b.tensor([3, 2, 3], "float32")
    axes = b.tensor([2], "int32", data=np.array([0, 1], np.int32))
    y = b.tensor([17, 1, 3], "float32")
    from ai_edge_litert import schema_py_generated as schema
    keep = schema.ReducerOptionsT()
    keep.keepDims = True
    b.op("MEAN", [x, axes], [y], keep)
    path = tmp_path / "mean.tflite"
    path.write_bytes(b.finish([x], [y]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(MEAN): output shape [17, 1, 3], but input [3, 2, 3] reduced over axes [0, 1] "
                                  "gives [1, 1, 3]")

    b = TFLiteBuilder()  # seed 73: a RESHAPE's opcode turned MEAN, its shape [-1, 64] read as int8 MEAN's axes:
    x = b.act([1, 1, 1, 64])  # axis 64 was taken modulo the rank (0), and the output 255 off TFLite Micro
    axes = b.tensor([2], "int32", data=np.array([-1, 64], np.int32))
    y = b.act([1, 64], *b.quant(x))
    b.op("MEAN", [x, axes], [y])
    path = tmp_path / "mean_s8.tflite"
    path.write_bytes(b.finish([x], [y]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(MEAN): axis [-1, 64] for an input of rank 4")

    b = TFLiteBuilder()  # seed 71 too: a resize whose output claims 1 channel of 2
    x = b.tensor([1, 3, 4, 2], "float32")
    size = b.tensor([2], "int32", data=np.array([2, 2], np.int32))
    y = b.tensor([1, 2, 2, 1], "float32")
    b.op("RESIZE_BILINEAR", [x, size], [y], schema.ResizeBilinearOptionsT())
    path = tmp_path / "resize.tflite"
    path.write_bytes(b.finish([x], [y]))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(RESIZE_BILINEAR): output shape [1, 2, 2, 1], but input [1, 3, 4, 2] resized to "
                                  "[2, 2] gives [1, 2, 2, 2]")

    b = TFLiteBuilder()
    ins, outs = cases.CASES["detection_postprocess"][0](b)
    b.tensors[b.operators[-1].inputs[1]].type = schema.TensorType.INT64
    path = tmp_path / "detection.tflite"
    path.write_bytes(b.finish(ins, outs))
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "(DETECTION_POSTPROCESS): tensors of types", "(float32 only)")


def test_verify_reports_an_output_of_another_size_as_a_difference():
    """An output whose element count differs from the reference's is a mismatch verify reports (exit 4), not an
    internal error in its comparison."""
    from edgec.verify import compare

    c = compare("y", np.zeros((8, 2, 3), np.float32), np.zeros((4, 2, 3), np.float32), rtol=1e-4, atol=1e-5)
    assert not c.ok and "48 values, the reference gives 24" in c.output
    assert compare("y", np.ones((2, 3), np.float32), np.ones(6, np.float32), rtol=1e-4, atol=1e-5).ok


def _concat_options(axis: int):
    from ai_edge_litert import schema_py_generated as schema

    o = schema.ConcatenationOptionsT()
    o.axis = axis
    return o


def test_requantisation_factor_out_of_range_is_refused(tmp_path):
    """Scales each within range whose ratio is not (an output scale of 1e-25): the int8 reader refuses the
    multiplier (about 2^70) instead of shifting an int32 left by 70 bits."""
    m = kws()
    op = first_op(m, "CONV_2D")
    sg = m.subgraphs[0]
    sg.tensors[op.outputs[0]].quantization.scale = [1e-25]
    code, message = compile_in_process(write(tmp_path, m), tmp_path)
    assert_refused(code, message, "requantisation factor", "out of range")


def test_valid_models_pass_the_checks():
    """Every TFLite model in the repository passes tflite_check unchanged (the checks refuse damage only)."""
    from edgec.frontend.tflite import load_tflite

    for path in sorted(list(MLPERF.glob("*.tflite")) + list((REPO / "model_zoo/models").glob("*.tflite"))):
        load_tflite(path)


def test_truncated_tflite_is_refused_at_every_length(tmp_path):
    data = (MLPERF / "ad01_int8.tflite").read_bytes()
    for cut in range(0, len(data), max(1, len(data) // 60)):
        path = tmp_path / "cut.tflite"
        path.write_bytes(data[:cut])
        code, message = compile_in_process(path, tmp_path)
        assert_refused(code, message, "cut.tflite")


# -- ONNX ------------------------------------------------------------------------------------------------------
def tiny():
    return onnx.load(str(TINY_CNN))


def save(tmp_path, model, name="m.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def test_onnx_negative_input_dimension_says_use_input_shape(tmp_path):
    m = tiny()
    m.graph.input[0].type.tensor_type.shape.dim[2].dim_value = -640
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "a dimension of -640", "--input-shape input=")
    code, message = compile_in_process(save(tmp_path, m), tmp_path, "--input-shape", "input=1,1,32,32")
    assert code == 0, message  # the user's shape replaces the file's


def test_onnx_input_too_small_for_the_kernels_is_named(tmp_path):
    """Was: a TVM InternalError (divide by zero) on an input of 2x2 pixels before a 3x3 valid conv."""
    code, message = compile_in_process(TINY_CNN, tmp_path, "--input-shape", "input=1,1,2,2")
    assert_refused(code, message, "node 'pool3' (MaxPool)", "smaller than the window", "check --input-shape")


def test_onnx_zero_input_dimension_before_a_conv_is_named(tmp_path):
    """Was: a TVM error. An empty input is legal ONNX (edgec runs Reshape and friends on one), but not into a
    3x3 convolution."""
    m = tiny()
    m.graph.input[0].type.tensor_type.shape.dim[2].dim_value = 0
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "node 'conv1' (Conv)", "smaller than the window")


def test_onnx_zero_input_dimension_of_a_qdq_model_is_named(tmp_path):
    """Was: an internal error (grouped int8 convolution) or C failing -Werror=restrict, for an empty input of a
    QDQ model: the int8 kernels take no empty tensors."""
    m = qdq_model()
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = 0
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "a dimension of 0", "--input-shape x=")


def test_onnx_input_shape_must_be_positive(tmp_path):
    code, message = compile_in_process(TINY_CNN, tmp_path, "--input-shape", "input=1,1,0,32")
    assert_refused(code, message, "positive integers")


@pytest.mark.parametrize("wrapper", ["optional", "sequence"])
def test_onnx_optional_and_sequence_inputs_are_refused(tmp_path, wrapper):
    m = tiny()
    inp = m.graph.input[0]
    inner = copy.deepcopy(inp.type)
    inp.type.Clear()
    getattr(inp.type, f"{wrapper}_type").elem_type.CopyFrom(inner)
    path = tmp_path / "m.onnx"
    path.write_bytes(m.SerializeToString())  # the checker may refuse it too: either way by name
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message)
    assert "KeyError" not in message


def conv_model(kernel_shape=None, group=1, w_shape=(4, 2, 3, 3), x_channels=2):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, x_channels, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, w_shape[0], 6, 6])
    w = numpy_helper.from_array(np.ones(w_shape, np.float32), "w")
    attrs = {"group": group}
    if kernel_shape is not None:
        attrs["kernel_shape"] = kernel_shape
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)
    g = helper.make_graph([node], "g", [x], [y], [w])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def test_onnx_conv_kernel_shape_contradicting_weights_is_refused(tmp_path):
    code, message = compile_in_process(save(tmp_path, conv_model(kernel_shape=[5, 5])), tmp_path)
    assert_refused(code, message, "node 'conv' (Conv)", "kernel_shape [5, 5] contradicts the weights")


def test_onnx_conv_group_contradicting_channels_is_refused(tmp_path):
    code, message = compile_in_process(save(tmp_path, conv_model(group=3, w_shape=(6, 2, 3, 3), x_channels=4)),
                                       tmp_path)
    assert_refused(code, message, "node 'conv' (Conv)")


def test_onnx_shape_input_says_bind(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])
    s = helper.make_tensor_value_info("shape", TensorProto.INT64, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])
    g = helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["y"], name="r")], "g", [x, s], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "node 'r' (Reshape)", "--bind shape=")
    np.save(tmp_path / "shape.npy", np.array([2, 4], np.int64))
    code, message = compile_in_process(save(tmp_path, m), tmp_path, "--bind", f"shape={tmp_path / 'shape.npy'}")
    assert code == 0, message


def qdq_model(scale_as_input=False, scale=0.05):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    inputs, inits = [x], [numpy_helper.from_array(np.array(0, np.int8), "zp")]
    if scale_as_input:
        inputs.append(helper.make_tensor_value_info("y_scale", TensorProto.FLOAT, []))
    else:
        inits.append(numpy_helper.from_array(np.array(scale, np.float32), "y_scale"))
    nodes = [helper.make_node("QuantizeLinear", ["x", "y_scale", "zp"], ["q"], name="quant"),
             helper.make_node("DequantizeLinear", ["q", "y_scale", "zp"], ["y"], name="dequant")]
    g = helper.make_graph(nodes, "g", inputs, [y], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def qdq_conv_model(x_channels=1):
    """x -> Q/DQ -> Conv (weights [4, 1, 3, 3] through DequantizeLinear) -> Q/DQ -> y: a QDQ conv whose input
    channels the weights fix at 1."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, x_channels, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])
    inits = [numpy_helper.from_array(np.array(0.02, np.float32), "s"), numpy_helper.from_array(np.array(0, np.int8), "z"),
             numpy_helper.from_array(np.ones((4, 1, 3, 3), np.int8), "w_q"),
             numpy_helper.from_array(np.full(4, 0.01, np.float32), "w_s"),
             numpy_helper.from_array(np.zeros(4, np.int8), "w_z")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="qx"),
             helper.make_node("DequantizeLinear", ["xq", "s", "z"], ["xd"], name="dqx"),
             helper.make_node("DequantizeLinear", ["w_q", "w_s", "w_z"], ["w"], name="dqw", axis=0),
             helper.make_node("Conv", ["xd", "w"], ["c"], name="conv"),
             helper.make_node("QuantizeLinear", ["c", "s", "z"], ["cq"], name="qc"),
             helper.make_node("DequantizeLinear", ["cq", "s", "z"], ["y"], name="dqc")]
    g = helper.make_graph(nodes, "g", [x], [y], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def test_fuzz_found_onnx_mutants_are_refused_by_name(tmp_path):
    """Mutants benchmarks/fuzz_models.py found, each reduced to the field that matters."""
    # a QDQ conv's input channels contradicting its weights (behind DequantizeLinear): was an internal error,
    # NotImplementedError: grouped int8 convolution
    assert compile_in_process(save(tmp_path, qdq_conv_model()), tmp_path)[0] == 0
    code, message = compile_in_process(save(tmp_path, qdq_conv_model(x_channels=2)), tmp_path)
    assert_refused(code, message, "node 'conv' (Conv)", "the input has 2 channels", "[4, 1, 3, 3]")
    # a stored conv output shape of rank 2 (value_info, seed 53): the int8 conv read it as NHWC, an internal error
    m = qdq_conv_model()
    m.graph.value_info.append(helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 144]))
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "shape inference failed", "node name: conv", "differ in rank")
    # a scale retyped int32 (0): was an internal error, ZeroDivisionError
    # a zero point retyped uint8 (or none, which ONNX reads as uint8): was compiled as int8, a silent wrong answer
    for name, dtype, fragments in (("s", np.int32, ["scale 's' is int32"]), ("z", np.uint8, ["quantizes to uint8"]),
                                   ("z", None, ["quantizes to uint8 (no zero point)"])):
        m = qdq_conv_model()
        init = next(i for i in m.graph.initializer if i.name == name)
        if dtype is None:
            for node in m.graph.node:
                if node.op_type == "QuantizeLinear":
                    del node.input[2]
        else:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(dtype), name))
        code, message = compile_in_process(save(tmp_path, m), tmp_path)
        assert_refused(code, message, *fragments)
    # seed 72: a DequantizeLinear of an activation with its zero point left out (0, where its QuantizeLinear has
    # 3): was compiled with the QuantizeLinear's zero point, output 1 LSB off onnxruntime
    m = qdq_conv_model()
    m.graph.initializer.append(numpy_helper.from_array(np.array(3, np.int8), "z3"))
    for node in m.graph.node:
        if node.name == "qc":
            node.input[2] = "z3"
        if node.name == "dqc":
            node.input[2] = ""
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "(DequantizeLinear)", "zero point 0", "quantized with scale 0.02 and zero point 3")


def test_fuzz_found_onnx_name_that_is_not_utf8_is_named(tmp_path):
    """Seed 71: a byte flip left a QDQ model's Gemm with a name that is not UTF-8 (protobuf hands it over as bytes),
    and the C emitter ended in an internal error. The file is refused as malformed, naming the node."""
    model = onnx.load(str(TINY_CNN))
    model.graph.node[-2].name = "QQQQ"
    data = model.SerializeToString().replace(b"QQQQ", b"f\xbf\xbfQ")
    path = tmp_path / "name.onnx"
    path.write_bytes(data)
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, "the ONNX model is malformed", "(Gemm): name b'f\\xbf\\xbfQ' is not UTF-8")


def test_onnx_non_constant_scale_is_named(tmp_path):
    """Was: `edgec: internal error: KeyError: 'y_scale'`."""
    code, message = compile_in_process(save(tmp_path, qdq_model(scale_as_input=True)), tmp_path)
    assert_refused(code, message, "node 'quant' (QuantizeLinear)", "'y_scale'", "--bind y_scale=")


@pytest.mark.parametrize("scale", [0.0, -1.0, float("inf")])
def test_onnx_bad_scale_is_named(tmp_path, scale):
    code, message = compile_in_process(save(tmp_path, qdq_model(scale=scale)), tmp_path)
    assert_refused(code, message, "node 'quant' (QuantizeLinear)", "scales must be finite and positive")


def test_onnx_graph_without_inputs_is_refused(tmp_path):
    """Was: C that failed -Werror (an unused `arena`)."""
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    a = numpy_helper.from_array(np.ones((1, 4), np.float32), "a")
    g = helper.make_graph([helper.make_node("Relu", ["a"], ["y"], name="relu")], "g", [], [y], [a])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    code, message = compile_in_process(save(tmp_path, m), tmp_path)
    assert_refused(code, message, "no inputs")


def test_onnx_short_initializer_is_named(tmp_path):
    m = tiny()
    init = next(i for i in m.graph.initializer if i.raw_data)
    init.raw_data = init.raw_data[:-4]
    path = tmp_path / "m.onnx"
    path.write_bytes(m.SerializeToString())
    code, message = compile_in_process(path, tmp_path)
    assert_refused(code, message, init.name, "raw_data")


# -- the CLI as a process: no native log noise, no hang --------------------------------------------------------
def test_native_log_lines_stay_out_of_the_output(tmp_path):
    """TVM's importer prints "Error converting operator ..." and its BlockBuilder warns from C++ when an import
    fails (here: a Reshape whose shape is computed from a graph input); edgec's own message is all the user sees,
    and --debug shows the rest."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])
    s = helper.make_tensor_value_info("shape", TensorProto.INT64, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])
    nodes = [helper.make_node("Identity", ["shape"], ["s2"], name="id"),
             helper.make_node("Reshape", ["x", "s2"], ["y"], name="r")]
    g = helper.make_graph(nodes, "g", [x, s], [y])
    path = save(tmp_path, helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]))
    proc = run_edgec("compile", path, "-o", tmp_path / "out", "--no-code-size")
    assert proc.returncode == 1 and "TVM's ONNX importer failed" in proc.stderr, proc.stderr
    noise = ("BlockBuilder", "Error converting")
    assert not any(n in proc.stderr + proc.stdout for n in noise), proc.stderr
    proc = run_edgec("--debug", "compile", path, "-o", tmp_path / "out", "--no-code-size")
    assert proc.returncode == 1 and all(n in proc.stderr for n in noise), proc.stderr


def test_verify_does_not_hang_on_a_zero_element_input(tmp_path):
    m = kws()
    mutate_zero_dim(m)
    proc = subprocess.run([sys.executable, "-m", "edgec", "verify", str(write(tmp_path, m))], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "zero dimension" in proc.stderr, proc.stderr


def test_harness_runs_once_when_every_input_is_empty():
    from edgec.build.host import harness_source

    report = {"name": "m", "inputs": [{"bytes": 0}], "outputs": [{"bytes": 4}]}
    src = harness_source(report)
    assert "int got = (runs == 0);" in src
    report = {"name": "m", "inputs": [{"bytes": 0}, {"bytes": 8}], "outputs": [{"bytes": 4}]}
    src = harness_source(report)
    assert "fread(in1, 1, 8, fi1) == 8" in src and "fread(in0" not in src and "if (got != 1)" in src


def test_verify_reports_edgec_result_when_the_reference_cannot_run(tmp_path):
    """The reference executor refusing the file (here: onnxruntime on a damaged copy of the model edgec
    compiled) is not edgec's failure: verify says so, with edgec's own outputs, and exits 6."""
    from edgec.errors import ReferenceUnavailableError
    from edgec.pipeline import CompileOptions, compile_model
    from edgec.verify import verify_compiled

    result = compile_model(TINY_CNN, "host", tmp_path / "out", CompileOptions(measure_code=False))
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(TINY_CNN.read_bytes()[:200])
    with pytest.raises(ReferenceUnavailableError) as info:
        verify_compiled(broken, result, runs=2)
    text = str(info.value)
    assert "onnxruntime cannot run it" in text and "built and ran on 2 random input(s)" in text, text
    assert info.value.exit_code == 6
