"""Calibration samples for a model_zoo model: N random inputs, uniform in [-1, 1], shaped like the ONNX model's
(first) input and stacked on a new first axis, as `edgec compile --quantize int8 --calibration FILE` reads them.

The model_zoo models have random weights, so random inputs calibrate them as well as anything would. A trained
model wants samples of its real data instead (a few hundred, preprocessed as at inference).

    python model_zoo/calibration.py MODEL.onnx [-n 8] [--seed 0] -o calib.npy
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx


def input_shape(model: onnx.ModelProto) -> tuple[int, ...]:
    inits = {i.name for i in model.graph.initializer}
    first = next(i for i in model.graph.input if i.name not in inits)
    dims = [d.dim_value for d in first.type.tensor_type.shape.dim]
    if any(d <= 0 for d in dims):
        raise SystemExit(f"input '{first.name}' has a dynamic shape {dims}: give the model a static one first")
    return tuple(dims)


def random_samples(shape: tuple[int, ...], n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype(np.float32)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path)
    p.add_argument("-n", type=int, default=8, help="number of samples (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", type=Path, required=True)
    a = p.parse_args()
    try:
        model = onnx.load(str(a.model), load_external_data=False)
    except OSError as exc:
        raise SystemExit(f"{a.model}: cannot read it: {exc.strerror}") from None
    except Exception as exc:  # protobuf's DecodeError and the like: the bytes are not an ONNX model
        raise SystemExit(f"{a.model}: not an ONNX model ({exc.__class__.__name__}: {exc})") from None
    samples = random_samples(input_shape(model), a.n, a.seed)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    np.save(a.output, samples)
    print(f"wrote {a.output}: {a.n} samples of shape {list(samples.shape[1:])}")


if __name__ == "__main__":
    main()
