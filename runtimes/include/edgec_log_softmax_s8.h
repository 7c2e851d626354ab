/* Log-softmax over the last axis, int8 in, int8 out (scale 16/256, zero point 127): TFLite's
 * LogSoftmaxQuantized (gemmlowp fixed point: exp on negative values, a Q12.19 sum of exps, its log), bit for bit. */
#ifndef EDGEC_LOG_SOFTMAX_S8_H
#define EDGEC_LOG_SOFTMAX_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, depth;
    int32_t input_multiplier, input_left_shift;
    int32_t reverse_scaling_divisor, reverse_scaling_shift; /* the inverse of the input scaling (shift <= 0) */
    int32_t diff_min;
} edgec_log_softmax_s8_params;

void edgec_log_softmax_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                          const edgec_log_softmax_s8_params *p);

#endif
