"""TFLite UNIDIRECTIONAL_SEQUENCE_LSTM (float) as the extern `edgec.lstm`, the kernel that runs ONNX LSTM
(ops/recurrent.py): one call loops over the sequence.

TFLite's gates are input, forget, cell, output, with separate weight tensors [units, input] and
[units, units], one bias per gate and optional peepholes (cell_to_input, cell_to_forget, cell_to_output);
the kernel takes ONNX's packing: W [1, 4 units, input] and R [1, 4 units, units] in the order i, o, f, c,
B [1, 8 units] (input then recurrent biases) and P [1, 3 units] in the order i, o, f. The cell equations are
the same (lstm_eval.cc: the output gate's peephole reads the new cell state, as ONNX's does).

State: the output and cell states are variable tensors. As LiteRT and TFLite Micro do, edgec keeps them from one
run to the next (ir.Tensor.state: the kernel's final-state outputs are also its initial states) until
<name>_reset_state(), their reset_all_variables(): a model converted from a Keras LSTM with stateful=False
wants that call before each sequence. Refused, naming the node: CIFG (no input gate), projection, layer
normalisation, cell or projection clipping, activations other than tanh, and a state that does not start at
zero.
"""

from __future__ import annotations

import numpy as np
from tvm import relax

from .onnx_converters import _extern

TANH = 4  # tflite.ActivationFunctionType.TANH


def convert_unidirectional_lstm(conv, op):
    """conv: the FloatOperatorConverter (its reader, get_expr and bb)."""
    import tflite

    from .tflite_int8 import _options

    r = conv._reader
    ins = [int(i) for i in op.InputsAsNumpy()] + [-1] * 24
    outs = [int(i) for i in op.OutputsAsNumpy()]
    o = _options(op, tflite.UnidirectionalSequenceLSTMOptions)
    if ins[1] < 0:
        raise NotImplementedError("CIFG (no input gate) is not supported")
    if ins[16] >= 0 or ins[17] >= 0:
        raise NotImplementedError("projection is not supported")
    if any(i >= 0 for i in ins[20:24]):
        raise NotImplementedError("layer normalisation is not supported")
    if o.CellClip() != 0 or o.ProjClip() != 0:
        raise NotImplementedError(f"cell_clip {o.CellClip()} / proj_clip {o.ProjClip()} (only 0: no clipping)")
    if o.FusedActivationFunction() != TANH:
        raise NotImplementedError("activation other than tanh")
    if any(r.dtype(i) != "float32" for i in [ins[0], *ins[1:9], *ins[12:16]] if i >= 0):
        raise NotImplementedError("only float32 weights (dynamic-range quantised LSTM is not supported)")

    def const(i: int, what: str) -> np.ndarray:
        value = r.data(i)
        if value is None:
            raise NotImplementedError(f"{what} computed at run time (edgec needs it in the file)")
        return value.astype(np.float32)

    x_shape = r.shape(ins[0])
    if len(x_shape) != 3:
        raise NotImplementedError(f"input of rank {len(x_shape)} (3 expected)")
    time_major = bool(o.TimeMajor())
    seq, batch = (x_shape[0], x_shape[1]) if time_major else (x_shape[1], x_shape[0])
    w = [const(ins[1 + g], "input weights") for g in range(4)]  # i, f, c, o
    rw = [const(ins[5 + g], "recurrent weights") for g in range(4)]
    units, inp = w[0].shape
    if any(m.shape != (units, inp) for m in w) or any(m.shape != (units, units) for m in rw) or inp != x_shape[2]:
        raise NotImplementedError("weight shapes do not fit the input and each other")
    onnx_order = (0, 3, 1, 2)  # i, o, f, c from TFLite's i, f, c, o
    W = np.concatenate([w[g] for g in onnx_order])[None]
    R = np.concatenate([rw[g] for g in onnx_order])[None]
    bias = [const(ins[12 + g], "gate bias") if ins[12 + g] >= 0 else np.zeros(units, np.float32) for g in range(4)]
    B = np.concatenate([np.concatenate([bias[g] for g in onnx_order]), np.zeros(4 * units, np.float32)])[None]
    layout = 0 if time_major else 1  # ONNX layout 1: X [batch, seq, input], Y [batch, seq, 1, units]
    state = [1, batch, units] if time_major else [batch, 1, units]
    args, present = [conv.get_expr(ins[0]), relax.const(W), relax.const(R), relax.const(B)], ["b"]
    for i in (ins[18], ins[19]):
        value = r.data(i) if i >= 0 else None
        if value is not None and np.any(value):
            raise NotImplementedError("a state that does not start at zero")
    if any(i >= 0 for i in ins[9:12]):
        peep = [const(i, "peephole") if i >= 0 else np.zeros(units, np.float32) for i in ins[9:12]]  # i, f, o
        args.append(relax.const(np.concatenate([peep[0], peep[2], peep[1]])[None]))
        present.append("p")
    want, y_shape = [int(d) for d in r.shape(outs[0])], [int(d) for d in x_shape[:2]] + [units]
    if want != y_shape:
        raise NotImplementedError(f"output shape {want}, but the input {list(x_shape)} gives {y_shape}")
    func = _extern("edgec.lstm", dict(hidden=units, layout=layout, directions=1, reverse_mask=0,
                                      inputs=["x", "w", "r"] + present, used=[1, 1, 1], linear_before_reset=0,
                                      persistent_state=1))
    y4 = [seq, 1, batch, units] if time_major else [batch, seq, 1, units]
    call = relax.call_dps_packed(func, relax.Tuple(args),
                                 out_ty=[relax.TensorType(s, "float32") for s in (y4, state, state)])
    y = conv.bb.normalize(relax.TupleGetItem(conv.bb.normalize(call), 0))
    return relax.op.reshape(y, y_shape)
