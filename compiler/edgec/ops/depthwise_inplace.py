"""The C call of a depthwise layer the planner runs over its own input (memory/inplace_depthwise.py): the band
loop of runtimes/reference/edgec_depthwise_inplace_{s8,f32}.c, which calls the depthwise kernel of the model's
kernel set on one band at a time."""

from __future__ import annotations


def in_place_call(node, ctx, kernel: str, consts, params: str) -> str | None:
    """`kernel` (edgec_depthwise_conv2d_s8 / _f32) as its in-place band loop, or None if the node runs as usual.
    consts(): the C arguments between the input and the output (weights, bias, ...); called only when used, as a
    weight named in the call is emitted."""
    bands = ctx.plan.depthwise_bands.get(node.outputs[0])
    if bands is None:
        return None
    if bands.channel_group:
        return channel_group_call(node, ctx, kernel, params, bands)
    loop = kernel.replace("_conv2d_", "_inplace_")
    ctx.use(kernel)  # the band loop calls the model's own depthwise kernel
    ctx.use(loop)
    ctype = "int8_t" if kernel.endswith("_s8") else "float"
    data = ctx.ptr(node.outputs[0])  # the output lives in the input's buffer, from its first byte
    scratch = f"(({ctype} *)(arena + {ctx.plan.offsets[bands.scratch]}))"
    return (f"{loop}({data}, {', '.join(consts())}, {scratch}, {bands.band_rows}, {params}); "
            f"/* in place, bands of {bands.band_rows} rows */")


def channel_group_call(node, ctx, kernel: str, params: str, bands) -> str:
    """runtimes/reference/edgec_depthwise_channels_s8.c: the weights [1, k_h, k_w, C] re-laid out as consecutive
    [1, k_h, k_w, g] blocks, one per group of g channels (the last may be smaller), so that each group's kernel call
    reads its weights contiguously."""
    import numpy as np

    w = ctx.graph.tensors[node.inputs[1]].data
    g = bands.channel_group
    grouped = np.concatenate([w[..., c0:c0 + g].reshape(-1) for c0 in range(0, w.shape[-1], g)])
    ctx.use(kernel)  # the group loop calls the model's own depthwise kernel
    ctx.use("edgec_depthwise_channels_s8")
    sym = ctx.derived_weights(node, f"weights_by_{g}", grouped)
    data = ctx.ptr(node.outputs[0])
    scratch = f"((int8_t *)(arena + {ctx.plan.offsets[bands.scratch]}))"
    consts = ", ".join(ctx.ptr(t, const=True) for t in node.inputs[2:5])  # bias, multiplier, shift
    return (f"edgec_depthwise_channels_s8({data}, {sym}, {consts}, {scratch}, {g}, {params}); "
            f"/* in place, {g} channel(s) at a time */")
