"""ArgMax / ArgMin along one axis (keepdims, select_last_index), float32 in, int64 indices out. The ONNX
frontend imports them as the extern `edgec.arg_reduce` (frontend/onnx_converters.py): relax.argmax has no
select_last_index. The kernel views the input as [outer, axis, inner]."""

from __future__ import annotations

from . import kernel
from .hybrid import extern
from .reduce import axis_view


@extern("edgec.arg_reduce")
def lower_arg_reduce(ctx, call, attrs, args, out):
    shape, dtype = out
    x = ctx.tensor(args[0])
    src = ctx.graph.tensors[x]
    if src.dtype != "float32" or dtype != "int64":
        raise NotImplementedError(f"ArgMax / ArgMin of {src.dtype} giving {dtype} (edgec takes float32 -> int64)")
    axis = int(attrs["axis"]) % len(src.shape)
    return ctx.emit("arg_reduce", [x], shape, dtype,
                    {"axis": axis, "is_min": int(attrs["is_min"]), "select_last": int(attrs["select_last"])})


@kernel("arg_reduce")
def emit_arg_reduce(node, ctx):
    shape = ctx.graph.tensors[node.inputs[0]].shape
    params = ctx.static_params("edgec_arg_reduce_params", dict(
        axis_view(shape, node.attrs["axis"]), is_min=node.attrs["is_min"], select_last=node.attrs["select_last"]))
    ctx.use("edgec_arg_reduce_f32")
    return f"edgec_arg_reduce_f32({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.outputs[0])}, {params});"
