"""int8 BATCH_MATMUL as TFLite Micro computes it (batch_matmul.cc: one per-tensor multiplier from the three scales,
GetQuantizedConvolutionMultipler; no fused activation; up to three broadcast batch dims). Either operand may be
an activation or a constant (put in flash); adj_x / adj_y become strides of the kernel's reads."""

from __future__ import annotations

import numpy as np

from ..ir import Node, QuantParams
from .tflite_int8_movement import BadParameters

BATCH_RANK = 3


def _strides(shape) -> list[int]:
    out, step = [0] * len(shape), 1
    for d in reversed(range(len(shape))):
        out[d] = step
        step *= int(shape[d])
    return out


def batch_matmul_layout(r, op, ins, outs, options, tflite) -> dict:
    """The kernel's shape fields, once the output's shape is checked against the operands and adj_x / adj_y."""
    o = options(op, tflite.BatchMatMulOptions)
    lhs, rhs = list(r.shape(ins[0])), list(r.shape(ins[1]))
    if len(lhs) < 2 or len(rhs) < 2 or max(len(lhs), len(rhs)) > BATCH_RANK + 2:
        raise BadParameters(f"operands of ranks {len(lhs)} and {len(rhs)} (2 to {BATCH_RANK + 2})")
    adj_x, adj_y = bool(o.AdjX()), bool(o.AdjY())
    rows, depth = (lhs[-1], lhs[-2]) if adj_x else (lhs[-2], lhs[-1])
    depth_r, cols = (rhs[-1], rhs[-2]) if adj_y else (rhs[-2], rhs[-1])
    if depth != depth_r:
        raise BadParameters(f"operands {lhs} and {rhs} (adj_x {adj_x}, adj_y {adj_y}) disagree on the depth")
    lb, rb = [1] * (BATCH_RANK - len(lhs) + 2) + lhs[:-2], [1] * (BATCH_RANK - len(rhs) + 2) + rhs[:-2]
    if any(a != b and 1 not in (a, b) for a, b in zip(lb, rb)):
        raise BadParameters(f"batch dims {lhs[:-2]} and {rhs[:-2]} do not broadcast")
    batch = [max(a, b) for a, b in zip(lb, rb)]
    rank = max(len(lhs), len(rhs))
    want = batch[BATCH_RANK - (rank - 2):] + [rows, cols]
    if list(r.shape(outs[0])) != want:
        raise BadParameters(f"output shape {list(r.shape(outs[0]))}, but operands {lhs} and {rhs} give {want}")
    ls, rs = _strides(lb + lhs[-2:]), _strides(rb + rhs[-2:])
    return dict(batch_shape=batch,
                lhs_batch_strides=[s if d != 1 else 0 for s, d in zip(ls[:BATCH_RANK], lb)],
                rhs_batch_strides=[s if d != 1 else 0 for s, d in zip(rs[:BATCH_RANK], rb)],
                rows=rows, cols=cols, depth=depth,
                lhs_row_stride=ls[-1] if adj_x else ls[-2], lhs_depth_stride=ls[-2] if adj_x else ls[-1],
                rhs_depth_stride=rs[-1] if adj_y else rs[-2], rhs_col_stride=rs[-2] if adj_y else rs[-1])


def import_batch_matmul(g, r, op, ins, outs, activation, new_act, node_name, options, tflite) -> None:
    from .tflite_int8 import _scalar_quant, fc_real_multiplier, quantize_multiplier

    layout = batch_matmul_layout(r, op, ins, outs, options, tflite)
    if layout["depth"] * 255 * 255 >= 2**31:
        raise NotImplementedError(f"a depth of {layout['depth']} can overflow the int32 sums")
    (sl, zl), (sr, zr), (so, zo) = (_scalar_quant(r, i) for i in (ins[0], ins[1], outs[0]))
    mult, shift = quantize_multiplier(fc_real_multiplier(sl, sr, so))
    operands = []
    for i in ins[:2]:
        data = r.data(i)
        if data is None:
            operands.append(activation(i))
        elif r.dtype(i) != "int8":
            raise NotImplementedError(f"a constant {r.dtype(i)} operand")
        else:
            name = g.add_const("matmul_const", data)
            g.tensors[name].quant = QuantParams(np.array([_scalar_quant(r, i)[0]], np.float32),
                                                np.array([_scalar_quant(r, i)[1]]))
            operands.append(name)
    y = new_act(outs[0])
    g.nodes.append(Node("batch_matmul_s8", operands, [y], dict(layout, lhs_offset=-zl, rhs_offset=-zr,
                                                               output_offset=zo, multiplier=mult, shift=shift),
                        node_name))
