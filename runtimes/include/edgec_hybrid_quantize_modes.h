/* LiteRT's two run-time quantization modes around a kernel set's own range search and rounding loop: what the
 * faster sets' edgec_hybrid_quantize.c (x86, neon, cortex-m) share; the reference writes the modes out. The loops
 * come in as constant function pointers, so each call below compiles to the set's own (inlined) code. Include
 * from one .c file: it includes edgec_hybrid_quantize_shared.h, which defines functions. */
#ifndef EDGEC_HYBRID_QUANTIZE_MODES_H
#define EDGEC_HYBRID_QUANTIZE_MODES_H

#include "edgec_hybrid_quantize_shared.h"

/* The smallest and largest of x[0 .. n), n >= 1, as the reference's loop finds them. */
typedef void (*edgec_min_max_fn)(const float *x, int32_t n, float *lo, float *hi);
/* q[i] = round(zp + x[i] * inv) (half away from zero, the expression as the reference writes it) clamped to
 * [lo, 127]: lo -127 and zp 0 in the symmetric mode (x[i] * inv), -128 in the asymmetric one. */
typedef void (*edgec_quantize_rounded_fn)(const float *x, int32_t n, float inv, int32_t zp, int32_t lo, int8_t *q);

/* edgec_quantize_symmetric_s8: scale max(|x|) / 127; all-zero input gives q = 0 and scale 1. */
EDGEC_INLINE float edgec_quantize_symmetric_by(const float *x, int32_t n, int8_t *q, edgec_min_max_fn min_max,
                                               edgec_quantize_rounded_fn quantize) {
    float lo, hi;
    min_max(x, n, &lo, &hi);
    const float alo = __builtin_fabsf(lo), ahi = __builtin_fabsf(hi); /* fabsf is a call under -ffreestanding */
    const float range = alo > ahi ? alo : ahi;
    if (range == 0.0f) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        return 1.0f;
    }
    quantize(x, n, 127.0f / range, 0, -127, q);
    return range / 127.0f;
}

/* edgec_quantize_asymmetric_s8: edgec_asymmetric_s8_params' scale and zero point; an empty range gives q = 0,
 * zero point 0 and scale 1. */
EDGEC_INLINE float edgec_quantize_asymmetric_by(const float *x, int32_t n, int8_t *q, int32_t *zero_point,
                                                edgec_min_max_fn min_max, edgec_quantize_rounded_fn quantize) {
    float lo, hi;
    min_max(x, n, &lo, &hi);
    int32_t zp;
    float scale_f;
    if (!edgec_asymmetric_s8_params(lo, hi, &scale_f, &zp)) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        *zero_point = 0;
        return 1.0f;
    }
    quantize(x, n, 1.0f / scale_f, zp, -128, q);
    *zero_point = zp;
    return scale_f;
}

#endif
