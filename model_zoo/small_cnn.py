"""A small CIFAR-style CNN as ONNX, for benchmarks: 32x32x3 -> conv3x3(16) -> pool -> conv3x3(32) -> pool ->
conv3x3(64) -> global pool -> FC(10), ReLU after each conv.

    python model_zoo/small_cnn.py [-o FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import onnx

from onnx_builder import GraphBuilder


def build(seed: int = 0) -> onnx.ModelProto:
    b = GraphBuilder("small_cnn", seed)
    x = b.input("input", (1, 3, 32, 32))
    cin = 3
    for i, cout in enumerate((16, 32, 64)):
        x = b.op("Relu", [b.conv(x, cin, cout, 3, bias=True)])
        if i < 2:
            x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
        cin = cout
    x = b.op("GlobalAveragePool", [x])
    x = b.op("Flatten", [x])
    return b.build(b.dense(x, cin, 10), (1, 10))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "small_cnn.onnx")
    a = p.parse_args()
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(), str(a.output))
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
