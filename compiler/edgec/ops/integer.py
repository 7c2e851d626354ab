"""ONNX integer operators from onnxruntime's quantize_dynamic, one IR node each (exact ONNX semantics):

- DynamicQuantizeLinear -> `dynamic_quantize_linear` (outputs y uint8, scale float32 [], zero point uint8 []);
  runtimes/include/edgec_hybrid_quantize.h, the quantizer the ONNX mode of the hybrid kernels runs too.
- ConvInteger -> `conv_integer` (NCHW, int32 out; edgec_conv_integer.h).
- MatMulInteger -> `matmul_integer` (int32 out; edgec_matmul_integer.h).
- Cast of an integer tensor (any width) to float32 (relax.astype) -> `cast` (edgec_cast.h).

The ONNX frontend imports the first three as `R.call_dps_packed("edgec.<op>", ...)` (frontend/onnx_converters.py).
In a quantize_dynamic graph the fuse-dynamic-quant pass then replaces each DynamicQuantizeLinear -> ConvInteger /
MatMulInteger -> Cast -> Mul -> Add chain with one hybrid kernel (ops/hybrid.py); what is left here runs as is
(the ONNX backend node tests, integer outputs, weights that are graph inputs).
"""

from __future__ import annotations


from . import kernel, lowering
from .hybrid import extern
from .kernel_call import kernel_call, params_call

Q8 = ("int8", "uint8")
CAST_FROM = {"int32": "EDGEC_CAST_FROM_INT32", "int8": "EDGEC_CAST_FROM_INT8", "uint8": "EDGEC_CAST_FROM_UINT8",
             "int16": "EDGEC_CAST_FROM_INT16", "uint16": "EDGEC_CAST_FROM_UINT16", "uint32": "EDGEC_CAST_FROM_UINT32",
             "int64": "EDGEC_CAST_FROM_INT64", "uint64": "EDGEC_CAST_FROM_UINT64"}
CAST_TO_INT32_FROM = {"float32": "EDGEC_CAST_FROM_FLOAT32", "int64": "EDGEC_CAST_FROM_INT64"}


def _check_q8(ctx, names, what):
    dtypes = [ctx.graph.tensors[n].dtype for n in names]
    if dtypes[0] not in Q8:
        raise NotImplementedError(f"{what} of {dtypes[0]} (int8 or uint8 only)")
    if dtypes[1] != dtypes[0]:
        raise NotImplementedError(f"{what}: zero point is {dtypes[1]}, its tensor {dtypes[0]}")


def _q8_operands(ctx, args, what: str, roles: tuple[str, str]) -> tuple[str, str, str, str]:
    """The tensors (A, B, A's zero point, B's zero point) of ConvInteger / MatMulInteger, each with its zero point
    checked by _check_q8."""
    a, b, az, bz = (ctx.tensor(v) for v in args)
    _check_q8(ctx, [a, az], f"{what} {roles[0]}")
    _check_q8(ctx, [b, bz], f"{what} {roles[1]}")
    return a, b, az, bz


def _zero_point_count(ctx, name: str, allowed: tuple[int, ...], what: str) -> int:
    t = ctx.graph.tensors[name]
    if t.elems == 1:
        return 1
    if len([d for d in t.shape if d != 1]) == 1 and t.elems in allowed:
        return t.elems
    raise NotImplementedError(f"{what} of shape {list(t.shape)}")


@extern("edgec.dynamic_quantize_linear")
def lower_dynamic_quantize_linear(ctx, call, attrs, args, out):
    x = ctx.tensor(args[0])
    if ctx.graph.tensors[x].dtype != "float32":
        raise NotImplementedError("DynamicQuantizeLinear of a non-float32 tensor")
    outs = [ctx.new_tensor(base, shape, dtype) for base, (shape, dtype) in zip(("quantized", "scale", "zero_point"), out)]
    ctx.emit("dynamic_quantize_linear", [x], None, None, {}, out=outs[0])
    ctx.graph.nodes[-1].outputs.extend(outs[1:])
    return tuple(outs)


@extern("edgec.conv_integer")
def lower_conv_integer(ctx, call, attrs, args, out):
    shape, dtype = out
    x, w, xz, wz = _q8_operands(ctx, args, "ConvInteger", ("input", "weights"))
    out_c = ctx.graph.tensors[w].shape[0]
    if ctx.graph.tensors[xz].elems != 1:
        raise NotImplementedError("ConvInteger with a per-channel input zero point")
    per_channel = _zero_point_count(ctx, wz, (out_c,), "ConvInteger weight zero point") > 1
    return ctx.emit("conv_integer", [x, w, xz, wz], shape, dtype, dict(
        strides=[int(v) for v in attrs["strides"]], dilation=[int(v) for v in attrs["dilations"]],
        pads=[int(v) for v in attrs["pads"]], groups=int(attrs["group"]), w_zp_per_channel=per_channel))


@extern("edgec.matmul_integer")
def lower_matmul_integer(ctx, call, attrs, args, out):
    shape, dtype = out
    a, b, az, bz = _q8_operands(ctx, args, "MatMulInteger", ("A", "B"))
    a_shape, (k, n) = ctx.graph.tensors[a].shape, ctx.graph.tensors[b].shape
    m = a_shape[-2] if len(a_shape) > 1 else 1
    a_zt = ctx.graph.tensors[az]
    if a_zt.elems > 1 and (len(a_shape) != 2 or a_zt.shape not in ((m,), (m, 1))):
        raise NotImplementedError(f"MatMulInteger A zero point of shape {list(a_zt.shape)} (scalar, or [M] for a 2-D A)")
    b_zt = ctx.graph.tensors[bz]
    if b_zt.elems > 1 and b_zt.shape not in ((n,), (1, n)):
        raise NotImplementedError(f"MatMulInteger B zero point of shape {list(b_zt.shape)} (scalar or [N])")
    return ctx.emit("matmul_integer", [a, b, az, bz], shape, dtype, dict(
        m=m, k=k, n=n, a_zp_per_row=a_zt.elems > 1, b_zp_per_column=b_zt.elems > 1))


@lowering("relax.astype")
def lower_astype(ctx, call, out):
    shape, dtype = out
    x = ctx.tensor(call.args[0])
    src = ctx.graph.tensors[x].dtype
    if src == dtype:
        return ctx.alias(x, shape)
    if dtype == "int32" and src in CAST_TO_INT32_FROM:
        return ctx.emit("cast_i32", [x], shape, dtype, {})
    if dtype != "float32" or src not in CAST_FROM:
        raise NotImplementedError(f"Cast from {src} to {dtype} (edgec casts integer tensors to float32, and "
                                  "float32 and int64 to int32)")
    return ctx.emit("cast", [x], shape, dtype, {})


@kernel("dynamic_quantize_linear")
def emit_dynamic_quantize_linear(node, ctx):
    x = ctx.graph.tensors[node.inputs[0]]
    ctx.use("edgec_hybrid_quantize")
    y, scale, zp = (ctx.ptr(t) for t in node.outputs)
    return f"edgec_dynamic_quantize_linear({ctx.ptr(node.inputs[0], const=True)}, {x.elems}, {y}, {scale}, {zp});"


@kernel("conv_integer")
def emit_conv_integer(node, ctx):
    g = ctx.graph
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    (n, c, h, wd), (_, oc, oh, ow) = x.shape, y.shape
    return params_call(ctx, node, "edgec_conv_integer", dict(
        batch=n, in_c=c, in_h=h, in_w=wd, out_c=oc, out_h=oh, out_w=ow, k_h=w.shape[2], k_w=w.shape[3],
        stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
        dil_h=a["dilation"][0], dil_w=a["dilation"][1], groups=a["groups"], x_signed=int(x.dtype == "int8"),
        w_signed=int(w.dtype == "int8"), w_zp_per_channel=int(a["w_zp_per_channel"])), inputs=None)


@kernel("matmul_integer")
def emit_matmul_integer(node, ctx):
    g = ctx.graph
    a, b, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    at = node.attrs
    return params_call(ctx, node, "edgec_matmul_integer", dict(
        batch=y.elems // (at["m"] * at["n"]), m=at["m"], k=at["k"], n=at["n"], a_signed=int(a.dtype == "int8"),
        b_signed=int(b.dtype == "int8"), a_zp_per_row=int(at["a_zp_per_row"]),
        b_zp_per_column=int(at["b_zp_per_column"])), inputs=None)


# IR op -> edgec_cast.c's function and its source type codes
CASTS = {"cast": ("edgec_cast_to_f32", CAST_FROM), "cast_i32": ("edgec_cast_to_i32", CAST_TO_INT32_FROM)}


@kernel(*CASTS)
def emit_cast(node, ctx):
    fn, source_codes = CASTS[node.op]
    x = ctx.graph.tensors[node.inputs[0]]
    ctx.use("edgec_cast")
    return kernel_call(ctx, node, fn, x.elems, source_codes[x.dtype])
