"""Put onnxruntime's dynamic quantization onto the hybrid kernels.

quantize_dynamic writes every quantized Conv / MatMul as

    x_q, x_scale, x_zp = DynamicQuantizeLinear(x)
    acc = ConvInteger(x_q, W, x_zp, W_zp)         (or MatMulInteger)
    y   = Cast(acc, float) * (x_scale * W_scale)  [+ bias]

which is what the hybrid kernels compute in one call: quantize the float input at run time, integer dot products,
float rescale (ops/hybrid.py, runtimes/include/edgec_conv2d_hybrid.h). This pass replaces each such chain with
`conv2d_hybrid` (NCHW, grouped, dilated) or `fully_connected_hybrid`, in the kernels' ONNX mode
(quant="onnx_u8"): the same uint8 quantization as DynamicQuantizeLinear, the same int32 sums, and
y = (float)acc * (x_scale * W_scale[c]) + bias[c] with the two roundings of the Mul and Add nodes, so the result
is the unfused graph's, bit for bit. The int32 and float intermediates are gone from the arena; the quantized
input lives only while the kernel runs.

Weights must be constants; uint8 weights are stored as int8 (w - 128, zero point - 128: the differences w - zp
are unchanged). Chains that do not match (weights that are graph inputs, the int32 result used elsewhere, a
scale that is not one value per output channel) are left to the integer kernels of ops/integer.py. A
DynamicQuantizeLinear whose outputs are all absorbed disappears; one that still has other readers stays.
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node, Tensor
from .util import merged_name, single_consumer


def channel_values(data: np.ndarray, out_shape, axis: int) -> np.ndarray | None:
    """A constant that broadcasts against out_shape along `axis` only: its 1 or C values, else None."""
    data = np.asarray(data)
    if data.ndim > len(out_shape):
        return None
    full = data.reshape((1,) * (len(out_shape) - data.ndim) + data.shape)
    for i, d in enumerate(full.shape):
        if d != 1 and (i != axis or d != out_shape[axis]):
            return None
    return full.reshape(-1)


def _other(node: Node, tensor: str) -> str | None:
    """The other input of a binary node that reads `tensor` once."""
    if len(node.inputs) != 2 or node.inputs.count(tensor) != 1:
        return None
    return node.inputs[1] if node.inputs[0] == tensor else node.inputs[0]


def _const(graph: Graph, name: str | None) -> np.ndarray | None:
    return graph.tensors[name].data if name is not None and graph.tensors[name].is_const else None


def _unbounded(node: Node) -> bool:
    return tuple(node.attrs.get("act", (-np.inf, np.inf))) == (-np.inf, np.inf)


def _match(graph: Graph, integer: Node):
    """The chain around an integer node, or None: (dql, scale_mul, cast, mul, add or None, w_scale, bias)."""
    x_q, w, x_zp, w_zp = integer.inputs
    dql = graph.producer(x_q)
    if dql is None or dql.op != "dynamic_quantize_linear" or dql.outputs[0] != x_q or dql.outputs[2] != x_zp:
        return None
    if _const(graph, w) is None or _const(graph, w_zp) is None:
        return None
    acc = integer.outputs[0]
    cast = single_consumer(graph, acc)
    if cast is None or cast.op != "cast":
        return None
    mul = single_consumer(graph, cast.outputs[0])
    if mul is None or mul.op != "mul" or not _unbounded(mul):
        return None
    scale = _other(mul, cast.outputs[0])
    scale_mul = graph.producer(scale) if scale is not None else None
    if scale_mul is None or scale_mul.op != "mul" or not _unbounded(scale_mul):
        return None
    w_scale = _const(graph, _other(scale_mul, dql.outputs[1]))
    out_shape = graph.tensors[acc].shape
    if w_scale is None or graph.tensors[mul.outputs[0]].shape != out_shape:
        return None
    axis = 1 if integer.op == "conv_integer" else len(out_shape) - 1
    w_scale = channel_values(w_scale.astype(np.float32), out_shape, axis)
    if w_scale is None:
        return None
    add, bias = single_consumer(graph, mul.outputs[0]), None
    if add is not None and add.op == "add" and _unbounded(add):
        b = _const(graph, _other(add, mul.outputs[0]))
        bias = channel_values(b.astype(np.float32), out_shape, axis) if b is not None else None
        if bias is None or graph.tensors[add.outputs[0]].shape != out_shape:
            add, bias = None, None
    else:
        add = None
    channels = out_shape[axis]
    bias = np.zeros(channels, np.float32) if bias is None else np.broadcast_to(bias, (channels,)).astype(np.float32)
    return dql, scale_mul, cast, mul, add, w_scale, bias


def _signed_weights(w: np.ndarray, zp: np.ndarray, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 weights and int32 zero points with the same differences w - zp (uint8: both shifted by -128)."""
    zp = np.broadcast_to(np.asarray(zp).reshape(-1).astype(np.int32), (channels,))
    if w.dtype == np.uint8:
        return (w.astype(np.int16) - 128).astype(np.int8), zp - 128
    return w.astype(np.int8), zp.copy()


def _fuse(graph: Graph, integer: Node, match) -> None:
    dql, scale_mul, cast, mul, add, w_scale, bias = match
    x = dql.inputs[0]
    xt = graph.tensors[x]
    w = graph.tensors[integer.inputs[1]].data
    w_zp = graph.tensors[integer.inputs[3]].data
    last = add or mul
    y = last.outputs[0]
    if integer.op == "conv_integer":
        out_c = w.shape[0]
        w8, zp = _signed_weights(w, w_zp, out_c)
        w8 = np.ascontiguousarray(np.transpose(w8, (0, 2, 3, 1)))  # OIHW -> OHWI (I per group)
        a = integer.attrs
        attrs = dict(strides=list(a["strides"]), pads=list(a["pads"]), dilation=list(a["dilation"]),
                     groups=a["groups"], nchw=True, quant="onnx_u8", act=(-np.inf, np.inf))
        op = "conv2d_hybrid"
    else:
        out_c = w.shape[1]
        w8, zp = _signed_weights(w, w_zp, out_c)
        w8 = np.ascontiguousarray(w8.T)  # [K, N] -> [units, input_size]
        attrs = dict(quant="onnx_u8", act=(-np.inf, np.inf))
        op = "fully_connected_hybrid"
    inputs = [x, graph.add_const("w_int8", w8), graph.add_const("w_scale", w_scale.astype(np.float32)),
              graph.add_const("bias", bias)]
    if np.any(zp != 0):
        inputs.append(graph.add_const("w_zero_point", zp.astype(np.int32)))
    qinput = graph.fresh_name("qinput")
    graph.add_tensor(Tensor(qinput, (xt.elems,), "int8"))
    name = integer.name
    for other in (cast, mul, add):
        if other is not None:
            name = merged_name(name, other.name)
    fused = Node(op, inputs, [y, qinput], attrs, name)
    graph.nodes[graph.nodes.index(integer)] = fused
    for node in (cast, mul, add):
        if node is not None:
            graph.nodes.remove(node)
    for node in (scale_mul, dql):  # gone once nothing else reads their outputs
        if node in graph.nodes and not any(graph.consumers(o) or o in graph.outputs for o in node.outputs):
            graph.nodes.remove(node)


def run(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        if node.op in ("conv_integer", "matmul_integer") and node in graph.nodes:
            match = _match(graph, node)
            if match is not None:
                _fuse(graph, node, match)
    graph.remove_unused_tensors()
    return graph
