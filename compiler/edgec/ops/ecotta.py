"""EcoTTA on-device adaptation (passes/ecotta.py): the meta-networks, the loss, the frozen layers' input gradients
and the SGD step, as C calls. The meta-networks' state is static RAM of model.c: `<prefix>_ecotta_theta`
(trainable), `_stats` (running estimates), `_loss`; the gradients are arena buffers of the step."""

from __future__ import annotations

import numpy as np

from ..codegen.c_emitter import format_c_scalar
from . import kernel


def state(ctx, what: str) -> str:
    return f"{ctx.prefix}_ecotta_{what}"


def meta_params(node, ctx) -> str:
    a = node.attrs
    return ctx.static_params("edgec_ecotta_meta_params",
                             dict(pixels=a["pixels"], channels=a["channels"], group_channels=a["group_channels"], eps=np.float32(a["eps"]),
                                  momentum=np.float32(a["momentum"]), reg_scale=np.float32(a["reg_scale"])))


def theta(node, ctx) -> str:
    return f"{state(ctx, 'theta')} + {node.attrs['theta_offset']}"


def stats(node, ctx) -> str:
    return f"{state(ctx, 'stats')} + {node.attrs['stats_offset']}"


@kernel("ecotta_meta", "ecotta_meta_train")
def emit_meta(node, ctx):
    ctx.use("edgec_ecotta_f32")
    fn = "edgec_ecotta_meta_f32" if node.op == "ecotta_meta" else "edgec_ecotta_meta_train_f32"
    return (f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {theta(node, ctx)}, "
            f"{stats(node, ctx)}, {meta_params(node, ctx)});")


def conv_meta_params(node, ctx) -> str:
    a = node.attrs
    conv = dict(a["conv"], act_min=np.float32(0.0), act_max=np.float32(0.0))
    weights = a["channels"] * conv["k_h"] * conv["k_w"] * a["group_channels"]
    return ctx.static_params("edgec_ecotta_conv_meta_params",
                             dict(pixels=a["pixels"], channels=a["channels"], weights=weights, eps=np.float32(a["eps"]),
                                  momentum=np.float32(a["momentum"]), reg_scale=np.float32(a["reg_scale"]),
                                  conv=conv))


@kernel("ecotta_meta_conv", "ecotta_meta_conv_train")
def emit_conv_meta(node, ctx):
    ctx.use("edgec_ecotta_f32")
    fn = "edgec_ecotta_conv_meta_f32" if node.op == "ecotta_meta_conv" else "edgec_ecotta_conv_meta_train_f32"
    return (f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {theta(node, ctx)}, {stats(node, ctx)}, {conv_meta_params(node, ctx)});")


@kernel("ecotta_meta_conv_backward")
def emit_conv_meta_backward(node, ctx):
    ctx.use("edgec_ecotta_f32")
    dy = ctx.ptr(node.inputs[2], const=True) if len(node.inputs) == 3 else "NULL"
    return (f"edgec_ecotta_conv_meta_backward_f32({ctx.ptr(node.inputs[0], const=True)}, "
            f"{ctx.ptr(node.inputs[1], const=True)}, {dy}, {theta(node, ctx)}, {stats(node, ctx)}, "
            f"{ctx.ptr(node.outputs[0])}, &{state(ctx, 'loss')}, {conv_meta_params(node, ctx)});")


@kernel("ecotta_meta_backward")
def emit_meta_backward(node, ctx):
    ctx.use("edgec_ecotta_f32")
    dx = ctx.ptr(node.outputs[2]) if len(node.outputs) == 3 else "NULL"
    return (f"edgec_ecotta_meta_backward_f32({ctx.ptr(node.inputs[0], const=True)}, "
            f"{ctx.ptr(node.inputs[1], const=True)}, {dx}, {theta(node, ctx)}, {stats(node, ctx)}, "
            f"{ctx.ptr(node.outputs[0])}, {ctx.ptr(node.outputs[1])}, &{state(ctx, 'loss')}, "
            f"{meta_params(node, ctx)});")


@kernel("ecotta_entropy")
def emit_entropy(node, ctx):
    ctx.use("edgec_ecotta_f32")
    n = ctx.graph.tensors[node.inputs[0]].elems
    threshold = np.float32(node.attrs["threshold"])
    return (f"edgec_ecotta_entropy_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {n}, "
            f"{format_c_scalar(threshold)}, &{state(ctx, 'loss')});")


@kernel("ecotta_sgd")
def emit_sgd(node, ctx):
    ctx.use("edgec_ecotta_f32")
    return (f"edgec_ecotta_sgd_f32({theta(node, ctx)}, {ctx.ptr(node.inputs[0], const=True)}, {node.attrs['count']}, "
            f"{format_c_scalar(np.float32(node.attrs['lr']))});")


@kernel("act_mask")
def emit_act_mask(node, ctx):
    ctx.use("edgec_backward_f32")
    lo, hi = node.attrs["bounds"]
    n = ctx.graph.tensors[node.inputs[0]].elems
    if ctx.graph.tensors[node.inputs[0]].dtype == "int8":  # an int8 frozen layer: its clamp in int8
        return (f"edgec_act_mask_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {n}, "
                f"{int(lo)}, {int(hi)});")
    return (f"edgec_act_mask_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {n}, "
            f"{format_c_scalar(np.float32(lo))}, {format_c_scalar(np.float32(hi))});")


def mask_arg(node, ctx) -> str:
    return ctx.ptr(node.inputs[1], const=True) if node.attrs["masked"] else "NULL"


@kernel("conv2d_backward_input")
def emit_conv_backward(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.attrs["forward_input"]], g.tensors[node.inputs[0]]
    real = node.attrs.get("real_weights")  # an int8 frozen conv's weights as real values (passes/ecotta.py)
    w = real if real is not None else g.tensors[node.inputs[-1]]
    weights = ctx.derived_weights(node, "real_weights", real) if real is not None else ctx.ptr(node.inputs[-1],
                                                                                                const=True)
    n, h, wd, c = x.shape
    _, oh, ow, oc = y.shape
    a = node.attrs
    params = ctx.static_params(
        "edgec_conv2d_params",
        dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=w.shape[1], k_w=w.shape[2],
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
             dil_h=a["dilation"][0], dil_w=a["dilation"][1], groups=a["groups"],
             act_min=np.float32(a["act"][0]), act_max=np.float32(a["act"][1])))
    ctx.use("edgec_backward_f32")
    return (f"edgec_conv2d_backward_input_f32({ctx.ptr(node.inputs[0], const=True)}, {mask_arg(node, ctx)}, "
            f"{weights}, {ctx.ptr(node.outputs[0])}, {params});")


@kernel("matmul_backward_input")
def emit_matmul_backward(node, ctx):
    k, n = ctx.graph.tensors[node.inputs[-1]].shape
    ctx.use("edgec_backward_f32")
    return (f"edgec_matmul_backward_input_f32({ctx.ptr(node.inputs[0], const=True)}, {mask_arg(node, ctx)}, "
            f"{ctx.ptr(node.inputs[-1], const=True)}, {ctx.ptr(node.outputs[0])}, {k}, {n});")


@kernel("mean_backward_input")
def emit_mean_backward(node, ctx):
    _, h, w, c = ctx.graph.tensors[node.outputs[0]].shape
    ctx.use("edgec_backward_f32")
    return (f"edgec_mean_backward_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, "
            f"{h * w}, {c});")
