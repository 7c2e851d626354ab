"""Model frontends: read a model file, validate it, and import it into a Relax IRModule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tvm

from ..errors import EdgecError, ModelLoadError


@dataclass
class ImportOptions:
    input_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # --input-shape name=1,3,224,224
    bindings: dict[str, np.ndarray] = field(default_factory=dict)  # --bind name=file.npy: inputs made constant
    int8_rounding: str = "tflm"  # int8 TFLite fully connected: "tflm" (TFLite Micro's) or "litert" (LiteRT's reference)
    int8_input: bool = False  # --int8-input: the graph input is the int8 tensor the model quantizes it into
    input_outside_arena: bool = False  # --input-outside-arena: inputs stay in the caller's buffers (ir.Graph)


@dataclass
class ImportedModel:
    mod: tvm.IRModule | None
    input_names: list[str]  # the model file's own input names, in the order of main's parameters
    graph: object | None = None  # an edgec Graph when the frontend built the IR itself (int8 TFLite)
    int8_rounding: str | None = None  # int8 TFLite: the arithmetic compiled in ("tflm" or "litert")
    quantized_inputs: dict = field(default_factory=dict)  # --int8-input: passes/int8_input.py's record
    # TFLite resource variables the Relax module takes as extra inputs and outputs, made state after lowering
    # (tflite_variables.py, passes/state_variables.py); an edgec graph has them bound already
    variables: list = field(default_factory=list)


def import_model(path: Path, options: ImportOptions) -> ImportedModel:
    from ..native_log import quiet_native_logs

    with quiet_native_logs():  # TVM's log lines around an import error: edgec says it better (--debug shows them)
        imported = _import_model(Path(path), options)
    if not imported.input_names:
        raise ModelLoadError(f"{path}: the model has no inputs (its outputs are constants); "
                             "edgec compiles models with at least one input")
    if options.int8_input:
        from ..passes.int8_input import take_int8_inputs

        if imported.graph is None:
            raise EdgecError(f"--int8-input: {Path(path).name} is a float model: quantize it (--quantize int8) or "
                             "give an int8 model (ONNX QDQ, int8 TFLite)")
        imported.quantized_inputs = take_int8_inputs(imported.graph)
    return imported


def _import_model(path: Path, options: ImportOptions) -> ImportedModel:
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"{path}: no such file")
    if not path.is_file():
        raise ModelLoadError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        from .onnx import import_onnx

        return import_onnx(path, options)
    if suffix == ".tflite":
        from .tflite import import_tflite

        return import_tflite(path, options)
    raise ModelLoadError(f"{path}: unknown model format '{suffix}' (edgec reads .onnx and .tflite)")
