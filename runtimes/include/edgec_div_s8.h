/* DIV, int8, with NumPy broadcasting, as TFLite's reference DivElementwise: the divisor's reciprocal by
 * Newton-Raphson in gemmlowp fixed point, the dividend scaled up to its headroom, one output requantisation.
 * A divisor equal to its zero point (a real 0) has no quotient in TFLite; here it gives the output zero point
 * (defined behaviour: TFLite Micro's result is undefined there). */
#ifndef EDGEC_DIV_S8_H
#define EDGEC_DIV_S8_H

#include "edgec_broadcast_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift; /* input1_scale / (input2_scale * output_scale) */
    int32_t act_min, act_max;
} edgec_div_s8_params;

void edgec_div_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_div_s8_params *p);

#endif
