"""Lower a Relax IRModule (after TVM's passes) to edgec's graph IR."""

from __future__ import annotations

import numpy as np
import tvm
from tvm import relax

from . import ops
from .errors import UnsupportedModelError
from .ir import Graph, Node, Tensor


def ints(values) -> list[int]:
    return [int(v) for v in values]


def is_tensor(expr) -> bool:
    return isinstance(expr.ty, relax.TensorType)


def shape_of(expr) -> tuple[int, ...]:
    ty = expr.ty
    if not isinstance(ty, relax.TensorType) or ty.shape is None:
        raise ValueError("not a tensor with a known shape")
    try:
        return tuple(int(d) for d in ty.shape.values)
    except TypeError as exc:
        raise ValueError(f"dynamic shape {ty.shape}; give it with --input-shape") from exc


def dtype_of(expr) -> str:
    return str(expr.ty.dtype)


class LowerContext:
    """What a lowering function sees: the graph being built and the Relax values bound so far."""

    def __init__(self):
        self.graph = Graph()
        self.values: dict[relax.Var, object] = {}  # Relax var -> tensor name, or tuple of them
        self.current_name = ""

    # -- reading operands ---------------------------------------------------------------------------
    def tensor(self, expr) -> str:
        """The IR tensor name for a Relax operand (a var or a constant)."""
        if isinstance(expr, tvm.ir.expr.Constant):
            return self.graph.add_const("c", expr.value.numpy())
        value = self.values[expr]
        if value is None:
            raise DependsOnUnsupported()
        if not isinstance(value, str):
            raise ValueError("a tuple used where a tensor was expected")
        return value

    def const(self, expr) -> np.ndarray | None:
        """The value of an operand if it is known at compile time."""
        if isinstance(expr, tvm.ir.expr.Constant):
            return expr.value.numpy()
        name = self.values.get(expr)
        if isinstance(name, str) and self.graph.tensors[name].is_const:
            return self.graph.tensors[name].data
        return None

    # -- building the graph ----------------------------------------------------------------------------
    def new_tensor(self, base: str, shape, dtype: str) -> str:
        name = self.graph.fresh_name(base)
        self.graph.add_tensor(Tensor(name, tuple(int(d) for d in shape), dtype))
        return name

    def emit(self, op: str, inputs: list[str], shape, dtype: str, attrs: dict | None = None, out: str | None = None) -> str:
        out = out or self.new_tensor(op, shape, dtype)
        self.graph.nodes.append(Node(op, list(inputs), [out], dict(attrs or {}), self.current_name))
        return out

    def alias(self, src: str, shape, base: str = "view") -> str:
        """A view of `src` with another shape (reshape, squeeze, ...): no copy, no extra memory."""
        src_t = self.graph.tensors[src]
        if src_t.is_const:
            return self.graph.add_const(base, src_t.data.reshape(shape))
        name = self.new_tensor(base, shape, src_t.dtype)
        self.graph.tensors[name].alias_of = src
        self.graph.tensors[name].quant = src_t.quant
        return name


def lower_module(mod: tvm.IRModule) -> Graph:
    """Lower `main` of a Relax module. Raises UnsupportedModelError listing every op it cannot lower."""
    ops.load_all()
    func = mod["main"]
    ctx = LowerContext()
    g = ctx.graph
    for param in func.params:
        name = g.fresh_name(param.name)
        g.add_tensor(Tensor(name, shape_of(param), dtype_of(param)))
        g.inputs.append(name)
        ctx.values[param] = name

    problems: list[tuple[str, str, str]] = []
    body = func.body
    for block in body.blocks:
        for binding in block.bindings:
            var, value = binding.var, binding.value
            ctx.current_name = var.name
            try:
                ctx.values[var] = lower_value(ctx, value, var)
            except UnsupportedOp as exc:
                problems.append((var.name, exc.op, exc.reason))
                ctx.values[var] = None
            except DependsOnUnsupported:
                ctx.values[var] = None  # the unsupported producer is already listed
    if problems:
        raise UnsupportedModelError(problems)

    result = body.body
    if isinstance(result, relax.Tuple):
        out_names = [ctx.tensor(f) for f in result.fields]
    else:
        value = ctx.values.get(result) if not isinstance(result, tvm.ir.expr.Constant) else None
        out_names = list(value) if isinstance(value, tuple) else [ctx.tensor(result)]
    for name in out_names:
        t = g.tensors[name]
        if t.is_const or g.storage_root(name) in g.inputs or name in g.outputs:
            # Outputs need arena storage of their own: copy constants, inputs and repeated outputs.
            # (A view of an intermediate is fine: its storage simply lives to the end.)
            name = ctx.emit("copy", [name], t.shape, t.dtype)
        g.outputs.append(name)
    g.remove_unused_tensors()
    return g


class DependsOnUnsupported(Exception):
    """An operand comes from a node that could not be lowered."""


class UnsupportedOp(Exception):
    def __init__(self, op: str, reason: str):
        super().__init__(f"{op}: {reason}")
        self.op, self.reason = op, reason


def lower_value(ctx: LowerContext, value, var):
    if isinstance(value, tvm.ir.expr.Constant):
        return ctx.graph.add_const(var.name, value.value.numpy())
    if isinstance(value, relax.Var):
        return ctx.values[value]
    if isinstance(value, relax.Tuple):
        return tuple(ctx.tensor(f) if not isinstance(f, relax.Tuple) else lower_value(ctx, f, var) for f in value.fields)
    if isinstance(value, relax.TupleGetItem):
        if ctx.values.get(value.tuple_value) is None:
            raise DependsOnUnsupported()
        return ctx.values[value.tuple_value][value.index]
    if isinstance(value, tvm.ir.expr.Call):
        op_name = value.op.name if isinstance(value.op, tvm.ir.Op) else str(value.op)
        fn = ops.LOWERINGS.get(op_name)
        if fn is None:
            raise UnsupportedOp(op_name, "no edgec kernel for this operator")
        if not is_tensor(var):
            return fn(ctx, value, None)
        try:
            out_shape, out_dtype = shape_of(var), dtype_of(var)
        except ValueError as exc:
            raise UnsupportedOp(op_name, str(exc)) from exc
        try:
            return fn(ctx, value, (out_shape, out_dtype))
        except NotImplementedError as exc:
            raise UnsupportedOp(op_name, str(exc)) from exc
    raise UnsupportedOp(type(value).__name__, "unsupported Relax construct")
