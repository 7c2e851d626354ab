/* L2 normalisation over the last axis, int8 in, int8 out (scale 1/128, zero point 0): TFLite's
 * reference_integer_ops::L2Normalization (an integer sum of squares, its inverse square root by Newton-Raphson in
 * gemmlowp fixed point: GetInvSqrtQuantizedMultiplierExp), bit for bit. */
#ifndef EDGEC_L2NORM_S8_H
#define EDGEC_L2NORM_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, depth, input_zero_point;
} edgec_l2norm_s8_params;

void edgec_l2norm_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output, const edgec_l2norm_s8_params *p);

#endif
