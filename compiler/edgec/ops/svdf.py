"""TFLite SVDF, float32: one kernel call (runtimes/reference/edgec_svdf_f32.c). The float TFLite importer
emits the extern `edgec.svdf` (frontend/tflite_float.py); its memory of the last `memory` feature values per
filter is a state tensor (ir.Tensor.state), kept between runs outside the arena.

IR node: inputs x [batch, input], weights_feature, weights_time (and bias); outputs y [batch, units], then the
state [batch, filters * memory]."""

from __future__ import annotations

import numpy as np

from ..ir import Tensor
from . import kernel
from .hybrid import extern


@extern("edgec.svdf")
def lower_svdf(ctx, call, attrs, args, out):
    shape, dtype = out
    names = [ctx.tensor(a) for a in args]
    for n in names:
        if ctx.graph.tensors[n].dtype != "float32":
            raise NotImplementedError(f"SVDF of {ctx.graph.tensors[n].dtype} (float32 only)")
    batch, units, rank, memory = shape[0], int(attrs["units"]), int(attrs["rank"]), int(attrs["memory"])
    state = ctx.graph.fresh_name("svdf_state")
    ctx.graph.add_tensor(Tensor(state, (batch, units * rank * memory), "float32", state=True))
    y = ctx.emit("svdf", names, shape, dtype, {"units": units, "rank": rank, "memory": memory,
                                              "act": (float(attrs["act_min"]), float(attrs["act_max"]))})
    ctx.graph.nodes[-1].outputs.append(state)
    return y


@kernel("svdf")
def emit_svdf(node, ctx):
    g = ctx.graph
    x = g.tensors[node.inputs[0]]
    a = node.attrs
    lo, hi = a["act"]
    params = ctx.static_params("edgec_svdf_params", dict(
        batch=x.shape[0], input=int(np.prod(x.shape[1:])), units=a["units"], rank=a["rank"], memory=a["memory"],
        act_min=np.float32(lo), act_max=np.float32(hi)))
    ctx.use("edgec_svdf_f32")
    ins = [ctx.ptr(t, const=True) for t in node.inputs] + (["NULL"] if len(node.inputs) == 3 else [])
    return f"edgec_svdf_f32({', '.join(ins)}, {ctx.ptr(node.outputs[1])}, {ctx.ptr(node.outputs[0])}, {params});"
