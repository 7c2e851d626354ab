"""The MCUNet architectures (model_zoo/mcunet_archs.py) as ONNX, without torch: the graph torch.onnx.export writes for
the PyTorch definition in model_zoo/mcunet_torch.py (eval mode, BatchNorm folded into Conv biases, ReLU6 as Clip
with Constant min / max inputs, `x.mean(3).mean(2)` as two ReduceMean(keepdims=0), then Gemm; an SE block as two
ReduceMean(keepdims=1), Conv, Clip, Conv, Add 3, Clip, Div 6 and Mul), with deterministic random weights.

    python model_zoo/mcunet.py --arch mcunet-in1 [-o FILE]
    python model_zoo/mcunet.py --all [-o DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from mcunet_archs import ARCHS
from onnx_builder import GraphBuilder


class TorchExportBuilder(GraphBuilder):
    """The layer patterns of torch.onnx.export (opset 13) for conv + folded BN [+ ReLU6]."""

    def constant(self, value: float) -> str:
        out = self.fresh("constant")
        self.nodes.append(helper.make_node("Constant", [], [out], name=out,
                                           value=numpy_helper.from_array(np.array(value, np.float32))))
        return out

    def conv_folded(self, x: str, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1,
                    relu6: bool = True) -> str:
        w = self.weight("conv_w", (cout, cin // groups, k, k))
        b = self.weight("conv_b", (cout,), scale=0.1)
        y = self.op("Conv", [x, w, b], dilations=[1, 1], group=groups, kernel_shape=[k, k], pads=[k // 2] * 4,
                    strides=[stride, stride])
        if relu6:
            lo, hi = self.constant(0.0), self.constant(6.0)
            y = self.op("Clip", [y, lo, hi])
        return y


def squeeze_excite(b: TorchExportBuilder, x: str, channels: int, squeeze: int) -> str:
    """MCUNetV2's SE block: `x * (relu6(expand(relu6(reduce(mean(x)))) + 3) / 6)`."""
    y = b.op("ReduceMean", [x], axes=[3], keepdims=1)
    y = b.op("ReduceMean", [y], axes=[2], keepdims=1)
    y = b.conv_folded(y, channels, squeeze, 1)
    y = b.conv_folded(y, squeeze, channels, 1, relu6=False)
    y = b.op("Add", [y, b.constant(3.0)])
    lo, hi = b.constant(0.0), b.constant(6.0)
    y = b.op("Clip", [y, lo, hi])
    y = b.op("Div", [y, b.constant(6.0)])
    return b.op("Mul", [x, y])


def build(name: str, seed: int = 0) -> onnx.ModelProto:
    arch = ARCHS[name]
    res = arch["resolution"]
    b = TorchExportBuilder(name.replace("-", "_"), seed)
    x = b.input("input", (1, 3, res, res))
    cin = arch["stem"]
    x = b.conv_folded(x, 3, cin, 3, stride=2)
    for k, hidden, cout, stride, residual, *se in arch["blocks"]:
        y = b.conv_folded(x, cin, hidden, 1) if hidden else x
        mid = hidden or cin
        y = b.conv_folded(y, mid, mid, k, stride, groups=mid) if k else y
        y = squeeze_excite(b, y, mid, se[0]) if se else y
        y = b.conv_folded(y, mid, cout, 1, relu6=False)
        x = b.op("Add", [x, y]) if residual else y
        cin = cout
    if arch.get("mix"):
        x = b.conv_folded(x, cin, arch["mix"], 1)
        cin = arch["mix"]
    x = b.op("ReduceMean", [x], axes=[3], keepdims=0)
    x = b.op("ReduceMean", [x], axes=[2], keepdims=0)
    x = b.op("Gemm", [x, b.weight("fc_w", (arch["classes"], cin)), b.weight("fc_b", (arch["classes"],), scale=0.1)],
             alpha=1.0, beta=1.0, transB=1)
    return b.build(x, (1, arch["classes"]))


def compare_graphs(reference: onnx.ModelProto, ours: onnx.ModelProto) -> list[str]:
    """Differences between a graph (the torch export) and ours: operator sequence, attributes, initializer
    shapes, output shapes (empty: same pattern)."""
    from onnx import shape_inference

    def summary(model):
        model = shape_inference.infer_shapes(model)
        g = model.graph
        init = {i.name: tuple(i.dims) for i in g.initializer}
        shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
                  for v in list(g.value_info) + list(g.output)}
        rows = []
        for n in g.node:
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            attrs = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in attrs.items()}
            rows.append((n.op_type, [init.get(i, "act") for i in n.input], attrs, [shapes.get(o) for o in n.output]))
        return rows

    a, b = summary(reference), summary(ours)
    diffs = [] if len(a) == len(b) else [f"{len(a)} nodes in the reference, {len(b)} here"]
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            diffs.append(f"node {i}: reference {x} / ours {y}")
    return diffs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", choices=sorted(ARCHS), default="mcunet-in1")
    p.add_argument("--all", action="store_true", help="every architecture, into the folder -o (default models/)")
    p.add_argument("-o", "--output", type=Path)
    a = p.parse_args()
    names = sorted(ARCHS) if a.all else [a.arch]
    for name in names:
        if a.all or a.output is None:
            out = (a.output or Path(__file__).parent / "models") / f"{name}.onnx"
        else:
            out = a.output
        out.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(build(name), str(out))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
