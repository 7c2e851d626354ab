"""MobileNetV2 (Sandler et al., 2018) as ONNX, for benchmarks: width 0.35, 96x96x3 input, 10 classes by default.

    python model_zoo/mobilenet_v2.py [--width 0.35] [--resolution 96] [--classes 10] [-o FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import onnx

from onnx_builder import GraphBuilder

# (expansion t, output channels c, repeats n, first stride s), from the paper's Table 2
BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_divisible(v: float, divisor: int = 8) -> int:
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def build(width: float = 0.35, resolution: int = 96, classes: int = 10, seed: int = 0) -> onnx.ModelProto:
    b = GraphBuilder(f"mobilenet_v2_{width}_{resolution}", seed)
    x = b.input("input", (1, 3, resolution, resolution))
    cin = make_divisible(32 * width)
    x = b.conv_bn(x, 3, cin, 3, stride=2)
    for t, c, n, s in BLOCKS:
        cout = make_divisible(c * width)
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x
            if t != 1:
                y = b.conv_bn(y, cin, hidden, 1)
            y = b.conv_bn(y, hidden, hidden, 3, stride=stride, groups=hidden)
            y = b.conv_bn(y, hidden, cout, 1, act=None)
            x = b.op("Add", [x, y]) if stride == 1 and cin == cout else y
            cin = cout
    last = make_divisible(1280 * max(1.0, width))
    x = b.conv_bn(x, cin, last, 1)
    x = b.op("GlobalAveragePool", [x])
    x = b.op("Flatten", [x])
    x = b.dense(x, last, classes)
    return b.build(x, (1, classes))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--width", type=float, default=0.35)
    p.add_argument("--resolution", type=int, default=96)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "mobilenet_v2_0.35_96.onnx")
    a = p.parse_args()
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(a.width, a.resolution, a.classes), str(a.output))
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
