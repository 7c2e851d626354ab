"""ONNX BitShift on integer tensors (uint8..uint64, and the signed types of opset 28), with NumPy broadcasting:
the extern `edgec.bitshift` (frontend/onnx_converters.py) becomes one call of runtimes/reference/edgec_bitshift.c,
whose parameters carry the element size, so that every integer type shares one kernel."""

from __future__ import annotations

from ..ir import DTYPE_BYTES, MAX_RANK
from . import kernel
from .broadcast import broadcast_plan
from .hybrid import extern

SHIFT_DTYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")


@extern("edgec.bitshift")
def lower_bitshift(ctx, call, attrs, args, out):
    shape, dtype = out
    x, y = (ctx.tensor(a) for a in args)
    t = ctx.graph.tensors
    if dtype not in SHIFT_DTYPES or t[x].dtype != dtype or t[y].dtype != dtype:
        raise NotImplementedError(f"BitShift of {t[x].dtype} by {t[y].dtype} (edgec shifts integer tensors of one type)")
    return ctx.emit("bitshift", [x, y], shape, dtype, {"left": int(attrs["left"])})


@kernel("bitshift")
def emit_bitshift(node, ctx):
    g = ctx.graph
    x, y, z = (g.tensors[t] for t in (*node.inputs, node.outputs[0]))
    shape, (x_strides, y_strides) = broadcast_plan(z.shape, (x.shape, y.shape), MAX_RANK)
    params = ctx.static_params("edgec_bitshift_params", dict(
        out_shape=shape, x_strides=x_strides, y_strides=y_strides, element_bytes=DTYPE_BYTES[z.dtype],
        is_signed=int(z.dtype.startswith("int")), left=node.attrs["left"]))
    ctx.use("edgec_bitshift")
    return (f"edgec_bitshift({ctx.ptr(node.inputs[0], const=True)}, {ctx.ptr(node.inputs[1], const=True)}, "
            f"{ctx.ptr(node.outputs[0])}, {params});")
