"""Reference executors: onnxruntime for ONNX, LiteRT for TFLite, TFLite Micro (optional) for int8 TFLite compiled
with its rounding. edgec's output is checked against these."""

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
    """LiteRT on one thread with its own kernels: the builtin ones, or with reference_kernels its reference ones
    (BUILTIN_REF). Never the XNNPACK delegate: it is not LiteRT's arithmetic (it re-quantizes hybrid models)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.BUILTIN_REF if reference_kernels else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    interp = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver, num_threads=1)
    interp.allocate_tensors()
    return interp


def tflm_version() -> str | None:
    """The installed tflite-micro package's version, or None without it (it is optional for users)."""
    try:
        from tflite_micro.python.tflite_micro import runtime  # noqa: F401
    except ImportError:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tflite-micro")
    except PackageNotFoundError:  # importable without pip metadata (a source checkout)
        return "(version unknown)"


def tflm_interpreter(path: Path, arena_size: int = 16 << 20):
    """TFLite Micro's interpreter with its reference kernels (the tflite-micro package): the arithmetic edgec's
    default int8 rounding (--int8-rounding tflm) reproduces. Inputs go in with set_input(array, index), outputs
    come out with get_output(index)."""
    from tflite_micro.python.tflite_micro import runtime

    return runtime.Interpreter.from_file(str(path), arena_size=arena_size)


def run_tflm_reference(path: Path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    from .frontend.tflite import load_tflite

    interp = tflm_interpreter(path)
    for k, value in enumerate(inputs):
        detail = interp.get_input_details(k)
        interp.set_input(np.asarray(value, dtype=detail["dtype"]).reshape(detail["shape"]), k)
    interp.invoke()
    return [np.array(interp.get_output(k)) for k in range(load_tflite(Path(path)).Subgraphs(0).OutputsLength())]


def run_tflite_reference(path: Path, inputs: list[np.ndarray], reference_kernels: bool = False) -> list[np.ndarray]:
    interp = litert_interpreter(path, reference_kernels)
    for detail, value in zip(interp.get_input_details(), inputs):
        interp.set_tensor(detail["index"], np.asarray(value, dtype=detail["dtype"]).reshape(detail["shape"]))
    interp.invoke()
    return [np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()]


def reference_executor(path: Path, inputs: list[np.ndarray], int8_rounding: str | None = None) -> str:
    """Which executor run_reference compares with: "onnxruntime", "tflite-micro" (int8 TFLite compiled with
    TFLite Micro's rounding, when the optional tflite-micro package is installed), "litert-ref" (other quantized
    TFLite: LiteRT's reference kernels, BUILTIN_REF; its optimized kernels round differently, tens of LSB apart on
    the MLPerf Tiny models) or "litert" (float TFLite)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".onnx":
        return "onnxruntime"
    if suffix != ".tflite":
        raise ModelLoadError(f"{path}: no reference executor for this format")
    if not any(np.asarray(x).dtype.kind in "iu" for x in inputs):
        return "litert"
    return "tflite-micro" if int8_rounding == "tflm" and tflm_version() is not None else "litert-ref"


def describe_reference(executor: str) -> str:
    if executor == "tflite-micro":
        return f"TFLite Micro {tflm_version()} (tflite-micro, reference kernels)"
    return {"litert-ref": "LiteRT's reference kernels (BUILTIN_REF)", "litert": "LiteRT"}.get(executor, executor)


def run_reference(path: Path, input_names: list[str], inputs: list[np.ndarray],
                  bindings: dict[str, np.ndarray] | None = None, int8_rounding: str | None = None) -> list[np.ndarray]:
    """The reference outputs for one set of inputs. `int8_rounding` is the report's (int8 TFLite models only):
    with "tflm" the reference is TFLite Micro itself when tflite-micro is installed, else LiteRT's reference
    kernels, whose int8 FULLY_CONNECTED rounds differently (see frontend/tflite_int8.py)."""
    path = Path(path)
    executor = reference_executor(path, inputs, int8_rounding)
    if executor == "onnxruntime":
        return run_onnx_reference(path, dict(zip(input_names, inputs)), bindings)
    if executor == "tflite-micro":
        return run_tflm_reference(path, inputs)
    return run_tflite_reference(path, inputs, reference_kernels=executor == "litert-ref")


def random_inputs(report: dict, seed: int = 0) -> list[np.ndarray]:
    """Inputs that exercise the model: uniform in [-1, 1] for float, the full range for integers but for indices of
    a Gather (a token id: report.gather_index_range), which take their valid range."""
    rng = np.random.default_rng(seed)
    arrays = []
    for info in report["inputs"]:
        dt = np.dtype(info["dtype"])
        if dt.kind == "f":
            arrays.append(rng.uniform(-1, 1, info["shape"]).astype(dt))
        elif "index_range" in info:
            arrays.append(rng.integers(*info["index_range"], info["shape"], dtype=dt))
        elif dt == np.bool_:
            arrays.append(rng.integers(0, 2, info["shape"]).astype(dt))
        else:
            lim = np.iinfo(dt)
            arrays.append(rng.integers(lim.min, int(lim.max) + 1, info["shape"], dtype=dt))
    return arrays


def reference_inputs(report: dict, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The reference executor's inputs for the generated code's: an input taken already quantized (--int8-input,
    passes/int8_input.py) goes back to the model file's own float input, dequantized (exactly: the model's first
    node quantizes it to the same int8 values again) and in its own layout."""
    fed = []
    for info, x in zip(report["inputs"], inputs):
        source = info.get("quantized_from")
        if source is None:
            fed.append(x)
            continue
        f = (np.asarray(x, np.float32) - np.float32(info["zero_point"][0])) * np.float32(info["scale"][0])
        if source["nchw_to_nhwc"]:
            f = f.transpose(0, 3, 1, 2)
        fed.append(np.ascontiguousarray(f.reshape(source["float_shape"]), dtype=np.float32))
    return fed
