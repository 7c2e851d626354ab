/* ONNX GRU, float32 (gates z, r, h; linear_before_reset 0 or 1; optional bias and initial state; see
 * edgec_recurrent_f32.h). */
#ifndef EDGEC_GRU_F32_H
#define EDGEC_GRU_F32_H

#include "edgec_recurrent_f32.h"

/* seq_lens: NULL, or one length (1 .. seq) per batch row. bias, h0 and y may be NULL. y_h receives the final state
 * and holds the running one. scratch: 4 * hidden floats. */
void edgec_gru_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                   const float *h0, float *y, float *y_h, float *scratch, const edgec_recurrent_params *p);

#endif
