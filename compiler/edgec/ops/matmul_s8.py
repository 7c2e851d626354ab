"""int8 BATCH_MATMUL (frontend/tflite_int8_matmul.py computes the layout and the requantisation)."""

from __future__ import annotations

from . import kernel

FIELDS = ("batch_shape", "lhs_batch_strides", "rhs_batch_strides", "rows", "cols", "depth", "lhs_row_stride",
          "lhs_depth_stride", "rhs_depth_stride", "rhs_col_stride", "lhs_offset", "rhs_offset", "output_offset",
          "multiplier", "shift")


@kernel("batch_matmul_s8")
def emit_batch_matmul_s8(node, ctx):
    params = ctx.static_params("edgec_batch_matmul_s8_params", {k: node.attrs[k] for k in FIELDS})
    ctx.use("edgec_batch_matmul_s8")
    return (f"edgec_batch_matmul_s8({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")


@kernel("transpose_conv_s8")
def emit_transpose_conv_s8(node, ctx):
    """TRANSPOSE_CONV (frontend/tflite_int8_transpose_conv.py), with the convolution's parameter struct."""
    g = ctx.graph
    (n, h, w, c), (_, oh, ow, oc) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    kh, kw = g.tensors[node.inputs[1]].shape[1:3]
    a = node.attrs
    params = ctx.static_params("edgec_conv2d_s8_params", dict(
        batch=n, in_h=h, in_w=w, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw, stride_h=a["strides"][0],
        stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1], dil_h=1, dil_w=1, depth_multiplier=1,
        input_offset=a["input_offset"], output_offset=a["output_offset"], act_min=a["act"][0], act_max=a["act"][1],
        requant=0))
    ctx.use("edgec_transpose_conv_s8")
    args = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    return f"edgec_transpose_conv_s8({args}, {ctx.ptr(node.outputs[0])}, {params});"
