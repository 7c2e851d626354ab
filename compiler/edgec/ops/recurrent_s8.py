"""int8 SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM (frontend/tflite_int8_recurrent.py): one kernel call each
(runtimes/reference/edgec_svdf_s8.c, edgec_lstm_s8.c), TFLite Micro's integer arithmetic.

IR nodes:
  svdf_s8: inputs x [batch, input], weights_feature, weights_time (int8 or int16), bias (int32); outputs y, then
    the state (int8 or int16, ir.Tensor.state); attrs the fields of edgec_svdf_s8_params.
  lstm_s8: inputs x, the input weights [4, units, input], the recurrent weights [4, units, units] and the biases
    [4, units] (gates i, f, c, o); outputs y, the hidden state (int8) and the cell state (int16), both kept
    between runs, then the gates' int16 scratch (an arena tensor live during the call); attrs the fields of
    edgec_lstm_s8_params."""

from __future__ import annotations

from . import kernel


@kernel("svdf_s8")
def emit_svdf_s8(node, ctx):
    state = ctx.graph.tensors[node.outputs[1]]
    fn = "edgec_svdf_s8_s16" if state.dtype == "int16" else "edgec_svdf_s8"
    params = ctx.static_params("edgec_svdf_s8_params", dict(node.attrs))
    ctx.use("edgec_svdf_s8")
    ins = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    return f"{fn}({ins}, {ctx.ptr(node.outputs[1])}, {ctx.ptr(node.outputs[0])}, {params});"


@kernel("lstm_s8")
def emit_lstm_s8(node, ctx):
    params = ctx.static_params("edgec_lstm_s8_params", dict(node.attrs))
    ctx.use("edgec_lstm_s8")
    y, hidden, cell, scratch = (ctx.ptr(t) for t in node.outputs)
    ins = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    return f"edgec_lstm_s8({ins}, {hidden}, {cell}, {y}, {scratch}, {params});"
