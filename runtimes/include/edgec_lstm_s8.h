/* TFLite UNIDIRECTIONAL_SEQUENCE_LSTM on int8 (TFLite Micro's "8x8->16" integer LSTM, lstm_eval.h), bit for bit:
 * int8 input and hidden state, int8 weights, int32 gate biases, an int16 cell state. Per step and gate, the
 * input and the recurrent fully connected layers each requantise to int16 at 2^-12 (Q3.12) and add with int16
 * saturation; the gates go through TFLite's int16 sigmoid (input, forget, output) and tanh (cell) tables, in Q0.15.
 * c = sat16(f * c) + sat16(i * g) (each product requantised to the cell scale), optionally clipped;
 * h = sat8(tanh(c) * o, requantised to the hidden scale, plus its zero point), which is also the step's output.
 * The gates are in TFLite's order: input, forget, cell, output. Batches run independently (the same result for
 * either time layout). */
#ifndef EDGEC_LSTM_S8_H
#define EDGEC_LSTM_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t batch, seq, input, units, time_major;
    int32_t input_offset, hidden_offset, hidden_zero_point; /* offsets: minus the zero points */
    int32_t input_multiplier[4], input_shift[4];         /* each gate's input FC, to 2^-12 */
    int32_t recurrent_multiplier[4], recurrent_shift[4]; /* each gate's recurrent FC, to 2^-12 */
    int32_t forget_multiplier, forget_shift;             /* f * c: 2^-15 * cell_scale / cell_scale */
    int32_t input_gate_multiplier, input_gate_shift;     /* i * g: 2^-30 / cell_scale */
    int32_t output_multiplier, output_shift;             /* tanh(c) * o: 2^-30 / hidden_scale */
    int32_t cell_tanh_multiplier, cell_tanh_shift;       /* tanh's input scaling of the cell state */
    int32_t clip, cell_clip; /* clip: clamp the cell state to [-cell_clip, cell_clip] (quantised) */
} edgec_lstm_s8_params;

/* x [batch][seq][input] (time_major: [seq][batch][input]); input_weights [4][units][input]; recurrent_weights
 * [4][units][units]; bias [4][units]; hidden [batch][units] and cell [batch][units] (kept between runs); out like x
 * with units for input; scratch: 4 * units int16. */
void edgec_lstm_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT input_weights,
                   const int8_t *EDGEC_RESTRICT recurrent_weights, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT hidden, int16_t *EDGEC_RESTRICT cell, int8_t *EDGEC_RESTRICT out,
                   int16_t *EDGEC_RESTRICT scratch, const edgec_lstm_s8_params *p);

#endif
