/* Reference on-the-fly input quantization for hybrid kernels: LiteRT's arithmetic, step for step. */
#include <math.h>

#include "edgec_hybrid_quantize.h"

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
    const double rmin = (double)(lo < 0.0f ? lo : 0.0f);
    const double rmax = (double)(hi > 0.0f ? hi : 0.0f);
    if (rmin == rmax) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        *zero_point = 0;
        return 1.0f;
    }
    const double qmin = -128.0, qmax = 127.0;
    const double scale = (rmax - rmin) / (qmax - qmin);
    const double zp_from_min = qmin - rmin / scale;
    const double zp_from_max = qmax - rmax / scale;
    const double err_min = fabs(qmin) + fabs(rmin / scale);
    const double err_max = fabs(qmax) + fabs(rmax / scale);
    const double zp_double = err_min < err_max ? zp_from_min : zp_from_max;
    int32_t zp;
    if (zp_double <= qmin) {
        zp = -128;
    } else if (zp_double >= qmax) {
        zp = 127;
    } else {
        zp = (int32_t)round(zp_double);
    }
    const float scale_f = (float)scale;
    const float inv = 1.0f / scale_f;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)roundf((float)zp + x[i] * inv);
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
    *zero_point = zp;
    return scale_f;
}

float edgec_dynamic_quantize_params_u8(const float *EDGEC_RESTRICT x, int32_t n, int32_t *zero_point) {
    float lo = 0.0f, hi = 0.0f; /* the range always includes 0 */
    for (int32_t i = 0; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    float zp = 0.0f - lo / scale;
    zp = zp < 0.0f ? 0.0f : (zp > 255.0f ? 255.0f : zp);
    *zero_point = edgec_round_half_even(zp);
    return scale;
}

void edgec_dynamic_quantize_linear(const float *EDGEC_RESTRICT x, int32_t n, uint8_t *EDGEC_RESTRICT y,
                                   float *EDGEC_RESTRICT y_scale, uint8_t *EDGEC_RESTRICT y_zero_point) {
    int32_t zp;
    const float scale = edgec_dynamic_quantize_params_u8(x, n, &zp);
    for (int32_t i = 0; i < n; ++i) y[i] = (uint8_t)edgec_dynamic_quantize_one_u8(x[i], scale, zp);
    *y_scale = scale;
    *y_zero_point = (uint8_t)zp;
}

float edgec_dynamic_quantize_s8_shifted(const float *EDGEC_RESTRICT x, int32_t n, int32_t c, int32_t nchw_hw,
                                        int8_t *EDGEC_RESTRICT q, int32_t *zero_point) {
    int32_t zp;
    const float scale = edgec_dynamic_quantize_params_u8(x, n, &zp);
    if (nchw_hw > 0) {
        const int32_t batches = n / (c * nchw_hw);
        for (int32_t b = 0; b < batches; ++b)
            for (int32_t ch = 0; ch < c; ++ch)
                for (int32_t s = 0; s < nchw_hw; ++s) {
                    const float v = *x++;
                    q[((size_t)b * nchw_hw + s) * c + ch] = (int8_t)(edgec_dynamic_quantize_one_u8(v, scale, zp) - 128);
                }
    } else {
        for (int32_t i = 0; i < n; ++i) q[i] = (int8_t)(edgec_dynamic_quantize_one_u8(x[i], scale, zp) - 128);
    }
    *zero_point = zp - 128;
    return scale;
}
