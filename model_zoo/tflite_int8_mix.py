"""Build model_zoo/models/int8_mix_{float,int8}io.tflite: a small int8 TFLite model written by the real TFLite
converter, mixing the operators MobileNetV3-style networks use (hard-swish, a squeeze-excite block with MEAN,
LOGISTIC and a broadcast MUL, a residual ADD, TANH, CONCATENATION with the QUANTIZE the converter inserts to
requantise an input, max pooling, a per-channel FULLY_CONNECTED, softmax). One file keeps the float input and
output the converter writes by default (QUANTIZE / DEQUANTIZE around the model), the other has int8 ones.
Weights are random; the models are for checking edgec against TFLite Micro and LiteRT, not for accuracy.

Needs TensorFlow (an optional extra: pip install -e ".[convert]"); the two files are committed, so the tests
do not.

    python model_zoo/tflite_int8_mix.py [-o model_zoo/models]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def build_keras(seed: int = 0):
    import tensorflow as tf
    from tensorflow.keras import layers

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((32, 32, 3))
    x = layers.ZeroPadding2D(((0, 1), (0, 1)))(inp)
    x = layers.Conv2D(16, 3, strides=2, padding="valid")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("hard_swish")(x)
    y = layers.DepthwiseConv2D(3, padding="same")(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU(6.0)(y)
    s = layers.GlobalAveragePooling2D(keepdims=True)(y)  # squeeze-excite
    s = layers.Conv2D(4, 1, activation="relu")(s)
    s = layers.Conv2D(16, 1, activation="sigmoid")(s)
    y = layers.Multiply()([y, s])
    y = layers.Conv2D(16, 1)(y)
    y = layers.BatchNormalization()(y)
    x = layers.Add()([x, y])
    z = layers.Conv2D(8, 1, activation="tanh")(x)
    x = layers.Concatenate()([x, z])
    x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10)(x)
    model = tf.keras.Model(inp, layers.Softmax()(x))
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # BN statistics of their own, so the folded weights differ per channel
        if isinstance(layer, layers.BatchNormalization):
            n = layer.get_weights()[0].size
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.normal(0, 0.2, n), rng.normal(0, 0.2, n),
                               rng.uniform(0.5, 2.0, n)])
    return model


def convert(model, int8_io: bool, seed: int = 0) -> bytes:
    import tensorflow as tf

    rng = np.random.default_rng(seed)

    def representative():
        for _ in range(64):
            yield [rng.normal(0, 1, (1, 32, 32, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, default=Path(__file__).parent / "models")
    args = ap.parse_args()
    model = build_keras()
    for int8_io, name in ((False, "int8_mix_floatio.tflite"), (True, "int8_mix_int8io.tflite")):
        path = args.out / name
        path.write_bytes(convert(model, int8_io))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
