/* Softmax and log-softmax along one axis, float32: the tensor is seen as [outer, axis, inner]. */
#ifndef EDGEC_SOFTMAX_F32_H
#define EDGEC_SOFTMAX_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis, inner;
    float beta; /* TFLite's input scale: softmax(beta * x) */
} edgec_softmax_params;

void edgec_softmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_softmax_params *p);

/* log(softmax(beta * x)) = beta * (x - max) - log(sum(exp(beta * (x - max)))), without the rounding of log(softmax). */
void edgec_log_softmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output,
                           const edgec_softmax_params *p);

#endif
