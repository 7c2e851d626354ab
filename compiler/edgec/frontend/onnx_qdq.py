"""ONNX QDQ models (onnxruntime.quantization.quantize_static, QuantFormat.QDQ): read straight into int8 IR.

Like frontend/tflite_int8.py, and for the same reason (TVM's import + FoldConstant turns DequantizeLinear of
int8 weights into float constants), this reads the ONNX graph itself. Every operator of a QDQ model sits
between DequantizeLinear nodes (its inputs) and one QuantizeLinear (its output); this module matches that
pattern per operator and emits one integer IR node with the scales taken from the Q/DQ nodes:

  Q(graph input)                   -> quantize_s8  (float NCHW -> int8 NHWC)
  DQ -> Conv -> Q                  -> conv2d_s8 / depthwise_conv2d_s8 (per-channel weights, int32 bias)
  DQ -> Gemm -> Q                  -> conv2d_s8 as a 1x1 convolution (per-channel FC)
  DQ -> MaxPool -> Q               -> max_pool2d_s8 (same quantisation in and out)
  DQ -> GlobalAveragePool -> Q     -> global_avg_pool_s8 (float requantisation of the int32 sum)
  DQ -> Softmax -> Q               -> softmax_q8 (float inside, int8 in and out)
  DQ -> Flatten/Reshape -> Q       -> a view (NHWC and NCHW agree when H = W = 1)
  DQ -> ReduceMean [-> ReduceMean] [-> Flatten / Reshape] -> Q
                                   -> global_avg_pool_s8, when the chain (float in between, as quantize_static
                                      leaves torch's `x.mean(3).mean(2)`) averages exactly H and W; a mean
                                      over H or W alone (keepdims) is one too, over a view of the tensor
  DQ -> Sigmoid / HardSigmoid / HardSwish / Relu / Clip / ... [-> ...] -> Q
                                   -> lut_s8 (256-entry table from onnxruntime itself: onnx_qdq_lut.py)
  DQ, DQ -> Add / Mul -> Q         -> add_q8 (same shapes), else binary_q8 with broadcasting (SE blocks)
  DQ -> Concat -> Q                -> concat (inputs quantized otherwise first requantised by a lut_s8)
  DQ -> Pad / Transpose -> Q       -> pad / transpose_s8 (same quantization in and out)
  DQ(graph output)                 -> dequantize_s8

Activations are int8 NHWC inside (the layout of the int8 kernels and their Cortex-M DSP twins); the model's
float input and output keep the ONNX layout. Requantisation of conv/Gemm uses TFLite's fixed-point multiplier
(runtimes/include/edgec_fixedpoint_s8.h); onnxruntime rounds a float product instead, so results agree to
within 1 LSB (tests/test_int8_onnx_qdq.py measures how often they are identical).
"""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedModelError
from ..ir import Graph, Node, QuantParams, Tensor
from .onnx_qdq_lut import LUT_OPS, chain_table, unary_chain
from .tflite_int8 import _ident

QDQ_OPS = {"QuantizeLinear", "DequantizeLinear"}
# QOperator format (QuantFormat.QOperator): op -> (QDQ op it behaves as, weight input, bias input, y_scale input)
QOPERATOR = {
    "QLinearConv": ("Conv", 3, 8, 6),
    "QLinearMatMul": ("MatMul", 3, None, 6),
    "QGemm": ("Gemm", 3, 6, 7),
    "QLinearGlobalAveragePool": ("GlobalAveragePool", None, None, 3),
    "QLinearSoftmax": ("Softmax", None, None, 3),
    "QLinearAdd": ("Add", None, None, 6),
    "QLinearMul": ("Mul", None, None, 6),
}
OPS = QDQ_OPS | set(QOPERATOR) | {"Add", "Conv", "Gemm", "MatMul", "MaxPool", "GlobalAveragePool", "Softmax", "Flatten",
                                  "Reshape", "ReduceMean", "Mul", "Concat", "Pad", "Transpose"} | LUT_OPS
SHAPE_OPS = {"Flatten", "Reshape", "Squeeze", "Unsqueeze"}
# NCHW axis -> NHWC axis of the int8 activations (4-D tensors)
NHWC_AXIS = {0: 0, 1: 3, 2: 1, 3: 2}


def is_qdq_model(model) -> bool:
    kinds = {n.op_type for n in model.graph.node}
    return bool(kinds & (QDQ_OPS | set(QOPERATOR)))


def import_qdq_graph(model) -> tuple[Graph, list[str]]:
    from onnx import numpy_helper, shape_inference

    model = shape_inference.infer_shapes(model)
    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    shapes = {name: tuple(int(d) for d in value.shape) for name, value in inits.items()}
    for vi in list(graph.value_info) + list(graph.input) + list(graph.output):
        dims = vi.type.tensor_type.shape.dim
        shapes[vi.name] = tuple(int(d.dim_value) for d in dims)
    consumers: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    graph_inputs = [i.name for i in graph.input if i.name not in inits]
    graph_outputs = [o.name for o in graph.output]

    g = Graph()
    acts: dict[str, str] = {}  # ONNX tensor (a Q output or the DQ of one) -> IR int8 tensor (NHWC)
    consts: dict[str, tuple] = {}  # ONNX DQ output of an initializer -> (int data, scale, zero point)
    problems = []

    def qparams(node):
        s = inits[node.input[1]]
        z = inits[node.input[2]] if len(node.input) > 2 and node.input[2] else None
        # ONNX: the zero point's type is the quantized type, and without one QuantizeLinear gives uint8
        if node.op_type == "QuantizeLinear" and (z is None or z.dtype != np.int8):
            raise NotImplementedError(f"quantizes to {z.dtype.name if z is not None else 'uint8 (no zero point)'}; "
                                      "edgec's int8 kernels take int8 activations (quantize with QInt8 activations)")
        return np.asarray(s, np.float32), np.asarray(z if z is not None else np.zeros_like(s, np.int8))

    def new_act(name: str, shape, scale, zp) -> str:
        ir = g.fresh_name(_ident(name))
        g.add_tensor(Tensor(ir, tuple(shape), "int8",
                            quant=QuantParams(np.array([float(scale)], np.float32), np.array([int(zp)]))))
        return ir

    def single_q(out: str):
        users = consumers.get(out, [])
        if len(users) != 1 or users[0].op_type != "QuantizeLinear" or out in graph_outputs:
            raise NotImplementedError("output is not quantized by exactly one QuantizeLinear")
        return users[0]

    def nhwc(shape):
        return (shape[0], shape[2], shape[3], shape[1]) if len(shape) == 4 else tuple(shape)

    def scalar(node_name: str, arr) -> float:
        arr = np.ravel(arr)
        if arr.size != 1:
            raise NotImplementedError(f"{node_name}: per-channel activation quantization")
        return arr[0]

    in_float = {}
    for i in graph_inputs:
        ir = g.fresh_name(_ident(i))
        g.add_tensor(Tensor(ir, shapes[i], "float32"))
        g.inputs.append(ir)
        in_float[i] = ir

    failed: set[str] = set()  # outputs of nodes that could not be imported: their users are not reported again
    folded: set[str] = set()  # nodes imported as part of an earlier node's chain (ReduceMean pairs)
    for node in graph.node:
        op = node.op_type
        if node.output and node.output[0] in folded:
            continue
        if any(i in failed for i in node.input):
            failed.update(node.output)
            continue
        try:
            if op == "Constant":  # a constant input (Clip bounds, Pad pads, ...): read like an initializer
                from onnx import numpy_helper

                value = next((a.t for a in node.attribute if a.name == "value"), None)
                if value is None:
                    raise NotImplementedError("Constant without a tensor value")
                inits[node.output[0]] = numpy_helper.to_array(value)
                continue
            if op not in OPS:
                raise NotImplementedError("operator not supported in QDQ models")
            if op == "QuantizeLinear":
                src = node.input[0]
                if src in in_float:
                    s, z = qparams(node)
                    shape = shapes[src]
                    y = new_act(node.output[0], nhwc(shape), scalar(node.name, s), scalar(node.name, z))
                    n, c, hw = _nchw(shape)
                    g.nodes.append(Node("quantize_s8", [in_float[src]], [y],
                                        dict(n=n, c=c, hw=hw, nchw_to_nhwc=int(len(shape) == 4),
                                             scale=float(np.ravel(s)[0]), zero_point=int(np.ravel(z)[0])), node.name))
                    acts[node.output[0]] = y
                continue  # other Q nodes are consumed by the operator before them
            if op == "DequantizeLinear":
                src = node.input[0]
                s, z = qparams(node)
                if src in inits:
                    axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
                    consts[node.output[0]] = (inits[src], s, z, axis)
                elif src in acts:
                    x = g.tensors[acts[src]]
                    # the int8 tensor carries its QuantizeLinear's parameters; a DQ that reads it with others
                    # (a zero point left out, say) means values the kernels would not compute
                    theirs = (np.float32(scalar(node.name, s)), int(scalar(node.name, z)))
                    ours = (np.float32(x.quant.scale[0]), int(x.quant.zero_point[0]))
                    if theirs != ours:
                        raise NotImplementedError(
                            f"dequantizes {src} with scale {theirs[0]:g} and zero point {theirs[1]}, where it was "
                            f"quantized with scale {ours[0]:g} and zero point {ours[1]} (edgec takes a QuantizeLinear "
                            "/ DequantizeLinear pair with the same parameters)")
                    acts[node.output[0]] = acts[src]
                    if node.output[0] in graph_outputs:
                        shape = shapes[node.output[0]]
                        out = g.fresh_name(_ident(node.output[0]))
                        g.add_tensor(Tensor(out, shape, "float32"))
                        n, c, hw = _nchw(shape)
                        g.nodes.append(Node("dequantize_s8", [acts[src]], [out],
                                            dict(n=n, c=c, hw=hw, nchw_to_nhwc=int(len(shape) == 4), scale=float(x.quant.scale[0]),
                                                 zero_point=int(x.quant.zero_point[0])), node.name))
                        g.outputs.append(out)
                else:
                    raise NotImplementedError(f"DequantizeLinear of {src}, which is not quantized")
                continue

            x = acts.get(node.input[0])
            if x is None:
                raise NotImplementedError(f"input {node.input[0]} is not an int8 (DequantizeLinear) tensor")
            xt = g.tensors[x]
            w_key = b_key = None
            if op in LUT_OPS:
                chain = unary_chain(node, consumers, graph_outputs, inits)
                q = single_q(chain[-1].output[0])
                s_out, z_out = (scalar(q.name, v) for v in qparams(q))
                table = chain_table(chain, inits, model.opset_import, float(xt.quant.scale[0]),
                                    int(xt.quant.zero_point[0]), float(s_out), int(z_out))
                y = new_act(q.output[0], xt.shape, s_out, z_out)
                g.nodes.append(Node("lut_s8", [x, g.add_const("table", table)], [y], {},
                                    "+".join(n_.name for n_ in chain)))
                folded.update(n_.output[0] for n_ in chain[1:])
                acts[q.output[0]] = y
                continue
            if op in ("Mul", "Concat", "Pad", "Transpose") or (op == "Add" and node.op_type == "Add" and any(
                    acts.get(i) is None or g.tensors[acts[i]].shape != xt.shape for i in node.input[1:])):
                q = single_q(node.output[0])
                s_out, z_out = (scalar(q.name, v) for v in qparams(q))
                out_shape = shapes[node.output[0]]
                y = new_act(q.output[0], nhwc(out_shape), s_out, z_out)
                if op in ("Add", "Mul"):
                    _binary(g, node, op, [_operand(g, i, acts, consts, len(out_shape)) for i in node.input[:2]], y)
                elif op == "Concat":
                    _concat(g, node, [acts[i] if i in acts else _missing(i) for i in node.input], y, inits,
                            model.opset_import, len(out_shape))
                elif op == "Pad":
                    _pad(g, node, x, y, inits, len(out_shape))
                else:
                    _transpose(g, node, x, y, len(out_shape))
                acts[q.output[0]] = y
                continue
            if op == "ReduceMean":
                chain, axes = _reduce_mean_chain(node, consumers, inits, graph_outputs, len(xt.shape))
                last = chain[-1]
                q = single_q(last.output[0])
                s_out, z_out = (scalar(q.name, v) for v in qparams(q))
                out_shape = shapes.get(last.output[0])
                if len(xt.shape) == 4 and axes in ({2}, {3}) and out_shape and len(out_shape) == 4:
                    # one spatial axis, keepdims, its own QuantizeLinear (a pair split by Q / DQ)
                    y = new_act(q.output[0], nhwc(out_shape), s_out, z_out)
                    _mean_one_axis(g, "+".join(n_.name for n_ in chain), x, y, NHWC_AXIS[axes.pop()])
                    folded.update(n_.output[0] for n_ in chain[1:])
                    acts[q.output[0]] = y
                    continue
                if len(xt.shape) != 4 or axes != {2, 3}:
                    raise NotImplementedError(f"ReduceMean over axes {sorted(axes)} of a rank-{len(xt.shape)} "
                                              "tensor (only the spatial axes: H and W together, or one with "
                                              "keepdims)")
                n, h, w, c = xt.shape
                y = new_act(q.output[0], (n, 1, 1, c), s_out, z_out)
                scale = float(np.float32(xt.quant.scale[0]) / (np.float32(h * w) * np.float32(s_out)))
                g.nodes.append(Node("global_avg_pool_s8", [x], [y], dict(
                    input_zero_point=int(xt.quant.zero_point[0]), output_zero_point=int(z_out), scale=scale),
                    "+".join(n_.name for n_ in chain)))
                if out_shape and int(np.prod(out_shape)) != n * c:
                    raise NotImplementedError(f"{last.op_type} {last.name} changes the element count")
                if out_shape and len(out_shape) != 4:  # keepdims=0 / Flatten: NCHW and NHWC agree on [N, C]
                    view = g.fresh_name(y + "_2d")
                    g.add_tensor(Tensor(view, tuple(out_shape), "int8", quant=g.tensors[y].quant, alias_of=y))
                    y = view
                folded.update(n_.output[0] for n_ in chain[1:])
                acts[q.output[0]] = y
                continue
            if op in QOPERATOR:  # QOperator format: the scales are the node's own inputs
                op, w_idx, b_idx, out_s_idx = QOPERATOR[op]
                ins = list(node.input) + [""] * 10
                if w_idx is not None:
                    w_key = node.name + "#w"
                    b_key = node.name + "#b" if b_idx is not None and ins[b_idx] else None
                    consts[w_key] = (inits[ins[w_idx]], inits[ins[w_idx + 1]], inits[ins[w_idx + 2]],
                                     1 if op == "MatMul" else 0)
                    if b_key:
                        consts[b_key] = (inits[ins[b_idx]], None, np.zeros(1, np.int32), 0)
                out_name = node.output[0]
                s_out = scalar(node.name, inits[ins[out_s_idx]])
                z_out = scalar(node.name, inits[ins[out_s_idx + 1]]) if ins[out_s_idx + 1] else 0
            elif len(consumers.get(node.output[0], [])) == 1 and consumers[node.output[0]][0].op_type == "QuantizeLinear":
                q = single_q(node.output[0])  # QDQ format: DQ -> op -> Q
                out_name = q.output[0]
                s_out, z_out = (scalar(q.name, v) for v in qparams(q))
            elif op in ("MaxPool", "Flatten", "Reshape"):  # int8 in, int8 out, same quantization
                out_name = node.output[0]
                s_out, z_out = float(xt.quant.scale[0]), int(xt.quant.zero_point[0])
            else:
                raise NotImplementedError("output is not quantized by exactly one QuantizeLinear")
            if not shapes.get(node.output[0]):  # com.microsoft ops have no ONNX shape inference
                shapes[node.output[0]] = _infer_shape(op, node, xt, consts.get(w_key) if w_key else None, shapes)
            out_shape = nhwc(shapes[node.output[0]])
            attrs = {a.name: _attr(a) for a in node.attribute}
            if op == "MatMul":
                if len(out_shape) != 2:
                    raise NotImplementedError("MatMul of rank other than 2")
                op, attrs = "Gemm", {"transB": 0}
            if op in ("Conv", "Gemm"):
                y = new_act(out_name, out_shape if op == "Conv" else (out_shape[0], 1, 1, out_shape[1]),
                            s_out, z_out)
                _conv_or_gemm(g, node, op, attrs, x, xt, y, consts, float(s_out), int(z_out), w_key, b_key)
                if op == "Gemm":
                    view = g.fresh_name(y + "_2d")
                    g.add_tensor(Tensor(view, out_shape, "int8", quant=g.tensors[y].quant, alias_of=y))
                    y = view
            elif op == "MaxPool":
                if (float(s_out), int(z_out)) != (float(xt.quant.scale[0]), int(xt.quant.zero_point[0])):
                    raise NotImplementedError("MaxPool that changes quantization")
                y = new_act(out_name, out_shape, s_out, z_out)
                k = attrs["kernel_shape"]
                st = attrs.get("strides", [1, 1])
                pads = attrs.get("pads", [0, 0, 0, 0])
                if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or attrs.get("ceil_mode", 0):
                    raise NotImplementedError("MaxPool auto_pad / ceil_mode")
                g.nodes.append(Node("max_pool2d_s8", [x], [y], dict(kernel=list(k), strides=list(st),
                                                                     pads=[pads[0], pads[1]]), node.name))
            elif op == "GlobalAveragePool":
                y = new_act(out_name, out_shape, s_out, z_out)
                n, h, w, c = xt.shape
                scale = float(np.float32(xt.quant.scale[0]) / (np.float32(h * w) * np.float32(s_out)))
                g.nodes.append(Node("global_avg_pool_s8", [x], [y], dict(
                    input_zero_point=int(xt.quant.zero_point[0]), output_zero_point=int(z_out), scale=scale),
                    node.name))
            elif op == "Softmax":
                axis = attrs.get("axis", -1)
                if axis not in (-1, len(xt.shape) - 1):
                    raise NotImplementedError("softmax over another axis than the last")
                y = new_act(out_name, out_shape, s_out, z_out)
                table = g.add_const("exp_table", softmax_table(float(xt.quant.scale[0]), xt.shape[-1]))
                g.nodes.append(Node("softmax_q8", [x, table], [y], dict(
                    output_scale_inv=float(np.floor(np.float32(1.0) / np.float32(s_out))),
                    output_zero_point=int(z_out)), node.name))
            elif op == "Mul":  # QLinearMul (QDQ Mul takes the branch above): B an activation or a constant
                b_name = node.input[3]
                if b_name in inits:
                    consts[b_name] = (inits[b_name], inits[node.input[4]], inits[node.input[5]], 0)
                y = new_act(out_name, out_shape, s_out, z_out)
                _binary(g, node, op, [x, _operand(g, b_name, acts, consts, len(out_shape))], y)
            elif op == "Add":
                b_name = node.input[3] if node.op_type == "QLinearAdd" else node.input[1]
                if b_name not in acts:
                    raise NotImplementedError(f"Add of {b_name}, which is not an int8 tensor")
                bt = g.tensors[acts[b_name]]
                if bt.shape != xt.shape:
                    raise NotImplementedError("broadcasting int8 Add")
                y = new_act(out_name, out_shape, s_out, z_out)
                g.nodes.append(Node("add_q8", [x, acts[b_name]], [y], dict(
                    a_zero_point=int(xt.quant.zero_point[0]), b_zero_point=int(bt.quant.zero_point[0]),
                    output_zero_point=int(z_out),
                    a_ratio=float(np.float32(xt.quant.scale[0]) / np.float32(s_out)),
                    b_ratio=float(np.float32(bt.quant.scale[0]) / np.float32(s_out))), node.name))
            elif op in ("Flatten", "Reshape"):
                if len(xt.shape) == 4 and xt.shape[1] * xt.shape[2] != 1:
                    raise NotImplementedError("Flatten/Reshape of an NHWC tensor with spatial extent")
                if (float(s_out), int(z_out)) != (float(xt.quant.scale[0]), int(xt.quant.zero_point[0])):
                    raise NotImplementedError("Reshape that changes quantization")
                y = g.fresh_name(_ident(out_name))
                g.add_tensor(Tensor(y, shapes[node.output[0]], "int8", quant=xt.quant, alias_of=x))
            acts[out_name] = y
        except (NotImplementedError, KeyError) as exc:
            out = node.output[0] if node.output else node.name
            problems.append((out, op, str(exc)))
            failed.update(node.output)
            users = consumers.get(node.output[0], []) if node.output else []
            if len(users) == 1 and users[0].op_type == "QuantizeLinear":
                failed.update(users[0].output)
    if problems:
        raise UnsupportedModelError(problems)
    if len(g.outputs) != len(graph_outputs):
        raise UnsupportedModelError([(o, "output", "graph output is not a DequantizeLinear of an int8 tensor")
                                     for o in graph_outputs])
    g.remove_unused_tensors()
    return g, graph_inputs


def _missing(name: str):
    raise NotImplementedError(f"input {name} is not an int8 (DequantizeLinear) tensor")


def _same_quant(a, b) -> bool:
    qa, qb = a.quant, b.quant
    return (float(qa.scale[0]), int(qa.zero_point[0])) == (float(qb.scale[0]), int(qb.zero_point[0]))


def _operand(g: Graph, name: str, acts, consts, rank: int) -> str:
    """An input of Add / Mul: an int8 activation, or an int8 per-tensor constant put in flash (NHWC when 4-D)."""
    if name in acts:
        return acts[name]
    if name not in consts:
        _missing(name)
    data, s, z, _ = consts[name]
    if data.dtype != np.int8 or np.size(s) != 1:
        raise NotImplementedError(f"constant {name} is not int8 quantized per tensor")
    data = data.reshape((1,) * (rank - data.ndim) + data.shape)
    if rank == 4:
        data = data.transpose(0, 2, 3, 1)
    const = g.add_const("const", np.ascontiguousarray(data))
    g.tensors[const].quant = QuantParams(np.array([float(np.ravel(s)[0])], np.float32), np.array([int(np.ravel(z)[0])]))
    return const


def _binary(g: Graph, node, op: str, ins: list[str], y: str) -> None:
    """Add / Mul with broadcasting (SE blocks), in onnxruntime's float32 steps: binary_q8."""
    yt = g.tensors[y]
    for i in ins:
        shape = g.tensors[i].shape
        if len(shape) > len(yt.shape) or any(d not in (1, o) for d, o in zip(reversed(shape), reversed(yt.shape))):
            raise NotImplementedError(f"input shape {list(shape)} does not broadcast to {list(yt.shape)}")
    (a, b) = (g.tensors[i].quant for i in ins)
    g.nodes.append(Node("binary_q8", ins, [y], dict(
        op=op.lower(), a_zero_point=int(a.zero_point[0]), b_zero_point=int(b.zero_point[0]),
        output_zero_point=int(yt.quant.zero_point[0]), a_scale=float(a.scale[0]), b_scale=float(b.scale[0]),
        output_scale=float(yt.quant.scale[0])), node.name))


def _axis(axis: int, rank: int) -> int:
    axis %= rank
    return NHWC_AXIS[axis] if rank == 4 else axis


def _concat(g: Graph, node, ins: list[str], y: str, inits, opset_imports, rank: int) -> None:
    """Inputs quantized otherwise than the output are requantised first (a table: Q(DQ(x)) as onnxruntime)."""
    yt = g.tensors[y]
    axis = next((a.i for a in node.attribute if a.name == "axis"), None)
    if axis is None:
        raise NotImplementedError("Concat without axis")
    same = []
    for i in ins:
        t = g.tensors[i]
        if not _same_quant(t, yt):
            table = chain_table([], inits, opset_imports, float(t.quant.scale[0]), int(t.quant.zero_point[0]),
                                float(yt.quant.scale[0]), int(yt.quant.zero_point[0]))
            r = g.fresh_name(i + "_requant")
            g.add_tensor(Tensor(r, t.shape, "int8", quant=yt.quant))
            g.nodes.append(Node("lut_s8", [i, g.add_const("table", table)], [r], {}, node.name + "_requant"))
            i = r
        same.append(i)
    g.nodes.append(Node("concat", same, [y], dict(axis=_axis(axis, rank)), node.name))


def _pad(g: Graph, node, x: str, y: str, inits, rank: int) -> None:
    xt, yt = g.tensors[x], g.tensors[y]
    if not _same_quant(xt, yt):
        raise NotImplementedError("Pad that changes quantization")
    attrs = {a.name: _attr(a) for a in node.attribute}
    mode = attrs.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode != "constant":
        raise NotImplementedError(f"Pad mode {mode}")
    if len(node.input) > 1 and node.input[1]:
        if node.input[1] not in inits:
            raise NotImplementedError("pads are not a constant")
        pads = [int(p) for p in np.ravel(inits[node.input[1]])]
    else:
        pads = [int(p) for p in attrs.get("pads", [])]
    if len(node.input) > 3 and node.input[3]:
        raise NotImplementedError("Pad with axes")
    if len(pads) != 2 * rank or min(pads) < 0:
        raise NotImplementedError(f"pads {pads}")
    value = int(xt.quant.zero_point[0])  # a real 0
    if len(node.input) > 2 and node.input[2]:
        # the constant is quantized by its own DQ: only a real 0 (its zero point) is supported
        raise NotImplementedError("Pad with a constant_value input")
    before = pads[:rank]
    if rank == 4:
        before = [before[0], before[2], before[3], before[1]]
    g.nodes.append(Node("pad", [x], [y], dict(mode="constant", before=before, value=float(value)), node.name))


def _transpose(g: Graph, node, x: str, y: str, rank: int) -> None:
    xt, yt = g.tensors[x], g.tensors[y]
    if not _same_quant(xt, yt):
        raise NotImplementedError("Transpose that changes quantization")
    perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), list(range(rank))[::-1])
    if rank == 4:  # in NHWC terms: NHWC -> NCHW, the ONNX permutation, NCHW -> NHWC
        to_nchw, to_nhwc = [0, 3, 1, 2], [0, 2, 3, 1]
        perm = [to_nchw[perm[a]] for a in to_nhwc]
    g.nodes.append(Node("transpose", [x], [y], dict(axes=perm), node.name))


def _mean_one_axis(g: Graph, name: str, x: str, y: str, axis: int) -> None:
    """The mean over H or W of an NHWC tensor as a global average of a view, in onnxruntime's float
    requantisation: over W, [N*H, W, C]; over H, [N, H, W*C] (the kernel walks [batch, hw, channels])."""
    xt, yt = g.tensors[x], g.tensors[y]
    n, h, w, c = xt.shape
    batch, count, inner = (n * h, w, c) if axis == 2 else (n, h, w * c)
    xv, yv = _view(g, x, (batch, 1, count, inner)), _view(g, y, (batch, 1, 1, inner))
    scale = float(np.float32(xt.quant.scale[0]) / (np.float32(count) * np.float32(yt.quant.scale[0])))
    g.nodes.append(Node("global_avg_pool_s8", [xv], [yv], dict(
        input_zero_point=int(xt.quant.zero_point[0]), output_zero_point=int(yt.quant.zero_point[0]), scale=scale),
        name))


def _reduce_mean_chain(node, consumers, inits, graph_outputs, rank: int) -> tuple[list, set[int]]:
    """ReduceMean nodes chained in float (each the only user of the one before) from `node`, and the axes of
    the first one's input they reduce together, e.g. torch's x.mean(3).mean(2) -> {2, 3}."""
    chain, axes = [], set()
    remaining = list(range(rank))  # the original axis behind each axis of the current tensor
    while True:
        attrs = {a.name: _attr(a) for a in node.attribute}
        if len(node.input) > 1 and node.input[1]:  # opset 18: axes as an input
            if node.input[1] not in inits:
                raise NotImplementedError(f"ReduceMean {node.name}: axes are not a constant")
            step = [int(a) for a in np.ravel(inits[node.input[1]])]
        else:
            step = [int(a) for a in attrs.get("axes", [])]
        if not step:
            if attrs.get("noop_with_empty_axes", 0):
                raise NotImplementedError(f"ReduceMean {node.name}: no axes (noop_with_empty_axes)")
            step = list(range(len(remaining)))
        step = sorted({a % len(remaining) for a in step})
        axes.update(remaining[a] for a in step)
        if not attrs.get("keepdims", 1):
            remaining = [r for i, r in enumerate(remaining) if i not in step]
        chain.append(node)
        users = consumers.get(node.output[0], [])
        if node.output[0] in graph_outputs or len(users) != 1 or users[0].op_type != "ReduceMean":
            break
        node = users[0]
    # float shape ops after it (keepdims=1 then Flatten, say) before the QuantizeLinear: views of the result
    while len(users) == 1 and users[0].op_type in SHAPE_OPS and node.output[0] not in graph_outputs:
        node = users[0]
        chain.append(node)
        users = consumers.get(node.output[0], [])
    return chain, axes


def softmax_table(x_scale: float, depth: int) -> np.ndarray:
    """onnxruntime's QlinearBuildLookupTableUint32 (float table, signed input): exp in double, stored as float."""
    import math

    bit_shift = math.log(float(np.finfo(np.float32).max) / depth)
    bit_shift = max(0.0, bit_shift - 5) / float(np.float32(x_scale))
    table = np.zeros(256, np.float32)
    for i in range(256):
        table[(i - 128) & 0xFF] = np.float32(math.exp((float(i) - 255 + bit_shift) * float(np.float32(x_scale))))
    return table


def _infer_shape(op, node, xt, weights, shapes) -> tuple[int, ...]:
    """The ONNX (NCHW) shape of an operator's output when shape inference left it out."""
    x_onnx = shapes.get(node.input[0]) or ((xt.shape[0], xt.shape[3], xt.shape[1], xt.shape[2])
                                          if len(xt.shape) == 4 else xt.shape)
    if op == "GlobalAveragePool":
        return (x_onnx[0], x_onnx[1]) + (1,) * (len(x_onnx) - 2)
    if op in ("Softmax", "Add") and node.op_type != "QLinearMul":
        return tuple(x_onnx)
    if node.op_type == "QLinearMul" and node.input[3] in shapes:  # NumPy broadcasting
        return tuple(int(d) for d in np.broadcast_shapes(tuple(x_onnx), tuple(shapes[node.input[3]])))
    if op == "Flatten":
        return (x_onnx[0], int(np.prod(x_onnx[1:])))
    if op in ("Gemm", "MatMul") and weights is not None:
        w = weights[0]
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return (x_onnx[0], w.shape[0] if trans_b else w.shape[1])
    raise NotImplementedError(f"no shape for {node.output[0]}")


def _nchw(shape) -> tuple[int, int, int]:
    n = int(shape[0]) if shape else 1
    c = int(shape[1]) if len(shape) > 1 else 1
    hw = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return n, c, hw


def _attr(a):
    from onnx import helper

    v = helper.get_attribute_value(a)
    return list(v) if isinstance(v, (list, tuple)) or hasattr(v, "__len__") and not isinstance(v, (bytes, str)) else v


def _conv_or_gemm(g: Graph, node, op, attrs, x, xt, y, consts, s_out: float, z_out: int, w_key=None, b_key=None) -> None:
    w_key = w_key or node.input[1]
    if b_key is None and w_key == node.input[1] and len(node.input) > 2 and node.input[2]:
        b_key = node.input[2]
    w_data, w_s, w_z, w_axis = consts[w_key]
    if w_data.dtype != np.int8 or np.any(w_z != 0):
        raise NotImplementedError("weights must be symmetric int8")
    s_in, z_in = float(xt.quant.scale[0]), int(xt.quant.zero_point[0])
    if op == "Gemm":
        if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
            raise NotImplementedError("Gemm with transA / alpha / beta")
        w = w_data if attrs.get("transB", 0) else w_data.T  # [out, in]
        out_c, in_c = w.shape
        if w_s.size > 1 and w_axis != (0 if attrs.get("transB", 0) else 1):
            raise NotImplementedError("Gemm weights quantized along the input axis")
        w = w.reshape(out_c, 1, 1, in_c)
        n = xt.elems // in_c
        x = _view(g, x, (n, 1, 1, in_c))
        group, strides, dil, pads = 1, [1, 1], [1, 1], [0, 0]
    else:
        if w_s.size > 1 and w_axis != 0:
            raise NotImplementedError("conv weights quantized along another axis than 0")
        out_c, in_per_group, kh, kw = w_data.shape
        group = attrs.get("group", 1)
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise NotImplementedError("Conv auto_pad")
        strides, dil = attrs.get("strides", [1, 1]), attrs.get("dilations", [1, 1])
        p = attrs.get("pads", [0, 0, 0, 0])
        pads = [p[0], p[1]]
        in_c = xt.shape[3]
        if group == 1:
            w = np.transpose(w_data, (0, 2, 3, 1))  # OIHW -> OHWI
        elif group == in_c and in_per_group == 1:
            w = np.transpose(w_data, (1, 2, 3, 0))  # (C*m, 1, kh, kw) -> (1, kh, kw, C*m)
        else:
            raise NotImplementedError("grouped convolution")
    w_scales = np.broadcast_to(np.asarray(w_s, np.float32).ravel(), (out_c,))
    # onnxruntime (MLAS) requantises with float32(x_scale * w_scale / y_scale): the conv kernel's float mode
    # takes those scales' bits in its multiplier table.
    f_scales = (np.float32(np.float32(s_in) / np.float32(s_out)) * w_scales).astype(np.float32)
    mults, shifts = f_scales.view(np.int32), np.zeros(out_c, np.int32)
    bias = np.zeros(out_c, np.int32)
    if b_key is not None:
        b_data, b_s, b_z, _ = consts[b_key]
        if b_data.dtype != np.int32 or np.any(b_z != 0):
            raise NotImplementedError("bias must be int32 with zero point 0")
        expect = np.float32(s_in) * w_scales
        if b_s is not None and not np.allclose(np.broadcast_to(np.ravel(b_s), (out_c,)), expect, rtol=1e-5):
            raise NotImplementedError("bias scale is not input scale x weight scale")
        bias = b_data.astype(np.int32)
    attrs_ir = dict(strides=list(strides), dilation=list(dil), pads=pads, input_offset=-z_in, output_offset=z_out,
                    act=(-128, 127), requant_float=True)
    inputs = [x, g.add_const("w", np.ascontiguousarray(w)), g.add_const("bias", bias),
              g.add_const("mult", np.array(mults, np.int32)), g.add_const("shift", np.array(shifts, np.int32))]
    depthwise = op == "Conv" and group != 1
    if depthwise:
        attrs_ir["depth_multiplier"] = out_c // xt.shape[3]
    g.nodes.append(Node("depthwise_conv2d_s8" if depthwise else "conv2d_s8", inputs, [y], attrs_ir, node.name))


def _view(g: Graph, src: str, shape) -> str:
    t = g.tensors[src]
    if tuple(t.shape) == tuple(shape):
        return src
    name = g.fresh_name(src + "_view")
    g.add_tensor(Tensor(name, tuple(shape), t.dtype, quant=t.quant, alias_of=g.storage_root(src)))
    return name
