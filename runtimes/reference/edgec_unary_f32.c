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
    default:
        for (int32_t i = 0; i < n; ++i) out[i] = in[i];
        break;
    }
}
