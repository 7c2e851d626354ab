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
