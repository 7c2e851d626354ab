"""Relax pass: drop the negative-index wrap TVM's ONNX frontend puts before a Gather with run-time indices.

TVM imports Gather(data, idx) as take(data, where(less(idx, 0), add(idx, n), idx)) with n = data.shape[axis]: a
bool tensor and a select edgec has no kernels for, only to turn ONNX's negative indices (-n .. -1) into 0 .. n-1.
edgec's gather kernel (runtimes/reference/edgec_gather.c) wraps negative indices itself, with the same meaning, so
the take can read idx directly; the less / add / where then die (dead-code elimination). Anything that is not
exactly this pattern (another n, another condition) is left alone.
"""

from __future__ import annotations

import numpy as np
import tvm
from tvm import relax
from tvm.relax.expr_functor import PyExprMutator, mutator


def _call_of(expr, var2val, op_name: str):
    value = var2val.get(expr, expr) if isinstance(expr, relax.Var) else expr
    if isinstance(value, relax.Call) and isinstance(value.op, tvm.ir.Op) and value.op.name == op_name:
        return value
    return None


def _scalar(expr, var2val) -> int | None:
    """An integer scalar constant, also through the astype TVM puts on it for int32 indices."""
    cast = _call_of(expr, var2val, "relax.astype")
    if cast is not None:
        expr = cast.args[0]
    if isinstance(expr, tvm.ir.expr.Constant) and expr.value.numpy().size == 1:
        return int(np.asarray(expr.value.numpy()).reshape(-1)[0])
    return None


def _unwrapped_index(take, var2val):
    """The raw index if take's index is where(less(i, 0), add(i, n), i) with n the size of take's axis."""
    where = _call_of(take.args[1], var2val, "relax.where")
    if where is None:
        return None
    less = _call_of(where.args[0], var2val, "relax.less")
    add = _call_of(where.args[1], var2val, "relax.add")
    raw = where.args[2]
    if less is None or add is None or not less.args[0].same_as(raw) or _scalar(less.args[1], var2val) != 0:
        return None
    data_ty = take.args[0].ty
    if not isinstance(data_ty, relax.TensorType) or data_ty.shape is None:
        return None
    axis = int(take.attrs.axis) if take.attrs.axis is not None else 0
    n = int(data_ty.shape.values[axis % int(data_ty.ndim)])
    if add.args[0].same_as(raw) and _scalar(add.args[1], var2val) == n:
        return raw
    return None


@mutator
class _UnwrapGatherIndex(PyExprMutator):
    def __init__(self, var2val, mod=None):
        super().__init__(mod)
        self.var2val = var2val

    def visit_call_(self, call):
        if isinstance(call.op, tvm.ir.Op) and call.op.name == "relax.take":
            raw = _unwrapped_index(call, self.var2val)
            if raw is not None:
                call = relax.op.take(call.args[0], raw, axis=call.attrs.axis, mode=str(call.attrs.mode))
        return super().visit_call_(call)


@tvm.transform.module_pass(opt_level=0, name="GatherIndexWrap")
def gather_index_wrap(mod: tvm.IRModule, _ctx) -> tvm.IRModule:
    for gvar, func in list(mod.functions.items()):
        if isinstance(func, relax.Function):
            mod[gvar] = _UnwrapGatherIndex(relax.analysis.get_var2val(func)).visit_expr(func)
    return mod
