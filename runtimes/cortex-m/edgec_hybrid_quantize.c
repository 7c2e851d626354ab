/* Cortex-M twin of reference/edgec_hybrid_quantize.c, bit-identical to it for finite inputs. LiteRT's two modes
 * quantize every input of a hybrid layer at run time (KWS: 8000 values per layer), and the reference's roundf is a
 * library call: here the rounding (half away from zero) is one VRINTA where the FPU has it (FPv5 with double
 * precision: the M7's fpv5-d16, the M55; __builtin_roundf compiles to it) and else exact arithmetic on the
 * truncation, and the range pass keeps two minima and two maxima (VMINNM / VMAXNM on FPv5). The ONNX functions
 * are the reference's. */
#include "edgec_hybrid_quantize_modes.h"

#if defined(__arm__) && defined(__ARM_FP) && (__ARM_ARCH >= 8 || (__ARM_FP & 8)) && defined(__GNUC__)
#define EDGEC_CM_FPV5 1
#else
#define EDGEC_CM_FPV5 0
#endif

/* roundf (half away from zero) as an int32, for |v| < 2^31. */
EDGEC_INLINE int32_t round_away(float v) {
#if EDGEC_CM_FPV5
    return (int32_t)__builtin_roundf(v); /* VRINTA, VCVT */
#else
    int32_t t = (int32_t)v;            /* toward zero */
    const float frac = v - (float)t;   /* exact: v and t are within 1 of each other */
    t += (frac >= 0.5f) - (frac <= -0.5f);
    return t;
#endif
}

EDGEC_INLINE float min_(float a, float b) {
#if EDGEC_CM_FPV5
    return __builtin_fminf(a, b); /* VMINNM; a NaN is skipped, and the sign of a zero does not matter below */
#else
    return b < a ? b : a;
#endif
}
EDGEC_INLINE float max_(float a, float b) {
#if EDGEC_CM_FPV5
    return __builtin_fmaxf(a, b);
#else
    return b > a ? b : a;
#endif
}

/* The smallest and largest of x[0..n), n >= 1: two of each in flight, four values per step. */
static void min_max(const float *x, int32_t n, float *lo_out, float *hi_out) {
    float lo0 = x[0], hi0 = x[0], lo1 = x[0], hi1 = x[0];
    int32_t i = 1;
    for (; i + 4 <= n; i += 4) {
        const float a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
        lo0 = min_(lo0, a); hi0 = max_(hi0, a); lo1 = min_(lo1, b); hi1 = max_(hi1, b);
        lo0 = min_(lo0, c); hi0 = max_(hi0, c); lo1 = min_(lo1, d); hi1 = max_(hi1, d);
    }
    for (; i < n; ++i) { lo0 = min_(lo0, x[i]); hi0 = max_(hi0, x[i]); }
    *lo_out = min_(lo0, lo1);
    *hi_out = max_(hi0, hi1);
}

/* q[i] = round(zp + x[i] * inv) clamped to [lo, 127] (edgec_quantize_rounded_fn), four at a time where lo is -127
 * (the symmetric mode). Inlined into each mode, where lo is a constant. */
EDGEC_INLINE void quantize_rounded(const float *EDGEC_RESTRICT x, int32_t n, float inv, int32_t zp, int32_t lo,
                                   int8_t *EDGEC_RESTRICT q) {
    if (lo == -127) { /* |x * inv| <= 127 * (1 + 2^-23) < 127.5 (zp 0), so the reference's clamp never acts: gone */
        int32_t i = 0;
        for (; i + 4 <= n; i += 4) {
            const int32_t a = round_away(x[i] * inv), b = round_away(x[i + 1] * inv);
            const int32_t c = round_away(x[i + 2] * inv), d = round_away(x[i + 3] * inv);
            q[i] = (int8_t)a; q[i + 1] = (int8_t)b; q[i + 2] = (int8_t)c; q[i + 3] = (int8_t)d;
        }
        for (; i < n; ++i) q[i] = (int8_t)round_away(x[i] * inv);
        return;
    }
    const float zf = (float)zp;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = round_away(zf + x[i] * inv);
        v = v < lo ? lo : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
}

float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q) {
    return edgec_quantize_symmetric_by(x, n, q, min_max, quantize_rounded);
}

float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point) {
    return edgec_quantize_asymmetric_by(x, n, q, zero_point, min_max, quantize_rounded);
}
