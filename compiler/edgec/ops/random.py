"""ONNX RandomUniform, float32: fresh values on every run (runtimes/reference/edgec_random_uniform_f32.c), from a
generator whose one-word state is kept between runs (ir.Tensor.state, set from the node's seed before the first
run and by <name>_reset_state()). The ONNX frontend imports it as the extern `edgec.random_uniform`
(frontend/onnx_converters.py); constant folding leaves it alone (frontend/onnx_fold.py's NOT_FOLDABLE)."""

from __future__ import annotations

import struct

import numpy as np

from ..ir import Tensor
from . import kernel
from .hybrid import extern

DEFAULT_SEED = 0x2545F491  # the node has no seed: any fixed one keeps the firmware deterministic


def initial_state(seed: float | None) -> np.ndarray:
    """The generator's first state for an ONNX seed (a float): its bits, mixed, never 0."""
    bits = DEFAULT_SEED if seed is None else struct.unpack("<I", struct.pack("<f", seed))[0] ^ 0x9E3779B9
    return np.array([bits or 1], np.uint32).view(np.int32)


@extern("edgec.random_uniform")
def lower_random_uniform(ctx, call, attrs, args, out):
    shape, dtype = out
    if dtype != "float32":
        raise NotImplementedError(f"RandomUniform of {dtype} (edgec takes float32)")
    seed = float(attrs["seed"]) if int(attrs["has_seed"]) else None
    state = ctx.graph.fresh_name("random_state")
    ctx.graph.add_tensor(Tensor(state, (1,), "int32", state=True, state_init=initial_state(seed)))
    y = ctx.emit("random_uniform", [], shape, dtype, {"low": float(attrs["low"]), "high": float(attrs["high"])})
    ctx.graph.nodes[-1].outputs.append(state)
    return y


@kernel("random_uniform")
def emit_random_uniform(node, ctx):
    params = ctx.static_params("edgec_random_uniform_params", dict(
        count=ctx.graph.tensors[node.outputs[0]].elems, low=np.float32(node.attrs["low"]),
        high=np.float32(node.attrs["high"])))
    ctx.use("edgec_random_uniform_f32")
    return f"edgec_random_uniform_f32({ctx.ptr(node.outputs[1])}, {ctx.ptr(node.outputs[0])}, {params});"
