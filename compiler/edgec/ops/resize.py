"""Resize / Upsample (relax.image.resize2d), float32, NCHW or NHWC: nearest, linear and cubic interpolation in
every ONNX coordinate transformation mode and nearest mode.

Interpolation is separable: output (y, x) = sum_i wy_i * sum_j wx_j * in[iy_i, ix_j], with a few taps per
output row and per output column. The taps (source indices and weights) depend only on the shapes and the
attributes, so they are computed here, at compile time, in float64 with the formulas of ONNX's reference
implementation (onnx.reference.ops.op_resize), and shipped as small const tables (out_h + out_w entries). The
kernel only gathers and multiplies: no per-pixel coordinate arithmetic, and nearest is an exact copy.

Most models arrive as relax.image.resize2d, which TVM's layout pass makes channels-last; it carries the output
size, so the scale is output / input. A Resize whose scale is not that (a fractional scale * size) or that
antialiases arrives as the extern `edgec.resize2d` (NCHW) with the exact scales (frontend/onnx_converters.py).
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel, lowering
from .hybrid import extern

EXTRAPOLATED = -1  # first tap index of an output row / column that lies outside the input (tf_crop_and_resize)


def _source_coords(mode: str, out_n: int, in_n: int, scale: float, roi: tuple[float, float]):
    """x_ori for every output index (ONNX Resize's coordinate_transformation_mode), and which are outside."""
    x = np.arange(out_n, dtype=np.float64)
    width = scale * in_n  # the float output width ONNX's formulas use
    outside = np.zeros(out_n, bool)
    if mode == "align_corners":
        ori = np.zeros(out_n) if width == 1 else x * (in_n - 1) / (width - 1)
    elif mode == "asymmetric":
        ori = x / scale
    elif mode == "tf_crop_and_resize":
        r0, r1 = roi
        ori = np.full(out_n, (r1 - r0) * (in_n - 1) / 2) if width == 1 else x * (r1 - r0) * (in_n - 1) / (width - 1)
        ori = ori + r0 * (in_n - 1)
        outside = (ori < 0) | (ori > in_n - 1)
    elif mode == "pytorch_half_pixel":
        ori = np.full(out_n, -0.5) if width == 1 else (x + 0.5) / scale - 0.5
    elif mode == "half_pixel":
        ori = (x + 0.5) / scale - 0.5
    elif mode == "half_pixel_symmetric":
        offset = in_n / 2 * (1 - out_n / width)
        ori = offset + (x + 0.5) / scale - 0.5
    else:
        raise NotImplementedError(f"Resize coordinate_transformation_mode '{mode}'")
    return ori, outside


def _antialias_coeffs(method: str, ratio: float, scale: float, cubic_a: float) -> list[float]:
    """Downsampling with antialias: the linear / cubic kernel stretched by 1 / scale, normalised."""
    scale = min(scale, 1.0)
    a = cubic_a
    if method == "linear":
        start = math.floor(-1 / scale) + 1
        args = (np.arange(start, 2 - start) - ratio) * scale
        w = np.clip(1 - np.abs(args), 0, 1)
    elif method == "cubic":
        start = math.floor(-2 / scale) + 1
        t = np.abs((np.arange(start, 2 - start) - ratio) * scale)
        w = np.where(t <= 1, (a + 2) * t**3 - (a + 3) * t**2 + 1,
                     np.where(t < 2, a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a, 0.0))
    else:
        raise NotImplementedError(f"Resize antialias in mode '{method}'")
    return list(w / w.sum())


def _coeffs(method: str, ratio: float, nearest_mode: str, cubic_a: float) -> list[float]:
    """Weights of the taps around x_ori (ratio in (0, 1]: an integer x_ori counts as ratio 1, the tap on its left)."""
    if method == "nearest_neighbor":
        if ratio == 1.0:
            return [0.0, 1.0]
        pick_right = {"round_prefer_floor": ratio > 0.5, "round_prefer_ceil": ratio >= 0.5, "floor": False,
                      "ceil": True}
        if nearest_mode not in pick_right:
            raise NotImplementedError(f"Resize nearest_mode '{nearest_mode}'")
        right = pick_right[nearest_mode]
        return [0.0 if right else 1.0, 1.0 if right else 0.0]
    if method == "linear":
        return [1 - ratio, ratio]
    if method == "cubic":
        a, r, s = cubic_a, ratio, 1 - ratio
        return [((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
                ((a + 2) * r - (a + 3)) * r * r + 1,
                ((a + 2) * s - (a + 3)) * s * s + 1,
                ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a]
    raise NotImplementedError(f"Resize mode '{method}'")


def axis_taps(in_n: int, out_n: int, method: str, coord_mode: str, nearest_mode: str = "round_prefer_floor",
              cubic_a: float = -0.75, exclude_outside: bool = False, roi: tuple[float, float] = (0.0, 1.0),
              scale: float | None = None, antialias: bool = False):
    """(indices int32 [out_n, taps], weights float32 [out_n, taps]) of one axis; an output outside the input
    (tf_crop_and_resize) has index EXTRAPOLATED in its first tap. `scale` defaults to out_n / in_n."""
    scale = out_n / in_n if scale is None else scale
    ori, outside = _source_coords(coord_mode, out_n, in_n, scale, roi)
    rows_idx, rows_w = [], []
    for o, xo in enumerate(ori):
        ratio = 1.0 if float(xo).is_integer() else float(xo - math.floor(xo))
        if antialias and method != "nearest_neighbor":
            w = np.array(_antialias_coeffs(method, ratio, scale, cubic_a))
        else:
            w = np.array(_coeffs(method, ratio, nearest_mode, cubic_a))
        n = len(w)
        # The n taps around x_ori, the left one preferred on a tie (ONNX's neighbours).
        if n % 2 == 0:
            start = math.ceil(xo) - n // 2
        else:
            start = math.floor(xo) - (n - 1) // 2 + int(xo - math.floor(xo) > 0.5)
        idx = np.arange(start, start + n)
        if exclude_outside:
            w = np.where((idx < 0) | (idx >= in_n), 0.0, w)
            w = w / w.sum() if w.sum() != 0 else w
        idx = np.clip(idx, 0, in_n - 1)
        if method == "nearest_neighbor":  # one tap of weight 1: a copy
            idx, w = idx[[int(np.argmax(w))]], np.array([1.0])
        if outside[o]:
            idx = idx.copy()
            idx[0] = EXTRAPOLATED
        rows_idx.append(idx)
        rows_w.append(w)
    return np.array(rows_idx, np.int32), np.array(rows_w, np.float32)


def _emit(ctx, x: str, shape, dtype: str, layout: str, a, scales=(None, None), antialias: bool = False) -> str:
    """The resize2d node of input x, with the taps of both axes. `a` has resize2d's attributes."""
    if layout not in ("NCHW", "NHWC"):
        raise NotImplementedError(f"resize2d in layout {layout}")
    if dtype != "float32":
        raise NotImplementedError(f"resize2d of {dtype}")
    in_shape = ctx.graph.tensors[x].shape
    roi = [float(v) for v in a.roi]  # [h start, w start, h end, w end]
    common = dict(method=str(a.method), coord_mode=str(a.coordinate_transformation_mode),
                  nearest_mode=str(a.rounding_method), cubic_a=float(a.cubic_alpha),
                  exclude_outside=bool(int(a.cubic_exclude)), antialias=antialias)
    tables = []
    for k, axis in enumerate((layout.index("H"), layout.index("W"))):
        idx, w = axis_taps(in_shape[axis], shape[axis], roi=(roi[k], roi[k + 2]), scale=scales[k], **common)
        tables += [ctx.graph.add_const("resize_idx", idx), ctx.graph.add_const("resize_w", w)]
    return ctx.emit("resize2d", [x, *tables], shape, dtype,
                    {"layout": layout, "extrapolation_value": float(a.extrapolation_value)})


@lowering("relax.image.resize2d")
def lower_resize2d(ctx, call, out):
    shape, dtype = out
    return _emit(ctx, ctx.tensor(call.args[0]), shape, dtype, str(call.attrs.layout), call.attrs)


class _ExternAttrs:
    """resize2d's attribute names over the extern's attributes (strings and numbers on the ExternFunc)."""

    def __init__(self, attrs):
        self.attrs = attrs

    def __getattr__(self, name):
        value = self.attrs[name]
        return [float(v) for v in value] if name == "roi" else value


@extern("edgec.resize2d")
def lower_resize2d_exact(ctx, call, attrs, args, out):
    shape, dtype = out
    scales = tuple(float(s) for s in attrs["scales"])
    layout = str(attrs["layout"]) if "layout" in attrs else "NCHW"  # ONNX's are NCHW, TFLite's NHWC
    return _emit(ctx, ctx.tensor(args[0]), shape, dtype, layout, _ExternAttrs(attrs), scales,
                 bool(int(attrs["antialias"])))


@kernel("resize2d")
def emit_resize2d(node, ctx):
    g = ctx.graph
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if node.attrs["layout"] == "NCHW":
        (n, c, h, w), (_, _, oh, ow) = x.shape, y.shape
    else:
        (n, h, w, c), (_, oh, ow, _) = x.shape, y.shape
    taps_h, taps_w = g.tensors[node.inputs[1]].shape[1], g.tensors[node.inputs[3]].shape[1]
    params = ctx.static_params(
        "edgec_resize2d_params",
        dict(batch=n, channels=c, in_h=h, in_w=w, out_h=oh, out_w=ow, taps_h=taps_h, taps_w=taps_w,
             channels_last=int(node.attrs["layout"] == "NHWC"),
             extrapolation_value=np.float32(node.attrs["extrapolation_value"])),
    )
    ctx.use("edgec_resize2d_f32")
    tables = ", ".join(ctx.ptr(t, const=True) for t in node.inputs[1:])
    return f"edgec_resize2d_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {tables}, {params});"
