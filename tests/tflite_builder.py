"""Small int8 TFLite models written from Python, for testing single operators against LiteRT and TFLite Micro.

No converter is needed: the flatbuffer is packed with the object API that ai-edge-litert ships
(schema_py_generated). Weights and quantisation parameters are random but sensible: an output scale is
picked so that random int8 inputs use most of the int8 range without saturating everything."""

from __future__ import annotations

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

DTYPES = {"float32": schema.TensorType.FLOAT32, "int8": schema.TensorType.INT8, "int16": schema.TensorType.INT16,
          "int32": schema.TensorType.INT32, "int64": schema.TensorType.INT64, "bool": schema.TensorType.BOOL,
          "resource": schema.TensorType.RESOURCE}


class TFLiteBuilder:
    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.tensors: list = []
        self.buffers: list = [schema.BufferT()]  # buffer 0 is the empty buffer, by convention
        self.opcodes: dict[int, int] = {}
        self.versions: dict[int, int] = {}  # opcode -> version, where LiteRT needs more than 1
        self.operators: list = []
        self.subgraphs: list = []  # subgraphs after the main one (CALL_ONCE's initialiser, IF's branches)

    # -- tensors -----------------------------------------------------------------------------------------------
    def tensor(self, shape, dtype: str = "int8", scale=None, zero_point=None, data: np.ndarray | None = None,
               quantized_dimension: int = 0) -> int:
        t = schema.TensorT()
        t.shape, t.type, t.name = list(shape), DTYPES[dtype], f"t{len(self.tensors)}".encode()
        t.buffer = 0
        if data is not None:
            buf = schema.BufferT()
            buf.data = np.frombuffer(np.ascontiguousarray(data, dtype=dtype).tobytes(), np.uint8)
            self.buffers.append(buf)
            t.buffer = len(self.buffers) - 1
        if scale is not None:
            q = schema.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            q.zeroPoint = [int(z) for z in np.atleast_1d(zero_point if zero_point is not None else 0)]
            q.quantizedDimension = quantized_dimension
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def act(self, shape, scale: float | None = None, zero_point: int | None = None) -> int:
        """An int8 activation with the given (or random) quantisation."""
        scale = float(np.float32(scale if scale is not None else self.rng.uniform(0.01, 0.1)))
        zero_point = int(zero_point if zero_point is not None else self.rng.integers(-20, 21))
        return self.tensor(shape, "int8", scale, zero_point)

    def quant(self, i: int) -> tuple[float, int]:
        q = self.tensors[i].quantization
        return q.scale[0], q.zeroPoint[0]

    def shape(self, i: int) -> list[int]:
        return list(self.tensors[i].shape)

    # -- operators ---------------------------------------------------------------------------------------------
    def op(self, kind: str, inputs: list[int], outputs: list[int], options=None, version: int = 1) -> list[int]:
        code = getattr(schema.BuiltinOperator, kind)
        self.opcodes.setdefault(code, len(self.opcodes))
        self.versions[code] = max(self.versions.get(code, 1), version)
        o = schema.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.opcodes[code], list(inputs), list(outputs)
        if options is not None:
            o.builtinOptionsType = getattr(schema.BuiltinOptions, type(options).__name__[:-1])
            o.builtinOptions = options
        self.operators.append(o)
        return outputs

    def custom(self, name: str, inputs: list[int], outputs: list[int], options: bytes) -> list[int]:
        """A custom operator (e.g. TFLite_Detection_PostProcess) with its flexbuffer options."""
        key = (schema.BuiltinOperator.CUSTOM, name)
        self.opcodes.setdefault(key, len(self.opcodes))
        self.versions[key] = 1
        o = schema.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.opcodes[key], list(inputs), list(outputs)
        o.customOptions = np.frombuffer(options, np.uint8)
        self.operators.append(o)
        return outputs

    def conv2d(self, x: int, out_channels: int, kernel=(3, 3), strides=(1, 1), padding: str = "SAME",
               relu: bool = True, out_quant: tuple[float, int] | None = None) -> int:
        """CONV_2D with per-channel symmetric int8 weights and an int32 bias."""
        n, h, w, c = self.shape(x)
        in_s, _ = self.quant(x)
        weights = self.rng.integers(-127, 128, (out_channels, *kernel, c), dtype=np.int8)
        w_scales = self.rng.uniform(0.002, 0.02, out_channels).astype(np.float32)
        bias = self.rng.integers(-2000, 2000, out_channels, dtype=np.int32)
        wt = self.tensor(weights.shape, "int8", w_scales, np.zeros(out_channels, int), weights)
        bt = self.tensor(bias.shape, "int32", in_s * w_scales, np.zeros(out_channels, int), bias)
        if padding == "SAME":
            oh, ow = -(-h // strides[0]), -(-w // strides[1])
        else:
            oh, ow = (h - kernel[0]) // strides[0] + 1, (w - kernel[1]) // strides[1] + 1
        # Random int8 inputs and weights: the accumulator's spread is about sqrt(K) * 74 * 73 * in_s * w_s.
        spread = np.sqrt(kernel[0] * kernel[1] * c) * 74 * 73 * in_s * float(w_scales.mean())
        y = self.act([n, oh, ow, out_channels], *(out_quant or (spread / 60, None)))
        opts = schema.Conv2DOptionsT()
        opts.padding = schema.Padding.SAME if padding == "SAME" else schema.Padding.VALID
        opts.strideH, opts.strideW = strides
        opts.dilationHFactor = opts.dilationWFactor = 1
        opts.fusedActivationFunction = schema.ActivationFunctionType.RELU if relu else schema.ActivationFunctionType.NONE
        self.op("CONV_2D", [x, wt, bt], [y], opts)
        return y

    def depthwise_conv2d(self, x: int, kernel=(3, 3), strides=(1, 1), padding: str = "SAME", dilation=(1, 1),
                         relu: bool = True) -> int:
        """DEPTHWISE_CONV_2D, depth multiplier 1, per-channel symmetric int8 weights [1, kh, kw, C], int32 bias."""
        n, h, w, c = self.shape(x)
        in_s, _ = self.quant(x)
        weights = self.rng.integers(-127, 128, (1, *kernel, c), dtype=np.int8)
        w_scales = self.rng.uniform(0.002, 0.02, c).astype(np.float32)
        bias = self.rng.integers(-2000, 2000, c, dtype=np.int32)
        wt = self.tensor(weights.shape, "int8", w_scales, np.zeros(c, int), weights, quantized_dimension=3)
        bt = self.tensor(bias.shape, "int32", in_s * w_scales, np.zeros(c, int), bias)
        span = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
        if padding == "SAME":
            oh, ow = -(-h // strides[0]), -(-w // strides[1])
        else:
            oh, ow = (h - span[0]) // strides[0] + 1, (w - span[1]) // strides[1] + 1
        spread = np.sqrt(kernel[0] * kernel[1]) * 74 * 73 * in_s * float(w_scales.mean())
        y = self.act([n, oh, ow, c], spread / 60, None)
        opts = schema.DepthwiseConv2DOptionsT()
        opts.padding = schema.Padding.SAME if padding == "SAME" else schema.Padding.VALID
        opts.strideH, opts.strideW = strides
        opts.depthMultiplier = 1
        opts.dilationHFactor, opts.dilationWFactor = dilation
        opts.fusedActivationFunction = schema.ActivationFunctionType.RELU if relu else schema.ActivationFunctionType.NONE
        self.op("DEPTHWISE_CONV_2D", [x, wt, bt], [y], opts)
        return y

    def subgraph(self, build) -> int:
        """Another subgraph, its index: build(self) adds its tensors and operators (with self.tensor / self.op, as
        for the main one) and returns its (inputs, outputs). Buffers and operator codes are shared."""
        main = self.tensors, self.operators
        self.tensors, self.operators = [], []
        inputs, outputs = build(self)
        self.subgraphs.append(self._subgraph(inputs, outputs, f"subgraph{len(self.subgraphs) + 1}"))
        self.tensors, self.operators = main
        return len(self.subgraphs)

    def _subgraph(self, inputs: list[int], outputs: list[int], name: str):
        sg = schema.SubGraphT()
        sg.tensors, sg.inputs, sg.outputs, sg.operators = self.tensors, inputs, outputs, self.operators
        sg.name = name.encode()
        return sg

    def finish(self, inputs: list[int], outputs: list[int]) -> bytes:
        model = schema.ModelT()
        model.version, model.buffers = 3, self.buffers
        model.subgraphs = [self._subgraph(inputs, outputs, "main"), *self.subgraphs]
        codes = [None] * len(self.opcodes)
        for code, index in self.opcodes.items():
            oc = schema.OperatorCodeT()
            if isinstance(code, tuple):  # a custom operator: (CUSTOM, its name)
                code, oc.customCode = code[0], code[1].encode()
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), self.versions.get(code, 1)
            codes[index] = oc
        model.operatorCodes = codes
        model.description = b"edgec test model"
        builder = flatbuffers.Builder(1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())
