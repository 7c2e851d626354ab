"""The ternary (MatMul-free) convolution / fully connected kernel: `ternary_conv_s8` nodes made by
passes/ternary_kernels.py become calls into runtimes/{reference,cortex-m}/edgec_ternary_s8.c; `ternary_fc_hybrid`
nodes (float in and out, the input quantized per call) into runtimes/reference/edgec_ternary_hybrid.c."""

from __future__ import annotations

import numpy as np

from . import kernel

FORMAT_C = {0: "EDGEC_TERNARY_2BIT", 1: "EDGEC_TERNARY_BASE3"}
METHOD_C = {0: "EDGEC_TERNARY_ADDSUB", 1: "EDGEC_TERNARY_LUT"}
REQUANT_C = {0: "EDGEC_REQUANT_FIXED", 1: "EDGEC_REQUANT_FLOAT", 2: "EDGEC_TERNARY_REQUANT_SINGLE"}


@kernel("ternary_conv_s8")
def emit_ternary_conv_s8(node, ctx):
    a = node.attrs
    n, h, w, c = a["x_shape"]
    params = ctx.static_params("edgec_ternary_s8_params", dict(
        batch=n, in_h=h, in_w=w, in_c=c, out_h=a["out_h"], out_w=a["out_w"], out_c=a["out_c"], k_h=a["k_h"],
        k_w=a["k_w"], stride_h=a["stride_h"], stride_w=a["stride_w"], pad_top=a["pad_top"], pad_left=a["pad_left"],
        dil_h=a["dil_h"], dil_w=a["dil_w"], input_offset=a["input_offset"], output_offset=a["output_offset"],
        act_min=a["act"][0], act_max=a["act"][1], requant=REQUANT_C[a["requant"]], format=FORMAT_C[a["format"]],
        method=METHOD_C[a["method"]], row_bytes=a["row_bytes"],
        scale_all=a["scale_all"]))
    ctx.use("edgec_ternary_s8")
    x, packed, bias, mult, shift = (ctx.ptr(t, const=True) for t in node.inputs[:5])
    scale = ctx.ptr(node.inputs[5], const=True) if len(node.inputs) > 5 else "NULL"
    y, scratch = ctx.ptr(node.outputs[0]), ctx.ptr(node.outputs[1])
    return f"edgec_ternary_conv_s8({x}, {packed}, {scale}, {bias}, {mult}, {shift}, {y}, {params}, (void *){scratch});"


@kernel("ternary_fc_hybrid")
def emit_ternary_fc_hybrid(node, ctx):
    a = node.attrs
    lo, hi = a["act"]
    ternary = dict(batch=a["batch"], in_h=1, in_w=1, in_c=a["k"], out_h=1, out_w=1, out_c=a["units"], k_h=1, k_w=1,
                   stride_h=1, stride_w=1, pad_top=0, pad_left=0, dil_h=1, dil_w=1, input_offset=0, output_offset=0,
                   act_min=-128, act_max=127, requant="EDGEC_REQUANT_FLOAT", format=FORMAT_C[a["format"]],
                   method=METHOD_C[a["method"]], row_bytes=a["row_bytes"], scale_all=a["scale_all"])
    params = ctx.static_params("edgec_ternary_hybrid_params", dict(
        batch=a["batch"], input_size=a["k"], units=a["units"], scale_per_channel=a["scale_per_channel"],
        act_min=np.float32(lo), act_max=np.float32(hi), t=ternary))
    ctx.use("edgec_ternary_s8")
    ctx.use("edgec_ternary_hybrid")
    ctx.use("edgec_hybrid_quantize")
    x, packed, consts, w_scale, bias = (ctx.ptr(t, const=True) for t in node.inputs[:5])
    scale = ctx.ptr(node.inputs[5], const=True) if len(node.inputs) > 5 else "NULL"
    y, qinput, scratch = (ctx.ptr(t) for t in node.outputs)
    return (f"edgec_ternary_fully_connected_hybrid({x}, {packed}, {scale}, {consts}, {w_scale}, {bias}, {y}, "
            f"{qinput}, (void *){scratch}, {params});")
