"""Concatenation (relax.concat, and TFLite int8 CONCATENATION): each input is copied into its slot of the output."""

from __future__ import annotations

import math

from . import kernel, lowering


@lowering("relax.concat")
def lower_concat(ctx, call, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"concat of {dtype}")
    fields = call.args[0].fields if hasattr(call.args[0], "fields") else None
    if fields is not None:
        inputs = [ctx.tensor(f) for f in fields]
    else:
        inputs = list(ctx.values[call.args[0]])
    axis = int(call.attrs.axis) % len(shape)
    return ctx.emit("concat", inputs, shape, dtype, {"axis": axis})


@kernel("concat")
def emit_concat(node, ctx):
    g = ctx.graph
    y = g.tensors[node.outputs[0]]
    axis = node.attrs["axis"]
    outer = math.prod(y.shape[:axis])
    inner = math.prod(y.shape[axis + 1:])
    ctx.use("edgec_concat")
    fn = {"float32": "edgec_concat_f32", "int8": "edgec_concat_s8"}[y.dtype]
    lines, offset = [], 0
    for name in node.inputs:
        x = g.tensors[name]
        if x.elems == 0:
            continue
        params = ctx.static_params(
            "edgec_concat_params",
            dict(outer=outer, in_row=x.shape[axis] * inner, out_row=y.shape[axis] * inner, offset=offset * inner),
        )
        lines.append(f"{fn}({ctx.ptr(name, const=True)}, {ctx.ptr(node.outputs[0])}, {params});")
        offset += x.shape[axis]
    return "\n".join(lines)
