/* What every kernel set's edgec_hybrid_quantize.c shares (runtimes/reference, and its twins in x86, neon,
 * cortex-m, which only speed up the range search and the rounding): LiteRT's asymmetric scale and nudged zero
 * point, and the ONNX DynamicQuantizeLinear functions, which have no faster twin. The functions are defined here,
 * not declared: include this header from one .c file, the kernel set's edgec_hybrid_quantize.c. */
#ifndef EDGEC_HYBRID_QUANTIZE_SHARED_H
#define EDGEC_HYBRID_QUANTIZE_SHARED_H

#include <math.h>

#include "edgec_hybrid_quantize.h"

/* LiteRT's asymmetric int8 quantization of the range [min(lo, 0), max(hi, 0)] onto [-128, 127], in double as
 * tensor_utils::AsymmetricQuantizeFloats: *scale, and *zero_point nudged from whichever end errs less. Returns 0 for
 * an empty range (lo = hi = 0: the caller writes q = 0, zero point 0 and returns scale 1), else 1. */
static inline int edgec_asymmetric_s8_params(float lo, float hi, float *scale_out, int32_t *zero_point) {
    const double rmin = (double)(lo < 0.0f ? lo : 0.0f);
    const double rmax = (double)(hi > 0.0f ? hi : 0.0f);
    if (rmin == rmax) return 0;
    const double qmin = -128.0, qmax = 127.0;
    const double scale = (rmax - rmin) / (qmax - qmin);
    const double zp_from_min = qmin - rmin / scale;
    const double zp_from_max = qmax - rmax / scale;
    const double err_min = fabs(qmin) + fabs(rmin / scale);
    const double err_max = fabs(qmax) + fabs(rmax / scale);
    const double zp_double = err_min < err_max ? zp_from_min : zp_from_max;
    if (zp_double <= qmin) {
        *zero_point = -128;
    } else if (zp_double >= qmax) {
        *zero_point = 127;
    } else {
        *zero_point = (int32_t)round(zp_double);
    }
    *scale_out = (float)scale;
    return 1;
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

#endif
