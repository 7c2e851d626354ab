"""Element-wise arithmetic, comparisons and Where on integer tensors (ONNX Add, Sub, Mul, Div, Mod, Max, Min, Pow,
Equal, Less, LessOrEqual, Greater, GreaterOrEqual, Where of int8..int64 and uint8..uint64), exact in every width:
the Relax ops the float lowerings (ops/elementwise.py, ops/logic.py) receive on integer tensors come here and
become one call of runtimes/reference/edgec_binary_int.c (or edgec_where_int.c), whose parameters carry the element
size and signedness, computing in 64 bits with ONNX's integer semantics (wrap-around, truncating Div, Mod with the
divisor's sign or, fmod=1, the dividend's). No float emulation: int64 values beyond 2^24 stay exact."""

from __future__ import annotations

from ..ir import DTYPE_BYTES
from . import kernel
from .broadcast import broadcast_params
from .hybrid import extern
from .kernel_call import kernel_call, params_call

INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
# Relax op -> the kernel's op code (edgec_binary_f32.h / edgec_compare.h). relax.divide is ONNX Div: truncation;
# relax.mod is ONNX Mod fmod=1 (C's %), relax.floor_mod fmod=0 (the divisor's sign).
ARITHMETIC = {"relax.add": "EDGEC_ADD", "relax.subtract": "EDGEC_SUB", "relax.multiply": "EDGEC_MUL",
              "relax.divide": "EDGEC_DIV", "relax.mod": "EDGEC_FMOD", "relax.floor_mod": "EDGEC_FLOOR_MOD",
              "relax.floor_divide": "EDGEC_FLOOR_DIV", "relax.power": "EDGEC_POW", "relax.maximum": "EDGEC_MAX",
              "relax.minimum": "EDGEC_MIN"}
COMPARISONS = {"relax.equal": "EDGEC_EQUAL", "relax.not_equal": "EDGEC_NOT_EQUAL", "relax.less": "EDGEC_LESS",
               "relax.less_equal": "EDGEC_LESS_EQUAL", "relax.greater": "EDGEC_GREATER",
               "relax.greater_equal": "EDGEC_GREATER_EQUAL"}


WHERE_OPERANDS = ("c", "x", "y")  # edgec_where_params: the condition and the two values


def is_integer(dtype: str) -> bool:
    return dtype in INTEGER_DTYPES


def lower_integer_binary(ctx, op: str, a: str, b: str, shape, dtype: str) -> str:
    """a OP b on integer tensors of one type; `dtype` is the output's (bool for a comparison)."""
    t = ctx.graph.tensors
    if t[a].dtype != t[b].dtype or not is_integer(t[a].dtype):
        raise NotImplementedError(f"{op} of {t[a].dtype} and {t[b].dtype} (edgec computes on integer tensors of "
                                  "one type)")
    code = COMPARISONS.get(op) or ARITHMETIC.get(op)
    if code is None:
        raise NotImplementedError(f"{op} on {t[a].dtype}")
    want = "bool" if op in COMPARISONS else t[a].dtype
    if dtype != want:
        raise NotImplementedError(f"{op} of {t[a].dtype} into {dtype}")
    return ctx.emit("binary_int", [a, b], shape, dtype, {"code": code})


@extern("edgec.integer_power")
def lower_integer_power(ctx, call, attrs, args, out):
    """ONNX Pow of an integer base (frontend/onnx_converters.py imports it as this extern, not relax.power)."""
    shape, dtype = out
    return lower_integer_binary(ctx, "relax.power", ctx.tensor(args[0]), ctx.tensor(args[1]), shape, dtype)


def lower_integer_where(ctx, cond: str, x: str, y: str, shape, dtype: str) -> str:
    t = ctx.graph.tensors
    if t[cond].dtype != "bool" or t[x].dtype != dtype or t[y].dtype != dtype:
        raise NotImplementedError(f"where of {t[cond].dtype}, {t[x].dtype}, {t[y].dtype} (edgec takes a bool "
                                  "condition and values of one type)")
    return ctx.emit("where_int", [cond, x, y], shape, dtype, {})


@kernel("binary_int")
def emit_binary_int(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    return params_call(ctx, node, "edgec_binary_int", dict(
        op=node.attrs["code"], **broadcast_params(ctx.graph, node), element_bytes=DTYPE_BYTES[x.dtype],
        is_signed=int(x.dtype.startswith("int"))), inputs=2)


@kernel("where_int")
def emit_where_int(node, ctx):
    params = ctx.static_params("edgec_where_params", broadcast_params(ctx.graph, node, WHERE_OPERANDS))
    ctx.use("edgec_where_int")
    size = DTYPE_BYTES[ctx.graph.tensors[node.outputs[0]].dtype]
    return kernel_call(ctx, node, "edgec_where_int", size, params, inputs=None)
