"""Bool operators in int8 TFLite models (what the comparisons in tflite_int8_binary.py produce): LOGICAL_AND,
LOGICAL_OR and LOGICAL_NOT on the float path's byte kernel (ops/logic.py), REDUCE_ALL on the bool reduction
(ops/reduce.py), and SELECT_V2, which picks int8 values by a bool condition as TFLite Micro's select.cc does: the
stored values, so both choices and the output must share one quantisation. All broadcast as NumPy does."""

from __future__ import annotations

import numpy as np

from ..ir import Node
from .tflite_int8_movement import activation_or_const

LOGIC_OPS = {"LOGICAL_AND": "EDGEC_AND", "LOGICAL_OR": "EDGEC_OR", "LOGICAL_NOT": "EDGEC_XOR", "SELECT_V2": None}


def _broadcasts(r, ins, out: int) -> None:
    shape = list(r.shape(out))
    try:
        if list(np.broadcast_shapes(*(tuple(r.shape(i)) for i in ins))) != shape:
            raise ValueError
    except ValueError:
        raise NotImplementedError(f"inputs {[list(r.shape(i)) for i in ins]} do not broadcast to {shape}") from None


def import_logic(kind, g, r, ins, outs, activation, new_act, node_name) -> None:
    from .tflite_int8 import _same_quant

    if kind == "SELECT_V2":
        if len(ins) != 3 or r.dtype(ins[0]) != "bool":
            raise NotImplementedError("a bool condition and two int8 inputs expected")
        _broadcasts(r, ins, outs[0])
        if not (_same_quant(r, ins[1], outs[0]) and _same_quant(r, ins[2], outs[0])):
            raise NotImplementedError("inputs quantized differently from the output (TFLite Micro selects the "
                                      "stored values)")
        names = [activation_or_const(g, r, activation, i, "select") for i in ins]
        g.nodes.append(Node("where", names, [new_act(outs[0])], {}, node_name))
        return
    if any(r.dtype(i) != "bool" for i in ins):
        raise NotImplementedError(f"inputs of {[r.dtype(i) for i in ins]} (bool expected)")
    names = [activation_or_const(g, r, activation, i, "logic") for i in ins]
    if kind == "LOGICAL_NOT":  # x xor true
        names.append(g.add_const("true", np.ones((), bool)))
    _broadcasts(r, ins, outs[0])
    g.nodes.append(Node("logic", names[:2], [new_act(outs[0], plain=("bool",))], {"code": LOGIC_OPS[kind]},
                        node_name))
