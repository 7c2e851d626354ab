"""int8 SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLite Micro computes them (svdf_common.cc, lstm_eval*.cc).

Each becomes one kernel call that keeps its state from one run to the next (ir.Tensor.state, as the float
kernels do): the SVDF's memory (int16 with int16 time weights, or int8), the LSTM's int8 hidden state and int16
cell state. TFLite Micro resets its variable tensors to their zero point (reset(), MicroInterpreter::Reset);
edgec's state starts there and <name>_reset_state() returns it there.

The requantisation parameters are computed here as TFLite Micro's Prepare functions compute them: SVDF's two
effective scales as float products (PrepareSvdf), the LSTM's gate fully connected layers to int16 at 2^-12 from
the scales in double (CreateGateParams), its inter-gate products from 2^-15 and the cell scale in double
(CreateInterGateMulParams), the cell's tanh scaling from the cell scale's rounded log2 (CreateLstmCellStateInfo).

What TFLite Micro's integer kernels do not take is refused naming the node: an LSTM with peepholes, projection,
layer normalisation or without an input gate (CIFG), activations other than tanh, per-channel or asymmetric
weights; an SVDF without a bias (TFLite Micro reads the bias scale unconditionally)."""

from __future__ import annotations

import math

import numpy as np

from ..ir import QuantParams, Tensor
from .tflite_int8 import _emit, _options, _scalar_quant, fc_real_multiplier, quantize_multiplier

TANH = 4  # tflite.ActivationFunctionType.TANH
GATE_SCALE = 2.0 ** -12  # the gates' fully connected outputs, Q3.12 (PrepareGateParametersInteger)
GATE_OUTPUT_SCALE = 2.0 ** -15  # the sigmoid / tanh outputs, Q0.15


def _state(g, r, i: int, dtype: str, what: str, base: str) -> str:
    """The IR state tensor for TFLite variable tensor i (kept between runs, starts at its zero point)."""
    if i < 0 or not r.tensor(i).IsVariable():
        raise NotImplementedError(f"the {what} must be a variable tensor (TFLite Micro requires it)")
    if r.dtype(i) != dtype:
        raise NotImplementedError(f"a {r.dtype(i)} {what} ({dtype} expected)")
    scale, zero_point = _scalar_quant(r, i)
    if dtype != "int8" and zero_point != 0:
        raise NotImplementedError(f"an {dtype} {what} with zero point {zero_point} (0 expected)")
    name = g.fresh_name(base)
    g.add_tensor(Tensor(name, (int(np.prod(r.shape(i), dtype=np.int64)),), dtype, state=True,
                        quant=QuantParams(np.array([scale], np.float32), np.array([zero_point]))))
    return name


def _weights(r, i: int, dtype: str, what: str) -> tuple[np.ndarray, float]:
    """A constant, per-tensor symmetric weight matrix and its scale."""
    w = r.data(i) if i >= 0 else None
    if w is None:
        raise NotImplementedError(f"the {what} must be constant")
    if w.ndim != 2:
        raise NotImplementedError(f"{what} of rank {w.ndim} (2 expected)")
    if r.dtype(i) != dtype:
        raise NotImplementedError(f"{r.dtype(i)} {what} ({dtype} expected)")
    q = r.quant(i)
    if q is None or q[0].size != 1:
        raise NotImplementedError(f"per-channel {what} (TFLite Micro's kernel takes one scale)")
    if int(q[1][0]) != 0:
        raise NotImplementedError(f"asymmetric {what} (zero point {int(q[1][0])})")
    return w, float(q[0][0])


def import_svdf(g, r, op, ins, outs, activation, new_act, const, node_name, tflite):
    o = _options(op, tflite.SVDFOptions)
    ins = ins + [-1] * (5 - len(ins))
    x_shape, out_shape = r.shape(ins[0]), r.shape(outs[0])
    if len(x_shape) != 2:
        raise NotImplementedError(f"input of rank {len(x_shape)} (2 expected)")
    wf, wf_scale = _weights(r, ins[1], "int8", "feature weights")
    state_type = r.dtype(ins[4]) if ins[4] >= 0 else "int16"
    if state_type not in ("int8", "int16"):
        raise NotImplementedError(f"a {state_type} state (int8 or int16)")
    wt, wt_scale = _weights(r, ins[2], state_type, "time weights")
    rank = int(o.Rank())
    batch, inp = x_shape
    filters, memory = wt.shape
    if memory < 1:
        raise NotImplementedError(f"a memory of {memory} steps (time weights {list(wt.shape)})")
    if rank <= 0 or wf.shape != (filters, inp) or filters % rank:
        raise NotImplementedError(f"feature weights {list(wf.shape)}, time weights {list(wt.shape)} and rank {rank} "
                                  f"do not fit an input of {inp}")
    units = filters // rank
    if list(out_shape) != [batch, units]:
        raise NotImplementedError(f"output shape {list(out_shape)}, but the weights give {[batch, units]}")
    state = _state(g, r, ins[4], state_type, "activation state", "svdf_state")
    if g.tensors[state].elems != batch * filters * memory:
        raise NotImplementedError(f"a state of {g.tensors[state].elems} values ({batch * filters * memory} expected)")
    if ins[3] < 0 or r.data(ins[3]) is None or r.dtype(ins[3]) != "int32":
        raise NotImplementedError("no constant int32 bias (TFLite Micro's int8 SVDF reads the bias's scale)")
    bias = r.data(ins[3]).reshape(-1)
    if bias.size != units:
        raise NotImplementedError(f"a bias of {bias.size} values for {units} units")
    f32 = np.float32
    (in_scale, in_zp), (out_scale, out_zp) = _scalar_quant(r, ins[0]), _scalar_quant(r, outs[0])
    state_scale, state_zp = g.tensors[state].quant.scale[0], int(g.tensors[state].quant.zero_point[0])
    if abs(float(r.quant(ins[3])[0][0]) - float(f32(state_scale) * f32(wt_scale))) >= 1e-5:
        raise NotImplementedError("bias scale is not state scale x time-weight scale (TFLite Micro checks it)")
    # PrepareSvdf: the effective scales are float products, widened to double
    m1, s1 = quantize_multiplier(float(f32(in_scale) * f32(wf_scale) / f32(state_scale)))
    m2, s2 = quantize_multiplier(float(f32(state_scale) * f32(wt_scale) / f32(out_scale)))
    x = activation(ins[0])
    y = new_act(outs[0])
    attrs = dict(batch=batch, input=inp, units=units, rank=rank, memory=memory, input_zero_point=in_zp,
                 state_zero_point=state_zp, output_zero_point=out_zp, multiplier_1=m1, shift_1=s1, multiplier_2=m2,
                 shift_2=s2)
    _emit(g, "svdf_s8", [x, const("svdf_feature", wf), const("svdf_time", wt), const("svdf_bias", bias)], y, attrs,
          node_name)
    g.nodes[-1].outputs.append(state)


def _checked_log2(x: float) -> int:
    """tflite::CheckedLog2 in float: the rounded log2 of the cell scale (TFLite Micro does not check it is exact)."""
    f32 = np.float32
    value = f32(np.log(f32(x))) * (f32(1.0) / f32(np.log(f32(2.0))))
    return int(math.copysign(math.floor(abs(float(value)) + 0.5), float(value)))


def import_lstm(g, r, op, ins, outs, activation, new_act, const, node_name, tflite):
    o = _options(op, tflite.UnidirectionalSequenceLSTMOptions)
    if len(ins) != 24:
        raise NotImplementedError(f"{len(ins)} inputs (TFLite Micro takes 24)")
    if any(i < 0 for i in ins[1:9]):
        raise NotImplementedError("CIFG (no input gate) is not supported by TFLite Micro's integer LSTM")
    if any(i >= 0 for i in ins[9:12]):
        raise NotImplementedError("peepholes are not supported by TFLite Micro's integer LSTM")
    if ins[16] >= 0 or ins[17] >= 0:
        raise NotImplementedError("projection is not supported by TFLite Micro's integer LSTM")
    if any(i >= 0 for i in ins[20:24]):
        raise NotImplementedError("layer normalisation is not supported by TFLite Micro's integer LSTM")
    if o.FusedActivationFunction() != TANH:
        raise NotImplementedError(f"cell activation {o.FusedActivationFunction()} (TFLite Micro takes tanh only)")
    x_shape = r.shape(ins[0])
    if len(x_shape) != 3:
        raise NotImplementedError(f"input of rank {len(x_shape)} (3 expected)")
    time_major = bool(o.TimeMajor())
    seq, batch, inp = (x_shape[0], x_shape[1], x_shape[2]) if time_major else (x_shape[1], x_shape[0], x_shape[2])
    w = [_weights(r, ins[1 + k], "int8", "input weights") for k in range(4)]  # i, f, c, o
    rw = [_weights(r, ins[5 + k], "int8", "recurrent weights") for k in range(4)]
    units = w[0][0].shape[0]
    if any(m.shape != (units, inp) for m, _ in w) or any(m.shape != (units, units) for m, _ in rw):
        raise NotImplementedError("weight shapes do not fit the input and each other")
    if any(i < 0 or r.dtype(i) != "int32" or r.data(i) is None for i in ins[12:16]):
        raise NotImplementedError("gate biases must be constant int32 (TFLite Micro's 8x8->16 LSTM)")
    bias = np.stack([r.data(i).reshape(-1) for i in ins[12:16]]).astype(np.int32)
    if bias.shape != (4, units):
        raise NotImplementedError(f"gate biases of {bias.shape[1]} values for {units} units")
    if list(r.shape(outs[0])) != list(x_shape[:2]) + [units]:
        raise NotImplementedError(f"output shape {list(r.shape(outs[0]))}, but the input gives "
                                  f"{list(x_shape[:2]) + [units]}")
    hidden = _state(g, r, ins[18], "int8", "output (hidden) state", "lstm_hidden")
    cell = _state(g, r, ins[19], "int16", "cell state", "lstm_cell")
    for name in (hidden, cell):
        if g.tensors[name].elems != batch * units:
            raise NotImplementedError(f"a state of {g.tensors[name].elems} values ({batch * units} expected)")
    in_scale, in_zp = _scalar_quant(r, ins[0])
    h_scale, h_zp = float(g.tensors[hidden].quant.scale[0]), int(g.tensors[hidden].quant.zero_point[0])
    cell_scale = float(g.tensors[cell].quant.scale[0])
    gates_in = [quantize_multiplier(fc_real_multiplier(in_scale, s, GATE_SCALE)) for _, s in w]
    gates_rec = [quantize_multiplier(fc_real_multiplier(h_scale, s, GATE_SCALE)) for _, s in rw]
    d = np.float64  # CreateInterGateMulParams: the scales in double
    forget = quantize_multiplier(float(d(GATE_OUTPUT_SCALE) * d(cell_scale) / d(cell_scale)))
    input_gate = quantize_multiplier(float(d(GATE_OUTPUT_SCALE) * d(GATE_OUTPUT_SCALE) / d(cell_scale)))
    output = quantize_multiplier(float(d(GATE_OUTPUT_SCALE) * d(GATE_OUTPUT_SCALE) / d(h_scale)))
    left = 15 + _checked_log2(cell_scale) - 3  # lstm_internal::Tanh's input scaling
    tanh_mult, tanh_shift = (3, -left) if left < 0 else (3 << left, 0)
    if tanh_mult * 32768 >= 2 ** 31:
        raise NotImplementedError(f"cell state scale {cell_scale:g} overflows TFLite Micro's tanh input scaling")
    clip = float(np.float32(o.CellClip()))
    quantized_clip = int(min(max(clip / cell_scale, -32768.0), 32767.0))  # static_cast<int16_t>: toward zero
    attrs = dict(batch=batch, seq=seq, input=inp, units=units, time_major=int(time_major), input_offset=-in_zp,
                 hidden_offset=-h_zp, hidden_zero_point=h_zp,
                 input_multiplier=[m for m, _ in gates_in], input_shift=[s for _, s in gates_in],
                 recurrent_multiplier=[m for m, _ in gates_rec], recurrent_shift=[s for _, s in gates_rec],
                 forget_multiplier=forget[0], forget_shift=forget[1], input_gate_multiplier=input_gate[0],
                 input_gate_shift=input_gate[1], output_multiplier=output[0], output_shift=output[1],
                 cell_tanh_multiplier=tanh_mult, cell_tanh_shift=tanh_shift, clip=int(clip > 0),
                 cell_clip=quantized_clip)
    x = activation(ins[0])
    y = new_act(outs[0])
    scratch = g.fresh_name("lstm_gates")
    g.add_tensor(Tensor(scratch, (4 * units,), "int16"))
    inputs = [x, const("lstm_input_weights", np.stack([m for m, _ in w])),
              const("lstm_recurrent_weights", np.stack([m for m, _ in rw])), const("lstm_bias", bias)]
    _emit(g, "lstm_s8", inputs, y, attrs, node_name)
    g.nodes[-1].outputs += [hidden, cell, scratch]
