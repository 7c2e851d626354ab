/* Hybrid (dynamic-range quantized) fully connected layer: float input and output, int8 weights in flash.
 *
 * LiteRT's semantics (tensorflow/lite/kernels/fully_connected.cc, EvalHybridDense, per-tensor filter scale):
 * y = bias; if the whole input is zero, y = clamp(bias). Otherwise each of the `batch` input rows is
 * quantized on its own (edgec_hybrid_quantize.h: symmetric, or asymmetric with zero point z when
 * asymmetric != 0) and y[b][u] = bias[u] + (sum_i (x_q[i] - z) * w[u][i]) * (in_scale * w_scale[0]),
 * clamped to [act_min, act_max]. Weights [units][input_size] int8 (zero point 0); bias has `units` entries.
 * qinput is scratch for one quantized row: input_size bytes. */
#ifndef EDGEC_FULLY_CONNECTED_HYBRID_H
#define EDGEC_FULLY_CONNECTED_HYBRID_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, input_size, units;
    int32_t asymmetric;
    float act_min, act_max;
} edgec_fully_connected_hybrid_params;

void edgec_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                                  const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                                  float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput,
                                  const edgec_fully_connected_hybrid_params *p);

#endif
