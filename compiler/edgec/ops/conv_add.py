"""The C call of a pointwise int8 convolution fused with its residual add (passes/fuse_conv_add.py): conv2d_add_s8
(TFLite ADD) and conv2d_add_q8 (onnxruntime's QLinearAdd), runtimes/*/edgec_conv2d_add_{s8,q8}.c. The output may
live in the residual's buffer (memory/inplace.py, ir.IN_PLACE_INPUTS); the row of convolution output each kernel
computes before its add lives in a scratch buffer the planner places (ir.SCRATCH_OPS)."""

from __future__ import annotations

from ..ir import IN_PLACE_INPUTS, MAX_RANK, SCRATCH_OPS, scratch_buffer
from . import kernel
from .quantized_s8 import (
    BINARY_FIELDS,
    conv_packed_scratch_bytes,
    conv_params,
    pack_conv_s8,
    pack_conv_s8_dot4,
    shipped_set,
    ships_cortex_m,
    wide_weights,
)

RESIDUAL = 5  # inputs: x, weights, bias, multiplier, shift, residual


def row_bytes(graph, node) -> int:
    _, _, w, c = graph.tensors[node.outputs[0]].shape
    return w * c


IN_PLACE_INPUTS.update({"conv2d_add_s8": RESIDUAL, "conv2d_add_q8": RESIDUAL})
SCRATCH_OPS.update({"conv2d_add_s8": row_bytes, "conv2d_add_q8": row_bytes})


def add_s8_fields(graph, node) -> dict:
    """edgec_add_s8_params of the fused add: same-shape inputs walked as one row (the kernel passes its own rows)."""
    a = node.attrs["add"]
    n = graph.tensors[node.outputs[0]].elems
    shape = dict(out_shape=[1] * (MAX_RANK - 1) + [n], a_strides=[0] * (MAX_RANK - 1) + [1],
                 b_strides=[0] * (MAX_RANK - 1) + [1])
    return dict(shape=shape, **{k: a[k] for k in BINARY_FIELDS["add_s8"]}, act_min=a["act"][0], act_max=a["act"][1],
                kind=0)


def add_q8_fields(graph, node) -> dict:
    a = node.attrs["add"]
    return dict(count=graph.tensors[node.outputs[0]].elems, a_zero_point=a["a_zero_point"],
                b_zero_point=a["b_zero_point"], output_zero_point=a["output_zero_point"], a_ratio=a["a_ratio"],
                b_ratio=a["b_ratio"])


@kernel("conv2d_add_s8", "conv2d_add_q8")
def emit_conv2d_add(node, ctx):
    g = ctx.graph
    s8 = node.op == "conv2d_add_s8"
    fn = f"edgec_{node.op}"
    params = ctx.static_params(f"{fn}_params", dict(
        conv=conv_params(g, node), add=(add_s8_fields if s8 else add_q8_fields)(g, node),
        conv_first=int(node.attrs["conv_first"])))
    ctx.use(fn)
    ctx.use("edgec_conv2d_s8")  # the kernel calls the model's own convolution row by row
    if not s8:
        ctx.use("edgec_qdq_s8")
    rows = f"((int8_t *)(arena + {ctx.plan.offsets[scratch_buffer(node)]}))"
    x, residual, out = (ctx.ptr(node.inputs[0], const=True), ctx.ptr(node.inputs[RESIDUAL], const=True),
                        ctx.ptr(node.outputs[0]))
    consts = [ctx.ptr(t, const=True) for t in node.inputs[2:5]]
    if not s8:
        dot4 = None
        if shipped_set(ctx, fn) == "x86" and all(g.tensors[t].is_const for t in node.inputs[1:3]):
            dot4 = pack_conv_s8_dot4(g.tensors[node.inputs[1]].data, g.tensors[node.inputs[2]].data,
                                     node.attrs["input_offset"])
        if dot4 is not None:  # the x86 twin's byte dot products on weights packed here
            wsym, bsym = (ctx.derived_weights(node, role, d) for role, d in zip(("dot4", "dot4_bias"), dot4))
            return f"{fn}_dot4({x}, {wsym}, {bsym}, {', '.join(consts[1:])}, {residual}, {out}, {params}, {rows});"
        return f"{fn}({x}, {ctx.ptr(node.inputs[1], const=True)}, {', '.join(consts)}, {residual}, {out}, {params}, {rows});"
    packed = None
    a = node.attrs
    if (not a.get("requant_float", False) and ships_cortex_m(ctx, "edgec_conv2d_add_s8")
            and ships_cortex_m(ctx, "edgec_conv2d_s8")):
        bias, mult, shift = (g.tensors[t].data for t in node.inputs[2:5])
        packed = pack_conv_s8(g.tensors[node.inputs[1]].data, bias, mult, shift, a["input_offset"],
                              a["output_offset"], a["act"], wide=wide_weights(ctx, node.inputs[1]))
    if packed is None:
        return (f"{fn}({x}, {ctx.ptr(node.inputs[1], const=True)}, {', '.join(consts)}, NULL, {residual}, {out}, "
                f"{params}, {rows}, NULL);")
    sym = ctx.derived_weights(node, "packed", packed)
    k4 = int(packed[0])
    scratch = ctx.arena_scratch(conv_packed_scratch_bytes(k4, 1)) or "NULL"  # rows of the conv: k_h = 1
    return f"{fn}({x}, NULL, NULL, NULL, NULL, {sym}, {residual}, {out}, {params}, {rows}, {scratch});"
