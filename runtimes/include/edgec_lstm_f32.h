/* ONNX LSTM, float32 (gates i, o, f, c; optional bias, initial states and peepholes; see edgec_recurrent_f32.h). */
#ifndef EDGEC_LSTM_F32_H
#define EDGEC_LSTM_F32_H

#include "edgec_recurrent_f32.h"

/* seq_lens: NULL, or one length (1 .. seq) per batch row. bias, h0, c0, peephole and y may be NULL. y_h and y_c
 * receive the final states and hold the running ones. scratch: 4 * hidden floats. */
void edgec_lstm_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                    const float *h0, const float *c0, const float *peephole, float *y, float *y_h, float *y_c,
                    float *scratch, const edgec_recurrent_params *p);

#endif
