"""Hybrid (dynamic-range quantized) operators: float activations, int8 weights kept int8 in flash.

The TFLite frontend (`edgec.frontend.tflite_hybrid`) imports a hybrid CONV_2D as
`R.call_dps_packed(ExternFunc("edgec.conv2d_hybrid", attrs), (x, w_int8, w_scale, bias))`. Here that call
becomes the `conv2d_hybrid` IR node, and the node becomes a call to `edgec_conv2d_hybrid` (see
runtimes/include/edgec_conv2d_hybrid.h for the exact semantics, which are LiteRT's). A hybrid
FULLY_CONNECTED takes the same path: "edgec.fully_connected_hybrid" -> `fully_connected_hybrid` ->
`edgec_fully_connected_hybrid`.

ONNX models quantized by onnxruntime's quantize_dynamic reach the same two IR ops from the other side: the
fuse-dynamic-quant graph pass (passes/fuse_dynamic_quant.py) turns DynamicQuantizeLinear -> ConvInteger /
MatMulInteger -> Cast -> Mul -> Add into them with attrs["quant"] = "onnx_u8" (ONNX's uint8 quantization, weight
zero points, NCHW for conv) and a fifth input, the weights' int32 zero points.

Each node has a second output, `qinput`: the int8 scratch buffer the kernel quantizes its input into (one batch
or row for LiteRT, the whole tensor for ONNX). It is an ordinary arena tensor (live only while the node runs),
so the memory planner places it and the report counts it.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel, lowering
from .quantized_s8 import pack_conv_s8_dot4, shipped_set

# call_dps_packed extern name -> lowering; other families may add theirs here.
EXTERN_LOWERINGS = {}

ACTIVATIONS = {"NONE": (-math.inf, math.inf), "RELU": (0.0, math.inf), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}


def extern(name: str):
    def register(fn):
        EXTERN_LOWERINGS[name] = fn
        return fn

    return register


@lowering("relax.call_dps_packed")
def lower_call_dps_packed(ctx, call, out):
    func = call.args[0]
    name = str(getattr(func, "global_symbol", ""))
    fn = EXTERN_LOWERINGS.get(name)
    if fn is None:
        raise NotImplementedError(f"call_dps_packed of '{name}'")
    if out is None:  # a tuple of results: [(shape, dtype), ...]
        from tvm import relax

        if not isinstance(call.ty, relax.TupleType):
            raise NotImplementedError(f"{name} returning {call.ty}")
        out = [(tuple(int(d) for d in f.shape.values), str(f.dtype)) for f in call.ty.fields]
    return fn(ctx, call, func.attrs, list(call.args[1].fields), out)


def hybrid_constants(ctx, args, dtype: str, what: str) -> tuple:
    """(x, weights, scales, bias) of an edgec.*_hybrid call: the last three constant (as arrays), int8 weights,
    a float32 result."""
    x, w, scale, bias = args
    w_data, s_data, b_data = ctx.const(w), ctx.const(scale), ctx.const(bias)
    if w_data is None or s_data is None or b_data is None:
        raise NotImplementedError(f"{what} with non-constant weights")
    if w_data.dtype != np.int8 or dtype != "float32":
        raise NotImplementedError(f"{what} with {w_data.dtype} weights producing {dtype}")
    return x, w_data, s_data, b_data


def hybrid_activation(attrs, what: str) -> tuple[float, float]:
    """The clamp of the call's fused activation."""
    act = str(attrs["activation"])
    if act not in ACTIVATIONS:
        raise NotImplementedError(f"{what} with fused activation {act}")
    return ACTIVATIONS[act]


def emit_hybrid(ctx, op: str, x_name: str, w_data, scales, b_data, shape, dtype: str, attrs: dict,
                qinput_elems: int) -> str:
    """The hybrid node: x, the weights, scales and bias as graph constants; a second output, int8 [qinput_elems],
    holds the kernel's quantized input."""
    names = [x_name, ctx.graph.add_const("w_int8", w_data), ctx.graph.add_const("w_scale", scales),
             ctx.graph.add_const("bias", np.asarray(b_data, np.float32).reshape(w_data.shape[0]))]
    y = ctx.new_tensor(op, shape, dtype)
    qinput = ctx.new_tensor("qinput", (qinput_elems,), "int8")
    ctx.emit(op, names, shape, dtype, attrs, out=y)
    ctx.graph.nodes[-1].outputs.append(qinput)
    return y


@extern("edgec.conv2d_hybrid")
def lower_conv2d_hybrid(ctx, call, attrs, args, out):
    shape, dtype = out
    x, w_data, s_data, b_data = hybrid_constants(ctx, args, dtype, "hybrid conv2d")
    x_name = ctx.tensor(x)
    x_shape = ctx.graph.tensors[x_name].shape
    per_channel = bool(int(attrs["per_channel"]))
    out_c = w_data.shape[0]
    scales = np.asarray(s_data, np.float32).reshape(-1)
    if scales.size != (out_c if per_channel else 1):
        raise NotImplementedError("hybrid conv2d: scale count does not match the quantization mode")
    act = hybrid_activation(attrs, "hybrid conv2d")
    return emit_hybrid(ctx, "conv2d_hybrid", x_name, w_data, scales, b_data, shape, dtype, {
        "strides": [int(v) for v in attrs["strides"]],
        "pads": [int(v) for v in attrs["padding"]],  # top, left, bottom, right
        "per_channel": per_channel,
        "act": act,
    }, int(np.prod(x_shape[1:])))  # one batch's input


QUANT_MODES = {"tflite_symmetric": "EDGEC_HYBRID_TFLITE_SYMMETRIC", "tflite_asymmetric": "EDGEC_HYBRID_TFLITE_ASYMMETRIC",
               "onnx_u8": "EDGEC_HYBRID_ONNX_U8"}


def quant_mode(node) -> str:
    """The kernel's input quantization: attrs["quant"] if set (ONNX), else LiteRT's per_channel choice."""
    if "quant" in node.attrs:
        return node.attrs["quant"]
    return "tflite_asymmetric" if node.attrs.get("per_channel", node.attrs.get("asymmetric")) else "tflite_symmetric"


def zero_point_ptr(node, ctx) -> str:
    return ctx.ptr(node.inputs[4], const=True) if len(node.inputs) > 4 else "NULL"


HYBRID_DOT4_MAX_K = 8192  # EDGEC_CONV2D_HYBRID_DOT4_MAX_K (runtimes/include/edgec_conv2d_hybrid.h)


def pack_conv_hybrid_dot4(w: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """OHWI int8 weights -> (bytes, sums) of edgec_conv2d_hybrid_dot4 (the x86 and NEON kernels), or None when the window is
    longer than the kernel takes: the bytes in edgec_conv2d_s8_dot4's layout (blocks of 16 output channels, each
    [K4][16][4]), and each channel's sum of weights, out_c rounded up to 16 entries (the kernel scales the sums by
    -(128 + input zero point) per call on x86, by -(input zero point) on NEON, the input's zero point being known
    only then)."""
    oc, k = w.shape[0], int(np.prod(w.shape[1:]))
    if k > HYBRID_DOT4_MAX_K:
        return None
    packed, _ = pack_conv_s8_dot4(w, None, 0, 0)
    sums = np.zeros((oc + 15) // 16 * 16, np.int32)
    sums[:oc] = np.asarray(w, np.int64).reshape(oc, k).sum(1)
    return packed, sums


@kernel("conv2d_hybrid")
def emit_conv2d_hybrid(node, ctx):
    g = ctx.graph
    a = node.attrs
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    if a.get("nchw"):
        (n, c, h, wd), (_, oc, oh, ow) = x.shape, y.shape
    else:
        (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    lo, hi = a["act"]
    dil = a.get("dilation", [1, 1])
    params = ctx.static_params(
        "edgec_conv2d_hybrid_params",
        dict(batch=n, in_h=h, in_w=wd, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=w.shape[1], k_w=w.shape[2],
             stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
             dil_h=dil[0], dil_w=dil[1], groups=a.get("groups", 1), quant=QUANT_MODES[quant_mode(node)],
             scale_per_channel=int(g.tensors[node.inputs[2]].elems > 1), nchw=int(bool(a.get("nchw"))),
             act_min=np.float32(lo), act_max=np.float32(hi)),
    )
    ctx.use("edgec_conv2d_hybrid")
    ctx.use("edgec_hybrid_quantize")
    if (shipped_set(ctx, "edgec_conv2d_hybrid") in ("x86", "neon") and quant_mode(node) != "onnx_u8" and not a.get("nchw")
            and a.get("groups", 1) == 1 and len(node.inputs) <= 4 and w.is_const):
        dot4 = pack_conv_hybrid_dot4(w.data)
        if dot4 is not None:
            wsym, ssym = (ctx.derived_weights(node, role, d) for role, d in zip(("dot4", "dot4_sum"), dot4))
            return (f"edgec_conv2d_hybrid_dot4({ctx.ptr(node.inputs[0], const=True)}, {wsym}, {ssym}, "
                    f"{ctx.ptr(node.inputs[2], const=True)}, {ctx.ptr(node.inputs[3], const=True)}, "
                    f"{ctx.ptr(node.outputs[0])}, {ctx.ptr(node.outputs[1])}, {params});")
    return (f"edgec_conv2d_hybrid({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.inputs[2], const=True)}, {zero_point_ptr(node, ctx)}, {ctx.ptr(node.inputs[3], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {ctx.ptr(node.outputs[1])}, {params});")


@extern("edgec.fully_connected_hybrid")
def lower_fully_connected_hybrid(ctx, call, attrs, args, out):
    shape, dtype = out
    x, w_data, s_data, b_data = hybrid_constants(ctx, args, dtype, "hybrid fully connected")
    if w_data.ndim != 2:
        raise NotImplementedError(f"hybrid fully connected with {w_data.ndim}-D weights")
    act = hybrid_activation(attrs, "hybrid fully connected")
    units, input_size = w_data.shape
    x_name = ctx.tensor(x)
    total = ctx.graph.tensors[x_name].elems
    if total % input_size or int(np.prod(shape)) != total // input_size * units:
        raise NotImplementedError("hybrid fully connected: input and output shapes do not match the weights")
    return emit_hybrid(ctx, "fully_connected_hybrid", x_name, w_data,
                       np.asarray(s_data, np.float32).reshape(-1)[:1], b_data, shape, dtype,
                       {"asymmetric": bool(int(attrs["asymmetric"])), "act": act}, input_size)  # one row's input


@kernel("fully_connected_hybrid")
def emit_fully_connected_hybrid(node, ctx):
    g = ctx.graph
    x, w = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    units, input_size = w.shape
    lo, hi = node.attrs["act"]
    params = ctx.static_params(
        "edgec_fully_connected_hybrid_params",
        dict(batch=x.elems // input_size, input_size=input_size, units=units, quant=QUANT_MODES[quant_mode(node)],
             scale_per_channel=int(g.tensors[node.inputs[2]].elems > 1), act_min=np.float32(lo),
             act_max=np.float32(hi)),
    )
    ctx.use("edgec_fully_connected_hybrid")
    ctx.use("edgec_hybrid_quantize")
    return (f"edgec_fully_connected_hybrid({ctx.ptr(node.inputs[0], const=True)}, "
            f"{ctx.ptr(node.inputs[1], const=True)}, {ctx.ptr(node.inputs[2], const=True)}, {zero_point_ptr(node, ctx)}, "
            f"{ctx.ptr(node.inputs[3], const=True)}, {ctx.ptr(node.outputs[0])}, {ctx.ptr(node.outputs[1])}, {params});")
