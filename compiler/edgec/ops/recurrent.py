"""ONNX LSTM, GRU and RNN, float32: one kernel call per node that loops over the whole sequence
(runtimes/reference/edgec_{lstm,gru,rnn}_f32.c; the ONNX frontend imports the nodes as the externs edgec.lstm /
edgec.gru / edgec.rnn, frontend/onnx_recurrent*.py).

Why a kernel rather than the graph unrolled over time: unrolled, each step would be a few matmul, add and
activation nodes (seq x ~10 calls and as many intermediate tensors for the planner), and code grows with the
sequence; here the code is one call whatever the length, the running state lives in the final-state outputs
(Y_h, Y_c) and the only scratch is one gate vector (gates x hidden floats). Y, [seq, dirs, batch, hidden], is
written only when the graph reads it.

IR node: inputs x, w, r and those of b, lens (int32 sequence_lens), h0, c0, p that the model gives
(attrs["inputs"] names them); attrs "acts" (per direction, (code, alpha, beta) of each activation) and "clip"; outputs
y (when read), y_h, y_c (LSTM), then the gate scratch (an arena tensor live only during the call).
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .hybrid import extern

CELLS = {"lstm": 4, "gru": 3, "rnn": 1}  # gates per cell
# The kernels' activation codes (EDGEC_RNN_* in edgec_recurrent_f32.h), by lower-case ONNX name.
ACTIVATION_CODES = {name: i for i, name in enumerate(
    ["sigmoid", "tanh", "relu", "affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu",
     "softsign", "softplus"])}
DEFAULT_CODES = {"lstm": [0, 1, 1], "gru": [0, 1], "rnn": [1]}  # sigmoid for gates, tanh for the rest
SCRATCH = {"lstm": 4, "gru": 4, "rnn": 1}  # scratch floats per hidden unit (GRU: z, r, h~ and r * h)


@extern("edgec.lstm")
@extern("edgec.gru")
@extern("edgec.rnn")
def lower_recurrent(ctx, call, attrs, args, out):
    cell = str(call.args[0].global_symbol).split(".", 1)[1]
    names = [ctx.tensor(a) for a in args]
    roles = [str(v) for v in attrs["inputs"]]
    for n, role in zip(names, roles):
        want = "int32" if role == "lens" else "float32"
        if ctx.graph.tensors[n].dtype != want:
            raise NotImplementedError(f"{cell.upper()} with {role} of {ctx.graph.tensors[n].dtype} (edgec takes {want})")
    used = [int(v) for v in attrs["used"]]
    hidden = int(attrs["hidden"])
    directions = int(attrs["directions"])
    if "act_kinds" in attrs:
        kinds, alphas, betas = ([t(v) for v in attrs[k]] for k, t in
                                (("act_kinds", int), ("act_alphas", float), ("act_betas", float)))
    else:  # TFLite's LSTM: the default functions
        kinds = DEFAULT_CODES[cell] * directions
        alphas = betas = [0.0] * len(kinds)
    per_dir = len(kinds) // directions
    acts = [list(zip(kinds, alphas, betas))[d * per_dir:(d + 1) * per_dir] for d in range(directions)]
    y, y_h = ctx.new_tensor(f"{cell}_y", *out[0]), ctx.new_tensor(f"{cell}_y_h", *out[1])
    results, outputs = [y, y_h], [y_h]
    if cell == "lstm":
        y_c = ctx.new_tensor(f"{cell}_y_c", *out[2])
        results.append(y_c)
        outputs.append(y_c)
    if int(attrs.get("persistent_state", 0)):  # TFLite's variable tensors: the final states are the next run's initial
        for state, role in zip(outputs, ("h0", "c0")):
            ctx.graph.tensors[state].state = True
            names.append(state)
            roles.append(role)
    if used[0]:  # else y stays a tensor nothing writes or reads, and is dropped with the unused ones
        outputs.insert(0, y)
    outputs.append(ctx.new_tensor(f"{cell}_gates", (SCRATCH[cell] * hidden,), "float32"))
    ctx.emit(cell, names, None, None, {
        "inputs": roles, "hidden": hidden, "layout": int(attrs["layout"]),
        "directions": directions, "reverse_mask": int(attrs["reverse_mask"]), "y_used": used[0],
        "linear_before_reset": int(attrs["linear_before_reset"]), "acts": acts,
        "clip": float(attrs.get("clip", 0.0))}, out=outputs[0])
    ctx.graph.nodes[-1].outputs[1:] = outputs[1:]
    return tuple(results)


def _strides(node, x_shape) -> dict:
    a = node.attrs
    h, dirs = a["hidden"], a["directions"]
    if a["layout"]:  # X [batch, seq, input], Y [batch, seq, dirs, hidden], states [batch, dirs, hidden]
        batch, seq, inp = x_shape
        return dict(seq=seq, batch=batch, input=inp, x_t=inp, x_b=seq * inp, y_t=dirs * h, y_d=h, y_b=seq * dirs * h,
                    s_d=h, s_b=dirs * h)
    seq, batch, inp = x_shape  # X [seq, batch, input], Y [seq, dirs, batch, hidden], states [dirs, batch, hidden]
    return dict(seq=seq, batch=batch, input=inp, x_t=batch * inp, x_b=inp, y_t=dirs * batch * h, y_d=batch * h,
                y_b=h, s_d=batch * h, s_b=h)


@kernel("lstm", "gru", "rnn")
def emit_recurrent(node, ctx):
    a = node.attrs
    g = ctx.graph
    s = _strides(node, g.tensors[node.inputs[0]].shape)
    unused = [(0, 0.0, 0.0)] * 3  # every direction's row of act[2][3] is filled; unread entries are sigmoid
    acts = [(list(d) + unused)[:3] for d in a["acts"]] + [unused] * (2 - len(a["acts"]))
    params = ctx.static_params("edgec_recurrent_params", dict(
        seq=s["seq"], batch=s["batch"], input=s["input"], hidden=a["hidden"], directions=a["directions"],
        reverse_mask=a["reverse_mask"], x_t=s["x_t"], x_b=s["x_b"], y_t=s["y_t"], y_d=s["y_d"], y_b=s["y_b"],
        s_d=s["s_d"], s_b=s["s_b"], linear_before_reset=a["linear_before_reset"],
        act=[[dict(kind=int(k), alpha=np.float32(al), beta=np.float32(be)) for k, al, be in d] for d in acts],
        clip=np.float32(a["clip"])))
    given = dict(zip(a["inputs"], node.inputs))

    def arg(role: str) -> str:
        return ctx.ptr(given[role], const=True) if role in given else "NULL"

    outs = list(node.outputs)
    y = ctx.ptr(outs.pop(0)) if a["y_used"] else "NULL"
    y_h = ctx.ptr(outs.pop(0))
    y_c = ctx.ptr(outs.pop(0)) if node.op == "lstm" else None
    scratch = ctx.ptr(outs.pop(0))
    ctx.use(f"edgec_{node.op}_f32")
    head = f"edgec_{node.op}_f32({arg('x')}, {arg('w')}, {arg('r')}, {arg('b')}, {arg('lens')}, {arg('h0')}, "
    if node.op == "lstm":
        return head + f"{arg('c0')}, {arg('p')}, {y}, {y_h}, {y_c}, {scratch}, {params});"
    return head + f"{y}, {y_h}, {scratch}, {params});"
