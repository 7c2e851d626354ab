"""The MCUNet architectures (model_zoo/mcunet_archs.py) in PyTorch, exported with torch.onnx.export: the reference
for the op pattern model_zoo/mcunet.py writes without torch. Needs the `train` extra (torch).

    python model_zoo/mcunet_torch.py --arch mcunet-in0 [-o FILE] [--check]

The modules follow the published ProxylessNASNets structure (conv / BN / ReLU6 per layer, `x.mean(3).mean(2)`
before the classifier; MCUNetV2's SE blocks as `x.mean(3, keepdim=True).mean(2, keepdim=True)`, 1x1 convs and
`F.relu6(x + 3.) / 6.`), written from the architecture description, with random weights and random BatchNorm
statistics (seeded). Export is in eval mode with the TorchScript exporter (`dynamo=False`): it folds BatchNorm
into the convolutions, as a deployed model would be exported; the dynamo exporter needs onnxscript.
`--check` builds the same architecture with model_zoo/mcunet.py and compares the two graphs: operator
sequence, attributes, initializer shapes and every intermediate shape.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from mcunet_archs import ARCHS  # noqa: E402


def conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, relu6: bool = True) -> nn.Sequential:
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if relu6:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """MCUNetV2's SE block: spatial mean, 1x1 conv + ReLU6, 1x1 conv, hard sigmoid, channel-wise scale."""

    def __init__(self, channels: int, squeeze: int):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeeze, 1)
        self.expand = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        y = x.mean(3, keepdim=True).mean(2, keepdim=True)
        y = self.expand(F.relu6(self.reduce(y)))
        return x * (F.relu6(y + 3.) / 6.)


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, k: int, hidden: int, cout: int, stride: int, residual: bool, se: int = 0):
        super().__init__()
        mid = hidden or cin
        self.expand = conv_bn(cin, hidden, 1) if hidden else None
        self.depthwise = conv_bn(mid, mid, k, stride, groups=mid) if k else None
        self.se = SqueezeExcite(mid, se) if se else None
        self.project = conv_bn(mid, cout, 1, relu6=False)
        self.residual = residual

    def forward(self, x):
        y = self.expand(x) if self.expand is not None else x
        y = self.depthwise(y) if self.depthwise is not None else y
        y = self.se(y) if self.se is not None else y
        y = self.project(y)
        return x + y if self.residual else y


class MCUNet(nn.Module):
    def __init__(self, arch: dict):
        super().__init__()
        cin = arch["stem"]
        self.stem = conv_bn(3, cin, 3, 2)
        blocks = []
        for k, hidden, cout, stride, residual, *se in arch["blocks"]:
            blocks.append(InvertedResidual(cin, k, hidden, cout, stride, bool(residual), *se))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.mix = conv_bn(cin, arch["mix"], 1) if arch.get("mix") else None
        self.classifier = nn.Linear(arch.get("mix") or cin, arch["classes"])

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = self.mix(x) if self.mix is not None else x
        x = x.mean(3).mean(2)
        return self.classifier(x)


def build(name: str, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = MCUNet(ARCHS[name])
    for m in model.modules():  # non-trivial BatchNorm statistics, so that folding them changes the weights
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.1)
    return model.eval()


def export(name: str, path: Path, opset: int = 13) -> None:
    model = build(name)
    res = ARCHS[name]["resolution"]
    x = torch.randn(1, 3, res, res)
    torch.onnx.export(model, (x,), str(path), input_names=["input"], output_names=["output"], opset_version=opset,
                      do_constant_folding=True, dynamo=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", choices=sorted(ARCHS), default="mcunet-in0")
    p.add_argument("-o", "--output", type=Path)
    p.add_argument("--check", action="store_true", help="compare with model_zoo/mcunet.py's graph")
    a = p.parse_args()
    out = a.output or Path(__file__).parent / "models" / f"{a.arch}_torch.onnx"
    out.parent.mkdir(parents=True, exist_ok=True)
    export(a.arch, out)
    print(f"wrote {out}")
    if a.check:
        import mcunet
        import onnx

        diffs = mcunet.compare_graphs(onnx.load(str(out)), mcunet.build(a.arch))
        print("\n".join(diffs) if diffs else f"{a.arch}: same operators, attributes and shapes as model_zoo/mcunet.py")
        sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
