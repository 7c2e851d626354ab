"""A small ONNX graph builder for the model_zoo scripts: layers with deterministic random weights, no
framework needed (torch stays an optional extra). Weights are random: these models are for compiler and
benchmark work (shapes, MACs, memory), not for accuracy."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class GraphBuilder:
    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.counter = 0

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}_{self.counter}"

    def weight(self, base: str, shape, scale: float | None = None, lo: float | None = None, hi: float | None = None) -> str:
        name = self.fresh(base)
        if lo is not None:
            data = self.rng.uniform(lo, hi, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            data = self.rng.standard_normal(shape) * (scale if scale is not None else np.sqrt(2.0 / max(fan_in, 1)))
        self.inits.append(numpy_helper.from_array(data.astype(np.float32), name))
        return name

    def input(self, name: str, shape) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs) -> str:
        out = self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, bias: bool = False) -> str:
        w = self.weight("conv_w", (cout, cin // groups, k, k))
        ins = [x, w] + ([self.weight("conv_b", (cout,), scale=0.1)] if bias else [])
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=groups)

    def batchnorm(self, x: str, c: int) -> str:
        return self.op("BatchNormalization", [x, self.weight("bn_scale", (c,), lo=0.5, hi=1.5),
                                              self.weight("bn_bias", (c,), scale=0.1),
                                              self.weight("bn_mean", (c,), scale=0.1),
                                              self.weight("bn_var", (c,), lo=0.5, hi=1.5)])

    def conv_bn(self, x: str, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, act: str | None = "Relu6") -> str:
        y = self.batchnorm(self.conv(x, cin, cout, k, stride, groups), cout)
        if act == "Relu6":
            lo = self.const_scalar(0.0)
            hi = self.const_scalar(6.0)
            return self.op("Clip", [y, lo, hi])
        if act == "Relu":
            return self.op("Relu", [y])
        return y

    def const_scalar(self, value: float) -> str:
        name = self.fresh("c")
        self.inits.append(numpy_helper.from_array(np.array(value, np.float32), name))
        return name

    def dense(self, x: str, cin: int, cout: int) -> str:
        return self.op("Gemm", [x, self.weight("fc_w", (cout, cin)), self.weight("fc_b", (cout,), scale=0.1)], transB=1)

    def build(self, output: str, out_shape) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs,
                                  [helper.make_tensor_value_info(output, TensorProto.FLOAT, list(out_shape))], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgec model_zoo")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model
