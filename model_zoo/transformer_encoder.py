"""A small transformer encoder as ONNX, written with onnx.helper node for node as torch.onnx.export (opset 17,
the TorchScript exporter) writes `nn.TransformerEncoderLayer(d_model, nhead, dim_ff, activation="gelu",
batch_first=True)` in eval mode, then a second layer in the form older exports and other tools write, and a
classifier on the first token:

- layer 1, torch at opset 17: Transpose to [T, B, E]; the packed in-projection (MatMul, Add) unflattened into
  q, k, v (Reshape, Unsqueeze, Transpose, Squeeze, Gather); heads split (Reshape, Transpose); torch's
  scaled_dot_product_attention symbolic (the scale from Shape -> Slice -> Cast -> Sqrt -> Div, folded at
  compile time, its square root multiplied into q and into k transposed; MatMul, Softmax, MatMul); heads merged
  (Transpose, Reshape), out-projection Gemm, Reshape, Transpose back; residual Add and LayerNormalization;
  the feed-forward block with GELU as torch exports it (Div by sqrt 2, Erf, Add 1, Mul, Mul 0.5); residual Add,
  LayerNormalization.
- layer 2, as opset <= 16 exports and Hugging Face-style graphs write it: q, k, v by Split, the attention scale
  as one Div, LayerNormalization decomposed (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), GELU
  in its Erf form again (the Gelu operator needs opset 20).
- head: Slice of the first token, Gemm, Softmax; the encoder's output is a second graph output.

    python model_zoo/transformer_encoder.py [-o FILE]

Random weights: for compiler work, not accuracy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOKENS, DIM, HEADS, FF, CLASSES = 16, 32, 4, 64, 5


class _Graph:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, base: str) -> str:
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, value, dtype=np.float32, base: str = "c") -> str:
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def weight(self, shape, scale: float) -> str:
        return self.const(self.rng.uniform(-scale, scale, shape), base="w")

    def op(self, op_type: str, inputs, n_out: int = 1, **attrs):
        outs = [self.name(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=f"/{outs[0]}", **attrs))
        return outs[0] if n_out == 1 else outs

    def i64(self, values) -> str:
        return self.const(values, np.int64, "i64")


def _linear(g: _Graph, x: str, cin: int, cout: int) -> str:
    """torch's nn.Linear on a 3-D input: MatMul with the transposed weight, then Add of the bias."""
    return g.op("Add", [g.op("MatMul", [x, g.weight((cin, cout), 1 / np.sqrt(cin))]), g.weight((cout,), 0.1)])


def _gelu_erf(g: _Graph, x: str) -> str:
    erf = g.op("Erf", [g.op("Div", [x, g.const(1.4142135381698608)])])
    return g.op("Mul", [g.op("Mul", [x, g.op("Add", [erf, g.const(1.0)])]), g.const(0.5)])


def _layer_norm(g: _Graph, x: str, dim: int) -> str:
    return g.op("LayerNormalization", [x, g.weight((dim,), 1.0), g.weight((dim,), 0.1)], axis=-1, epsilon=1e-5)


def _layer_norm_decomposed(g: _Graph, x: str, dim: int) -> str:
    mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
    centred = g.op("Sub", [x, mean])
    var = g.op("ReduceMean", [g.op("Pow", [centred, g.const(2.0)])], axes=[-1], keepdims=1)
    y = g.op("Div", [centred, g.op("Sqrt", [g.op("Add", [var, g.const(1e-5)])])])
    return g.op("Add", [g.op("Mul", [y, g.weight((dim,), 1.0)]), g.weight((dim,), 0.1)])


def _torch_layer(g: _Graph, x: str, t: int, e: int, h: int, ff: int) -> str:
    hd = e // h
    xt = g.op("Transpose", [x], perm=[1, 0, 2])                                            # [T, B, E]
    proj = _linear(g, xt, e, 3 * e)                                                        # [T, B, 3E]
    proj = g.op("Reshape", [proj, g.i64([t, 1, 3, e])])
    proj = g.op("Unsqueeze", [proj, g.i64([0])])
    proj = g.op("Transpose", [proj], perm=[3, 1, 2, 0, 4])
    proj = g.op("Squeeze", [proj, g.i64([-2])])                                            # [3, T, B, E]
    heads = []
    for k in range(3):
        v = g.op("Gather", [proj, g.const(k, np.int64)], axis=0)                             # [T, B, E]
        v = g.op("Transpose", [g.op("Reshape", [v, g.i64([t, h, hd])])], perm=[1, 0, 2])   # [B*H, T, hd]
        heads.append(g.op("Reshape", [v, g.i64([1, h, t, hd])]))
    q, k, v = heads
    # scaled_dot_product_attention (torch/onnx/symbolic_opset14.py): scale = 1 / sqrt(q.size(-1))
    size = g.op("Cast", [g.op("Slice", [g.op("Shape", [q]), g.i64([-1]), g.i64([9223372036854775807])])],
                to=TensorProto.FLOAT)
    scale = g.op("Div", [g.const(1.0), g.op("Sqrt", [size])])
    root = g.op("Sqrt", [scale])
    kt = g.op("Transpose", [k], perm=[0, 1, 3, 2])
    scores = g.op("MatMul", [g.op("Mul", [q, root]), g.op("Mul", [kt, root])])
    att = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])                          # [B, H, T, hd]
    att = g.op("Reshape", [g.op("Transpose", [att], perm=[2, 0, 1, 3]), g.i64([t, e])])  # [T*B, E]
    out = g.op("Gemm", [att, g.weight((e, e), 1 / np.sqrt(e)), g.weight((e,), 0.1)], transB=1)
    out = g.op("Transpose", [g.op("Reshape", [out, g.i64([t, 1, e])])], perm=[1, 0, 2])  # [B, T, E]
    x = _layer_norm(g, g.op("Add", [x, out]), e)
    y = _linear(g, _gelu_erf(g, _linear(g, x, e, ff)), ff, e)
    return _layer_norm(g, g.op("Add", [x, y]), e)


def _split_layer(g: _Graph, x: str, t: int, e: int, h: int, ff: int) -> str:
    hd = e // h
    q, k, v = g.op("Split", [_linear(g, x, e, 3 * e), g.i64([e, e, e])], n_out=3, axis=-1)
    q, k, v = (g.op("Transpose", [g.op("Reshape", [z, g.i64([1, t, h, hd])])], perm=[0, 2, 1, 3]) for z in (q, k, v))
    scores = g.op("Div", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), g.const(np.sqrt(hd))])
    att = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])                          # [1, H, T, hd]
    att = g.op("Reshape", [g.op("Transpose", [att], perm=[0, 2, 1, 3]), g.i64([1, t, e])])
    x = _layer_norm_decomposed(g, g.op("Add", [x, _linear(g, att, e, e)]), e)
    y = _linear(g, _gelu_erf(g, _linear(g, x, e, ff)), ff, e)
    return _layer_norm_decomposed(g, g.op("Add", [x, y]), e)


def build(seed: int = 0, tokens: int = TOKENS, dim: int = DIM, heads: int = HEADS, ff: int = FF,
          classes: int = CLASSES) -> onnx.ModelProto:
    g = _Graph(seed)
    y = _split_layer(g, _torch_layer(g, "tokens", tokens, dim, heads, ff), tokens, dim, heads, ff)
    first = g.op("Reshape", [g.op("Slice", [y, g.i64([0]), g.i64([1]), g.i64([1])]), g.i64([1, dim])])
    probs = g.op("Softmax", [g.op("Gemm", [first, g.weight((classes, dim), 1 / np.sqrt(dim)),
                                           g.weight((classes,), 0.1)], transB=1)], axis=-1)
    graph = helper.make_graph(g.nodes, "transformer_encoder",
                              [helper.make_tensor_value_info("tokens", TensorProto.FLOAT, [1, tokens, dim])],
                              [helper.make_tensor_value_info(probs, TensorProto.FLOAT, [1, classes]),
                               helper.make_tensor_value_info(y, TensorProto.FLOAT, [1, tokens, dim])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec model_zoo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "transformer_encoder.onnx")
    a = p.parse_args()
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(), str(a.output))
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
