"""Ternary quantization of a float ONNX model: `edgec compile --quantize ternary --calibration data.npy`.

Design: a ternary model is an int8 QDQ model whose weights are, per output channel c, in {-a_c, 0, +a_c}. This
module replaces the float weights W of Conv / Gemm / MatMul nodes with constant weights by s * T (T in {-1, 0, 1},
s per output channel or per tensor), then the usual post-training quantization (quantize/ptq.py) makes the QDQ
model; its symmetric per-channel int8 weights come out as {-127, 0, 127} (or {-a_c, 0, a_c}), and
passes/ternary_kernels.py lowers those layers to the MatMul-free kernels, bit-exact with the int8 layer.

  absmean (BitNet b1.58):  s = mean |W|,  T = round(clip(W / s, -1, 1))
  twn (Ternary Weight Networks): delta = 0.7 mean |W|,  T = sign(W) [|W| > delta],  s = mean of |W| over |W| > delta

A weight whose channels already hold one magnitude each (trained quantization-aware: W in {-s_c, 0, s_c}) is
detected and kept as it is: no loss. By default the first and the last weighted layers stay int8 (as the papers
do); --keep-int8 names more (node or weight names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import EdgecError

METHODS = ("absmean", "twn")
GRANULARITIES = ("channel", "tensor")
WEIGHTED_OPS = ("Conv", "Gemm", "MatMul")


@dataclass
class TernaryOptions:
    method: str = "absmean"
    granularity: str = "channel"
    keep_int8: tuple[str, ...] = field(default_factory=tuple)


def channel_axis(node, w: np.ndarray) -> int | None:
    """The output-channel axis of a weighted node's weight, or None if it is not one edgec ternarizes."""
    if node.op_type == "Conv":
        return 0
    if w.ndim != 2:
        return None
    if node.op_type == "Gemm":
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    return 1  # MatMul: [K, N]


def is_ternary(rows: np.ndarray, rtol: float = 1e-6) -> bool:
    """Each row holds at most one magnitude besides 0."""
    mag = np.abs(rows)
    top = mag.max(1, keepdims=True)
    return bool(np.all((mag == 0) | (np.abs(mag - top) <= rtol * top)))


def ternarize(rows: np.ndarray, method: str, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """[channels, K] float -> (s [channels], T [channels, K] in {-1, 0, 1})."""
    mag = np.abs(rows).astype(np.float64)
    axis, keep = (1, True) if per_channel else (None, True)
    if method == "absmean":
        s = mag.mean(axis=axis, keepdims=keep)
        t = np.round(np.clip(rows / np.where(s > 0, s, 1.0), -1, 1)) * (s > 0)
    else:
        delta = 0.7 * mag.mean(axis=axis, keepdims=keep)
        t = np.sign(rows) * (mag > delta)
        count = np.abs(t).sum(axis=axis, keepdims=keep)
        s = (mag * np.abs(t)).sum(axis=axis, keepdims=keep) / np.maximum(count, 1)
    s = np.broadcast_to(s, (rows.shape[0], 1))[:, 0]
    return s, t.astype(np.int8)


def ternarize_onnx(model_path: Path, out_path: Path, options: TernaryOptions) -> list[dict]:
    """Write the float model with ternary weights to out_path; return one entry per weighted layer: name, weight,
    format ("ternary" or "int8"), method ("absmean", "twn", "detected" (already ternary) or "kept"), and the
    relative L2 error ||s T - W|| / ||W|| of the ternary weights."""
    import onnx
    from onnx import numpy_helper

    if options.method not in METHODS:
        raise EdgecError(f"--ternary-method {options.method}: expected one of {', '.join(METHODS)}")
    if options.granularity not in GRANULARITIES:
        raise EdgecError(f"--ternary-granularity {options.granularity}: expected one of {', '.join(GRANULARITIES)}")
    if Path(model_path).suffix.lower() != ".onnx":
        raise EdgecError("--quantize ternary works on float ONNX models")
    model = onnx.load(str(model_path))
    inits = {i.name: i for i in model.graph.initializer}
    layers = []
    for node in model.graph.node:
        if node.op_type in WEIGHTED_OPS and len(node.input) > 1 and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]])
            if w.dtype == np.float32 and channel_axis(node, w) is not None:
                layers.append((node, w))
    if not layers:
        raise EdgecError(f"{model_path}: no Conv, Gemm or MatMul with constant float weights to ternarize")
    known = {n.name for n, _ in layers} | {n.input[1] for n, _ in layers}
    unknown = [k for k in options.keep_int8 if k not in known]
    if unknown:
        raise EdgecError(f"--keep-int8: no weighted layer named {', '.join(unknown)} (layers: "
                         f"{', '.join(n.name or n.input[1] for n, _ in layers)})")
    keep = {layers[0][0].input[1], layers[-1][0].input[1]}
    keep |= {n.input[1] for n, _ in layers if n.name in options.keep_int8 or n.input[1] in options.keep_int8}
    done: dict[str, dict] = {}
    result = []
    for node, w in layers:
        name = node.input[1]
        info = {"name": node.name or name, "weight": name, "op": node.op_type}
        if name in done:  # a weight shared by two nodes is ternarized once
            result.append(dict(info, **{k: done[name][k] for k in ("format", "method", "error")}))
            continue
        axis = channel_axis(node, w)
        rows = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1).astype(np.float64)
        if name in keep:
            entry = dict(format="int8", method="kept", error=None)
        else:
            if is_ternary(rows):
                s, t = np.abs(rows).max(1), np.sign(rows)
                method = "detected"
            else:
                s, t = ternarize(rows, options.method, options.granularity == "channel")
                method = options.method
            new = s[:, None] * t
            norm = np.linalg.norm(rows)
            entry = dict(format="ternary", method=method,
                         error=float(np.linalg.norm(new - rows) / norm) if norm > 0 else 0.0)
            shape = list(np.moveaxis(w, axis, 0).shape)
            back = np.moveaxis(new.reshape(shape), 0, axis).astype(np.float32)
            inits[name].CopyFrom(numpy_helper.from_array(back, name))
        done[name] = entry
        result.append(dict(info, **entry))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out_path))
    return result
