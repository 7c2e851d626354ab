"""Comparisons, boolean logic and Where (ONNX Equal, Less, LessOrEqual, Greater, GreaterOrEqual, Not, And, Or,
Xor, Where). Bool tensors are one byte (uint8_t in C, 0 or 1). All take NumPy broadcasting through the binary
kernel's right-aligned shape and strides (ops/broadcast.py, edgec_binary_params):

- compare: float32 a, b -> bool (edgec_compare_f32, an op code);
- logic: bool a, b -> bool (edgec_logic_u8: and, or, xor); Not is xor with a constant true;
- where: bool cond, float32 x, y -> float32 (edgec_where_f32); int8 (TFLite SELECT_V2) on edgec_where_s8.
Integer operands (comparisons, Where of integer values) go to ops/integer_binary.py.
"""

from __future__ import annotations

import numpy as np

from . import kernel, lowering
from .broadcast import broadcast_params
from .integer_binary import WHERE_OPERANDS, is_integer, lower_integer_binary, lower_integer_where
from .kernel_call import kernel_call

COMPARE_OPS = {"relax.equal": "EDGEC_EQUAL", "relax.less": "EDGEC_LESS", "relax.less_equal": "EDGEC_LESS_EQUAL",
               "relax.greater": "EDGEC_GREATER", "relax.greater_equal": "EDGEC_GREATER_EQUAL",
               "relax.not_equal": "EDGEC_NOT_EQUAL"}
LOGIC_OPS = {"relax.logical_and": "EDGEC_AND", "relax.logical_or": "EDGEC_OR", "relax.logical_xor": "EDGEC_XOR"}


def _require(ctx, names: list[str], dtypes: tuple[str, ...], what: str) -> None:
    for n, want in zip(names, dtypes):
        got = ctx.graph.tensors[n].dtype
        if got != want:
            raise NotImplementedError(f"{what} of {got} (edgec takes {want} here)")


@lowering(*COMPARE_OPS)
def lower_compare(ctx, call, out):
    shape, dtype = out
    a, b = ctx.tensor(call.args[0]), ctx.tensor(call.args[1])
    if is_integer(ctx.graph.tensors[a].dtype):
        return lower_integer_binary(ctx, call.op.name, a, b, shape, dtype)
    _require(ctx, [a, b], ("float32", "float32"), call.op.name)
    return ctx.emit("compare", [a, b], shape, dtype, {"code": COMPARE_OPS[call.op.name]})


@lowering(*LOGIC_OPS)
def lower_logic(ctx, call, out):
    shape, dtype = out
    a, b = ctx.tensor(call.args[0]), ctx.tensor(call.args[1])
    _require(ctx, [a, b], ("bool", "bool"), call.op.name)
    return ctx.emit("logic", [a, b], shape, dtype, {"code": LOGIC_OPS[call.op.name]})


@lowering("relax.logical_not")
def lower_not(ctx, call, out):
    shape, dtype = out
    a = ctx.tensor(call.args[0])
    _require(ctx, [a], ("bool",), call.op.name)
    true = ctx.graph.add_const("true", np.ones((), bool))
    return ctx.emit("logic", [a, true], shape, dtype, {"code": "EDGEC_XOR"})


@lowering("relax.where")
def lower_where(ctx, call, out):
    shape, dtype = out
    cond, x, y = (ctx.tensor(a) for a in call.args)
    if is_integer(dtype):
        return lower_integer_where(ctx, cond, x, y, shape, dtype)
    _require(ctx, [cond, x, y], ("bool", "float32", "float32"), "where")
    return ctx.emit("where", [cond, x, y], shape, dtype, {})


@kernel("compare", "logic")
def emit_compare(node, ctx):
    params = ctx.static_params(
        "edgec_binary_params",
        dict(op=node.attrs["code"], **broadcast_params(ctx.graph, node),
             act_min=np.float32(-np.inf), act_max=np.float32(np.inf)),  # no clamp on a bool
    )
    fn = "edgec_compare_f32" if node.op == "compare" else "edgec_logic_u8"
    ctx.use("edgec_compare")
    return kernel_call(ctx, node, fn, params, inputs=2)


@kernel("where")
def emit_where(node, ctx):
    params = ctx.static_params("edgec_where_params", broadcast_params(ctx.graph, node, WHERE_OPERANDS))
    fn = "edgec_where_s8" if ctx.graph.tensors[node.outputs[0]].dtype == "int8" else "edgec_where_f32"
    ctx.use(fn)
    return kernel_call(ctx, node, fn, params, inputs=None)
