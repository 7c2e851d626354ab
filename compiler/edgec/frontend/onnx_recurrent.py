"""ONNX LSTM, GRU and RNN, checked before TVM's import; `onnx_recurrent_convert.py` then imports them as the
externs `edgec.lstm`, `edgec.gru`, `edgec.rnn` (ops/recurrent.py lowers each onto one kernel call, which loops
over time with the state in the final-state outputs). TVM 0.2x's Relax importer has no converter for them.

Compiled: float32, every direction (forward, reverse, bidirectional), both layouts, with or without B,
initial_h, initial_c and P (peepholes), GRU's linear_before_reset 0 and 1, any of the spec's activations with
activation_alpha / activation_beta (consumed and defaulted as onnxruntime does), clip, and a sequence_lens known at
compile time (rows shorter than the sequence stop early, as onnxruntime runs them). Refused, naming the node:
LSTM's input_forget, a sequence_lens known only at run time or with a length outside 1 .. seq.

Which of the outputs Y, Y_h, Y_c the graph reads is known only here, on the ONNX graph (the converter sees
inputs, not consumers): `recurrent_outputs_read` finds it for the converter, so that an unread Y
(often [seq, dirs, batch, hidden], the largest tensor of a keyword-spotting model) takes no arena.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from ..ops.recurrent import ACTIVATION_CODES

RECURRENT_OPS = {"LSTM": ("lstm", 4), "GRU": ("gru", 3), "RNN": ("rnn", 1)}  # op -> (extern, gates)
DEFAULT_ACTIVATIONS = {"LSTM": ["sigmoid", "tanh", "tanh"], "GRU": ["sigmoid", "tanh"], "RNN": ["tanh"]}
# onnxruntime's rule (rnn_helpers.cc): each function takes an alpha and / or a beta only if it uses one, from the
# next unread value of activation_alpha / activation_beta, else this default (0 where none is listed).
USES_ALPHA_BETA = {"affine": (True, True), "leakyrelu": (True, False), "thresholdedrelu": (True, False),
                   "scaledtanh": (True, True), "hardsigmoid": (True, True), "elu": (True, False)}
ALPHA_BETA_DEFAULTS = {"leakyrelu": (0.01, 0.0), "hardsigmoid": (0.2, 0.5), "elu": (1.0, 0.0)}


def activation_table(op: str, names, alphas, betas, directions: int) -> list[list[tuple[int, float, float]]]:
    """Per direction, the (code, alpha, beta) of each of the cell's activation functions (f, g, h). Raises
    ValueError naming what is wrong."""
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in (names or [])]
    count = len(DEFAULT_ACTIVATIONS[op])
    if not names:
        names = DEFAULT_ACTIVATIONS[op] * directions
    if len(names) != count * directions:  # onnxruntime refuses them too
        raise ValueError(f"{len(names)} activations for {directions} direction(s) of {count} function(s) each")
    alphas, betas = list(alphas or []), list(betas or [])
    entries = []
    for name in names:
        key = name.lower()
        if key not in ACTIVATION_CODES:
            raise ValueError(f"activation '{name}' is not one of ONNX's ({', '.join(ACTIVATION_CODES)})")
        uses = USES_ALPHA_BETA.get(key, (False, False))
        default = ALPHA_BETA_DEFAULTS.get(key, (0.0, 0.0))
        alpha = (alphas.pop(0) if alphas else default[0]) if uses[0] else 0.0
        beta = (betas.pop(0) if betas else default[1]) if uses[1] else 0.0
        entries.append((ACTIVATION_CODES[key], float(alpha), float(beta)))
    return [entries[d * count:(d + 1) * count] for d in range(directions)]


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
        try:
            activation_table(node.op_type, _attr(node, "activations"), _attr(node, "activation_alpha"),
                             _attr(node, "activation_beta"), directions)
        except ValueError as exc:
            refuse(str(exc))
        clip = _attr(node, "clip")
        if clip is not None and not clip > 0:
            refuse(f"clip {clip}: the threshold must be positive")
        if _attr(node, "input_forget", 0):
            refuse("input_forget=1 is not supported")
        if len(node.input) > 4 and node.input[4]:
            lens = node.input[4]
            if lens not in inits:
                refuse("sequence_lens is known only at run time (bind it with --bind)")
            else:
                x_shape = shapes.get(node.input[0])
                layout = _attr(node, "layout", 0)
                seq = x_shape[1 if layout else 0] if x_shape else None
                batch = x_shape[0 if layout else 1] if x_shape else None
                values = numpy_helper.to_array(inits[lens]).reshape(-1)
                if seq is None or values.size != batch or np.any(values < 1) or np.any(values > seq):
                    refuse(f"sequence_lens {values.tolist()}: edgec runs one length from 1 to the sequence's "
                           f"{seq} per batch row ({batch})")
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
