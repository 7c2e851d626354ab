"""One-input float operators between DequantizeLinear and QuantizeLinear in a QDQ model (Sigmoid, HardSigmoid,
HardSwish, Relu, Clip, LeakyRelu, Tanh, ..., a Div by a scalar constant as in torch's hard sigmoid
`relu6(x + 3) / 6`, or a chain of them) as 256-entry int8 tables.

Such a chain, DQ -> f -> [g ...] -> Q, maps each of the 256 int8 inputs to one int8 output, so the compiler asks
onnxruntime (graph optimizations off: the QDQ model's float semantics) for all 256 answers, on a copy of the
chain with the same scales, attributes and constant inputs, and the device does one look-up per element
(lut_s8, the kernel the int8 TFLite path uses for the same reason: frontend/tflite_lut.py). Exact by
construction."""

from __future__ import annotations

import numpy as np

LUT_OPS = {"Sigmoid", "HardSigmoid", "HardSwish", "Relu", "Clip", "LeakyRelu", "Tanh", "Elu", "Selu", "Softplus",
           "Softsign", "Abs", "Neg", "Exp", "Erf", "Gelu", "Mish", "ThresholdedRelu", "Celu", "Identity", "Div"}


def unary_chain(node, consumers, graph_outputs, inits) -> list:
    """`node` and the tabulable nodes after it, each the only user of the one before, up to a QuantizeLinear."""
    chain = [node]
    while True:
        for extra in node.input[1:]:
            if extra and extra not in inits:
                raise NotImplementedError(f"{node.op_type} {node.name}: input {extra} is not a constant")
            if extra and np.asarray(inits[extra]).size != 1:  # per-channel: no longer one value per int8 input
                raise NotImplementedError(f"{node.op_type} {node.name}: input {extra} is not a scalar")
        users = consumers.get(node.output[0], [])
        if node.output[0] in graph_outputs or len(users) != 1:
            raise NotImplementedError("output is not quantized by exactly one QuantizeLinear")
        if users[0].op_type == "QuantizeLinear":
            return chain
        if users[0].op_type not in LUT_OPS:
            raise NotImplementedError(f"output feeds {users[0].op_type} {users[0].name} in float")
        node = users[0]
        chain.append(node)


def chain_table(chain, inits, opset_imports, s_in: float, z_in: int, s_out: float, z_out: int) -> np.ndarray:
    """table[q + 128] = Q(chain(DQ(q))) as onnxruntime computes it with ORT_DISABLE_ALL."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    consts = {"s_in": np.float32(s_in), "z_in": np.int8(z_in), "s_out": np.float32(s_out), "z_out": np.int8(z_out)}
    nodes = [helper.make_node("DequantizeLinear", ["q", "s_in", "z_in"], ["x0"])]
    for k, n in enumerate(chain):
        ins = [f"x{k}"] + [f"c{k}_{j}" if name else "" for j, name in enumerate(n.input[1:])]
        for j, name in enumerate(n.input[1:]):
            if name:
                consts[f"c{k}_{j}"] = inits[name]
        copy = helper.make_node(n.op_type, ins, [f"x{k + 1}"], domain=n.domain)
        copy.attribute.extend(n.attribute)
        nodes.append(copy)
    nodes.append(helper.make_node("QuantizeLinear", [f"x{len(chain)}", "s_out", "z_out"], ["y"]))
    graph = helper.make_graph(nodes, "lut", [helper.make_tensor_value_info("q", TensorProto.INT8, [256])],
                              [helper.make_tensor_value_info("y", TensorProto.INT8, [256])],
                              [numpy_helper.from_array(np.asarray(v), k) for k, v in consts.items()])
    model = helper.make_model(graph, opset_imports=list(opset_imports))
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    q = np.arange(-128, 128, dtype=np.int8)
    return sess.run(None, {"q": q})[0].astype(np.int8)
