/* Reference on-the-fly input quantization for hybrid kernels: LiteRT's arithmetic, step for step. */
#include <math.h>

#include "edgec_hybrid_quantize_shared.h"

float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q) {
    float lo = x[0], hi = x[0];
    for (int32_t i = 1; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    const float range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
    if (range == 0.0f) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        return 1.0f;
    }
    const float inv = 127.0f / range;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)roundf(x[i] * inv);
        v = v < -127 ? -127 : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
    return range / 127.0f;
}

float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point) {
    float lo = x[0], hi = x[0];
    for (int32_t i = 1; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    int32_t zp;
    float scale_f;
    if (!edgec_asymmetric_s8_params(lo, hi, &scale_f, &zp)) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        *zero_point = 0;
        return 1.0f;
    }
    const float inv = 1.0f / scale_f;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)roundf((float)zp + x[i] * inv);
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
    *zero_point = zp;
    return scale_f;
}
