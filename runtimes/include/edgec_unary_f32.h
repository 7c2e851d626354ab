/* Element-wise activations, float32. */
#ifndef EDGEC_UNARY_F32_H
#define EDGEC_UNARY_F32_H

#include "edgec_common.h"

enum {
    EDGEC_CLAMP = 0,        /* min(max(x, lo), hi): ReLU, ReLU6, Clip */
    EDGEC_LEAKY_RELU = 1,   /* x >= 0 ? x : alpha * x */
    EDGEC_SIGMOID = 2,
    EDGEC_TANH = 3,
    EDGEC_HARD_SIGMOID = 4, /* clamp(alpha * x + beta, 0, 1) */
    EDGEC_HARD_SWISH = 5,   /* x * clamp(x / 6 + 1/2, 0, 1) */
    EDGEC_COPY = 6,
    EDGEC_SQRT = 7
};

typedef struct {
    int32_t op;
    int32_t count;
    float alpha, beta;
    float lo, hi;
} edgec_unary_params;

/* out may alias in (in-place). */
void edgec_unary_f32(const float *in, float *out, const edgec_unary_params *p);

#endif
