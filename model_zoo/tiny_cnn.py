"""Build model_zoo/models/tiny_cnn.onnx: a small keyword-spotting-sized CNN (conv-bn-relu x2, pooling, FC,
softmax) with fixed random weights. It is the bundled example of the README and needs only onnx + numpy.

    python model_zoo/tiny_cnn.py [-o model_zoo/models/tiny_cnn.onnx]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)

    def const(name, *shape, lo=None, hi=None):
        data = rng.uniform(lo, hi, shape) if lo is not None else rng.standard_normal(shape) * 0.3
        return numpy_helper.from_array(data.astype(np.float32), name)

    inits = [
        const("conv1.w", 8, 1, 3, 3), const("conv1.b", 8),
        const("bn1.scale", 8, lo=0.5, hi=1.5), const("bn1.bias", 8), const("bn1.mean", 8), const("bn1.var", 8, lo=0.5, hi=2.0),
        const("dw2.w", 8, 1, 3, 3), const("dw2.b", 8),
        const("pw2.w", 16, 8, 1, 1), const("pw2.b", 16),
        const("fc.w", 10, 16), const("fc.b", 10),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.w", "conv1.b"], ["c1"], name="conv1", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"], ["b1"], name="bn1"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "dw2.w", "dw2.b"], ["c2"], name="dw2", pads=[1, 1, 1, 1], group=8),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("Conv", ["r2", "pw2.w", "pw2.b"], ["c3"], name="pw2"),
        helper.make_node("Relu", ["c3"], ["r3"], name="relu3"),
        helper.make_node("MaxPool", ["r3"], ["p3"], name="pool3", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p3"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgec model_zoo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).parent / "models" / "tiny_cnn.onnx")
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build(), str(args.output))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
