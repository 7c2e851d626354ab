"""Element-wise operators, float32: binary arithmetic with broadcasting and activations."""

from __future__ import annotations

import math

import numpy as np

from ..ir import IN_PLACE_OPS
from . import kernel, lowering
from .hybrid import extern
from .broadcast import broadcast_params
from .integer_binary import is_integer, lower_integer_binary
from .kernel_call import kernel_call

BINARY_OPS = {"relax.add": "add", "relax.subtract": "sub", "relax.multiply": "mul", "relax.divide": "div",
              "relax.power": "pow", "relax.mod": "fmod", "relax.floor_mod": "floor_mod",
              "relax.floor_divide": "floor_div"}
BINARY_CODES = {"add": "EDGEC_ADD", "sub": "EDGEC_SUB", "mul": "EDGEC_MUL", "div": "EDGEC_DIV",
                "max": "EDGEC_MAX", "min": "EDGEC_MIN", "pow": "EDGEC_POW", "prelu": "EDGEC_PRELU",
                "fmod": "EDGEC_FMOD", "floor_mod": "EDGEC_FLOOR_MOD", "floor_div": "EDGEC_FLOOR_DIV"}
# TVM lowers some ONNX ops (Clip with tensor bounds) to call_tir of TOPI functions; these are the ones we know.
TIR_BINARY = {"maximum": "max", "minimum": "min"}
UNARY_CODES = {
    "clamp": "EDGEC_CLAMP",
    "leaky_relu": "EDGEC_LEAKY_RELU",
    "sigmoid": "EDGEC_SIGMOID",
    "tanh": "EDGEC_TANH",
    "hard_sigmoid": "EDGEC_HARD_SIGMOID",
    "hard_swish": "EDGEC_HARD_SWISH",
    "sqrt": "EDGEC_SQRT",
    "exp": "EDGEC_EXP",
    "log": "EDGEC_LOG",
    "abs": "EDGEC_ABS",
    "neg": "EDGEC_NEG",
    "floor": "EDGEC_FLOOR",
    "ceil": "EDGEC_CEIL",
    "round": "EDGEC_ROUND",
    "erf": "EDGEC_ERF",
    "sin": "EDGEC_SIN",
    "cos": "EDGEC_COS",
    "sign": "EDGEC_SIGN",
    "gelu": "EDGEC_GELU",
    "gelu_tanh": "EDGEC_GELU_TANH",
    "rsqrt": "EDGEC_RSQRT",
    **{f: f"EDGEC_{f.upper()}" for f in ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh")},
    "celu": "EDGEC_CELU",  # alpha
    "shrink": "EDGEC_SHRINK",  # alpha: lambd, beta: bias
    "thresholded_relu": "EDGEC_THRESHOLDED_RELU",  # alpha
}
# One-input Relax math functions: one unary kernel with an op code each.
UNARY_RELAX = {"relax.exp": "exp", "relax.log": "log", "relax.abs": "abs", "relax.negative": "neg",
               "relax.floor": "floor", "relax.ceil": "ceil", "relax.round": "round", "relax.erf": "erf",
               "relax.sin": "sin", "relax.cos": "cos", "relax.sign": "sign", "relax.nn.gelu": "gelu",
               "relax.nn.gelu_tanh": "gelu_tanh", "relax.sigmoid": "sigmoid", "relax.tanh": "tanh",
               "relax.sqrt": "sqrt", "relax.rsqrt": "rsqrt",
               **{f"relax.{f}": f for f in ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh")}}

# Every element-wise kernel reads element i before it writes element i, so out == in is allowed (same shape).
IN_PLACE_OPS.update(BINARY_CODES, UNARY_CODES)


def require_float(dtype: str, what: str) -> None:
    if dtype != "float32":
        raise NotImplementedError(f"{what} on {dtype}")


@lowering(*BINARY_OPS)
def lower_binary(ctx, call, out):
    shape, dtype = out
    a, b = ctx.tensor(call.args[0]), ctx.tensor(call.args[1])
    if is_integer(dtype):
        return lower_integer_binary(ctx, call.op.name, a, b, shape, dtype)
    require_float(dtype, call.op.name)
    return ctx.emit(BINARY_OPS[call.op.name], [a, b], shape, dtype, {"act": (-math.inf, math.inf)})


@lowering("relax.maximum", "relax.minimum", "relax.call_tir")
def lower_max_min(ctx, call, out):
    shape, dtype = out
    if call.op.name == "relax.call_tir":
        func = call.args[0].name_hint
        if func not in TIR_BINARY or len(call.args[1].fields) != 2:
            raise NotImplementedError(f"call_tir of TVM function '{func}'")
        kind, args = TIR_BINARY[func], list(call.args[1].fields)
    else:
        kind, args = call.op.name.removeprefix("relax.")[:3], list(call.args)
    a, b = ctx.tensor(args[0]), ctx.tensor(args[1])
    if is_integer(dtype):
        return lower_integer_binary(ctx, f"relax.{kind}imum", a, b, shape, dtype)
    require_float(dtype, kind)
    b_val = ctx.graph.tensors[b].data
    if b_val is not None and b_val.size == 1 and ctx.graph.tensors[a].shape == tuple(shape):
        bound = float(b_val.reshape(()))  # max(x, c) / min(x, c) with a scalar c is a clamp
        lo, hi = (bound, math.inf) if kind == "max" else (-math.inf, bound)
        return ctx.emit("clamp", [a], shape, dtype, {"lo": lo, "hi": hi})
    return ctx.emit(kind, [a, b], shape, dtype, {"act": (-math.inf, math.inf)})


@lowering("relax.nn.prelu")
def lower_prelu(ctx, call, out):
    """x >= 0 ? x : slope * x, the slope broadcast along `axis` (ONNX PRelu's slope broadcasts like NumPy;
    TVM passes it 1-D with the axis)."""
    shape, dtype = out
    require_float(dtype, "prelu")
    x, slope = ctx.tensor(call.args[0]), ctx.tensor(call.args[1])
    s_shape = ctx.graph.tensors[slope].shape
    axis = int(call.attrs.axis) % len(shape)
    if len(s_shape) == 1 and len(shape) > 1:
        target = [1] * len(shape)
        target[axis] = s_shape[0]
        slope = ctx.alias(slope, tuple(target))
    return ctx.emit("prelu", [x, slope], shape, dtype, {"act": (-math.inf, math.inf)})


@kernel(*BINARY_CODES)
def emit_binary(node, ctx):
    lo, hi = node.attrs["act"]
    params = ctx.static_params("edgec_binary_params", dict(
        op=BINARY_CODES[node.op], **broadcast_params(ctx.graph, node), act_min=np.float32(lo), act_max=np.float32(hi)))
    ctx.use("edgec_binary_f32")
    return kernel_call(ctx, node, "edgec_binary_f32", params, inputs=2)


@lowering("relax.square")
def lower_square(ctx, call, out):
    """x * x (TFLite SQUARE, and TVM's L2_NORMALIZATION): the binary kernel with x on both sides."""
    shape, dtype = out
    require_float(dtype, call.op.name)
    x = ctx.tensor(call.args[0])
    return ctx.emit("mul", [x, x], shape, dtype, {"act": (-math.inf, math.inf)})


def emit_unary_node(ctx, call, out, kind: str, **attrs) -> str:
    shape, dtype = out
    require_float(dtype, call.op.name)
    return ctx.emit(kind, [ctx.tensor(call.args[0])], shape, dtype, attrs)


@lowering("relax.nn.relu")
def lower_relu(ctx, call, out):
    return emit_unary_node(ctx, call, out, "clamp", lo=0.0, hi=math.inf)


@lowering("relax.nn.relu6")
def lower_relu6(ctx, call, out):
    return emit_unary_node(ctx, call, out, "clamp", lo=0.0, hi=6.0)


@lowering("relax.clip")
def lower_clip(ctx, call, out):
    lo, hi = (float(v.value) for v in call.args[1:3])
    if lo > hi:  # min(max(x, lo), hi) is hi everywhere
        lo = hi
    return emit_unary_node(ctx, call, out, "clamp", lo=lo, hi=hi)


@lowering("relax.nn.leakyrelu")
def lower_leaky_relu(ctx, call, out):
    return emit_unary_node(ctx, call, out, "leaky_relu", alpha=float(call.attrs.alpha))


@lowering(*UNARY_RELAX)
def lower_unary_math(ctx, call, out):
    return emit_unary_node(ctx, call, out, UNARY_RELAX[call.op.name])


@extern("edgec.unary")
def lower_unary_extern(ctx, call, attrs, args, out):
    """The ONNX activations with parameters TVM composes from several kernels or lacks (Celu, Shrink,
    ThresholdedRelu: frontend/onnx_converters.py): one unary kernel call."""
    shape, dtype = out
    require_float(dtype, str(attrs["kind"]))
    return ctx.emit(str(attrs["kind"]), [ctx.tensor(args[0])], shape, dtype,
                    {"alpha": float(attrs["alpha"]), "beta": float(attrs["beta"])})


@kernel(*UNARY_CODES)
def emit_unary(node, ctx):
    a = node.attrs
    params = ctx.static_params(
        "edgec_unary_params",
        dict(op=UNARY_CODES[node.op], count=ctx.graph.tensors[node.outputs[0]].elems,
             alpha=np.float32(a.get("alpha", 0.0)), beta=np.float32(a.get("beta", 0.0)),
             lo=np.float32(a.get("lo", -math.inf)), hi=np.float32(a.get("hi", math.inf))),
    )
    ctx.use("edgec_unary_f32")
    return f"edgec_unary_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
