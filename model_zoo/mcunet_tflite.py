"""The MCUNet models (model_zoo/mcunet.py) as int8 TFLite: the network edgec's PTQ quantized (the QDQ model of
`edgec compile --quantize int8`), written as the flatbuffer the TFLite converter writes for such a network.

No TensorFlow here (its converter is the `convert` extra, not installed where the tests run), so the file is
packed with the object API ai-edge-litert ships (tests/tflite_builder.py). What goes in is the QDQ model's own
numbers: per-channel symmetric int8 weights, int32 biases at input x weight scale, every activation's scale and
zero point. The operators are those of MCUNet's published int8 TFLite files (mit-han-lab/tinyengine
assets/vww.tflite, mcunetv2_large.tflite): CONV_2D / DEPTHWISE_CONV_2D with ReLU6 fused, an explicit PAD
before a strided conv (PyTorch pads 1 on each side, which SAME does not: SAME pads 0 before a stride-2 3x3), ADD
for the residuals, MEAN over H and W, FULLY_CONNECTED with per-channel weights, and in the SE blocks MEAN
(keep_dims), ADD 3 with ReLU6 fused, MUL by 1/6 and the broadcast MUL. Input and output are int8 (the official
files wrap them in QUANTIZE / DEQUANTIZE; a camera-fed MCU gives int8).

    python model_zoo/mcunet_tflite.py --arch mcunet-vww0 [-o FILE] [--calibration N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "compiler"))
from tflite_builder import TFLiteBuilder, schema  # noqa: E402

NHWC_AXIS = {2: 1, 3: 2}


def attribute(node, key: str):
    return next(onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == key)


class QDQToTFLite:
    def __init__(self, qdq: onnx.ModelProto, relu6_after: set[str]):
        g = qdq.graph
        self.graph, self.relu6_after = g, relu6_after  # relu6_after: the nodes a ReLU6 followed before PTQ
        self.inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        self.users: dict[str, list] = {}
        for n in g.node:
            for i in n.input:
                self.users.setdefault(i, []).append(n)
        self.b = TFLiteBuilder()
        self.acts: dict[str, int] = {}   # ONNX name of an int8 tensor (Q output, its DQ output) -> TFLite tensor
        self.consts: dict[str, tuple] = {}  # DQ output of an initializer -> (data, scale, zero point)

    # -- helpers ---------------------------------------------------------------------------------------------
    def qparams(self, node) -> tuple[np.ndarray, np.ndarray]:
        return self.inits[node.input[1]], self.inits[node.input[2]]

    def quantized_output(self, name: str, shape: list[int]) -> int:
        """The int8 tensor of float tensor `name`: the QuantizeLinear that takes it."""
        q = next(u for u in self.users[name] if u.op_type == "QuantizeLinear")
        s, z = self.qparams(q)
        t = self.b.tensor(shape, "int8", float(s), int(z))
        self.acts[q.output[0]] = t
        return t

    def act(self, name: str) -> int:
        if name not in self.acts:
            raise NotImplementedError(f"{name} is not an int8 activation")
        return self.acts[name]

    def shape(self, t: int) -> list[int]:
        return self.b.shape(t)

    @staticmethod
    def activation(relu6: bool) -> int:
        return schema.ActivationFunctionType.RELU6 if relu6 else schema.ActivationFunctionType.NONE

    # -- operators -------------------------------------------------------------------------------------------
    def conv(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        x = self.act(node.input[0])
        w, w_s, w_z = self.consts[node.input[1]]
        bias, b_s, _ = self.consts[node.input[2]]
        if np.any(w_z != 0):
            raise NotImplementedError(f"{node.name}: asymmetric weights")
        n, h, wd, c = self.shape(x)
        cout, _, k, _ = w.shape
        stride, pad = attrs["strides"][0], attrs["pads"][0]
        if stride == 1 and pad == k // 2:
            padding = schema.Padding.SAME
        else:  # PyTorch's symmetric padding: an explicit PAD (with the zero point), then VALID
            if pad:
                s, z = self.b.quant(x)
                paddings = self.b.tensor([4, 2], "int32", data=np.array([[0, 0], [pad, pad], [pad, pad], [0, 0]],
                                                                        np.int32))
                padded = self.b.tensor([n, h + 2 * pad, wd + 2 * pad, c], "int8", s, z)
                self.b.op("PAD", [x, paddings], [padded])
                x, h, wd = padded, h + 2 * pad, wd + 2 * pad
            padding = schema.Padding.VALID
        depthwise = attrs.get("group", 1) > 1
        if depthwise:  # ONNX [C, 1, k, k] -> TFLite [1, k, k, C], scales along the last axis
            wt = self.b.tensor([1, k, k, cout], "int8", w_s, np.zeros(cout, int),
                               np.transpose(w, (1, 2, 3, 0)), quantized_dimension=3)
        else:  # ONNX [O, I, k, k] -> TFLite [O, k, k, I]
            wt = self.b.tensor([cout, k, k, w.shape[1]], "int8", w_s, np.zeros(cout, int),
                               np.transpose(w, (0, 2, 3, 1)))
        bt = self.b.tensor([cout], "int32", b_s, np.zeros(cout, int), bias.astype(np.int32))
        if padding == schema.Padding.SAME:
            oh, ow = -(-h // stride), -(-wd // stride)
        else:
            oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
        y = self.quantized_output(node.output[0], [n, oh, ow, cout])
        opts = schema.DepthwiseConv2DOptionsT() if depthwise else schema.Conv2DOptionsT()
        opts.padding, opts.strideH, opts.strideW = padding, stride, stride
        opts.dilationHFactor = opts.dilationWFactor = 1
        if depthwise:
            opts.depthMultiplier = 1
        opts.fusedActivationFunction = self.activation(node.name in self.relu6_after)
        self.b.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bt], [y], opts, version=3)

    def constant_operand(self, name: str) -> int:
        data, s, z = self.consts[name]
        return self.b.tensor([1], "int8", float(s), int(z), np.asarray(data, np.int8).reshape(1))

    def add_or_mul(self, node, kind: str) -> None:
        a, c = node.input
        x = self.act(a)
        other = self.act(c) if c in self.acts else self.constant_operand(c)
        out = np.broadcast_shapes(tuple(self.shape(x)), tuple(self.shape(other)))
        y = self.quantized_output(node.output[0], list(out))
        opts = schema.AddOptionsT() if kind == "ADD" else schema.MulOptionsT()
        opts.fusedActivationFunction = self.activation(node.name in self.relu6_after)
        self.b.op(kind, [x, other], [y], opts)

    def div_by_constant(self, node) -> None:
        """x / c as TFLite writes it: MUL by 1/c, an int8 constant at the top of its range (127 x (1/c) / 127)."""
        divisor = float(np.asarray(self.inits[node.input[1]]).reshape(-1)[0])
        x = self.act(node.input[0])
        c = self.b.tensor([1], "int8", (1.0 / divisor) / 127, 0, np.array([127], np.int8))
        y = self.quantized_output(node.output[0], self.shape(x))
        self.b.op("MUL", [x, c], [y], schema.MulOptionsT())

    def mean(self, node) -> None:
        """ReduceMean over W then H (a pair with no Q / DQ between them): one MEAN over [1, 2]."""
        axes = [NHWC_AXIS[a] for a in attribute(node, "axes")]
        last = node
        nxt = [u for u in self.users[node.output[0]] if u.op_type == "ReduceMean"]
        if nxt:
            last = nxt[0]
            axes += [NHWC_AXIS[a] for a in attribute(last, "axes")]
        keep = attribute(last, "keepdims")
        x = self.act(node.input[0])
        shape = self.shape(x)
        out = [d if i not in axes else 1 for i, d in enumerate(shape)] if keep else \
            [d for i, d in enumerate(shape) if i not in axes]
        y = self.quantized_output(last.output[0], out)
        axis = self.b.tensor([len(axes)], "int32", data=np.array(sorted(axes), np.int32))
        opts = schema.ReducerOptionsT()
        opts.keepDims = bool(keep)
        self.b.op("MEAN", [x, axis], [y], opts, version=2)

    def gemm(self, node) -> None:
        x = self.act(node.input[0])
        w, w_s, w_z = self.consts[node.input[1]]
        bias, b_s, _ = self.consts[node.input[2]]
        if np.any(w_z != 0) or attribute(node, "transB") != 1:
            raise NotImplementedError(f"{node.name}: asymmetric or untransposed weights")
        wt = self.b.tensor(list(w.shape), "int8", w_s, np.zeros(w.shape[0], int), w)
        bt = self.b.tensor([w.shape[0]], "int32", b_s, np.zeros(w.shape[0], int), bias.astype(np.int32))
        y = self.quantized_output(node.output[0], [self.shape(x)[0], w.shape[0]])
        opts = schema.FullyConnectedOptionsT()
        self.b.op("FULLY_CONNECTED", [x, wt, bt], [y], opts, version=4)

    # -- the graph -------------------------------------------------------------------------------------------
    def convert(self) -> bytes:
        g = self.graph
        inp = g.input[0]
        dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        first_input = None
        skip = set()
        for node in g.node:
            op = node.op_type
            if op == "QuantizeLinear":
                if node.input[0] == inp.name:
                    s, z = self.qparams(node)
                    first_input = self.b.tensor([dims[0], dims[2], dims[3], dims[1]], "int8", float(s), int(z))
                    self.acts[node.output[0]] = first_input
                continue  # the others belong to the operator before them
            if op == "DequantizeLinear":
                src = node.input[0]
                if src in self.inits:
                    self.consts[node.output[0]] = (self.inits[src], *self.qparams(node))
                elif src in self.acts:
                    self.acts[node.output[0]] = self.acts[src]
                continue
            if node.name in skip:
                continue
            if op == "Conv":
                self.conv(node)
            elif op in ("Add", "Mul"):
                self.add_or_mul(node, op.upper())
            elif op == "Div":
                self.div_by_constant(node)
            elif op == "ReduceMean":
                self.mean(node)
                skip.update(u.name for u in self.users[node.output[0]] if u.op_type == "ReduceMean")
            elif op == "Gemm":
                self.gemm(node)
            else:
                raise NotImplementedError(f"{node.name}: {op} has no TFLite counterpart here")
        out_q = next(n for n in g.node if n.op_type == "DequantizeLinear" and n.output[0] == g.output[0].name)
        return self.b.finish([first_input], [self.acts[out_q.input[0]]])


def relu6_nodes(model: onnx.ModelProto) -> set[str]:
    """Nodes of the float model whose output only feeds a Clip(0, 6) (PTQ folds that Clip into their range)."""
    users: dict[str, list] = {}
    for n in model.graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    return {n.name for n in model.graph.node
            if [u.op_type for u in users.get(n.output[0], [])] == ["Clip"]}


def convert(float_model: onnx.ModelProto, qdq_model: onnx.ModelProto) -> bytes:
    return QDQToTFLite(qdq_model, relu6_nodes(float_model)).convert()


def build(name: str, calibration: int = 8) -> tuple[bytes, onnx.ModelProto]:
    """The int8 TFLite of one architecture (random weights), and the QDQ model it was written from."""
    import calibration as cal
    import mcunet
    from edgec.quantize.ptq import QuantizeOptions, quantize_onnx

    model = mcunet.build(name)
    with tempfile.TemporaryDirectory(prefix="edgec-mcunet-tflite-") as tmp:
        t = Path(tmp)
        onnx.save(model, str(t / "f.onnx"))
        np.save(t / "cal.npy", cal.random_samples(cal.input_shape(model), calibration))
        quantize_onnx(t / "f.onnx", t / "q.onnx", QuantizeOptions(t / "cal.npy"))
        qdq = onnx.load(str(t / "q.onnx"))
    return convert(model, qdq), qdq


def main() -> None:
    from mcunet_archs import ARCHS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", choices=sorted(ARCHS), default="mcunet-vww0")
    p.add_argument("-o", "--output", type=Path)
    p.add_argument("--calibration", type=int, default=8, help="random calibration samples")
    a = p.parse_args()
    out = a.output or HERE / "models" / f"{a.arch}_int8.tflite"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build(a.arch, a.calibration)[0])
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
