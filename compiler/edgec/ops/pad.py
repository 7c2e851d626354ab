"""Pad (relax.nn.pad), float32: constant, reflect, edge (replicate) and wrap (circular) modes; int8 TFLite PAD
uses the same IR op and kernel (frontend/tflite_int8.py)."""

from __future__ import annotations

import numpy as np

from ..ir import MAX_RANK
from . import kernel, lowering
from .broadcast import right_align

MODES = {"constant": "EDGEC_PAD_CONSTANT", "reflect": "EDGEC_PAD_REFLECT", "replicate": "EDGEC_PAD_EDGE",
         "circular": "EDGEC_PAD_WRAP"}


@lowering("relax.nn.pad")
def lower_pad(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"pad of {dtype}")
    a = call.attrs
    mode = str(a.pad_mode)
    if mode not in MODES:
        raise NotImplementedError(f"pad mode {mode}")
    x = ctx.tensor(call.args[0])
    width = [int(w) for w in a.pad_width]
    before = width[0::2]
    in_shape = ctx.graph.tensors[x].shape
    if mode == "reflect" and any(max(b, e) > 0 and n < 2 for b, e, n in zip(before, width[1::2], in_shape)):
        raise NotImplementedError("reflect padding of a dim of size 1")
    if mode != "constant" and any(max(b, e) > 0 and n == 0 for b, e, n in zip(before, width[1::2], in_shape)):
        raise NotImplementedError(f"{mode} padding of an empty dim")
    return ctx.emit("pad", [x], shape, dtype, {"mode": mode, "before": before, "value": float(a.pad_value)})


@kernel("pad")
def emit_pad(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if len(y.shape) > MAX_RANK:
        raise NotImplementedError(f"pad of rank {len(y.shape)} (max {MAX_RANK})")
    before = node.attrs["before"]
    params = ctx.static_params(
        "edgec_pad_params",
        dict(mode=MODES[node.attrs["mode"]], in_shape=right_align(x.shape, MAX_RANK),
             out_shape=right_align(y.shape, MAX_RANK),
             before=[0] * (MAX_RANK - len(before)) + list(before), value=np.float32(node.attrs["value"])),
    )
    ctx.use("edgec_pad")
    fn = {"float32": "edgec_pad_f32", "int8": "edgec_pad_s8"}[y.dtype]
    return f"{fn}({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
