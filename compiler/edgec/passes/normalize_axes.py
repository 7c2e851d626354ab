"""Relax pass: write negative axes of squeeze / expand_dims as non-negative ones.

TVM's ConvertLayout aborts (std::bad_alloc) on a squeeze with a negative axis, e.g. ONNX Squeeze(axes=[-2]).
The rank is static, so the axes can be made non-negative before it runs; the meaning does not change.
"""

from __future__ import annotations

import tvm
from tvm import relax
from tvm.relax.expr_functor import PyExprMutator, mutator


def _rank(expr) -> int | None:
    ty = expr.ty
    return int(ty.ndim) if isinstance(ty, relax.TensorType) and int(ty.ndim) >= 0 else None


@mutator
class _NormalizeAxes(PyExprMutator):
    def visit_call_(self, call):
        call = super().visit_call_(call)
        if not isinstance(call.op, tvm.ir.Op) or call.op.name not in ("relax.squeeze", "relax.expand_dims"):
            return call
        if call.attrs is None or getattr(call.attrs, "axis", None) is None:
            return call
        axes = [int(a) for a in call.attrs.axis]
        if all(a >= 0 for a in axes):
            return call
        if call.op.name == "relax.squeeze":
            rank = _rank(call.args[0])
            if rank is not None:
                return relax.op.squeeze(call.args[0], [a % rank for a in axes])
        elif call.op.name == "relax.expand_dims":
            rank = _rank(call.args[0])
            if rank is not None:
                out_rank = rank + len(axes)
                return relax.op.expand_dims(call.args[0], [a % out_rank for a in axes])
        return call


@tvm.transform.module_pass(opt_level=0, name="NormalizeAxes")
def normalize_axes(mod: tvm.IRModule, _ctx) -> tvm.IRModule:
    for gvar, func in list(mod.functions.items()):
        if isinstance(func, relax.Function):
            mod[gvar] = _NormalizeAxes().visit_expr(func)
    return mod
