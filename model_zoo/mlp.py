"""A 256-256-256-10 multilayer perceptron (ReLU) as ONNX, for benchmarks.

    python model_zoo/mlp.py [--sizes 256,256,256,10] [-o FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import onnx

from onnx_builder import GraphBuilder


def build(sizes=(256, 256, 256, 10), seed: int = 0) -> onnx.ModelProto:
    b = GraphBuilder("mlp", seed)
    x = b.input("input", (1, sizes[0]))
    for i, (cin, cout) in enumerate(zip(sizes, sizes[1:])):
        x = b.dense(x, cin, cout)
        if i < len(sizes) - 2:
            x = b.op("Relu", [x])
    return b.build(x, (1, sizes[-1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="256,256,256,10")
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "mlp_256.onnx")
    a = p.parse_args()
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(tuple(int(s) for s in a.sizes.split(","))), str(a.output))
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
