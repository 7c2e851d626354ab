"""The compiled model's inputs and outputs as an app's language sees them: element types per dtype, names, sizes.

One description (from report.json's inputs / outputs) feeds the JNI glue, the Kotlin wrapper and the Swift wrapper,
so they cannot disagree about a tensor's type or size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import EdgecError


@dataclass(frozen=True)
class ElementType:
    c: str  # the C element type the generated code reads / writes
    jni_array: str  # JNI array type
    java: str  # Java element type
    kotlin_array: str
    swift: str


# bool is one byte (0 / 1) in the generated C; uint8 rides in a signed byte[] on the JVM (reinterpret with & 0xFF).
ELEMENT_TYPES = {
    "float32": ElementType("float", "jfloatArray", "float", "FloatArray", "Float"),
    "int8": ElementType("int8_t", "jbyteArray", "byte", "ByteArray", "Int8"),
    "uint8": ElementType("uint8_t", "jbyteArray", "byte", "ByteArray", "UInt8"),
    "bool": ElementType("uint8_t", "jbyteArray", "byte", "ByteArray", "UInt8"),
    "int16": ElementType("int16_t", "jshortArray", "short", "ShortArray", "Int16"),
    "int32": ElementType("int32_t", "jintArray", "int", "IntArray", "Int32"),
    "int64": ElementType("int64_t", "jlongArray", "long", "LongArray", "Int64"),
}


@dataclass(frozen=True)
class Tensor:
    role: str  # "input" or "output"
    index: int
    name: str  # the model's name for it
    shape: tuple[int, ...]
    dtype: str
    bytes: int
    scale: float | None = None  # --int8-input: how the float input was quantized
    zero_point: int | None = None

    @property
    def var(self) -> str:  # the parameter name in every wrapper: input0, output1, ...
        return f"{self.role}{self.index}"

    @property
    def elems(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def type(self) -> ElementType:
        return ELEMENT_TYPES[self.dtype]


@dataclass(frozen=True)
class ModelInterface:
    name: str  # the C prefix: <name>_run
    class_name: str  # the wrapper class (Kotlin and Swift)
    arena_bytes: int
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    backend: str = "c"  # "opencl" / "vulkan": a GPU build, <name>_init before the first run (report.json backend)

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        return self.inputs + self.outputs


def string_literal(text: str, language: str) -> str:
    """A tensor name as a Kotlin or Swift string literal (escapes, no string templates / interpolation)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + (text.replace("$", "\\$") if language == "kotlin" else text) + '"'


def comment_text(text: str) -> str:
    """A tensor name safe inside a comment (/* */, /** */ or //)."""
    return text.replace("*/", "*_/").replace("\n", " ").replace("\r", " ")


def class_name_for(model_name: str) -> str:
    """tiny_cnn -> TinyCnn."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", model_name) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    return name if name[0].isalpha() else "Model" + name


def check_class_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise EdgecError(f"--class '{name}': expected a class name (a letter, then letters, digits or _)")
    return name


def model_interface(report: dict, graph=None, class_name: str | None = None) -> ModelInterface:
    """From report.json; with the compiled graph (ir.Graph) also the int8 tensors' scale and zero point."""

    def tensors(role: str) -> tuple[Tensor, ...]:
        out = []
        for i, t in enumerate(report[f"{role}s"]):
            if t["dtype"] not in ELEMENT_TYPES:
                raise EdgecError(f"{role} {i} ('{t['name']}') is {t['dtype']}: no app-language type for it yet")
            quant = graph.tensors[t["name"]].quant if graph is not None else None
            scale = zero_point = None
            if quant is not None and np.size(quant.scale) == 1:  # per-tensor only, as model.h has it
                scale, zero_point = float(np.ravel(quant.scale)[0]), int(np.ravel(quant.zero_point)[0])
            out.append(Tensor(role, i, t["name"], tuple(t["shape"]), t["dtype"], int(t["bytes"]), scale, zero_point))
        return tuple(out)

    name = check_class_name(class_name or class_name_for(report["name"]))
    return ModelInterface(report["name"], name, int(report["arena_bytes"]), tensors("input"), tensors("output"),
                          report.get("backend", "c"))
