"""Reference executors: onnxruntime for ONNX, LiteRT for TFLite. edgec's output is checked against these."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import ModelLoadError


def run_onnx_reference(path: Path, inputs: dict[str, np.ndarray], bindings: dict[str, np.ndarray] | None = None) -> list[np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    feed = dict(inputs)
    feed.update(bindings or {})
    return [np.asarray(o) for o in sess.run(None, feed)]


def litert_interpreter(path: Path, reference_kernels: bool = False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.BUILTIN_REF if reference_kernels else OpResolverType.AUTO
    interp = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver, num_threads=1)
    interp.allocate_tensors()
    return interp


def has_hybrid_ops(path: Path) -> bool:
    """Dynamic-range quantized ops (float activations, int8 weights): LiteRT's XNNPACK delegate computes them
    with arithmetic of its own, so their reference is LiteRT's builtin kernels (see frontend/tflite_hybrid.py)."""
    from .frontend.tflite import load_tflite
    from .frontend.tflite_hybrid import hybrid_ops

    return bool(hybrid_ops(load_tflite(Path(path))))


def run_tflite_reference(path: Path, inputs: list[np.ndarray], reference_kernels: bool = False) -> list[np.ndarray]:
    if not reference_kernels and has_hybrid_ops(path):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        interp = Interpreter(model_path=str(path), num_threads=1,
                             experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        interp.allocate_tensors()
    else:
        interp = litert_interpreter(path, reference_kernels)
    for detail, value in zip(interp.get_input_details(), inputs):
        interp.set_tensor(detail["index"], np.asarray(value, dtype=detail["dtype"]).reshape(detail["shape"]))
    interp.invoke()
    return [np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()]


def run_reference(path: Path, input_names: list[str], inputs: list[np.ndarray],
                  bindings: dict[str, np.ndarray] | None = None) -> list[np.ndarray]:
    path = Path(path)
    if path.suffix.lower() == ".onnx":
        return run_onnx_reference(path, dict(zip(input_names, inputs)), bindings)
    if path.suffix.lower() == ".tflite":
        # Quantized models: LiteRT's reference kernels (BUILTIN_REF) define the integer results; its optimized
        # kernels round differently (tens of LSB apart on the MLPerf Tiny models).
        quantized = any(np.asarray(x).dtype.kind in "iu" for x in inputs)
        return run_tflite_reference(path, inputs, reference_kernels=quantized)
    raise ModelLoadError(f"{path}: no reference executor for this format")


def random_inputs(report: dict, seed: int = 0) -> list[np.ndarray]:
    """Inputs that exercise the model: uniform in [-1, 1] for float, the full range for integers."""
    rng = np.random.default_rng(seed)
    arrays = []
    for info in report["inputs"]:
        dt = np.dtype(info["dtype"])
        if dt.kind == "f":
            arrays.append(rng.uniform(-1, 1, info["shape"]).astype(dt))
        elif dt == np.bool_:
            arrays.append(rng.integers(0, 2, info["shape"]).astype(dt))
        else:
            lim = np.iinfo(dt)
            arrays.append(rng.integers(lim.min, int(lim.max) + 1, info["shape"], dtype=dt))
    return arrays
