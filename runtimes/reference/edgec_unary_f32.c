#include <math.h>

#include "edgec_unary_f32.h"

void edgec_unary_f32(const float *in, float *out, const edgec_unary_params *p) {
    const int32_t n = p->count;
    switch (p->op) {
    case EDGEC_CLAMP:
        for (int32_t i = 0; i < n; ++i) out[i] = edgec_clampf(in[i], p->lo, p->hi);
        break;
    case EDGEC_LEAKY_RELU:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i] >= 0.0f ? in[i] : p->alpha * in[i];
        break;
    case EDGEC_SIGMOID:
        for (int32_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + expf(-in[i]));
        break;
    case EDGEC_TANH:
        for (int32_t i = 0; i < n; ++i) out[i] = tanhf(in[i]);
        break;
    case EDGEC_HARD_SIGMOID:
        for (int32_t i = 0; i < n; ++i) out[i] = edgec_clampf(p->alpha * in[i] + p->beta, 0.0f, 1.0f);
        break;
    case EDGEC_HARD_SWISH:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i] * edgec_clampf(in[i] / 6.0f + 0.5f, 0.0f, 1.0f);
        break;
    case EDGEC_SQRT:
        for (int32_t i = 0; i < n; ++i) out[i] = sqrtf(in[i]);
        break;
    case EDGEC_RSQRT:
        for (int32_t i = 0; i < n; ++i) out[i] = 1.0f / sqrtf(in[i]);
        break;
    case EDGEC_EXP:
        for (int32_t i = 0; i < n; ++i) out[i] = expf(in[i]);
        break;
    case EDGEC_LOG:
        for (int32_t i = 0; i < n; ++i) out[i] = logf(in[i]);
        break;
    case EDGEC_ABS:
        for (int32_t i = 0; i < n; ++i) out[i] = fabsf(in[i]);
        break;
    case EDGEC_NEG:
        for (int32_t i = 0; i < n; ++i) out[i] = -in[i];
        break;
    case EDGEC_FLOOR:
        for (int32_t i = 0; i < n; ++i) out[i] = floorf(in[i]);
        break;
    case EDGEC_CEIL:
        for (int32_t i = 0; i < n; ++i) out[i] = ceilf(in[i]);
        break;
    case EDGEC_ROUND:
        for (int32_t i = 0; i < n; ++i) out[i] = rintf(in[i]); /* ties to even in the default rounding mode */
        break;
    case EDGEC_ERF:
        for (int32_t i = 0; i < n; ++i) out[i] = erff(in[i]);
        break;
    case EDGEC_SIN:
        for (int32_t i = 0; i < n; ++i) out[i] = sinf(in[i]);
        break;
    case EDGEC_COS:
        for (int32_t i = 0; i < n; ++i) out[i] = cosf(in[i]);
        break;
    case EDGEC_SIGN:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? 1.0f : (in[i] < 0.0f ? -1.0f : in[i]);
        break;
    case EDGEC_GELU:
        for (int32_t i = 0; i < n; ++i) out[i] = 0.5f * in[i] * (1.0f + erff(in[i] * 0.70710678118654752f));
        break;
    case EDGEC_GELU_TANH:
        for (int32_t i = 0; i < n; ++i) {
            const float x = in[i];
            out[i] = 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        }
        break;
    case EDGEC_TAN:
        for (int32_t i = 0; i < n; ++i) out[i] = tanf(in[i]);
        break;
    case EDGEC_ASIN:
        for (int32_t i = 0; i < n; ++i) out[i] = asinf(in[i]);
        break;
    case EDGEC_ACOS:
        for (int32_t i = 0; i < n; ++i) out[i] = acosf(in[i]);
        break;
    case EDGEC_ATAN:
        for (int32_t i = 0; i < n; ++i) out[i] = atanf(in[i]);
        break;
    case EDGEC_SINH:
        for (int32_t i = 0; i < n; ++i) out[i] = sinhf(in[i]);
        break;
    case EDGEC_COSH:
        for (int32_t i = 0; i < n; ++i) out[i] = coshf(in[i]);
        break;
    case EDGEC_ASINH:
        for (int32_t i = 0; i < n; ++i) out[i] = asinhf(in[i]);
        break;
    case EDGEC_ACOSH:
        for (int32_t i = 0; i < n; ++i) out[i] = acoshf(in[i]);
        break;
    case EDGEC_ATANH:
        for (int32_t i = 0; i < n; ++i) out[i] = atanhf(in[i]);
        break;
    case EDGEC_CELU:
        for (int32_t i = 0; i < n; ++i) {
            const float x = in[i];
            out[i] = (x > 0.0f ? x : 0.0f) + (x < 0.0f ? p->alpha * expm1f(x / p->alpha) : 0.0f);
        }
        break;
    case EDGEC_SHRINK:
        for (int32_t i = 0; i < n; ++i) {
            const float x = in[i];
            out[i] = x < -p->alpha ? x + p->beta : (x > p->alpha ? x - p->beta : 0.0f);
        }
        break;
    case EDGEC_THRESHOLDED_RELU:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i] > p->alpha ? in[i] : 0.0f;
        break;
    default:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i];
        break;
    }
}
