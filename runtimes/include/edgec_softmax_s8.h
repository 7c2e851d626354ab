/* Softmax over the last axis, int8 in, int8 out (scale 1/256, zero point -128): TFLite's reference
 * quantized softmax (gemmlowp fixed point: exp on negative values, Newton-Raphson reciprocal), bit for bit. */
#ifndef EDGEC_SOFTMAX_S8_H
#define EDGEC_SOFTMAX_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t outer, depth;
    int32_t input_multiplier, input_left_shift;
    int32_t diff_min;
} edgec_softmax_s8_params;

void edgec_softmax_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                      const edgec_softmax_s8_params *p);

#endif /* EDGEC_SOFTMAX_S8_H */
