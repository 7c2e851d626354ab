"""ONNX LSTM, GRU and RNN, float32: one kernel call per node that loops over the whole sequence
(runtimes/reference/edgec_{lstm,gru,rnn}_f32.c; the ONNX frontend imports the nodes as the externs edgec.lstm /
edgec.gru / edgec.rnn, frontend/onnx_recurrent*.py).

Why a kernel rather than the graph unrolled over time: unrolled, each step would be a few matmul, add and
activation nodes (seq x ~10 calls and as many intermediate tensors for the planner), and code grows with the
sequence; here the code is one call whatever the length, the running state lives in the final-state outputs
(Y_h, Y_c) and the only scratch is one gate vector (gates x hidden floats). Y, [seq, dirs, batch, hidden], is
written only when the graph reads it.

IR node: inputs x, w, r and those of b, h0, c0, p that the model gives (attrs["inputs"] names them); outputs
y (when read), y_h, y_c (LSTM), then the gate scratch (an arena tensor live only during the call).
"""

from __future__ import annotations

from . import kernel
from .hybrid import extern

CELLS = {"lstm": 4, "gru": 3, "rnn": 1}  # gates per cell
SCRATCH = {"lstm": 4, "gru": 4, "rnn": 1}  # scratch floats per hidden unit (GRU: z, r, h~ and r * h)


@extern("edgec.lstm")
@extern("edgec.gru")
@extern("edgec.rnn")
def lower_recurrent(ctx, call, attrs, args, out):
    cell = str(call.args[0].global_symbol).split(".", 1)[1]
    names = [ctx.tensor(a) for a in args]
    for n in names:
        if ctx.graph.tensors[n].dtype != "float32":
            raise NotImplementedError(f"{cell.upper()} of {ctx.graph.tensors[n].dtype} (edgec takes float32)")
    used = [int(v) for v in attrs["used"]]
    hidden = int(attrs["hidden"])
    y, y_h = ctx.new_tensor(f"{cell}_y", *out[0]), ctx.new_tensor(f"{cell}_y_h", *out[1])
    results, outputs = [y, y_h], [y_h]
    if cell == "lstm":
        y_c = ctx.new_tensor(f"{cell}_y_c", *out[2])
        results.append(y_c)
        outputs.append(y_c)
    roles = [str(v) for v in attrs["inputs"]]
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
        "directions": int(attrs["directions"]), "reverse_mask": int(attrs["reverse_mask"]), "y_used": used[0],
        "linear_before_reset": int(attrs["linear_before_reset"])}, out=outputs[0])
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
    params = ctx.static_params("edgec_recurrent_params", dict(
        seq=s["seq"], batch=s["batch"], input=s["input"], hidden=a["hidden"], directions=a["directions"],
        reverse_mask=a["reverse_mask"], x_t=s["x_t"], x_b=s["x_b"], y_t=s["y_t"], y_d=s["y_d"], y_b=s["y_b"],
        s_d=s["s_d"], s_b=s["s_b"], linear_before_reset=a["linear_before_reset"]))
    given = dict(zip(a["inputs"], node.inputs))

    def arg(role: str) -> str:
        return ctx.ptr(given[role], const=True) if role in given else "NULL"

    outs = list(node.outputs)
    y = ctx.ptr(outs.pop(0)) if a["y_used"] else "NULL"
    y_h = ctx.ptr(outs.pop(0))
    y_c = ctx.ptr(outs.pop(0)) if node.op == "lstm" else None
    scratch = ctx.ptr(outs.pop(0))
    ctx.use(f"edgec_{node.op}_f32")
    head = f"edgec_{node.op}_f32({arg('x')}, {arg('w')}, {arg('r')}, {arg('b')}, {arg('h0')}, "
    if node.op == "lstm":
        return head + f"{arg('c0')}, {arg('p')}, {y}, {y_h}, {y_c}, {scratch}, {params});"
    return head + f"{y}, {y_h}, {scratch}, {params});"
