"""The C call of a depthwise layer the planner runs over its own input (memory/inplace_depthwise.py): the band
loop of runtimes/reference/edgec_depthwise_inplace_{s8,f32}.c, which calls the depthwise kernel of the model's
kernel set on one band at a time."""

from __future__ import annotations


def in_place_call(node, ctx, kernel: str, consts: list[str], params: str) -> str | None:
    """`kernel` (edgec_depthwise_conv2d_s8 / _f32) as its in-place band loop, or None if the node runs as usual.
    consts: the C arguments between the input and the output (weights, bias, ...)."""
    bands = ctx.plan.depthwise_bands.get(node.outputs[0])
    if bands is None:
        return None
    loop = kernel.replace("_conv2d_", "_inplace_")
    ctx.use(kernel)  # the band loop calls the model's own depthwise kernel
    ctx.use(loop)
    ctype = "int8_t" if kernel.endswith("_s8") else "float"
    data = ctx.ptr(node.outputs[0])  # the output lives in the input's buffer, from its first byte
    scratch = f"(({ctype} *)(arena + {ctx.plan.offsets[bands.scratch]}))"
    return (f"{loop}({data}, {', '.join(consts)}, {scratch}, {bands.band_rows}, {params}); "
            f"/* in place, bands of {bands.band_rows} rows */")
