"""int8 bilinear resize (frontend/tflite_int8_resize.py builds the node and its table of sources and weights)."""

from __future__ import annotations

from . import kernel


@kernel("resize_bilinear_s8")
def emit_resize_bilinear_s8(node, ctx):
    g = ctx.graph
    (n, h, w, c), (_, oh, ow, _) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    params = ctx.static_params("edgec_resize_bilinear_s8_params",
                               dict(batch=n, in_h=h, in_w=w, channels=c, out_h=oh, out_w=ow))
    ctx.use("edgec_resize_bilinear_s8")
    return (f"edgec_resize_bilinear_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
