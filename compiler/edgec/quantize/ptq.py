"""Post-training int8 quantization of a float ONNX model: `edgec compile --quantize int8 --calibration data.npy`.

Design: onnxruntime's quantize_static does the calibration and writes a QDQ model (int8 per-channel symmetric
weights, int8 per-tensor activations, int32 bias); edgec then compiles that QDQ model through
frontend/onnx_qdq.py like any other, so a PTQ model and an onnxruntime-quantized one take the same, tested
path. Calibration methods: minmax, percentile (99.999 %), entropy. The error of the quantized model against
the float one (both run by onnxruntime on the calibration samples) is measured and returned for the report.

Step models of sequence models (`--generate`) quantize their activations per token instead, at run time
(quantize_dynamic_onnx): onnxruntime's quantize_dynamic makes each MatMul a DynamicQuantizeLinear (the token's
activation range onto 8 bits) -> MatMulInteger (int8 per-channel weights) -> rescale chain, which edgec runs as
one hybrid kernel (ops/hybrid.py); no calibration data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import EdgecError

METHODS = ("minmax", "percentile", "entropy")


@dataclass
class QuantizeOptions:
    calibration: Path | None
    method: str = "minmax"
    reduce_range: bool = False  # 7-bit weights: only to match onnxruntime's AVX2 (non-VNNI) kernels bit for bit
    ternary: object | None = None  # quantize.ternary.TernaryOptions: ternary weights first (--quantize ternary)


@dataclass
class QuantizationError:
    samples: int
    max_abs: float
    mean_abs: float
    float_range: float
    top1_agreement: float | None  # for classifier-like outputs ([N, classes]); None otherwise
    label: str = "int8"

    def summary(self) -> str:
        rel = self.max_abs / self.float_range if self.float_range else 0.0
        text = (f"{self.label} vs float on {self.samples} calibration samples: max |err| {self.max_abs:.4g} "
                f"({rel:.2%} of the output range), mean |err| {self.mean_abs:.4g}")
        if self.top1_agreement is not None:
            text += f", top-1 agreement {self.top1_agreement:.1%}"
        return text


def load_calibration(path: Path | None, input_shape: tuple[int, ...]) -> list[np.ndarray]:
    """Samples from one .npy (stacked on the first axis) or a folder of .npy files, each shaped like the
    model input (with or without its batch axis of 1)."""
    if path is None:
        raise EdgecError("--quantize int8 / ternary needs calibration data for the int8 activations: --calibration "
                         "data.npy (samples stacked on the first axis) or --calibration folder/ (one or more .npy "
                         "files)")
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.npy"))
        if not files:
            raise EdgecError(f"--calibration {path}: the folder holds no .npy files")
        arrays = [np.load(f, allow_pickle=False) for f in files]
    elif path.is_file():
        arrays = [np.load(path, allow_pickle=False)]
    else:
        raise EdgecError(f"--calibration {path}: no such file or folder")
    shape = tuple(int(d) for d in input_shape)
    samples = []
    for arr in arrays:
        arr = np.asarray(arr, np.float32)
        if arr.shape == shape:
            samples.append(arr)
        elif shape[0] == 1 and arr.shape == shape[1:]:
            samples.append(arr.reshape(shape))
        elif arr.shape[1:] == shape:
            samples += [a for a in arr]
        elif shape[0] == 1 and arr.shape[1:] == shape[1:]:
            samples += [a.reshape(shape) for a in arr]
        else:
            raise EdgecError(f"--calibration: an array of shape {arr.shape} does not hold samples of the model's "
                             f"input shape {shape}")
    if not samples:
        raise EdgecError("--calibration: no samples")
    return samples


def quantize_onnx(model_path: Path, out_path: Path, options: QuantizeOptions,
                  reference_path: Path | None = None) -> QuantizationError:
    """Quantize model_path to the QDQ model out_path; the error is measured against reference_path (default: the
    model quantized; --quantize ternary passes the float model before its weights were ternarized)."""
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if Path(model_path).suffix.lower() != ".onnx":
        raise EdgecError("--quantize int8 works on float ONNX models (an int8 .tflite is already quantized)")
    if options.method not in METHODS:
        raise EdgecError(f"--calibration-method {options.method}: expected one of {', '.join(METHODS)}")
    model = onnx.load(str(model_path))
    if any(n.op_type in ("QuantizeLinear", "DequantizeLinear", "QLinearConv") for n in model.graph.node):
        raise EdgecError(f"{model_path}: the model is already quantized")
    sess = ort.InferenceSession(str(reference_path or model_path), providers=["CPUExecutionProvider"])
    inputs = sess.get_inputs()
    if len(inputs) != 1:
        raise EdgecError("--quantize int8: calibration supports models with one input")
    shape = tuple(d if isinstance(d, int) and d > 0 else 1 for d in inputs[0].shape)
    samples = load_calibration(options.calibration, shape)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(samples)

        def get_next(self):
            s = next(self.it, None)
            return None if s is None else {inputs[0].name: s}

    method = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
              "entropy": CalibrationMethod.Entropy}[options.method]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pre = out_path.with_name(out_path.stem + "_pre.onnx")
    quant_pre_process(str(model_path), str(pre))
    quantize_static(str(pre), str(out_path), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, calibrate_method=method,
                    reduce_range=options.reduce_range,
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})
    pre.unlink(missing_ok=True)

    qsess = ort.InferenceSession(str(out_path), providers=["CPUExecutionProvider"])
    ref = np.array([sess.run(None, {inputs[0].name: s})[0] for s in samples], np.float64)
    got = np.array([qsess.run(None, {inputs[0].name: s})[0] for s in samples], np.float64)
    err = np.abs(got - ref)
    top1 = None
    flat_ref, flat_got = ref.reshape(len(samples), -1), got.reshape(len(samples), -1)
    if flat_ref.shape[1] > 1:
        top1 = float(np.mean(flat_ref.argmax(1) == flat_got.argmax(1)))
    return QuantizationError(len(samples), float(err.max()), float(err.mean()), float(np.ptp(ref)), top1,
                             "ternary" if options.ternary is not None else "int8")


def quantize_dynamic_onnx(model_path: Path, out_path: Path) -> None:
    """Per-token activations for a step model: the MatMul (and Gemm) nodes with constant weights become onnxruntime's
    dynamic quantization chain (uint8 activations, min / max of the token's vector, int8 symmetric weights per output
    channel), the rest stays float. The weights of ternarized layers come out as {-127, 0, 127} per channel."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if Path(model_path).suffix.lower() != ".onnx":
        raise EdgecError("--quantize works on float ONNX models (an int8 .tflite is already quantized)")
    model = onnx.load(str(model_path))
    if any(n.op_type in ("QuantizeLinear", "DequantizeLinear", "QLinearConv", "MatMulInteger")
           for n in model.graph.node):
        raise EdgecError(f"{model_path}: the model is already quantized")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(model_path), str(out_path), op_types_to_quantize=["MatMul", "Gemm"], per_channel=True,
                     weight_type=QuantType.QInt8)
