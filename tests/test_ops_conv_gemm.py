"""Conv (1-D and 2-D: groups, depthwise, strides, pads, auto_pad, dilations, bias) and Gemm (alpha, beta,
transA/transB, every broadcast of C) against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand

CONV2D = [
    # (in shape, out channels, attributes)
    ((1, 3, 9, 9), 4, dict(kernel_shape=[3, 3])),
    ((2, 4, 8, 7), 6, dict(kernel_shape=[3, 2], group=2, strides=[2, 1], pads=[1, 0, 2, 1])),
    ((1, 6, 10, 10), 6, dict(kernel_shape=[3, 3], group=6, pads=[1, 1, 1, 1])),  # depthwise
    ((1, 4, 10, 10), 8, dict(kernel_shape=[3, 3], group=4, strides=[2, 2])),  # depth multiplier 2
    ((1, 3, 11, 9), 2, dict(kernel_shape=[3, 3], dilations=[2, 3], pads=[2, 1, 0, 3])),
    ((1, 2, 7, 8), 3, dict(kernel_shape=[3, 4], strides=[2, 3], auto_pad="SAME_UPPER")),
    ((1, 2, 7, 8), 3, dict(kernel_shape=[4, 3], strides=[2, 2], auto_pad="SAME_LOWER")),  # odd total pad
    ((1, 2, 7, 8), 3, dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="VALID")),
]


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("in_shape,out_c,attrs", CONV2D)
def test_conv2d(in_shape, out_c, attrs, bias, tmp_path):
    k = attrs["kernel_shape"]
    w = rand(out_c, in_shape[1] // attrs.get("group", 1), *k, seed=1)
    inits = {"w": w}
    if bias:
        inits["b"] = rand(out_c, seed=2)
    node = helper.make_node("Conv", ["x", "w"] + (["b"] if bias else []), ["y"], **attrs)
    model = make_model([node], {"x": in_shape}, ["y"], initializers=inits)
    graph = check(model, {"x": rand(*in_shape)}, tmp_path)
    ops = ops_of(graph)  # NCHW models run channels-last inside: transposes around the conv are expected
    assert ops.count("conv2d") == 1 and set(ops) <= {"conv2d", "transpose"}, ops  # auto_pad: no pad; bias fused


def test_conv2d_weights_as_input(tmp_path):
    x, w = rand(1, 2, 6, 6), rand(3, 2, 3, 3, seed=1)
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    model = make_model([node], {"x": x.shape, "w": w.shape}, ["y"])
    check(model, {"x": x, "w": w}, tmp_path)


CONV1D = [
    ((1, 3, 12), 4, dict(kernel_shape=[3])),
    ((2, 4, 15), 6, dict(kernel_shape=[4], group=2, strides=[2], pads=[1, 2], dilations=[2])),
    ((1, 5, 9), 5, dict(kernel_shape=[3], group=5, auto_pad="SAME_UPPER")),
]


@pytest.mark.parametrize("in_shape,out_c,attrs", CONV1D)
def test_conv1d(in_shape, out_c, attrs, tmp_path):
    w, b = rand(out_c, in_shape[1] // attrs.get("group", 1), *attrs["kernel_shape"], seed=1), rand(out_c, seed=2)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], **attrs)
    model = make_model([node], {"x": in_shape}, ["y"], initializers={"w": w, "b": b})
    graph = check(model, {"x": rand(*in_shape)}, tmp_path)
    assert "conv2d" in ops_of(graph)


GEMM_C = {"none": None, "scalar": (), "vector": (5,), "row": (1, 5), "column": (3, 1), "matrix": (3, 5)}


@pytest.mark.parametrize("c_shape", list(GEMM_C))
@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_gemm(c_shape, trans_a, trans_b, tmp_path):
    a = rand(*((4, 3) if trans_a else (3, 4)))
    b = rand(*((5, 4) if trans_b else (4, 5)), seed=1)
    inits = {"b": b}
    inputs = ["a", "b"]
    if GEMM_C[c_shape] is not None:
        inits["c"] = rand(*GEMM_C[c_shape], seed=2)
        inputs.append("c")
    node = helper.make_node("Gemm", inputs, ["y"], alpha=0.75, beta=-1.5, transA=trans_a, transB=trans_b)
    model = make_model([node], {"a": a.shape}, ["y"], initializers=inits)
    check(model, {"a": a}, tmp_path)


def test_gemm_packed_weights(tmp_path):
    """A fully connected layer on one row with constant weights: the host build packs them at compile time for
    runtimes/x86/edgec_matmul_f32_packed.c, 150 columns = blocks of 64, 64, 16 and a padded 16."""
    a, b, c = rand(1, 70), rand(70, 150, seed=1), rand(150, seed=2)
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"])
    model = make_model([node, helper.make_node("Relu", ["y"], ["z"])], {"a": a.shape}, ["z"],
                       initializers={"b": b, "c": c})
    check(model, {"a": a}, tmp_path)
    assert "edgec_matmul_f32_packed(" in (tmp_path / "out" / "model.c").read_text()


def test_gemm_all_inputs_at_run_time(tmp_path):
    a, b, c = rand(2, 6), rand(3, 6, seed=1), rand(3, seed=2)
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=2.0, beta=0.5, transB=1)
    model = make_model([node], {"a": a.shape, "b": b.shape, "c": c.shape}, ["y"])
    check(model, {"a": a, "b": b, "c": c}, tmp_path)


CONV3D = [
    ((1, 2, 5, 6, 7), 3, dict(kernel_shape=[3, 3, 3])),
    ((2, 4, 6, 5, 6), 4, dict(kernel_shape=[2, 3, 2], group=2, strides=[2, 1, 2], pads=[1, 0, 1, 0, 2, 1],
                              dilations=[1, 2, 1])),
    ((1, 3, 5, 5, 5), 3, dict(kernel_shape=[3, 3, 3], group=3, auto_pad="SAME_UPPER")),
]


@pytest.mark.parametrize("in_shape,out_c,attrs", CONV3D)
def test_conv3d(in_shape, out_c, attrs, tmp_path):
    w, b = rand(out_c, in_shape[1] // attrs.get("group", 1), *attrs["kernel_shape"], seed=1), rand(out_c, seed=2)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], **attrs)
    model = make_model([node], {"x": in_shape}, ["y"], initializers={"w": w, "b": b})
    graph = check(model, {"x": rand(*in_shape)}, tmp_path)
    assert "conv3d" in ops_of(graph)


def test_conv_transpose3d_random_shapes(tmp_path):
    """3-D ConvTranspose (5-D tensors) on random shapes and attributes: strides, pads, output_padding,
    dilations, groups, bias, output_shape; eight nodes in one model, one compile, against onnxruntime."""
    rng = np.random.default_rng(3)
    nodes, inputs, inits, feed = [], {}, {}, {}
    for k in range(8):
        groups = int(rng.integers(1, 3))
        in_c, out_g = groups * int(rng.integers(1, 3)), int(rng.integers(1, 3))
        kernel = [int(v) for v in rng.integers(1, 4, 3)]
        strides = [int(v) for v in rng.integers(1, 4, 3)]
        dilations = [int(v) for v in rng.integers(1, 3, 3)]
        pads = [int(v) for v in rng.integers(0, 2, 6)]
        out_pad = [int(rng.integers(0, s)) for s in strides]  # TVM: output_padding below the stride
        attrs = dict(kernel_shape=kernel, strides=strides, dilations=dilations, group=groups)
        if k == 7:  # output_shape instead of pads: ONNX's padding rule
            x_size = [3, 2, 4]
            attrs["output_shape"] = [s * (n - 1) + (kk - 1) * d + 1 - 1 for s, n, kk, d in
                                     zip(strides, x_size, kernel, dilations)]
        else:
            x_size = [int(v) for v in rng.integers(1, 5, 3)]
            for a in range(3):  # an output of at least one voxel per axis
                room = strides[a] * (x_size[a] - 1) + out_pad[a] + (kernel[a] - 1) * dilations[a]
                pads[a], pads[a + 3] = min(pads[a], room), min(pads[a + 3], room - min(pads[a], room))
            attrs.update(pads=pads, output_padding=out_pad)
        x = rand(int(rng.integers(1, 3)), in_c, *x_size, seed=10 + k)
        w = rand(in_c, out_g, *kernel, seed=20 + k)
        names = [f"x{k}", f"w{k}"]
        inits[f"w{k}"] = w
        if k % 2:
            inits[f"b{k}"] = rand(out_g * groups, seed=30 + k)
            names.append(f"b{k}")
        nodes.append(helper.make_node("ConvTranspose", names, [f"y{k}"], **attrs))
        inputs[f"x{k}"], feed[f"x{k}"] = x.shape, x
    model = make_model(nodes, inputs, [f"y{k}" for k in range(8)], initializers=inits)
    graph = check(model, feed, tmp_path)
    assert ops_of(graph).count("conv_transpose3d") == 8
