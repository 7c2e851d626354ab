"""--int8-input: an int8 model takes its input already quantized, as a camera- or microphone-fed MCU has it.

A model quantized with a float input (ONNX QDQ, `--quantize int8`, TFLite with float I/O) starts with a node that
quantizes it (and, for ONNX, moves it from NCHW to NHWC). On a microcontroller that float image is the largest
buffer of all: four bytes a value, live together with its int8 copy at the first step. With this option the graph
input becomes that node's int8 output, in the layout the kernels use (NHWC), and model.h publishes its scale and
zero point (`<NAME>_INPUT0_SCALE`, ...) so the application quantizes its samples itself:
q = clamp(round(x / scale) + zero_point, -128, 127).
"""

from __future__ import annotations

from ..errors import EdgecError
from ..ir import Graph

QUANTIZE_OPS = ("quantize_s8",)


def take_int8_inputs(graph: Graph) -> dict[str, dict]:
    """Rewrite the graph in place; returns {new input: {"float_input", "float_shape", "nchw_to_nhwc"}} for every
    input replaced. An input that is already integer is left as it is; a float input that no quantize node takes
    alone is an error naming it."""
    replaced = {}
    for i, name in enumerate(list(graph.inputs)):
        t = graph.tensors[name]
        if t.dtype != "float32":
            continue
        readers = graph.consumers(name)
        node = readers[0] if len(readers) == 1 else None
        if node is None or node.op not in QUANTIZE_OPS or name in graph.outputs:
            what = ", ".join(f"{r.name or r.op} ({r.op})" for r in readers) or "nothing"
            raise EdgecError(f"--int8-input: the float input '{name}' is read by {what}, not quantized by one node "
                             "alone: only int8 models (ONNX QDQ, --quantize int8, int8 TFLite) can take an int8 "
                             "input")
        out = node.outputs[0]
        graph.nodes.remove(node)
        graph.inputs[i] = out
        replaced[out] = {"float_input": name, "float_shape": list(t.shape),
                         "nchw_to_nhwc": bool(node.attrs.get("nchw_to_nhwc", 0))}
    graph.remove_unused_tensors()
    return replaced
