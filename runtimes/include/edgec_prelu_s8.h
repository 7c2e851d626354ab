/* PRELU, int8, alpha broadcast to the input (TFLite's BroadcastPrelu4DSlow): x >= 0 requantised by
 * input_scale / output_scale, x < 0 multiplied by alpha and requantised by input * alpha / output scale. */
#ifndef EDGEC_PRELU_S8_H
#define EDGEC_PRELU_S8_H

#include "edgec_broadcast_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t input_offset, alpha_offset, output_offset;
    int32_t multiplier_positive, shift_positive, multiplier_negative, shift_negative;
} edgec_prelu_s8_params;

void edgec_prelu_s8(const int8_t *x, const int8_t *alpha, int8_t *output, const edgec_prelu_s8_params *p);

#endif
