"""edgec's own converters for a few ONNX operators, used in place of TVM's while importing.

TVM's ONNX importer turns these operators into opaque `call_tir` functions (TOPI kernels), which edgec cannot
lower to its kernel library. With static shapes and compile-time attributes they are plain Relax operators:

- Clip: maximum/minimum with scalar constants for constant bounds (ReLU6 and friends; one clamp once
  lowered), else element-wise `relax.maximum` / `relax.minimum` with the bound tensors.
- Pad: `relax.nn.pad` for every mode (constant, reflect, edge -> replicate, wrap -> circular).
- Conv: auto_pad SAME_UPPER / SAME_LOWER become explicit pads (TVM pads with a separate TOPI call).
- BatchNormalization with training_mode=1: batch statistics spelled out with relax.mean (TVM's import is
  treated as inference by DecomposeOpsForInference, which would silently give wrong results).
- Reshape with allowzero=1 and a constant shape: a static reshape (TVM computes the shape at run time).
- DynamicQuantizeLinear, ConvInteger, MatMulInteger (onnxruntime's quantize_dynamic): calls of edgec's own
  kernels, `R.call_dps_packed("edgec.<op>", ...)` with the attributes on the ExternFunc, lowered by
  `edgec.ops.integer` (TVM decomposes them into int32 Relax arithmetic or has no converter at all). The
  fuse-dynamic-quant graph pass then puts each DynamicQuantizeLinear -> ConvInteger/MatMulInteger -> Cast ->
  Mul -> Add chain on the hybrid kernels.

The overrides are installed only for the duration of one import (`edgec_converters()`).
"""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import tvm
from tvm import relax
from tvm.relax.frontend.onnx import onnx_frontend as tvm_onnx


def _const_value(expr, params) -> np.ndarray | None:
    """The value of an input known at compile time (a constant or a bound parameter), else None."""
    if expr is None:
        return None
    c = tvm_onnx.get_constant(expr, params)
    if isinstance(c, tvm.ir.expr.Constant):
        return c.value.numpy()
    return None


def _static_shape(expr) -> list[int]:
    return [int(d) for d in expr.ty.shape.values]


class Clip(tvm_onnx.OnnxOpConverter):
    @classmethod
    def _clip(cls, bb, x, lo, hi, params):
        lo_c, hi_c = _const_value(lo, params), _const_value(hi, params)
        if (lo is None or (lo_c is not None and lo_c.size == 1)) and (hi is None or (hi_c is not None and hi_c.size == 1)):
            # ONNX treats a NaN bound as no bound.
            lo_v = -math.inf if lo is None or np.isnan(lo_c) else float(lo_c.reshape(()))
            hi_v = math.inf if hi is None or np.isnan(hi_c) else float(hi_c.reshape(()))
            return cls._scalar_clip(bb, x, lo_v, hi_v)
        out = x
        if lo is not None:
            out = bb.normalize(relax.op.maximum(out, lo))
        if hi is not None:
            out = bb.normalize(relax.op.minimum(out, hi))
        return out

    @classmethod
    def _scalar_clip(cls, bb, x, lo: float, hi: float):
        """maximum/minimum with scalar constants rather than relax.clip: TVM's ConvertLayout sees through
        element-wise binary ops but wraps relax.clip in transposes. edgec lowers both forms to one clamp."""
        dtype = str(x.ty.dtype)
        if dtype != "float32" and np.dtype(dtype).kind in "iu":
            return cls._integer_clip(bb, x, lo, hi, np.iinfo(dtype))
        out = x
        if lo != -math.inf:
            out = bb.normalize(relax.op.maximum(out, relax.const(lo, dtype)))
        if hi != math.inf:
            out = bb.normalize(relax.op.minimum(out, relax.const(hi, dtype)))
        return out if out is not x else relax.op.clip(x, lo, hi)

    @classmethod
    def _integer_clip(cls, bb, x, lo: float, hi: float, info):
        """Integer Clip (opset 12+): the bounds default to the type's range, so an unbounded clip is a copy
        (maximum with the type's minimum; relax.clip takes float bounds only)."""
        dtype = str(x.ty.dtype)
        out = bb.normalize(relax.op.maximum(x, relax.const(max(int(lo), int(info.min)) if lo != -math.inf
                                                           else int(info.min), dtype)))
        if hi != math.inf:
            out = bb.normalize(relax.op.minimum(out, relax.const(int(hi), dtype)))
        return out

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        return cls._scalar_clip(bb, inputs[0], float(attr.get("min", -math.inf)), float(attr.get("max", math.inf)))

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        return cls._clip(bb, inputs[0], inputs[1], inputs[2], params)

    @classmethod
    def _impl_v13(cls, bb, inputs, attr, params):
        return cls._clip(bb, inputs[0], inputs[1], inputs[2], params)


PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


class Pad(tvm_onnx.OnnxOpConverter):
    @classmethod
    def _pad(cls, bb, x, pads, value, axes, mode: str, params):
        rank = len(_static_shape(x))
        if mode not in PAD_MODES:
            raise ValueError(f"Pad mode '{mode}' is not one of {sorted(PAD_MODES)}")
        pads = np.asarray(pads, dtype=np.int64).reshape(-1)
        axes = list(range(rank)) if axes is None else [int(a) % rank for a in np.asarray(axes).reshape(-1)]
        if len(pads) != 2 * len(axes):
            raise ValueError(f"Pad: {len(pads)} pads for {len(axes)} axes")
        width = [0] * (2 * rank)
        for i, ax in enumerate(axes):
            width[2 * ax], width[2 * ax + 1] = int(pads[i]), int(pads[len(axes) + i])
        value_c = _const_value(value, params)
        if value is None or value_c is not None:
            fill = 0.0 if value is None else float(value_c.reshape(()))
            return relax.op.nn.pad(x, width, PAD_MODES[mode], fill)
        if mode != "constant":
            return relax.op.nn.pad(x, width, PAD_MODES[mode], 0.0)  # ONNX ignores the value in other modes
        # A pad value known only at run time: pad with 0, then add value * (1 where padded, 0 inside).
        # (Exact for finite values; an infinite pad value would turn the inside into NaN through 0 * inf.)
        padded = bb.normalize(relax.op.nn.pad(x, width, "constant", 0.0))
        dtype = str(x.ty.dtype)
        inside = np.pad(np.zeros(_static_shape(x), dtype), [(width[2 * a], width[2 * a + 1]) for a in range(rank)],
                        constant_values=1)
        fill = bb.normalize(relax.op.multiply(relax.const(inside, dtype), value))
        return relax.op.add(padded, fill)

    @classmethod
    def _impl_v2(cls, bb, inputs, attr, params):
        mode = attr.get("mode", b"constant").decode()
        pads = attr["pads"]
        return relax.op.nn.pad(inputs[0], _interleave(pads), PAD_MODES[mode], float(attr.get("value", 0.0)))

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        pads = _const_value(inputs[1], params)
        if pads is None:
            raise ValueError("Pad: the pads input must be known at compile time (bind it with --bind)")
        axes = None
        if len(inputs) > 3 and inputs[3] is not None:
            axes = _const_value(inputs[3], params)
            if axes is None:
                raise ValueError("Pad: the axes input must be known at compile time (bind it with --bind)")
        value = inputs[2] if len(inputs) > 2 else None
        return cls._pad(bb, inputs[0], pads, value, axes, attr.get("mode", b"constant").decode(), params)


def _interleave(pads) -> list[int]:
    """ONNX [b0, b1, ..., a0, a1, ...] -> Relax [b0, a0, b1, a1, ...]."""
    n = len(pads) // 2
    return [int(v) for pair in zip(pads[:n], pads[n:]) for v in pair]


def same_pads(in_size: list[int], kernel: list[int], strides: list[int], dilations: list[int], mode: str) -> list[int]:
    """Explicit ONNX pads [begins..., ends...] for auto_pad SAME_UPPER / SAME_LOWER."""
    begins, ends = [], []
    for n, k, s, d in zip(in_size, kernel, strides, dilations):
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        small, big = total // 2, total - total // 2
        begins.append(small if mode == "SAME_UPPER" else big)
        ends.append(big if mode == "SAME_UPPER" else small)
    return begins + ends


class Conv(tvm_onnx.Conv):
    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        auto_pad = attr.get("auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            spatial = _static_shape(inputs[0])[2:]
            kernel = [int(k) for k in attr.get("kernel_shape", _static_shape(inputs[1])[2:])]
            nd = len(spatial)
            attr = dict(attr)
            attr["pads"] = same_pads(spatial, kernel, list(attr.get("strides", [1] * nd)),
                                     list(attr.get("dilations", [1] * nd)), auto_pad)
            attr["auto_pad"] = b"NOTSET"
        return super()._impl_v11(bb, inputs, attr, params)


class Reshape(tvm_onnx.Reshape):
    """allowzero=1 with a constant shape on a static input: the output shape is known, so no runtime shape."""

    @classmethod
    def _impl_v13(cls, bb, inputs, attr, params):
        shape = _const_value(inputs[1], params)
        if attr.get("allowzero", 0) and shape is not None and isinstance(inputs[0].ty, relax.TensorType) \
                and not isinstance(inputs[0], relax.ShapeExpr):
            out_shape = np.empty(_static_shape(inputs[0]), np.int8).reshape(shape.tolist()).shape
            if 0 in out_shape:  # Relax's reshape reads 0 as "keep this dim"; an empty tensor has no data anyway
                return relax.op.zeros(relax.ShapeExpr(list(out_shape)), str(inputs[0].ty.dtype))
            return relax.op.reshape(inputs[0], out_shape)
        return super()._impl_v13(bb, inputs, attr, params)


class BatchNormalization(tvm_onnx.BatchNormalization):
    """training_mode=1 normalises with the batch's own statistics and also outputs the updated running
    mean and variance. TVM imports it as relax.nn.batch_norm(training=True), which the inference passes
    then treat as inference; here it is spelled out with means instead."""

    @classmethod
    def _impl_v15(cls, bb, inputs, attr, params):
        if not attr.get("training_mode", 0):
            return super()._impl_v15(bb, inputs, attr, params)
        x, scale, bias, mean, var = inputs[:5]
        dtype = str(x.ty.dtype)
        rank = len(_static_shape(x))
        eps, momentum = float(attr.get("epsilon", 1e-5)), float(attr.get("momentum", 0.9))
        axes = [0] + list(range(2, rank))
        per_channel = lambda v: relax.op.reshape(v, [1, -1] + [1] * (rank - 2))  # noqa: E731
        c = lambda v: relax.const(v, dtype)  # noqa: E731
        batch_mean = bb.normalize(relax.op.mean(x, axis=axes, keepdims=True))
        centred = bb.normalize(relax.op.subtract(x, batch_mean))
        batch_var = bb.normalize(relax.op.mean(relax.op.multiply(centred, centred), axis=axes, keepdims=True))
        y = relax.op.divide(centred, relax.op.sqrt(relax.op.add(batch_var, c(eps))))
        y = bb.normalize(relax.op.add(relax.op.multiply(y, per_channel(scale)), per_channel(bias)))
        flat = lambda v: relax.op.reshape(v, [-1])  # noqa: E731
        running_mean = bb.normalize(relax.op.add(relax.op.multiply(mean, c(momentum)),
                                                 relax.op.multiply(flat(batch_mean), c(1 - momentum))))
        running_var = bb.normalize(relax.op.add(relax.op.multiply(var, c(momentum)),
                                                relax.op.multiply(flat(batch_var), c(1 - momentum))))
        return relax.Tuple([y, running_mean, running_var])


class Dropout(tvm_onnx.OnnxOpConverter):
    """Inference: the identity, and an all-true mask when the node's second output is used. (TVM's
    relax.nn.dropout yields a tuple that its layout conversion cannot follow.) training_mode=1 is random and
    not compiled, unless the ratio is 0."""

    @classmethod
    def _dropout(cls, bb, inputs, attr, params, ratio):
        x = inputs[0]
        if len(inputs) > 2 and inputs[2] is not None:
            training = _const_value(inputs[2], params)
            if training is None or (bool(training.reshape(())) and ratio != 0.0):
                raise ValueError("Dropout in training mode is random: edgec compiles inference (training_mode=0)")
        if attr["tvm_custom"]["num_outputs"] > 1:
            return relax.Tuple([x, relax.const(np.ones(_static_shape(x), bool))])
        return x

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        return cls._dropout(bb, inputs, attr, params, float(attr.get("ratio", 0.5)))

    @classmethod
    def _impl_v12(cls, bb, inputs, attr, params):
        ratio = _const_value(inputs[1], params) if len(inputs) > 1 else None
        return cls._dropout(bb, inputs, attr, params, 0.5 if ratio is None else float(ratio.reshape(())))


class Variadic(tvm_onnx.OnnxOpConverter):
    """Sum / Mean / Max / Min of N broadcasting inputs as a chain of binary ops (TVM stacks broadcast copies
    of every input and reduces the stack: N times the memory)."""

    BINARY = {"Sum": relax.op.add, "Mean": relax.op.add, "Max": relax.op.maximum, "Min": relax.op.minimum}
    name = ""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        out = inputs[0]
        for x in inputs[1:]:
            out = bb.normalize(cls.BINARY[cls.name](out, x))
        if cls.name == "Mean" and len(inputs) > 1:
            out = relax.op.divide(out, relax.const(float(len(inputs)), str(out.ty.dtype)))
        elif len(inputs) == 1:
            out = relax.op.add(out, relax.const(0.0, str(out.ty.dtype))) if cls.name in ("Sum", "Mean") else out
        return out


class PRelu(tvm_onnx.OnnxOpConverter):
    """A slope along one axis (per channel, the common case) is relax.nn.prelu: one kernel call. Any other
    broadcast is max(x, 0) + slope * min(x, 0), exact in float (TVM's where/less form needs bool tensors)."""

    @classmethod
    def _impl_v7(cls, bb, inputs, attr, params):
        x, slope = inputs[0], inputs[1]
        shape, s_shape = _static_shape(x), _static_shape(slope)
        aligned = [1] * (len(shape) - len(s_shape)) + s_shape
        varying = [i for i, d in enumerate(aligned) if d != 1]
        if len(aligned) == len(shape) and len(varying) == 1 and aligned[varying[0]] == shape[varying[0]]:
            return relax.op.nn.prelu(x, relax.op.reshape(slope, [-1]), axis=varying[0])
        dtype = str(x.ty.dtype)
        zero = relax.const(0.0, dtype)
        negative = bb.normalize(relax.op.multiply(slope, relax.op.minimum(x, zero)))
        return relax.op.add(bb.normalize(relax.op.maximum(x, zero)), negative)


class Pow(tvm_onnx.OnnxOpConverter):
    """An exponent of another type (ONNX allows an integer exponent of a float base) in the base's type: a
    constant converted at compile time, a run-time integer exponent of a float32 base cast to float32 (exact up to
    2^24, beyond which powf is 0, 1 or infinite for every base but +-1). Integer bases with float exponents are
    refused before import (frontend/onnx.py). An integer base is the extern edgec.integer_power (ops/integer_binary.py,
    exact powers with wrap-around): TVM's FoldConstant crashes on relax.power of integers, even of run-time values."""

    @classmethod
    def _impl_v7(cls, bb, inputs, attr, params):
        x, y = inputs
        if np.dtype(str(x.ty.dtype)).kind in "iu":
            return relax.call_dps_packed(_extern("edgec.integer_power", {}), relax.Tuple([x, y]), out_ty=relax.TensorType(
                list(np.broadcast_shapes(tuple(_static_shape(x)), tuple(_static_shape(y)))), str(x.ty.dtype)))
        if str(y.ty.dtype) != str(x.ty.dtype):
            value = _const_value(y, params)
            if value is not None:
                y = relax.const(value.astype(str(x.ty.dtype)), str(x.ty.dtype))
            elif str(x.ty.dtype) == "float32":
                y = bb.normalize(relax.op.astype(y, "float32"))
            else:
                raise ValueError(f"Pow of {x.ty.dtype} with a {y.ty.dtype} exponent known only at run time")
        return relax.op.power(x, y)


class Tile(tvm_onnx.OnnxOpConverter):
    """Tile with constant repeats as one broadcast per repeated axis a: x viewed as [P, 1, S] (P the product of
    the dims before a, S of the others) broadcast to [P, r, S] is x repeated r times along a. Rank 3 whatever
    the input's rank; edgec runs broadcasts as strided copies."""

    @classmethod
    def _impl_v6(cls, bb, inputs, attr, params):
        x = inputs[0]
        repeats = _const_value(inputs[1], params)
        if repeats is None:
            raise ValueError("Tile: the repeats input must be known at compile time (bind it with --bind)")
        shape = _static_shape(x)
        for a, r in enumerate(int(v) for v in repeats.reshape(-1)):
            if r == 1:
                continue
            outer, inner = int(np.prod(shape[:a], dtype=np.int64)), int(np.prod(shape[a:], dtype=np.int64))
            wide = bb.normalize(relax.op.broadcast_to(relax.op.reshape(x, [outer, 1, inner]), [outer, r, inner]))
            shape = shape[:a] + [shape[a] * r] + shape[a + 1:]
            x = bb.normalize(relax.op.reshape(wide, shape))
        return x


class SpaceToDepth(tvm_onnx.OnnxOpConverter):
    """Both modes (DCR, CRD: opset 25) as reshape -> transpose -> reshape, as the ONNX reference does."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        x, b = inputs[0], int(attr["blocksize"])
        mode = attr.get("mode", b"DCR")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        n, c, h, w = _static_shape(x)
        perm = [0, 3, 5, 1, 2, 4] if mode == "DCR" else [0, 1, 3, 5, 2, 4]
        t = relax.op.permute_dims(relax.op.reshape(x, [n, c, h // b, b, w // b, b]), perm)
        return relax.op.reshape(bb.normalize(t), [n, c * b * b, h // b, w // b])


class Split(tvm_onnx.Split):
    """Constant split sizes (zero sizes included, which TVM's split refuses) as one strided slice per part."""

    @classmethod
    def _parts(cls, bb, x, axis, sizes):
        shape = _static_shape(x)
        axis %= len(shape)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        return relax.Tuple([bb.normalize(relax.op.strided_slice(x, [axis], [lo], [hi]))
                            for lo, hi in zip(bounds, bounds[1:])])

    @classmethod
    def _impl_v13(cls, bb, inputs, attr, params):
        sizes = _const_value(inputs[1], params) if len(inputs) > 1 else None
        if sizes is None:
            return super()._impl_v13(bb, inputs, attr, params)
        return cls._parts(bb, inputs[0], int(attr.get("axis", 0)), sizes.reshape(-1))


class LRN(tvm_onnx.OnnxOpConverter):
    """x / (bias + alpha / size * sum of x^2 over a window of channels)^beta, the window sum as an average pool
    (counting the padding) of x^2 viewed as [N, 1, C, rest]. TVM's form (a 3-D pool on an extra dim) does not
    survive the channels-last layout conversion."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        x = inputs[0]
        shape, dtype = _static_shape(x), str(x.ty.dtype)
        size = int(attr["size"])
        alpha, beta, bias = float(attr.get("alpha", 1e-4)), float(attr.get("beta", 0.75)), float(attr.get("bias", 1.0))
        rest = int(np.prod(shape[2:], dtype=np.int64))
        sq = bb.normalize(relax.op.reshape(relax.op.multiply(x, x), [shape[0], 1, shape[1], rest]))
        avg = bb.normalize(relax.op.nn.avg_pool2d(sq, pool_size=[size, 1], strides=[1, 1],
                                                  padding=[(size - 1) // 2, 0, size // 2, 0], count_include_pad=True))
        c = lambda v: relax.const(v, dtype)  # noqa: E731
        scale = bb.normalize(relax.op.add(c(bias), relax.op.multiply(c(alpha), relax.op.reshape(avg, shape))))
        return relax.op.divide(x, relax.op.power(scale, c(beta)))


class LayerNormalization(tvm_onnx.OnnxOpConverter):
    """TVM returns zeros for the optional Mean and InvStdDev outputs; here they are computed (over the
    normalised axes, reduced dims kept) when the node has them."""

    @classmethod
    def _impl_v17(cls, bb, inputs, attr, params):
        x, scale = inputs[0], inputs[1]
        bias = inputs[2] if len(inputs) > 2 else None
        rank, dtype = len(_static_shape(x)), str(x.ty.dtype)
        axes = list(range(int(attr.get("axis", -1)) % rank, rank))
        eps = float(attr.get("epsilon", 1e-5))
        if bias is None:
            bias = relax.const(np.zeros(_static_shape(scale), dtype), dtype)
        y = bb.normalize(relax.op.nn.layer_norm(x, scale, bias, axes, eps))
        if attr["tvm_custom"]["num_outputs"] == 1:
            return y
        mean = bb.normalize(relax.op.mean(x, axes, keepdims=True))
        var = bb.normalize(relax.op.variance(x, axes, keepdims=True))
        inv = relax.op.divide(relax.const(1.0, dtype), relax.op.sqrt(relax.op.add(var, relax.const(eps, dtype))))
        return relax.Tuple([y, mean, bb.normalize(inv)])


def _text(value, default: str) -> str:
    value = default if value is None else value
    return value.decode() if isinstance(value, bytes) else str(value)


class Resize(tvm_onnx.OnnxOpConverter):
    """Resize of the two spatial axes of an N-C-H-W tensor as relax.image.resize2d (which TVM's layout pass turns
    channels-last like the convolutions around it), every coordinate and nearest mode carried in its attributes
    and lowered by edgec (ops/resize.py). The output size follows ONNX's reference: from the sizes (with
    keep_aspect_ratio_policy) or floor(scale * size). resize2d carries the size, not the scale (its taps use
    scale = out / in), and has no antialias: a Resize whose scale * size is fractional, or that antialiases,
    becomes the extern edgec.resize2d (NCHW) with the exact scales instead."""

    NAMES = {"nearest": "nearest_neighbor", "linear": "linear", "cubic": "cubic"}

    @classmethod
    def _resize(cls, x, roi, scales, sizes, attr, axes=None):
        shape = _static_shape(x)
        r = len(shape)
        mode = _text(attr.get("mode"), "nearest")
        if r != 4:
            raise ValueError(f"Resize of a rank-{r} tensor: edgec resizes H and W of N-C-H-W tensors")
        axes = list(range(r)) if axes is None else [int(a) % r for a in axes]
        if scales is not None and scales.size == 0:
            scales = None
        if sizes is not None and sizes.size == 0:
            sizes = None
        if (scales is None) == (sizes is None):
            raise ValueError("Resize needs exactly one of scales and sizes, known at compile time")
        full_scale, out = [1.0] * r, list(shape)
        if sizes is not None:
            for a, n in zip(axes, sizes.reshape(-1).tolist()):
                out[a], full_scale[a] = int(n), int(n) / shape[a]
            policy = _text(attr.get("keep_aspect_ratio_policy"), "stretch")
            if policy != "stretch":
                pick = min if policy == "not_larger" else max
                scale = pick(full_scale[a] for a in axes)
                for a in axes:
                    full_scale[a], out[a] = scale, int(scale * shape[a] + 0.5)
        else:
            for a, s in zip(axes, scales.reshape(-1).tolist()):
                full_scale[a], out[a] = float(s), int(float(s) * shape[a])
        if out[:2] != shape[:2]:
            raise ValueError(f"Resize of the batch or channel axis ({shape} -> {out}): edgec resizes H and W")
        exact = all(math.isclose(full_scale[a] * shape[a], out[a], rel_tol=1e-9) for a in (2, 3))
        antialias = bool(int(attr.get("antialias", 0))) and mode != "nearest"
        roi_hw = [0.0, 0.0, 1.0, 1.0]
        if roi is not None and roi.size:
            full = [0.0] * r + [1.0] * r
            for i, a in enumerate(axes):
                full[a], full[r + a] = float(roi.reshape(-1)[i]), float(roi.reshape(-1)[len(axes) + i])
            roi_hw = [full[2], full[3], full[r + 2], full[r + 3]]
        attrs = dict(roi=roi_hw, method=cls.NAMES.get(mode, mode),
                     coordinate_transformation_mode=_text(attr.get("coordinate_transformation_mode"), "half_pixel"),
                     rounding_method=_text(attr.get("nearest_mode"), "round_prefer_floor"),
                     cubic_alpha=float(attr.get("cubic_coeff_a", -0.75)),
                     cubic_exclude=int(attr.get("exclude_outside", 0)),
                     extrapolation_value=float(attr.get("extrapolation_value", 0.0)))
        if exact and not antialias:
            return relax.op.image.resize2d(x, relax.ShapeExpr(out[2:]), layout="NCHW", **attrs)
        func = _extern("edgec.resize2d", dict(attrs, scales=[full_scale[2], full_scale[3]], antialias=int(antialias)))
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=relax.TensorType(out, str(x.ty.dtype)))

    @classmethod
    def _constant(cls, inputs, i, params, what):
        if len(inputs) <= i or inputs[i] is None:
            return None
        value = _const_value(inputs[i], params)
        if value is None:
            raise ValueError(f"Resize: the {what} input must be known at compile time (bind it with --bind)")
        return value

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        roi, scales, sizes = (cls._constant(inputs, i, params, w) for i, w in ((1, "roi"), (2, "scales"), (3, "sizes")))
        return cls._resize(inputs[0], roi, scales, sizes, attr, attr.get("axes"))


class Upsample(tvm_onnx.OnnxOpConverter):
    """Upsample (deprecated): Resize with asymmetric coordinates; nearest takes the floor (x // scale)."""

    @classmethod
    def _upsample(cls, x, scales, attr):
        mode = _text(attr.get("mode"), "nearest")
        attr = {"mode": mode, "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"}
        return Resize._resize(x, None, np.asarray(scales, np.float32), None, attr)

    @classmethod
    def _impl_v7(cls, bb, inputs, attr, params):
        return cls._upsample(inputs[0], attr["scales"], attr)

    @classmethod
    def _impl_v9(cls, bb, inputs, attr, params):
        scales = _const_value(inputs[1], params)
        if scales is None:
            raise ValueError("Upsample: the scales input must be known at compile time (bind it with --bind)")
        return cls._upsample(inputs[0], scales, attr)


class ConvTranspose(tvm_onnx.ConvTranspose):
    """output_shape (which TVM ignores) as pads and output_padding, by ONNX's rule: total padding =
    stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - output_shape, split with the odd unit at
    the start (at the end for SAME_UPPER); an end pad below zero (a larger output) becomes output padding."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        if "output_shape" not in attr:
            return super()._impl_v1(bb, inputs, attr, params)
        spatial = _static_shape(inputs[0])[2:]
        nd = len(spatial)
        kernel = [int(k) for k in attr.get("kernel_shape", _static_shape(inputs[1])[2:])]
        strides = [int(v) for v in attr.get("strides", [1] * nd)]
        dilations = [int(v) for v in attr.get("dilations", [1] * nd)]
        out_pad = [int(v) for v in attr.get("output_padding", [0] * nd)]
        wanted = [int(v) for v in attr["output_shape"]][-nd:]
        upper = _text(attr.get("auto_pad"), "NOTSET") == "SAME_UPPER"
        begins, ends, extra = [], [], []
        for n, k, s_, d, op, o in zip(spatial, kernel, strides, dilations, out_pad, wanted):
            total = s_ * (n - 1) + op + (k - 1) * d + 1 - o
            begin, end = (total // 2, total - total // 2) if upper else (total - total // 2, total // 2)
            if begin < 0:
                raise ValueError(f"ConvTranspose output_shape {wanted} needs a negative start padding")
            begins.append(begin)
            ends.append(max(end, 0))
            extra.append(op + max(-end, 0))
        attr = {k: v for k, v in attr.items() if k not in ("output_shape", "auto_pad")}
        attr.update(pads=begins + ends, output_padding=extra)
        return super()._impl_v1(bb, inputs, attr, params)


class MaxPool(tvm_onnx.MaxPool):
    """MaxPool with its Indices output (int64) as the extern edgec.max_pool_argmax (ops/pool_argmax.py), 2-D NCHW;
    without it, TVM's max_pool. The output size is ONNX's: floor (or ceil_mode's ceil, dropping a last window
    that would start in the end padding) of (in + pads - dilated kernel) / stride + 1; auto_pad SAME_* pads to
    ceil(in / stride), the odd unit at the end (SAME_UPPER) or the start (SAME_LOWER)."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        if attr["tvm_custom"]["num_outputs"] < 2:
            return super()._impl_v1(bb, inputs, attr, params)
        x = inputs[0]
        shape = _static_shape(x)
        if len(shape) != 4:
            raise ValueError(f"the Indices output of a {len(shape) - 2}-D MaxPool is not supported (edgec runs 2-D)")
        kernel = [int(v) for v in attr["kernel_shape"]]
        strides = [int(v) for v in attr.get("strides", [1, 1])]
        dilations = [int(v) for v in attr.get("dilations", [1, 1])]
        pads = [int(v) for v in attr.get("pads", [0, 0, 0, 0])]
        auto_pad, ceil_mode = _text(attr.get("auto_pad"), "NOTSET"), int(attr.get("ceil_mode", 0))
        out = []
        for a, (n, k, s_, d) in enumerate(zip(shape[2:], kernel, strides, dilations)):
            span = (k - 1) * d + 1
            if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
                size = -(-n // s_)
                total = max((size - 1) * s_ + span - n, 0)
                pads[a], pads[a + 2] = ((total // 2, total - total // 2) if auto_pad == "SAME_UPPER"
                                        else (total - total // 2, total // 2))
            elif auto_pad == "VALID":
                pads[a] = pads[a + 2] = 0
            room = n + pads[a] + pads[a + 2] - span
            size = (-(-room // s_) if ceil_mode else room // s_) + 1
            if ceil_mode and (size - 1) * s_ >= n + pads[a]:
                size -= 1
            if room < 0 or size < 1:
                raise ValueError(f"MaxPool: a kernel of {span} does not fit an axis of {n} with pads {pads}")
            out.append(size)
        func = _extern("edgec.max_pool_argmax", dict(kernel=kernel, strides=strides, pads=pads, dilations=dilations,
                                                     column_major=int(attr.get("storage_order", 0))))
        out_shape = shape[:2] + out
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=[relax.TensorType(out_shape, str(x.ty.dtype)),
                                                                     relax.TensorType(out_shape, "int64")])


class ArgReduce(tvm_onnx.OnnxOpConverter):
    """ArgMax / ArgMin as the extern edgec.arg_reduce (ops/arg_reduce.py): relax.argmax has no select_last_index."""

    is_min = 0

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        x = inputs[0]
        shape = _static_shape(x)
        axis = int(attr.get("axis", 0)) % len(shape)
        keepdims = int(attr.get("keepdims", 1))
        out = shape[:axis] + ([1] if keepdims else []) + shape[axis + 1:]
        func = _extern("edgec.arg_reduce", dict(axis=axis, is_min=cls.is_min,
                                                 select_last=int(attr.get("select_last_index", 0))))
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=relax.TensorType(out, "int64"))


class ArgMax(ArgReduce):
    is_min = 0


class ArgMin(ArgReduce):
    is_min = 1


def _axis_input(inputs, i: int, params, what: str) -> int:
    value = _const_value(inputs[i], params) if len(inputs) > i and inputs[i] is not None else None
    if value is None or value.size != 1:
        raise ValueError(f"{what} must be one value known at compile time (bind it with --bind)")
    return int(value.reshape(()))


class CumSum(tvm_onnx.OnnxOpConverter):
    """CumSum as the extern edgec.cumsum (ops/scan.py), reverse and exclusive in one pass."""

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        x = inputs[0]
        shape = _static_shape(x)
        axis = _axis_input(inputs, 1, params, "CumSum: the axis") % len(shape)
        func = _extern("edgec.cumsum", dict(axis=axis, exclusive=int(attr.get("exclusive", 0)),
                                            reverse=int(attr.get("reverse", 0))))
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=relax.TensorType(shape, str(x.ty.dtype)))


class TopK(tvm_onnx.OnnxOpConverter):
    """TopK as the extern edgec.topk (ops/scan.py): values and int64 indices, always sorted (which sorted=0 allows)."""

    @classmethod
    def _topk(cls, x, k: int, axis: int, largest: int):
        shape = _static_shape(x)
        axis %= len(shape)
        if not 0 <= k <= shape[axis]:
            raise ValueError(f"TopK: k={k} for an axis of {shape[axis]}")
        out = shape[:axis] + [k] + shape[axis + 1:]
        func = _extern("edgec.topk", dict(axis=axis, largest=largest))
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=[relax.TensorType(out, str(x.ty.dtype)),
                                                                     relax.TensorType(out, "int64")])

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        return cls._topk(inputs[0], int(attr["k"]), int(attr.get("axis", -1)), 1)

    @classmethod
    def _impl_v10(cls, bb, inputs, attr, params):
        k = _axis_input(inputs, 1, params, "TopK: K")
        return cls._topk(inputs[0], k, int(attr.get("axis", -1)), int(attr.get("largest", 1)))


class GroupNormalization(tvm_onnx.OnnxOpConverter):
    """x viewed as [N, groups, rest] normalised over its last axis (edgec's layer_norm, no affine), viewed back,
    then the per-channel scale and bias (opset 21; opset 18's per-group ones repeated over each group's
    channels). TVM's relax.nn.group_norm has no edgec lowering."""

    @classmethod
    def _group_norm(cls, bb, inputs, attr, per_group: bool):
        x, scale, bias = inputs[:3]
        shape, dtype = _static_shape(x), str(x.ty.dtype)
        groups, eps = int(attr["num_groups"]), float(attr.get("epsilon", 1e-5))
        c = shape[1]
        if groups <= 0 or c % groups:
            raise ValueError(f"GroupNormalization: {groups} groups for {c} channels")
        rest = int(np.prod(shape[1:], dtype=np.int64)) // groups
        flat = bb.normalize(relax.op.reshape(x, [shape[0], groups, rest]))
        ones = relax.const(np.ones([rest], dtype), dtype)
        zeros = relax.const(np.zeros([rest], dtype), dtype)
        y = bb.normalize(relax.op.nn.layer_norm(flat, ones, zeros, [2], eps, center=False, scale=False))
        y = bb.normalize(relax.op.reshape(y, shape))
        per_channel = [c] + [1] * (len(shape) - 2)

        def channels(v):
            if per_group and groups != c:
                v = relax.op.reshape(relax.op.broadcast_to(relax.op.reshape(v, [groups, 1]), [groups, c // groups]), [c])
            return relax.op.reshape(v, per_channel)

        y = bb.normalize(relax.op.multiply(y, bb.normalize(channels(scale))))
        return relax.op.add(y, bb.normalize(channels(bias)))

    @classmethod
    def _impl_v18(cls, bb, inputs, attr, params):
        return cls._group_norm(bb, inputs, attr, per_group=True)

    @classmethod
    def _impl_v21(cls, bb, inputs, attr, params):
        if int(attr.get("stash_type", 1)) != 1:
            raise ValueError("GroupNormalization with stash_type other than float32")
        return cls._group_norm(bb, inputs, attr, per_group=False)


class Einsum(tvm_onnx.OnnxOpConverter):
    """Einsum of one or two operands as Relax operators edgec lowers. Ellipses become letters of their own (right
    aligned, as NumPy broadcasts them); an axis of size 1 that broadcasts against a larger one of the same letter
    is dropped from its operand (its value is the same along the letter); a letter repeated in one term takes the
    diagonal (the two axes last, flattened, every (n + 1)-th element: one strided copy). Then letters only one
    term has and the output lacks are summed; two operands become one batch matmul, [batch, left, summed] x
    [batch, summed, right], with transposes and reshapes around it; the output is permuted into place. Covers
    matmul, batch matmul, transposes, diagonals, traces, inner and outer products, sums. (TVM imports Einsum as
    one TOPI call edgec cannot lower.)"""

    @classmethod
    def _terms(cls, equation: str, shapes: list[list[int]]):
        """The input terms and output term, ellipses replaced by letters the equation does not use."""
        eq = equation.replace(" ", "")
        lhs, arrow, rhs = eq.partition("->")
        terms = lhs.split(",")
        if len(terms) != len(shapes) or len(shapes) not in (1, 2):
            raise ValueError(f"Einsum '{equation}': edgec takes one or two operands")
        if any(t.replace("...", "").count(".") for t in terms + [rhs]):
            raise ValueError(f"Einsum '{equation}': a '.' outside an ellipsis")
        spare = [chr(c) for c in range(0x100, 0x200)]  # never letters of an ONNX equation (a-z, A-Z)
        ranks = [len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes)]
        if any(r < 0 or r and "..." not in t for r, t in zip(ranks, terms)):
            raise ValueError(f"Einsum '{equation}': a term does not fit its operand's rank {[len(s) for s in shapes]}")
        ellipsis = "".join(spare[:max(ranks)])
        terms = [t.replace("...", ellipsis[len(ellipsis) - r:]) for t, r in zip(terms, ranks)]
        if not arrow:  # NumPy's implicit output: the ellipsis, then the letters used once, in order
            letters = "".join(terms)
            rhs = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
        elif ellipsis and "..." not in rhs:  # as NumPy (ONNX's reference): they are not summed away
            raise ValueError(f"Einsum '{equation}': the ellipsis stands for {len(ellipsis)} axes the output lacks")
        else:
            rhs = rhs.replace("...", ellipsis)
        if len(set(rhs)) != len(rhs):
            raise ValueError(f"Einsum '{equation}': a letter repeated in the output")
        if set(rhs) - set("".join(terms)):
            raise ValueError(f"Einsum '{equation}': an output letter that no input has")
        return terms, rhs

    @classmethod
    def _diagonal(cls, bb, x, term: str):
        """Takes the diagonal of every letter repeated in `term`, one pair at a time."""
        while len(set(term)) != len(term):
            c = next(c for c in term if term.count(c) > 1)
            i = term.index(c)
            j = term.index(c, i + 1)
            shape = _static_shape(x)
            if shape[i] != shape[j]:
                raise ValueError(f"Einsum: the diagonal of axes {i} and {j} of sizes {shape[i]} and {shape[j]}")
            rest = [k for k in range(len(term)) if k not in (i, j)]
            n = shape[i]
            x = bb.normalize(relax.op.permute_dims(x, rest + [i, j]))
            x = bb.normalize(relax.op.reshape(x, [shape[k] for k in rest] + [n * n]))
            x = bb.normalize(relax.op.strided_slice(x, [len(rest)], [0], [n * n], [n + 1]))
            term = "".join(term[k] for k in rest) + c
        return x, term

    @classmethod
    def _drop_broadcast(cls, bb, x, term: str, size: dict[str, int]):
        """Drops the axes of size 1 whose letter is larger elsewhere (NumPy's broadcasting of the ellipsis)."""
        shape = _static_shape(x)
        drop = [i for i, c in enumerate(term) if shape[i] == 1 and size[c] > 1]
        if not drop:
            return x, term
        x = bb.normalize(relax.op.reshape(x, [d for i, d in enumerate(shape) if i not in drop]))
        return x, "".join(c for i, c in enumerate(term) if i not in drop)

    @classmethod
    def _sum_out(cls, bb, x, term: str, keep: str):
        axes = [i for i, c in enumerate(term) if c not in keep]
        if not axes:
            return x, term
        return bb.normalize(relax.op.sum(x, axes)), "".join(c for c in term if c in keep)

    @classmethod
    def _permute(cls, bb, x, term: str, order: str):
        if term == order:
            return x
        return bb.normalize(relax.op.permute_dims(x, [term.index(c) for c in order]))

    @classmethod
    def _impl_v12(cls, bb, inputs, attr, params):
        equation = _text(attr["equation"], "")
        terms, out = cls._terms(equation, [_static_shape(v) for v in inputs])
        operands = [cls._diagonal(bb, v, t) for v, t in zip(inputs, terms)]
        size: dict[str, int] = {}
        for v, t in operands:
            for c, d in zip(t, _static_shape(v)):
                if d != 1 and size.get(c, 1) not in (1, d):
                    raise ValueError(f"Einsum '{equation}': letter sizes {size[c]} and {d} do not broadcast")
                size[c] = max(size.get(c, 1), d)
        operands = [cls._drop_broadcast(bb, v, t, size) for v, t in operands]
        if len(operands) == 1:
            x, term = cls._sum_out(bb, *operands[0], out)
            return cls._permute(bb, x, term, out)
        (a, ta), (b, tb) = operands
        (a, ta), (b, tb) = cls._sum_out(bb, a, ta, tb + out), cls._sum_out(bb, b, tb, ta + out)
        batch = "".join(c for c in out if c in ta and c in tb)
        left = "".join(c for c in out if c in ta and c not in tb)
        right = "".join(c for c in out if c in tb and c not in ta)
        summed = "".join(c for c in ta if c in tb and c not in out)
        prod = lambda letters: int(np.prod([size[c] for c in letters], dtype=np.int64))  # noqa: E731
        a = bb.normalize(relax.op.reshape(cls._permute(bb, a, ta, batch + left + summed),
                                          [prod(batch), prod(left), prod(summed)]))
        b = bb.normalize(relax.op.reshape(cls._permute(bb, b, tb, batch + summed + right),
                                          [prod(batch), prod(summed), prod(right)]))
        y = bb.normalize(relax.op.matmul(a, b))
        y = bb.normalize(relax.op.reshape(y, [size[c] for c in batch + left + right]))
        return cls._permute(bb, y, batch + left + right, out)


def _variadic(op: str):
    return type(op, (Variadic,), {"name": op})


def _extern(name: str, attrs: dict):
    func = relax.ExternFunc(name)
    for key, value in attrs.items():
        func = func.with_attr(key, value)
    return func


def _optional(inputs, i: int, like, params):
    """Optional input i (a zero point), or a scalar 0 of `like`'s dtype when it is absent."""
    if len(inputs) > i and inputs[i] is not None:
        return inputs[i]
    return relax.const(np.zeros((), str(like.ty.dtype)), str(like.ty.dtype))


class ParamActivation(tvm_onnx.OnnxOpConverter):
    """Celu, Shrink, ThresholdedRelu: one call of edgec's unary kernel (`edgec.unary`, ops/elementwise.py) rather
    than TVM's compositions of comparisons and selects (or nothing: TVM has no Celu)."""

    KINDS = {"Celu": ("celu", "alpha", 1.0, None, 0.0), "Shrink": ("shrink", "lambd", 0.5, "bias", 0.0),
             "ThresholdedRelu": ("thresholded_relu", "alpha", 1.0, None, 0.0)}

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        kind, a_name, a_default, b_name, b_default = cls.KINDS[cls.name]
        x = inputs[0]
        if str(x.ty.dtype) != "float32":
            raise tvm.error.OpNotImplemented(f"{cls.name} of {x.ty.dtype} (edgec takes float32)")
        alpha = float(attr.get(a_name, a_default))
        if kind == "celu" and alpha == 0.0:
            raise tvm.error.OpNotImplemented("Celu with alpha 0 (it divides by alpha)")
        beta = float(attr.get(b_name, b_default)) if b_name else 0.0
        func = _extern("edgec.unary", dict(kind=kind, alpha=alpha, beta=beta))
        return relax.call_dps_packed(func, relax.Tuple([x]), out_ty=relax.TensorType(_static_shape(x), "float32"))


class RandomUniform(tvm_onnx.OnnxOpConverter):
    """Fresh uniform values on every run: edgec's generator kernel with its state kept between runs
    (ops/random.py); TVM has no converter."""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        if int(attr.get("dtype", 1)) != 1:
            raise tvm.error.OpNotImplemented(f"dtype {attr['dtype']} (edgec takes float32)")
        low, high = float(attr.get("low", 0.0)), float(attr.get("high", 1.0))
        if not low < high:
            raise tvm.error.OpNotImplemented(f"low {low} is not below high {high}")
        shape = [int(d) for d in attr.get("shape", [])]
        func = _extern("edgec.random_uniform", dict(low=low, high=high, has_seed=int("seed" in attr),
                                                    seed=float(attr.get("seed", 0.0))))
        return relax.call_dps_packed(func, relax.Tuple([]), out_ty=relax.TensorType(shape, "float32"))


class DynamicQuantizeLinear(tvm_onnx.OnnxOpConverter):
    """x -> (uint8 y, float32 scale, uint8 zero point): edgec's kernel (edgec_hybrid_quantize.h)."""

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        x = inputs[0]
        if str(x.ty.dtype) != "float32":
            raise ValueError(f"DynamicQuantizeLinear of {x.ty.dtype} (edgec takes float32)")
        return relax.call_dps_packed(_extern("edgec.dynamic_quantize_linear", {}), relax.Tuple([x]), out_ty=[
            relax.TensorType(_static_shape(x), "uint8"), relax.TensorType([], "float32"),
            relax.TensorType([], "uint8")])


class ConvInteger(tvm_onnx.OnnxOpConverter):
    """2-D ConvInteger (NCHW, int32 out) as the extern edgec.conv_integer(x, w, x_zero_point, w_zero_point)."""

    @classmethod
    def _impl_v10(cls, bb, inputs, attr, params):
        x, w = inputs[0], inputs[1]
        xs, ws = _static_shape(x), _static_shape(w)
        if len(xs) != 4 or len(ws) != 4:
            raise ValueError(f"ConvInteger of rank {len(xs)}: edgec supports 2-D convolutions (rank 4)")
        kernel = [int(k) for k in attr.get("kernel_shape", ws[2:])]
        strides = [int(v) for v in attr.get("strides", [1, 1])]
        dilations = [int(v) for v in attr.get("dilations", [1, 1])]
        group = int(attr.get("group", 1))
        auto_pad = attr.get("auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            pads = same_pads(xs[2:], kernel, strides, dilations, auto_pad)
        elif auto_pad == "VALID":
            pads = [0, 0, 0, 0]
        else:
            pads = [int(v) for v in attr.get("pads", [0, 0, 0, 0])]
        if xs[1] % group or ws[0] % group or ws[1] * group != xs[1] or kernel != ws[2:]:
            raise ValueError(f"ConvInteger: weights {ws} do not fit input {xs} with group={group}")
        out = [xs[0], ws[0]] + [(xs[2 + i] + pads[i] + pads[2 + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
                                for i in range(2)]
        func = _extern("edgec.conv_integer", dict(strides=strides, dilations=dilations, group=group, pads=pads))
        args = [x, w, _optional(inputs, 2, x, params), _optional(inputs, 3, w, params)]
        return relax.call_dps_packed(func, relax.Tuple(args), out_ty=relax.TensorType(out, "int32"))


class MatMulInteger(tvm_onnx.OnnxOpConverter):
    """MatMulInteger with a 2-D B as the extern edgec.matmul_integer(a, b, a_zero_point, b_zero_point)."""

    @classmethod
    def _impl_v10(cls, bb, inputs, attr, params):
        a, b = inputs[0], inputs[1]
        a_shape, b_shape = _static_shape(a), _static_shape(b)
        if len(b_shape) != 2 or not a_shape or a_shape[-1] != b_shape[0]:
            raise ValueError(f"MatMulInteger of {a_shape} and {b_shape}: edgec supports A [..., M, K] times a 2-D B [K, N]")
        out = a_shape[:-1] + [b_shape[1]]
        args = [a, b, _optional(inputs, 2, a, params), _optional(inputs, 3, b, params)]
        return relax.call_dps_packed(_extern("edgec.matmul_integer", {}), relax.Tuple(args),
                                     out_ty=relax.TensorType(out, "int32"))


class BitShift(tvm_onnx.OnnxOpConverter):
    """BitShift as the extern edgec.bitshift (ops/bitshift.py): one kernel for every integer type, with a defined
    result for shifts of the type's width or more (TVM's would be C's undefined shift)."""

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        x, y = inputs[0], inputs[1]
        direction = _text(attr.get("direction"), "")
        if direction not in ("LEFT", "RIGHT"):
            raise ValueError(f"BitShift direction '{direction}' (LEFT or RIGHT)")
        shape = list(np.broadcast_shapes(tuple(_static_shape(x)), tuple(_static_shape(y))))
        func = _extern("edgec.bitshift", dict(left=int(direction == "LEFT")))
        return relax.call_dps_packed(func, relax.Tuple([x, y]), out_ty=relax.TensorType(shape, str(x.ty.dtype)))


SCATTER_REDUCTIONS = {"none": 0, "add": 1, "mul": 2, "max": 3, "min": 4}


class ScatterND(tvm_onnx.OnnxOpConverter):
    """ScatterND as the extern edgec.scatter_nd(data, indices, updates) (ops/scatter_nd.py): the data copied, then
    the updates applied in order, with indices known at compile time or read at run time."""

    @classmethod
    def _impl_v11(cls, bb, inputs, attr, params):
        data, indices, updates = inputs[:3]
        reduction = _text(attr.get("reduction"), "none")
        if reduction not in SCATTER_REDUCTIONS:
            raise ValueError(f"ScatterND reduction '{reduction}' (none, add, mul, max, min)")
        from ..ops.scatter_nd import check_scatter_nd  # refused here, where the error can name the node

        check_scatter_nd(_static_shape(data), _static_shape(indices), _static_shape(updates), str(indices.ty.dtype),
                         _const_value(indices, params))
        func = _extern("edgec.scatter_nd", dict(reduction=SCATTER_REDUCTIONS[reduction]))
        return relax.call_dps_packed(func, relax.Tuple([data, indices, updates]),
                                     out_ty=relax.TensorType(_static_shape(data), str(data.ty.dtype)))


OVERRIDES = {"Clip": Clip, "Dropout": Dropout, "PRelu": PRelu, "Pow": Pow, "Tile": Tile, "LRN": LRN, "LayerNormalization": LayerNormalization, "SpaceToDepth": SpaceToDepth, "Split": Split, **{op: _variadic(op) for op in ("Sum", "Mean", "Max", "Min")}, "Pad": Pad, "Conv": Conv, "Reshape": Reshape, "Resize": Resize, "Upsample": Upsample, "ConvTranspose": ConvTranspose, "MaxPool": MaxPool, "ArgMax": ArgMax, "ArgMin": ArgMin, "CumSum": CumSum, "TopK": TopK,
             "GroupNormalization": GroupNormalization, "Einsum": Einsum, "BatchNormalization": BatchNormalization,
             **{op: type(op, (ParamActivation,), {"name": op}) for op in ParamActivation.KINDS},
             "RandomUniform": RandomUniform, "DynamicQuantizeLinear": DynamicQuantizeLinear, "ConvInteger": ConvInteger,
             "MatMulInteger": MatMulInteger, "BitShift": BitShift, "ScatterND": ScatterND}


from .onnx_recurrent_convert import OUTPUTS_READ, RECURRENT_CONVERTERS  # noqa: E402 (it imports the helpers above)

OVERRIDES.update(RECURRENT_CONVERTERS)

from .onnx_tree_ensemble import TreeEnsembleClassifier  # noqa: E402

OVERRIDES["TreeEnsembleClassifier"] = TreeEnsembleClassifier


def _named_after_node(convert_operator):
    """Bind each converted operator to a Relax var named after its ONNX node, so that the per-layer report and
    lowering errors name the user's layers ('conv1') rather than TVM's temporaries ('lv17'); a converter's
    refusal (ValueError) names the node too."""

    def convert(self, op_name, inputs, attrs, opset):
        node_name = (attrs.get("tvm_custom") or {}).get("name") or ""
        try:
            sym = convert_operator(self, op_name, inputs, attrs, opset)
        except (ValueError, NotImplementedError) as exc:  # a converter's refusal: say which node
            if not node_name:
                raise
            raise type(exc)(f"node '{node_name}' ({op_name}): {exc}") from exc
        if node_name and isinstance(sym, tvm.ir.expr.Call) and isinstance(sym.ty, relax.TensorType):
            sym = self.bb.emit(sym, name_hint=re.sub(r"\W", "_", node_name))
        return sym

    return convert


@contextlib.contextmanager
def edgec_converters(recurrent_outputs_read: dict[str, list[int]] | None = None):
    """While TVM imports a model: edgec's converters for the operators in OVERRIDES, and vars named after nodes.
    `recurrent_outputs_read`: which outputs of each LSTM / GRU / RNN node the graph reads (by node name)."""
    original_map, original_convert = tvm_onnx._get_convert_map, tvm_onnx.ONNXGraphImporter._convert_operator

    def convert_map():
        table = original_map()
        table.update(OVERRIDES)
        return table

    tvm_onnx._get_convert_map = convert_map
    tvm_onnx.ONNXGraphImporter._convert_operator = _named_after_node(original_convert)
    OUTPUTS_READ.clear()
    OUTPUTS_READ.update(recurrent_outputs_read or {})
    try:
        yield
    finally:
        OUTPUTS_READ.clear()
        tvm_onnx._get_convert_map = original_map
        tvm_onnx.ONNXGraphImporter._convert_operator = original_convert
