"""crop and paste: the window copies of patch-based scheduling (passes/patch_schedule.py).

crop(x) -> tile: the window of NHWC tensor x starting at pixel (y0, x0), of the tile's height and width.
paste(tile) -> y: the tile written into its window of y starting at (y0, x0); several paste nodes write one y,
one patch each, and the stage output is complete after the last of them.
Both are runtimes/*/edgec_copy_window.c."""

from __future__ import annotations

from ..ir import DTYPE_BYTES
from . import kernel


@kernel("crop", "paste")
def emit_copy_window(node, ctx):
    g = ctx.graph
    src, dst = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    tile = dst if node.op == "crop" else src
    _, rows, cols, channels = tile.shape
    y0, x0 = node.attrs["y0"], node.attrs["x0"]
    src_y, src_x, dst_y, dst_x = (y0, x0, 0, 0) if node.op == "crop" else (0, 0, y0, x0)
    params = ctx.static_params(
        "edgec_copy_window_params",
        dict(rows=rows, cols=cols, pixel_bytes=channels * DTYPE_BYTES[tile.dtype], src_w=src.shape[2], src_y=src_y,
             src_x=src_x, dst_w=dst.shape[2], dst_y=dst_y, dst_x=dst_x),
    )
    ctx.use("edgec_copy_window")
    return f"edgec_copy_window({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
