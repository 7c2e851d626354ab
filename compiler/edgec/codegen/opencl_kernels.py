"""Which OpenCL kernel template (runtimes/opencl/*.cl) runs each IR node, and with which arguments.

Every template takes its tensors as __global pointers, then their element offsets, then int and float
parameters, and runs one work-item per output element over a 1-D range (runtimes/opencl/README.md). A node becomes
one launch, or several (a concat: one per input). A node without a template raises NoTemplate with the reason;
`check_supported` turns all of them into one UnsupportedModelError naming the nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import UnsupportedModelError
from ..ir import Graph, Node
from ..ops.broadcast import broadcast_plan, broadcast_strides, coalesce, right_align
from ..ops.hybrid import quant_mode
from ..ops.reduce import mean_shape_params
from ..ops.transpose import dense_strides
from ..passes.gpu_hybrid_scratch import absmax_chunks

RANK = 6  # EDGEC_RANK in edgec_cl_common.cl


class NoTemplate(Exception):
    """The node has no OpenCL template (the message says why)."""


@dataclass
class Launch:
    kernel: str  # template name = kernel function name = runtimes/opencl/<kernel>.cl
    tensors: list[str | None]  # per __global pointer: a tensor name, or None (an unused bias: any buffer)
    ints: list[int] = field(default_factory=list)  # after the tensors' element offsets
    floats: list[float] = field(default_factory=list)
    global_size: int = 1
    tensor_offsets: list[int] | None = None  # extra element offset per tensor (a strided copy's start)


def _act(node: Node) -> list[float]:
    lo, hi = node.attrs.get("act", (-math.inf, math.inf))
    return [float(lo), float(hi)]


def conv2d(node: Node, g: Graph) -> list[Launch]:
    a = node.attrs
    if a["layout"] != "NHWC":
        raise NoTemplate(f"convolution in layout {a['layout']} (the templates are NHWC)")
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    tensors = [node.inputs[0], node.inputs[1], bias, node.outputs[0]]
    (sh, sw), (pt, pl), (dh, dw) = a["strides"], a["pads"][:2], a["dilation"]
    size = y.elems
    if a.get("depthwise"):
        kh, kw = w.shape[1], w.shape[2]
        return [Launch("edgec_depthwise_conv2d_nhwc", tensors,
                       [h, wd, c, oh, ow, oc, kh, kw, sh, sw, pt, pl, dh, dw, int(bias is not None)], _act(node), size)]
    kh, kw = w.shape[1], w.shape[2]
    if kh == kw == 1 and a["groups"] == 1 and not any(a["pads"]):
        return [Launch("edgec_conv2d_1x1_nhwc", tensors, [h, wd, c, oh, ow, oc, sh, sw, int(bias is not None)],
                       _act(node), size)]
    return [Launch("edgec_conv2d_nhwc", tensors,
                   [h, wd, c, oh, ow, oc, kh, kw, sh, sw, pt, pl, dh, dw, a["groups"], int(bias is not None)],
                   _act(node), size)]


def matmul(node: Node, g: Graph) -> list[Launch]:
    a, b, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    batch = y.shape[:-2]
    a_str = [s * m * k for s in broadcast_strides(a.shape[:-2], batch, RANK)]
    b_str = [s * k * n for s in broadcast_strides(b.shape[:-2], batch, RANK)]
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    if bias is not None and g.tensors[bias].elems != n:
        raise NoTemplate(f"a bias of shape {list(g.tensors[bias].shape)} (the template adds one per column)")
    return [Launch("edgec_matmul", [node.inputs[0], node.inputs[1], bias, node.outputs[0]],
                   [m, k, n, *right_align(batch, RANK), *a_str, *b_str, int(bias is not None)], _act(node), y.elems)]


BINARY = {"add": 0, "sub": 1, "mul": 2, "div": 3, "max": 4, "min": 5, "prelu": 6}


def binary(node: Node, g: Graph) -> list[Launch]:
    a, b, y = (g.tensors[t] for t in (*node.inputs, node.outputs[0]))
    shape, (a_str, b_str) = broadcast_plan(y.shape, (a.shape, b.shape), RANK)
    return [Launch("edgec_binary", [*node.inputs, node.outputs[0]], [BINARY[node.op], *shape, *a_str, *b_str],
                   _act(node), y.elems)]


UNARY = {"clamp": 0, "leaky_relu": 1, "sigmoid": 2, "tanh": 3, "hard_sigmoid": 4, "hard_swish": 5, "exp": 6,
         "abs": 7, "neg": 8, "sqrt": 9}


def unary(node: Node, g: Graph) -> list[Launch]:
    a = node.attrs
    return [Launch("edgec_unary", [node.inputs[0], node.outputs[0]], [UNARY[node.op]],
                   [a.get("alpha", 0.0), a.get("beta", 0.0), a.get("lo", -math.inf), a.get("hi", math.inf)],
                   g.tensors[node.outputs[0]].elems)]


def pool2d(node: Node, g: Graph) -> list[Launch]:
    a = node.attrs
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if a["layout"] == "NCHW":
        (_, c, h, w), (_, _, oh, ow) = x.shape, y.shape
    else:
        (_, h, w, c), (_, oh, ow, _) = x.shape, y.shape
    return [Launch("edgec_pool2d", [node.inputs[0], node.outputs[0]],
                   [c, h, w, oh, ow, *a["pool"], *a["strides"], *a["dilation"], *a["pads"],
                    int(a["layout"] == "NHWC"), int(a["count_include_pad"]), int(a["kind"] == "max")],
                   _act(node), y.elems)]


def softmax(node: Node, g: Graph) -> list[Launch]:
    shape, axis = g.tensors[node.outputs[0]].shape, node.attrs["axis"]
    outer, inner = math.prod(shape[:axis]), math.prod(shape[axis + 1:])
    return [Launch("edgec_softmax", [node.inputs[0], node.outputs[0]],
                   [shape[axis], inner, int(node.op == "log_softmax")], [node.attrs["beta"]], outer * inner)]


def mean(node: Node, g: Graph) -> list[Launch]:
    p = mean_shape_params(g.tensors[node.inputs[0]].shape, node.attrs["axes"])
    return [Launch("edgec_mean", [node.inputs[0], node.outputs[0]],
                   [*p["out_shape"], *p["out_strides"], *p["red_shape"], *p["red_strides"], p["count"]], [],
                   g.tensors[node.outputs[0]].elems)]


def _strided(node: Node, g: Graph, out_shape, strides, offset: int) -> list[Launch]:
    shape, (st,) = coalesce(out_shape, [strides], max(RANK, len(out_shape)))
    if len(shape) > RANK:
        raise NoTemplate(f"a strided copy of rank {len(shape)} after merging dims (max {RANK})")
    return [Launch("edgec_strided_copy", [node.inputs[0], node.outputs[0]], [*shape, *st], [],
                   g.tensors[node.outputs[0]].elems, tensor_offsets=[offset, 0])]


def transpose(node: Node, g: Graph) -> list[Launch]:
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    in_strides = dense_strides(x.shape)
    return _strided(node, g, y.shape, [in_strides[a] for a in node.attrs["axes"]], 0)


def strided_copy(node: Node, g: Graph) -> list[Launch]:
    return _strided(node, g, g.tensors[node.outputs[0]].shape, node.attrs["strides"], node.attrs["offset"])


def concat(node: Node, g: Graph) -> list[Launch]:
    y = g.tensors[node.outputs[0]]
    axis = node.attrs["axis"]
    outer, inner = math.prod(y.shape[:axis]), math.prod(y.shape[axis + 1:])
    launches, offset = [], 0
    for name in node.inputs:
        x = g.tensors[name]
        if x.elems:
            launches.append(Launch("edgec_concat", [name, node.outputs[0]],
                                   [x.shape[axis] * inner, y.shape[axis] * inner, offset * inner], [], x.elems))
        offset += x.shape[axis]
    return launches


def copy(node: Node, g: Graph) -> list[Launch]:
    return [Launch("edgec_copy", [node.inputs[0], node.outputs[0]], [], [], g.tensors[node.outputs[0]].elems)]


def pad(node: Node, g: Graph) -> list[Launch]:
    if node.attrs["mode"] != "constant":
        raise NoTemplate(f"{node.attrs['mode']} padding (the template pads with a constant)")
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    before = list(node.attrs["before"])
    return [Launch("edgec_pad", [node.inputs[0], node.outputs[0]],
                   [*right_align(x.shape, RANK), *right_align(y.shape, RANK), *([0] * (RANK - len(before)) + before)],
                   [node.attrs["value"]], y.elems)]


def _quantize_symmetric(x: str, qrange: str, qinput: str, elems: int, x_offset: int) -> list[Launch]:
    """LiteRT's symmetric input quantisation of `elems` floats from x[x_offset]: range = max|x| (partial maxima over
    chunks, then their maximum, into qrange[chunks]), then x_q = clamp(round(x * (127 / range)), -127, 127) into
    qinput, four elements per work-item (the Vulkan twin writes a whole word of int8)."""
    chunks = absmax_chunks(elems)
    chunk = math.ceil(elems / chunks)
    return [Launch("edgec_absmax_partial", [x, qrange], [elems, chunk], [], chunks, tensor_offsets=[x_offset, 0]),
            Launch("edgec_absmax_final", [qrange], [chunks], [], 1),
            Launch("edgec_quantize_symmetric_s8", [x, qrange, qinput], [elems], [], math.ceil(elems / 4),
                   tensor_offsets=[x_offset, chunks, 0])]


def _hybrid_check(node: Node, g: Graph) -> None:
    if len(node.outputs) != 3:  # passes/gpu_hybrid_scratch.py adds the range scratch
        raise NoTemplate("a hybrid layer without its range scratch (passes/gpu_hybrid_scratch.py did not run)")
    mode = quant_mode(node)
    if mode != "tflite_symmetric" or node.attrs.get("nchw"):
        raise NoTemplate(f"hybrid input quantisation '{mode}'{' in NCHW' if node.attrs.get('nchw') else ''} (the "
                         f"templates run LiteRT's symmetric per-tensor mode)")
    if len(node.inputs) > 4:
        raise NoTemplate("hybrid weights with zero points (the templates take symmetric int8 weights)")
    wanted = ["float32", "int8", "float32", "float32"]
    for t, dtype in zip(node.inputs, wanted):
        if g.tensors[t].dtype != dtype:
            raise NoTemplate(f"tensor '{t}' is {g.tensors[t].dtype}, the hybrid templates take {dtype}")


def _conv2d_hybrid_launch(node: Node, ints: list[int], count: int, chunks: int, y_offset: int) -> Launch:
    q, w, w_scale, bias = node.outputs[1], node.inputs[1], node.inputs[2], node.inputs[3]
    return Launch("edgec_conv2d_hybrid_nhwc", [q, w, w_scale, bias, node.outputs[2], node.outputs[0]], ints,
                  _act(node), count, tensor_offsets=[0, 0, 0, 0, chunks, y_offset])


def _hybrid_batches(node: Node, ints: list[int], batches: int, in_size: int, out_size: int) -> list[Launch]:
    """Per batch (a fully connected layer: per row), quantise its in_size inputs, then run the hybrid convolution
    template (ints: its parameters) over its out_size outputs."""
    chunks = absmax_chunks(in_size)
    launches = []
    for b in range(batches):
        launches += _quantize_symmetric(node.inputs[0], node.outputs[2], node.outputs[1], in_size, b * in_size)
        launches.append(_conv2d_hybrid_launch(node, ints, out_size, chunks, b * out_size))
    return launches


def conv2d_hybrid(node: Node, g: Graph) -> list[Launch]:
    """Per batch: quantise its input (_quantize_symmetric), then one work-item per output element: int32 sum of
    x_q * w_q, y = acc * ((range / 127) * w_scale) + bias (runtimes/include/edgec_conv2d_hybrid.h)."""
    _hybrid_check(node, g)
    a = node.attrs
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    dil = a.get("dilation", [1, 1])
    ints = [h, wd, c, oh, ow, oc, w.shape[1], w.shape[2], *a["strides"], a["pads"][0], a["pads"][1], *dil,
            a.get("groups", 1)]
    return _hybrid_batches(node, ints, n, h * wd * c, oh * ow * oc)


def fully_connected_hybrid(node: Node, g: Graph) -> list[Launch]:
    """Per row: quantise it, then the hybrid convolution template as a 1x1 convolution of one pixel with input_size
    channels (runtimes/include/edgec_fully_connected_hybrid.h; an all-zero row quantises to 0 with scale 1, so it
    gives the bias as LiteRT's all-zero shortcut does)."""
    _hybrid_check(node, g)
    units, size = g.tensors[node.inputs[1]].shape
    rows = g.tensors[node.inputs[0]].elems // size
    ints = [1, 1, size, 1, 1, units, 1, 1, 1, 1, 0, 0, 1, 1, 1]
    return _hybrid_batches(node, ints, rows, size, units)



HYBRID = {"conv2d_hybrid": conv2d_hybrid, "fully_connected_hybrid": fully_connected_hybrid}

TEMPLATES = {"conv2d": conv2d, **HYBRID, "matmul": matmul, "pool2d": pool2d, "softmax": softmax,
             "log_softmax": softmax, "mean": mean, "transpose": transpose, "strided_copy": strided_copy, "concat": concat, "copy": copy,
             "pad": pad, **{op: binary for op in BINARY}, **{op: unary for op in UNARY}}


def node_launches(node: Node, g: Graph, api: str = "OpenCL") -> list[Launch]:
    """The node's launches; NoTemplate if it has none. api names the target in the messages (the Vulkan target runs
    the same launches, codegen/vulkan_host.py)."""
    fn = TEMPLATES.get(node.op)
    if fn is None:
        raise NoTemplate(f"no {api} kernel template for IR op '{node.op}'")
    for t in node.inputs + node.outputs:
        if g.tensors[t].dtype != "float32" and node.op not in HYBRID:  # the hybrid templates check their own
            raise NoTemplate(f"tensor '{t}' is {g.tensors[t].dtype}: the {api} target compiles float32 models only")
    try:
        launches = fn(node, g)
    except NotImplementedError as exc:  # a shape helper's limit (rank above 6)
        raise NoTemplate(str(exc)) from None
    for launch in launches:
        if launch.global_size >= 2**31:
            raise NoTemplate(f"{launch.global_size} work-items: the templates index with 32-bit ints")
    return launches


def check_supported(graph: Graph, api: str = "OpenCL") -> None:
    """Raise UnsupportedModelError naming every node that has no OpenCL (or Vulkan) template."""
    problems = []
    for node in graph.nodes:
        try:
            node_launches(node, graph, api)
        except NoTemplate as exc:
            problems.append((node.name or node.outputs[0], node.op, str(exc)))
    if problems:
        raise UnsupportedModelError(problems)
