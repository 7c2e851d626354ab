"""Fold constant arithmetic and data movement in numpy, before TVM's FoldConstant sees the module.

TVM's FoldConstant legalises, builds (LLVM) and runs one PrimFunc per folded call: about 0.1 s each. Folding
BatchNorm into a float MobileNetV2's 52 convolutions leaves ~500 such calls on constants (sqrt, divide,
multiply, add, subtract, reshape) and the layout conversion one transpose per weight: a minute of compile time
for work numpy does in milliseconds. The ops folded here are the ones whose result numpy computes bit for bit as
TVM's kernels do (IEEE add, subtract, multiply, divide and sqrt are correctly rounded; data movement is exact);
anything else, and any result whose dtype or shape differs from what Relax inferred, is left to FoldConstant.
"""

from __future__ import annotations

import numpy as np
import tvm
from tvm import relax
from tvm.relax.expr_functor import PyExprMutator, mutator

_FLOAT_BINARY = {
    "relax.add": np.add, "relax.subtract": np.subtract, "relax.multiply": np.multiply, "relax.divide": np.divide,
    "relax.maximum": np.maximum, "relax.minimum": np.minimum,
}
_FLOAT_UNARY = {"relax.sqrt": np.sqrt, "relax.negative": np.negative, "relax.abs": np.abs}


def _ints(values) -> list[int]:
    return [int(v) for v in values]


def _static_shape(info: relax.TensorType) -> list[int] | None:
    if info.shape is None or not isinstance(info.shape, relax.ShapeExpr):
        return None
    if not all(isinstance(d, tvm.tirx.IntImm) for d in info.shape.values):
        return None
    return _ints(info.shape.values)


def _movement(call: relax.Call, args: list[np.ndarray]) -> np.ndarray | None:
    op, (x, *_) = call.op.name, args
    if op == "relax.permute_dims":
        axes = call.attrs.axes
        return np.transpose(x, None if axes is None else _ints(axes))
    if op in ("relax.reshape", "relax.expand_dims", "relax.squeeze"):
        shape = _static_shape(call.ty)  # the inferred shape is the result's: a view in C order
        return None if shape is None else x.reshape(shape)
    return None


def _fold(call: relax.Call, args: list[np.ndarray]) -> np.ndarray | None:
    name = call.op.name
    floats = all(np.issubdtype(a.dtype, np.floating) for a in args)
    with np.errstate(all="ignore"):  # inf and nan fold as TVM's kernels compute them
        if name in _FLOAT_BINARY and floats and len(args) == 2:
            return _FLOAT_BINARY[name](args[0], args[1])
        if name in _FLOAT_UNARY and floats and len(args) == 1:
            return _FLOAT_UNARY[name](args[0])
    return _movement(call, args)


_SUMS_OF_NOTHING = ("relax.mean", "relax.sum", "relax.matmul")


def _empty_result(call: relax.Call) -> np.ndarray | None:
    """What a call on empty tensors computes, whatever the values: an empty result, or, for a sum (a mean, a
    matmul) over an empty input, zeros (ONNX leaves the mean of nothing undefined; onnxruntime, the reference,
    gives 0). The kernels never see such a call: an empty tensor takes no arena bytes, so its pointer equals its
    neighbour's and C refuses the restrict-qualified call; and TVM's FoldConstant aborts on a mean's zero
    count."""
    shape = _static_shape(call.ty)
    if shape is None:
        return None
    if 0 in shape:
        return np.zeros(shape, str(call.ty.dtype))
    in_shape = _static_shape(call.args[0].ty) if isinstance(call.args[0].ty, relax.TensorType) else None
    if call.op.name in _SUMS_OF_NOTHING and in_shape is not None and 0 in in_shape:
        return np.zeros(shape, str(call.ty.dtype))
    return None


@mutator
class _NumpyFolder(PyExprMutator):
    def _constant(self, expr: relax.Expr) -> np.ndarray | None:
        if isinstance(expr, relax.Var):
            expr = self.lookup_binding(expr)
        if not isinstance(expr, tvm.ir.expr.Constant):
            return None
        if hasattr(expr.value, "numpy"):  # a tensor
            return expr.value.numpy()
        if isinstance(expr.ty, tvm.ir.PrimType) and isinstance(expr.value, (int, float)):  # a scalar: BatchNorm's eps
            return np.array(expr.value, dtype=str(expr.ty.dtype))
        return None

    def visit_call_(self, call: relax.Call) -> relax.Expr:
        call = self.builder_.normalize(super().visit_call_(call))
        if not isinstance(call.op, tvm.ir.Op) or not isinstance(call.ty, relax.TensorType):
            return call
        empty = _empty_result(call)
        if empty is not None:
            return relax.const(empty, call.ty.dtype)
        tensor_args = [a for a in call.args if not isinstance(a, relax.ShapeExpr)]
        args = [self._constant(a) for a in tensor_args]
        if not args or any(a is None for a in args):
            return call
        value = _fold(call, args)
        info = call.ty
        if value is None or str(value.dtype) != info.dtype or list(value.shape) != _static_shape(info):
            return call
        return relax.const(np.ascontiguousarray(value), info.dtype)


@tvm.transform.module_pass(opt_level=0, name="edgec.fold_constants_numpy")
def fold_constants_numpy(mod: tvm.IRModule, _ctx) -> tvm.IRModule:
    for gvar, func in list(mod.functions.items()):
        if isinstance(func, relax.Function):
            mod[gvar] = _NumpyFolder().visit_expr(func)
    return mod
