"""ONNX LSTM, GRU and RNN, checked before TVM's import; `onnx_recurrent_convert.py` then imports them as the
externs `edgec.lstm`, `edgec.gru`, `edgec.rnn` (ops/recurrent.py lowers each onto one kernel call, which loops
over time with the state in the final-state outputs). TVM 0.2x's Relax importer has no converter for them.

Compiled: float32, every direction (forward, reverse, bidirectional), both layouts, with or without B,
initial_h, initial_c and P (peepholes), GRU's linear_before_reset 0 and 1, the default activations (written out
or not). Refused, naming the node: other activations (and their alpha / beta), clip, LSTM's input_forget, and a
sequence_lens that is not the full sequence for every batch row or is known only at run time.

Which of the outputs Y, Y_h, Y_c the graph reads is known only here, on the ONNX graph (the converter sees
inputs, not consumers): `recurrent_outputs_read` finds it for the converter, so that an unread Y
(often [seq, dirs, batch, hidden], the largest tensor of a keyword-spotting model) takes no arena.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

RECURRENT_OPS = {"LSTM": ("lstm", 4), "GRU": ("gru", 3), "RNN": ("rnn", 1)}  # op -> (extern, gates)
DEFAULT_ACTIVATIONS = {"LSTM": ["sigmoid", "tanh", "tanh"], "GRU": ["sigmoid", "tanh"], "RNN": ["tanh"]}


def _attr(node: onnx.NodeProto, name: str, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def unsupported_recurrent_variants(model: onnx.ModelProto) -> list[tuple[str, str, str]]:
    """(node, op, reason) for each LSTM / GRU / RNN node the kernels do not compute. `model` has been through
    shape inference, and --bind has made its bound inputs initializers."""
    inits = {i.name: i for i in model.graph.initializer}
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(model.graph.input) + list(model.graph.value_info)}
    types = {v.name: v.type.tensor_type.elem_type for v in list(model.graph.input) + list(model.graph.value_info)}
    types.update({i.name: i.data_type for i in model.graph.initializer})
    problems = []
    for i, node in enumerate(model.graph.node):
        if node.op_type not in RECURRENT_OPS:
            continue
        name = node.name or f"#{i}"

        def refuse(reason: str):
            problems.append((name, node.op_type, reason))

        float_inputs = [n for k, n in enumerate(node.input) if n and k != 4]
        if any(types.get(n, onnx.TensorProto.FLOAT) != onnx.TensorProto.FLOAT for n in float_inputs):
            refuse("only float32 is supported")
        directions = 2 if _attr(node, "direction", b"forward") == b"bidirectional" else 1
        acts = [a.decode().lower() for a in _attr(node, "activations", [])]
        if acts and acts != DEFAULT_ACTIVATIONS[node.op_type] * directions:
            refuse(f"activations {acts}: edgec runs the default ones ({DEFAULT_ACTIVATIONS[node.op_type]})")
        if _attr(node, "activation_alpha") is not None or _attr(node, "activation_beta") is not None:
            refuse("activation_alpha / activation_beta are not supported (default activations only)")
        if _attr(node, "clip") is not None:
            refuse("the clip attribute is not supported")
        if _attr(node, "input_forget", 0):
            refuse("input_forget=1 is not supported")
        if len(node.input) > 4 and node.input[4]:
            lens = node.input[4]
            if lens not in inits:
                refuse("sequence_lens is known only at run time (bind it with --bind; edgec runs full sequences)")
            else:
                x_shape = shapes.get(node.input[0])
                seq = x_shape[1 if _attr(node, "layout", 0) else 0] if x_shape else None
                values = numpy_helper.to_array(inits[lens]).reshape(-1)
                if seq is None or np.any(values != seq):
                    refuse(f"sequence_lens {values.tolist()} shorter than the sequence ({seq}): edgec runs full "
                           "sequences")
    return problems


def recurrent_outputs_read(model: onnx.ModelProto) -> dict[str, list[int]]:
    """For each recurrent node, by name, which of its outputs (Y, Y_h, Y_c) the graph reads (1) or not (0). A
    recurrent node without a name, or with another node's, is given a unique one (the converter finds its
    entry by the node's name)."""
    read = {n for node in model.graph.node for n in node.input} | {o.name for o in model.graph.output}
    names = {node.name for node in model.graph.node if node.name}
    used = {}
    for i, node in enumerate(model.graph.node):
        if node.op_type not in RECURRENT_OPS:
            continue
        if not node.name or node.name in used:
            base, k = f"{node.op_type.lower()}_{i}", 0
            node.name = base
            while node.name in names:
                k += 1
                node.name = f"{base}_{k}"
            names.add(node.name)
        used[node.name] = [int(k < len(node.output) and bool(node.output[k]) and node.output[k] in read)
                           for k in range(3)]
    return used
