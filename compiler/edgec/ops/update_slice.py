"""TFLite DYNAMIC_UPDATE_SLICE, any element type: one byte-moving kernel (runtimes/reference/
edgec_dynamic_update_slice.c) that clamps the run-time start indices as TFLite Micro does. The float TFLite
importer emits the extern `edgec.dynamic_update_slice` (frontend/tflite_float.py), the int8 importer the IR node
directly (frontend/tflite_int8.py).

IR node: inputs operand, update, start (int32 or int64, one per dimension); output the updated operand."""

from __future__ import annotations

from ..ir import DTYPE_BYTES, MAX_RANK
from . import kernel
from .hybrid import extern


def check_update_slice(operand_shape, update_shape, start_shape, start_dtype: str) -> None:
    """TFLite Micro's Prepare checks, as a refusal of the node instead of a wrong copy."""
    if len(update_shape) != len(operand_shape):
        raise NotImplementedError(f"update of rank {len(update_shape)} for an operand of rank {len(operand_shape)}")
    if len(operand_shape) > MAX_RANK:
        raise NotImplementedError(f"rank {len(operand_shape)} (edgec takes up to {MAX_RANK})")
    if any(u > d for u, d in zip(update_shape, operand_shape)):
        raise NotImplementedError(f"update {list(update_shape)} larger than the operand {list(operand_shape)}")
    if start_dtype not in ("int32", "int64") or tuple(start_shape) != (len(operand_shape),):
        raise NotImplementedError(f"start indices must be int32 or int64 of shape [{len(operand_shape)}], "
                                  f"not {start_dtype} {list(start_shape)}")


@extern("edgec.dynamic_update_slice")
def lower_dynamic_update_slice(ctx, call, attrs, args, out):
    shape, dtype = out
    operand, update, start = (ctx.tensor(a) for a in args)
    t = ctx.graph.tensors
    check_update_slice(t[operand].shape, t[update].shape, t[start].shape, t[start].dtype)
    if t[operand].dtype != dtype or t[update].dtype != dtype:
        raise NotImplementedError(f"operand {t[operand].dtype}, update {t[update].dtype}, output {dtype}")
    return ctx.emit("dynamic_update_slice", [operand, update, start], shape, dtype)


@kernel("dynamic_update_slice")
def emit_dynamic_update_slice(node, ctx):
    g = ctx.graph
    operand, update, start = (g.tensors[n] for n in node.inputs)
    pad = [1] * (MAX_RANK - len(operand.shape))
    params = ctx.static_params("edgec_dynamic_update_slice_params", dict(
        rank=len(operand.shape), element_bytes=DTYPE_BYTES[operand.dtype], index_bytes=DTYPE_BYTES[start.dtype],
        dims=[*operand.shape, *pad], update_dims=[*update.shape, *pad]))
    ctx.use("edgec_dynamic_update_slice")
    ins = ", ".join(ctx.ptr(n, const=True) for n in node.inputs)
    return f"edgec_dynamic_update_slice({ins}, {ctx.ptr(node.outputs[0])}, {params});"
