/* Element-wise one-input functions (activations and math), float32: one kernel, an op code per function. */
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
    EDGEC_SQRT = 7,
    EDGEC_EXP = 8,
    EDGEC_LOG = 9,
    EDGEC_ABS = 10,
    EDGEC_NEG = 11,
    EDGEC_FLOOR = 12,
    EDGEC_CEIL = 13,
    EDGEC_ROUND = 14,       /* half to even (ONNX Round) */
    EDGEC_ERF = 15,
    EDGEC_SIN = 16,
    EDGEC_COS = 17,
    EDGEC_SIGN = 18,        /* -1, 0 or 1 (NaN stays NaN) */
    EDGEC_GELU = 19,        /* x / 2 * (1 + erf(x / sqrt(2))) */
    EDGEC_GELU_TANH = 20,   /* x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) */
    EDGEC_RSQRT = 21,       /* 1 / sqrt(x) (TFLite RSQRT) */
    EDGEC_TAN = 22,
    EDGEC_ASIN = 23,
    EDGEC_ACOS = 24,
    EDGEC_ATAN = 25,
    EDGEC_SINH = 26,
    EDGEC_COSH = 27,
    EDGEC_ASINH = 28,
    EDGEC_ACOSH = 29,
    EDGEC_ATANH = 30,
    EDGEC_CELU = 31,              /* max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) */
    EDGEC_SHRINK = 32,            /* x < -alpha ? x + beta : x > alpha ? x - beta : 0 (alpha: lambd, beta: bias) */
    EDGEC_THRESHOLDED_RELU = 33   /* x > alpha ? x : 0 */
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
