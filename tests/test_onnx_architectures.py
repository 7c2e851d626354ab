"""Classic CNN architectures as ONNX models with random weights (small-resolution variants built with
model_zoo/onnx_builder.py), and a U-Net and a person-detector neck that upsample (Resize, ConvTranspose): each
compiles for the host and matches onnxruntime within 1e-4. Also the
static-shape idioms exporters emit (PyTorch's flatten) and TVM failures that must not reach the user."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from conftest import COMPILERS, assert_compiles_warning_free, run_edgec
from edgec.errors import EdgecError, UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model
from edgec.verify import verify_compiled

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model_zoo"))
from onnx_builder import GraphBuilder  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5


def int64(b: GraphBuilder, values) -> str:
    name = b.fresh("i64")
    b.inits.append(numpy_helper.from_array(np.asarray(values, np.int64), name))
    return name


def torch_flatten(b: GraphBuilder, x: str) -> str:
    """PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""
    batch = b.op("Gather", [b.op("Shape", [x]), int64(b, 0)], axis=0)
    shape = b.op("Concat", [b.op("Unsqueeze", [batch, int64(b, [0])]), int64(b, [-1])], axis=0)
    return b.op("Reshape", [x, shape])


def fire(b: GraphBuilder, x: str, cin: int, squeeze: int, expand: int) -> str:
    s = b.op("Relu", [b.conv(x, cin, squeeze, 1, bias=True)])
    e1 = b.op("Relu", [b.conv(s, squeeze, expand, 1, bias=True)])
    e3 = b.op("Relu", [b.conv(s, squeeze, expand, 3, bias=True)])
    return b.op("Concat", [e1, e3], axis=1)


def flatten_cnn() -> onnx.ModelProto:
    b = GraphBuilder("torch_flatten")
    x = b.input("x", [1, 3, 8, 8])
    y = b.op("Relu", [b.conv(x, 3, 4, 3)])
    return b.build(b.dense(torch_flatten(b, y), 4 * 8 * 8, 10), [1, 10])


def squeezenet() -> onnx.ModelProto:
    b = GraphBuilder("squeezenet")
    x = b.input("x", [1, 3, 48, 48])
    y = b.op("Relu", [b.conv(x, 3, 16, 3, stride=2, bias=True)])
    y = b.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2])
    y = fire(b, y, 16, 4, 8)
    y = fire(b, y, 16, 4, 8)
    y = b.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    y = fire(b, y, 16, 8, 16)
    y = b.op("Dropout", [y])
    y = b.op("Relu", [b.conv(y, 32, 10, 1, bias=True)])
    y = b.op("Flatten", [b.op("GlobalAveragePool", [y])])
    return b.build(b.op("Softmax", [y], axis=1), [1, 10])


def lrn(b: GraphBuilder, x: str) -> str:
    return b.op("LRN", [x], size=5, alpha=1e-4, beta=0.75, bias=1.0)


def maxpool(b: GraphBuilder, x: str, k: int = 3, s: int = 2, pad: int = 0) -> str:
    return b.op("MaxPool", [x], kernel_shape=[k, k], strides=[s, s], pads=[pad] * 4)


def alexnet() -> onnx.ModelProto:
    """AlexNet / CaffeNet / ZFNet: conv-LRN-pool stages, then Dropout between fully connected layers."""
    b = GraphBuilder("alexnet")
    y = b.input("x", [1, 3, 63, 63])
    y = maxpool(b, lrn(b, b.op("Relu", [b.conv(y, 3, 16, 5, stride=2, bias=True)])))
    y = maxpool(b, lrn(b, b.op("Relu", [b.conv(y, 16, 24, 3, bias=True)])))
    y = b.op("Relu", [b.conv(y, 24, 32, 3, bias=True)])
    y = maxpool(b, b.op("Relu", [b.conv(y, 32, 24, 3, bias=True)]))
    y = torch_flatten(b, y)
    y = b.op("Dropout", [b.op("Relu", [b.dense(y, 24 * 3 * 3, 64)])])
    y = b.op("Dropout", [b.op("Relu", [b.dense(y, 64, 64)])])
    return b.build(b.op("Softmax", [b.dense(y, 64, 10)], axis=1), [1, 10])


def vgg() -> onnx.ModelProto:
    b = GraphBuilder("vgg")
    y = b.input("x", [1, 3, 32, 32])
    cin = 3
    for cout, convs in ((8, 2), (16, 2), (32, 3)):
        for _ in range(convs):
            y, cin = b.op("Relu", [b.conv(y, cin, cout, 3, bias=True)]), cout
        y = maxpool(b, y, 2, 2)
    y = b.op("Flatten", [y])
    y = b.op("Dropout", [b.op("Relu", [b.dense(y, 32 * 4 * 4, 64)])])
    return b.build(b.op("Softmax", [b.dense(y, 64, 10)], axis=1), [1, 10])


def inception_block(b: GraphBuilder, x: str, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, cp: int) -> str:
    p1 = b.op("Relu", [b.conv(x, cin, c1, 1, bias=True)])
    p3 = b.op("Relu", [b.conv(b.op("Relu", [b.conv(x, cin, c3r, 1, bias=True)]), c3r, c3, 3, bias=True)])
    p5 = b.op("Relu", [b.conv(b.op("Relu", [b.conv(x, cin, c5r, 1, bias=True)]), c5r, c5, 5, bias=True)])
    pp = b.op("Relu", [b.conv(maxpool(b, x, 3, 1, 1), cin, cp, 1, bias=True)])
    return b.op("Concat", [p1, p3, p5, pp], axis=1)


def googlenet() -> onnx.ModelProto:
    """GoogLeNet / Inception v1: LRN stem, inception blocks (four branches concatenated on channels)."""
    b = GraphBuilder("googlenet")
    y = b.input("x", [1, 3, 48, 48])
    y = lrn(b, maxpool(b, b.op("Relu", [b.conv(y, 3, 16, 7, stride=2, bias=True)]), 3, 2, 1))
    y = maxpool(b, lrn(b, b.op("Relu", [b.conv(y, 16, 24, 3, bias=True)])), 3, 2, 1)
    y = inception_block(b, y, 24, 8, 8, 12, 4, 4, 4)
    y = inception_block(b, y, 28, 12, 8, 16, 4, 8, 8)
    y = b.op("AveragePool", [y], kernel_shape=[6, 6], strides=[1, 1])
    y = b.op("Dropout", [y])
    y = b.op("Reshape", [y, int64(b, [1, -1])])
    return b.build(b.op("Softmax", [b.dense(y, 44, 10)], axis=1), [1, 10])


def resnet() -> onnx.ModelProto:
    """ResNet v1 (the zoo's Caffe2 export): residual adds as Sum, BatchNorm after each conv."""
    b = GraphBuilder("resnet")
    y = b.input("x", [1, 3, 32, 32])
    y = maxpool(b, b.conv_bn(y, 3, 16, 3, act="Relu"), 3, 2, 1)
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (32, 1)):
        h = b.conv_bn(b.conv_bn(y, cin, cout, 3, stride, act="Relu"), cout, cout, 3, act=None)
        skip = y if stride == 1 and cin == cout else b.conv_bn(y, cin, cout, 1, stride, act=None)
        y, cin = b.op("Relu", [b.op("Sum", [h, skip])]), cout
    y = b.op("Flatten", [b.op("GlobalAveragePool", [y])])
    return b.build(b.op("Softmax", [b.dense(y, 32, 10)], axis=1), [1, 10])


def mobilenet() -> onnx.ModelProto:
    """MobileNet v1: depthwise-separable convolutions with ReLU6 (Clip)."""
    b = GraphBuilder("mobilenet")
    y = b.input("x", [1, 3, 32, 32])
    y = b.conv_bn(y, 3, 8, 3, 2)
    cin = 8
    for cout, stride in ((16, 1), (32, 2), (32, 1), (64, 2)):
        y = b.conv_bn(b.conv_bn(y, cin, cin, 3, stride, groups=cin), cin, cout, 1)
        cin = cout
    y = b.op("Flatten", [b.op("GlobalAveragePool", [y])])
    return b.build(b.op("Softmax", [b.dense(y, 64, 10)], axis=1), [1, 10])


def f32(b: GraphBuilder, values) -> str:
    name = b.fresh("f32")
    b.inits.append(numpy_helper.from_array(np.asarray(values, np.float32), name))
    return name


def unet() -> onnx.ModelProto:
    """A small U-Net: two encoder stages, a ConvTranspose (stride 2, bias, output_padding) and a nearest 2x
    Resize (PyTorch's Upsample) up the decoder, skip connections concatenated."""
    b = GraphBuilder("unet")
    x = b.input("x", [1, 3, 24, 24])
    e1 = b.op("Relu", [b.conv(x, 3, 8, 3, bias=True)])                            # 24x24
    e2 = b.op("Relu", [b.conv(maxpool(b, e1, 2, 2), 8, 16, 3, bias=True)])        # 12x12
    mid = b.op("Relu", [b.conv(maxpool(b, e2, 2, 2), 16, 16, 3, bias=True)])      # 6x6
    up2 = b.op("ConvTranspose", [mid, b.weight("up_w", (16, 8, 3, 3)), b.weight("up_b", (8,), scale=0.1)],
               strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])           # 12x12
    d2 = b.op("Relu", [b.conv(b.op("Concat", [up2, e2], axis=1), 24, 8, 3, bias=True)])
    up1 = b.op("Resize", [d2, "", f32(b, [1, 1, 2, 2])], mode="nearest", coordinate_transformation_mode="asymmetric",
               nearest_mode="floor")                                               # 24x24
    d1 = b.op("Relu", [b.conv(b.op("Concat", [up1, e1], axis=1), 16, 8, 3, bias=True)])
    return b.build(b.op("Sigmoid", [b.conv(d1, 8, 1, 1, bias=True)]), [1, 1, 24, 24])


def person_detector() -> onnx.ModelProto:
    """A detector neck in the style of FPN / YOLO heads: a strided backbone, the coarse map upsampled (bilinear,
    half_pixel; and a grouped ConvTranspose) and added to the finer one, then a per-cell box head whose low
    scores are masked with comparisons, logic and Where."""
    b = GraphBuilder("person_detector")
    x = b.input("x", [1, 3, 32, 32])
    c3 = b.conv_bn(b.conv_bn(x, 3, 8, 3, 2), 8, 16, 3, 2)                         # 8x8
    c4 = b.conv_bn(c3, 16, 16, 3, 2)                                               # 4x4
    p4 = b.op("Resize", [c4, "", f32(b, [1, 1, 2, 2])], mode="linear")             # 8x8, half_pixel
    t4 = b.op("ConvTranspose", [c4, b.weight("t_w", (16, 8, 2, 2))], strides=[2, 2], group=2, dilations=[1, 1])
    p3 = b.op("Add", [b.op("Add", [p4, t4]), c3])
    p3 = b.op("Resize", [p3, "", "", int64(b, [1, 16, 12, 12])], mode="linear", coordinate_transformation_mode="align_corners")
    head = b.conv(b.conv_bn(p3, 16, 16, 3), 16, 6, 1, bias=True)                   # 4 box + 1 object + 1 class
    keep = b.op("And", [b.op("GreaterOrEqual", [head, b.const_scalar(-0.5)]),
                        b.op("Not", [b.op("Equal", [head, b.const_scalar(0.0)])])])
    return b.build(b.op("Where", [keep, head, b.const_scalar(0.0)]), [1, 6, 12, 12])  # scores below -0.5 dropped


def attention_ops() -> onnx.ModelProto:
    """A transformer-style block through the operators without a float32 ONNX node case (Einsum, CumSum) and the
    other new index and normalisation ops: attention scores and mixing as Einsum, a causal running sum
    (CumSum), GroupNormalization, Mod, TopK and ArgMax over the features."""
    b = GraphBuilder("attention_ops")
    x = b.input("x", [1, 8, 16])
    q = b.op("Einsum", [x, b.weight("wq", (16, 16))], equation="btd,de->bte")
    k = b.op("Einsum", [x, b.weight("wk", (16, 16))], equation="btd,de->bte")
    att = b.op("Softmax", [b.op("Einsum", [q, k], equation="bqd,bkd->bqk")], axis=-1)
    y = b.op("Einsum", [att, x], equation="bqk,bkd->bqd")                               # [1, 8, 16]
    y = b.op("Add", [y, b.op("CumSum", [x, int64(b, 1)], exclusive=1, reverse=1)])
    y = b.op("Reshape", [y, int64(b, [1, 8, 4, 4])])
    y = b.op("GroupNormalization", [y, b.weight("gn_s", (8,), lo=0.5, hi=1.5), b.weight("gn_b", (8,), scale=0.1)],
             num_groups=4)
    y = b.op("Mod", [y, b.const_scalar(0.75)], fmod=1)
    values, indices = b.fresh("topk_values"), b.fresh("topk_indices")
    b.nodes.append(onnx.helper.make_node("TopK", [b.op("Reshape", [y, int64(b, [1, 8, 16])]), int64(b, [3])],
                                         [values, indices], name="topk", axis=-1))
    best = b.op("ArgMax", [values], axis=1, keepdims=0)                                  # [1, 3]
    graph = onnx.helper.make_graph(b.nodes, b.name, b.inputs, [
        onnx.helper.make_tensor_value_info(values, onnx.TensorProto.FLOAT, [1, 8, 3]),
        onnx.helper.make_tensor_value_info(best, onnx.TensorProto.INT64, [1, 3])], b.inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 21)])
    model.ir_version = 10
    onnx.checker.check_model(model)
    return model


MODELS = {"torch_flatten": flatten_cnn, "squeezenet": squeezenet, "alexnet": alexnet, "vgg": vgg,
          "googlenet": googlenet, "resnet": resnet, "mobilenet": mobilenet, "unet": unet,
          "person_detector": person_detector, "attention_ops": attention_ops}


def compile_and_verify(model: onnx.ModelProto, tmp_path: Path):
    path = tmp_path / "model.onnx"
    onnx.save(model, str(path))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    comparisons = verify_compiled(path, result, runs=2, rtol=RTOL, atol=ATOL)
    bad = [c for c in comparisons if not c.ok]
    assert not bad, "\n".join(f"{c.output}: max abs {c.max_abs_err:.3g}, max rel {c.max_rel_err:.3g}" for c in bad)
    return result


@pytest.mark.parametrize("name", sorted(MODELS))
def test_architecture_matches_onnxruntime(name, tmp_path):
    compile_and_verify(MODELS[name](), tmp_path)


def test_shape_arithmetic_folds_to_constants(tmp_path):
    result = compile_and_verify(flatten_cnn(), tmp_path)
    assert {n.op for n in result.graph.nodes} <= {"conv2d", "clamp", "dense", "matmul", "copy", "transpose"}, \
        "Shape/Gather/Concat must leave no node behind"


def test_shape_of_unknown_value_is_refused_naming_the_node(tmp_path):
    """A Shape that cannot fold (its input is a Shape-dependent NonZero here: data-dependent) is named."""
    b = GraphBuilder("dynamic")
    x = b.input("x", [1, 4])
    nz = b.op("NonZero", [x])
    y = b.op("Shape", [nz])
    model = b.build(y, [2])
    model.graph.output[0].type.tensor_type.elem_type = onnx.TensorProto.INT64
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    with pytest.raises(UnsupportedModelError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert "nonzero_1" in str(err.value) and "shape_2" in str(err.value)


@pytest.mark.parametrize("op,attrs,inputs,shape,reason", [
    ("Resize", {"mode": "nearest"}, ["", "scales"], [1, 6, 8, 8], "resizes H and W"),
    ("ConvTranspose", {}, ["w4d"], [1, 2, 3, 3, 3, 3], "4-D ConvTranspose is not supported"),
])
def test_unsupported_variants_are_refused_naming_the_node(op, attrs, inputs, shape, reason, tmp_path):
    """Variants of the new operators edgec does not compile: a clear error that names the node, no traceback."""
    b = GraphBuilder("refused")
    x = b.input("x", [1, 3, 4, 4] if op == "Resize" else [1, 2, 1, 1, 1, 1])
    named = {"scales": lambda: b.weight("scales", (4,), lo=2.0, hi=2.0),
             "w4d": lambda: b.weight("w4d", (2, 2, 3, 3, 3, 3))}
    b.nodes.append(onnx.helper.make_node(op, [x] + [named[i]() if i in named else i for i in inputs], ["y"],
                                         name="the_node", **attrs))
    if op == "Resize":  # scales [1, 2, 2, 2]: the channel axis too
        b.inits[-1].CopyFrom(numpy_helper.from_array(np.array([1, 2, 2, 2], np.float32), b.inits[-1].name))
    model = b.build("y", shape)
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    with pytest.raises(EdgecError) as err:
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    assert reason in str(err.value) and "the_node" in str(err.value), str(err.value)


def test_failing_optional_tvm_pass_leaves_the_module_unchanged():
    import tvm
    from tvm import relax

    from edgec.passes.relax_pipeline import optional_pass

    @tvm.transform.module_pass(opt_level=0, name="always-fails")
    def broken(mod, _ctx):
        raise ValueError("TVM internal error stand-in")

    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType([1, 4], "float32"))
    with bb.function("main", [x]):
        bb.emit_func_output(bb.emit(relax.op.nn.relu(x)))
    mod = bb.get()
    assert optional_pass(broken, "broken")(mod).same_as(mod)


def new_kernels_model() -> onnx.ModelProto:
    """One model through every kernel this family of operators added: unary math codes, pow and prelu on the
    binary kernel, the reduce kernel, log-softmax, the strided copy (Slice, Gather, Expand, Tile, Split) and
    the composed normalisations."""
    b = GraphBuilder("new_kernels")
    x = b.input("x", [1, 4, 6, 6])
    y = b.op("PRelu", [b.conv(x, 4, 8, 3), b.weight("slope", (8, 1, 1), scale=0.2)])
    y = b.op("Sum", [y, b.op("Exp", [b.op("Neg", [b.op("Abs", [y])])]), b.op("Erf", [y])])
    y = b.op("Max", [y, b.op("Floor", [y]), b.op("Round", [b.op("Sin", [y])])])
    y = b.op("Pow", [b.op("Abs", [y]), b.const_scalar(1.5)])
    y = b.op("Slice", [y, int64(b, [1, 1]), int64(b, [7, 5]), int64(b, [1, 2]), int64(b, [2, 1])])  # [1, 3, 4, 6]
    y = b.op("Gather", [y, int64(b, [2, 0, 1])], axis=1)
    y = b.op("Tile", [y, int64(b, [1, 2, 1, 1])])  # [1, 6, 4, 6]
    top, bottom = b.fresh("split_top"), b.fresh("split_bottom")
    b.nodes.append(onnx.helper.make_node("Split", [y, int64(b, [2, 4])], [top, bottom], name="split", axis=3))
    y = b.op("Concat", [b.op("ReduceMax", [top], axes=[3], keepdims=1),
                        b.op("ReduceSum", [bottom, int64(b, [3])], keepdims=1)], axis=3)  # [1, 6, 4, 2]
    y = b.op("Add", [y, b.op("Expand", [b.op("ReduceProd", [y], axes=[1], keepdims=1), int64(b, [1, 6, 4, 2])])])
    y = b.op("LayerNormalization", [y, b.weight("ln_s", (2,), lo=0.5, hi=1.5), b.weight("ln_b", (2,), scale=0.1)],
             axis=-1)
    y = b.op("Log", [b.op("Sqrt", [b.op("Add", [b.op("Abs", [y]), b.const_scalar(1.0)])])])
    y = b.op("Flatten", [y])
    out = b.op("LogSoftmax", [y], axis=1)
    graph = onnx.helper.make_graph(b.nodes, b.name, b.inputs, [onnx.helper.make_tensor_value_info(
        out, onnx.TensorProto.FLOAT, [1, 48])], b.inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])  # LayerNormalization
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def test_new_kernels_match_onnxruntime(tmp_path):
    compile_and_verify(new_kernels_model(), tmp_path)


@pytest.fixture(scope="module")
def new_kernels_c(tmp_path_factory):
    """The C of new_kernels_model, the person detector (resize, transposed convolution, comparisons, Where) and
    attention_ops (CumSum, TopK, ArgMax, Mod) for the M7."""
    dirs = []
    for model in (new_kernels_model(), person_detector(), attention_ops()):
        tmp = tmp_path_factory.mktemp(model.graph.name)
        path = tmp / "model.onnx"
        onnx.save(model, str(path))
        proc = run_edgec("compile", path, "--target", "cortex-m7", "--no-code-size", "-o", tmp / "out")
        assert proc.returncode == 0, proc.stderr  # (the code is compiled below, with every compiler)
        dirs.append(tmp / "out")
    return dirs


@pytest.mark.parametrize("cc,flags", COMPILERS)
def test_new_kernels_compile_warning_free(new_kernels_c, tmp_path, cc, flags):
    kernels = {p.stem for d in new_kernels_c for p in d.glob("edgec_*.c")}
    assert {"edgec_unary_f32", "edgec_binary_f32", "edgec_reduce_f32", "edgec_softmax_f32",
            "edgec_transpose_f32", "edgec_mean_f32", "edgec_concat", "edgec_resize2d_f32",
            "edgec_conv_transpose2d_f32", "edgec_compare", "edgec_where_f32", "edgec_cumsum_f32", "edgec_topk_f32",
            "edgec_arg_reduce_f32"} <= kernels, kernels
    for i, out in enumerate(new_kernels_c):
        (tmp_path / str(i)).mkdir()
        assert_compiles_warning_free(out, tmp_path / str(i), cc, flags)
