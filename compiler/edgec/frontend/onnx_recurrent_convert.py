"""The TVM converters for ONNX LSTM, GRU and RNN (see onnx_recurrent.py): one call of the extern edgec.<cell>
with the present inputs, the attributes the kernel needs (activations per direction, clip) and the outputs Y,
Y_h (, Y_c) in ONNX's order. A sequence_lens that is the whole sequence for every row is dropped; another one is
passed on as an int32 constant."""

from __future__ import annotations

import re

from tvm import relax
from tvm.relax.frontend.onnx import onnx_frontend as tvm_onnx

import numpy as np

from .onnx_converters import _const_value, _extern, _static_shape
from .onnx_recurrent import RECURRENT_OPS, activation_table

# Node name -> which of Y, Y_h, Y_c the graph reads (onnx_recurrent.recurrent_outputs_read), set by
# edgec_converters() for the duration of one import; a node not listed has all three written.
OUTPUTS_READ: dict[str, list[int]] = {}


def _text(value, default: str) -> str:
    if value is None:
        return default
    return value.decode() if isinstance(value, bytes) else str(value)


class Recurrent(tvm_onnx.OnnxOpConverter):
    op = ""

    @classmethod
    def _impl_v1(cls, bb, inputs, attr, params):
        extern, gates = RECURRENT_OPS[cls.op]
        x, w, r = inputs[0], inputs[1], inputs[2]
        layout = int(attr.get("layout", 0))
        direction = _text(attr.get("direction"), "forward")
        if direction not in ("forward", "reverse", "bidirectional"):
            raise ValueError(f"direction '{direction}'")
        dirs = 2 if direction == "bidirectional" else 1
        xs, ws = _static_shape(x), _static_shape(w)
        if len(xs) != 3 or len(ws) != 3:
            raise ValueError(f"X {xs} and W {ws} must be 3-D")
        seq, batch = (xs[1], xs[0]) if layout else (xs[0], xs[1])
        hidden = int(attr.get("hidden_size", ws[1] // gates))
        if ws != [dirs, gates * hidden, xs[2]] or _static_shape(r) != [dirs, gates * hidden, hidden]:
            raise ValueError(f"W {ws} and R {_static_shape(r)} do not fit X {xs}, hidden_size {hidden} and "
                             f"{dirs} direction(s)")
        optional = {"b": 3, "lens": 4, "h0": 5, "c0": 6, "p": 7}
        present = [k for k, i in optional.items() if len(inputs) > i and inputs[i] is not None]
        if "lens" in present:
            lens = _const_value(inputs[4], params)
            if lens is None or lens.shape != (batch,) or np.any(lens < 1) or np.any(lens > seq):
                raise ValueError(f"sequence_lens must be {batch} lengths from 1 to {seq} known at compile time")
            if np.all(lens == seq):  # the whole sequence for every row: the kernel's default
                present.remove("lens")
        args = [x, w, r] + [inputs[optional[k]] for k in present]
        y = [batch, seq, dirs, hidden] if layout else [seq, dirs, batch, hidden]
        state = [batch, dirs, hidden] if layout else [dirs, batch, hidden]
        expected = {"b": [dirs, 2 * gates * hidden], "lens": [batch], "h0": state, "c0": state, "p": [dirs, 3 * hidden]}
        for k in present:  # the kernel reads exactly these many floats: a shorter tensor would be overrun
            if _static_shape(inputs[optional[k]]) != expected[k]:
                raise ValueError(f"input {optional[k]} has shape {_static_shape(inputs[optional[k]])}, not "
                                 f"{expected[k]}")
        outs = [y, state] + ([state] if cls.op == "LSTM" else [])
        used = OUTPUTS_READ.get(attr["tvm_custom"]["name"], [1, 1, 1])[:len(outs)]
        reverse_mask = {"forward": 0, "reverse": 1, "bidirectional": 2}[direction]
        acts = activation_table(cls.op, attr.get("activations"), attr.get("activation_alpha"),
                                attr.get("activation_beta"), dirs)
        func = _extern(f"edgec.{extern}", dict(hidden=hidden, layout=layout, directions=dirs,
                                               reverse_mask=reverse_mask, inputs=["x", "w", "r"] + present,
                                               used=used,
                                               linear_before_reset=int(attr.get("linear_before_reset", 0)),
                                               act_kinds=[k for d in acts for k, _, _ in d],
                                               act_alphas=[a for d in acts for _, a, _ in d],
                                               act_betas=[b for d in acts for _, _, b in d],
                                               clip=float(attr.get("clip", 0.0))))
        dtype = str(x.ty.dtype)
        call = relax.call_dps_packed(func, relax.Tuple(args), out_ty=[relax.TensorType(s, dtype) for s in outs])
        # bound to a var named after the node, for the per-layer report (a tuple: _named_after_node leaves it)
        return bb.emit(call, name_hint=re.sub(r"\W", "_", attr["tvm_custom"]["name"]) or extern)


RECURRENT_CONVERTERS = {op: type(op, (Recurrent,), {"op": op}) for op in RECURRENT_OPS}
