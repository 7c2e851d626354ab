"""Normalisations, float32, composed from the mean, binary and unary kernels (no kernel of their own):
layer_norm (ONNX LayerNormalization) and variance (TVM's InstanceNormalization / GroupNormalization imports).
The variance is the mean of squared deviations, computed in two passes like onnxruntime's."""

from __future__ import annotations

import math

import numpy as np

from . import lowering

NO_ACT = {"act": (-math.inf, math.inf)}


def _axes(call, rank: int) -> list[int]:
    axis = call.attrs.axes if hasattr(call.attrs, "axes") else call.attrs.axis
    return list(range(rank)) if axis is None else sorted({int(a) % rank for a in axis})


def _centred(ctx, x: str, axes: list[int]) -> tuple[str, str, tuple[int, ...]]:
    """(x - mean(x), mean((x - mean(x))^2)) over `axes`, the variance with the reduced dims kept as 1."""
    t = ctx.graph.tensors[x]
    keep = tuple(1 if i in axes else d for i, d in enumerate(t.shape))
    mean = ctx.emit("mean", [x], keep, "float32", {"axes": axes})
    d = ctx.emit("sub", [x, mean], t.shape, "float32", NO_ACT)
    sq = ctx.emit("mul", [d, d], t.shape, "float32", NO_ACT)
    return d, ctx.emit("mean", [sq], keep, "float32", {"axes": axes}), keep


@lowering("relax.variance")
def lower_variance(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"variance of {dtype}")
    x = ctx.tensor(call.args[0])
    _, var, keep = _centred(ctx, x, _axes(call, len(ctx.graph.tensors[x].shape)))
    return var if keep == tuple(shape) else ctx.alias(var, shape)


@lowering("relax.nn.layer_norm")
def lower_layer_norm(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"layer_norm of {dtype}")
    x, gamma, beta = (ctx.tensor(a) for a in call.args[:3])
    axes = _axes(call, len(shape))
    if axes != list(range(len(shape) - len(axes), len(shape))):
        raise NotImplementedError(f"layer_norm over axes {axes} that are not the trailing ones")
    d, var, keep = _centred(ctx, x, axes)
    eps = ctx.graph.add_const("eps", np.array(float(call.attrs.epsilon), np.float32))
    std = ctx.emit("sqrt", [ctx.emit("add", [var, eps], keep, dtype, NO_ACT)], keep, dtype, {})
    y = ctx.emit("div", [d, std], shape, dtype, NO_ACT)
    if bool(getattr(call.attrs, "scale", True)):
        y = ctx.emit("mul", [y, gamma], shape, dtype, NO_ACT)
    if bool(getattr(call.attrs, "center", True)):
        y = ctx.emit("add", [y, beta], shape, dtype, NO_ACT)
    return y
