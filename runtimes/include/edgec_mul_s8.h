/* Multiply, int8 (TFLite reference_integer_ops::Mul): (a + a_offset) * (b + b_offset) requantised once, with
 * NumPy broadcasting. */
#ifndef EDGEC_MUL_S8_H
#define EDGEC_MUL_S8_H

#include "edgec_broadcast_s8.h"
#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift; /* input1_scale * input2_scale / output_scale */
    int32_t act_min, act_max;
} edgec_mul_s8_params;

void edgec_mul_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_mul_s8_params *p);

#endif /* EDGEC_MUL_S8_H */
