/* edgec runtime: shared definitions for every kernel. Freestanding C99. */
#ifndef EDGEC_COMMON_H
#define EDGEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define EDGEC_RESTRICT __restrict__
#define EDGEC_INLINE static inline __attribute__((always_inline))
#else
#define EDGEC_RESTRICT
#define EDGEC_INLINE static inline
#endif

/* acc + a * b. Where the FPU has a fused multiply-add (Cortex-M4F/M7/M33/M55, AArch64) it is one instruction;
 * ISO C mode (-std=c99) would otherwise keep the multiply and the add apart. */
#if defined(__ARM_FEATURE_FMA) && (defined(__GNUC__) || defined(__clang__))
#define EDGEC_FMA(acc, a, b) __builtin_fmaf((a), (b), (acc))
#else
#define EDGEC_FMA(acc, a, b) ((acc) + (a) * (b))
#endif

/* Largest rank the generic kernels (broadcast, transpose, pad) handle; lower ranks are padded with 1s. */
#define EDGEC_MAX_RANK 6

EDGEC_INLINE float edgec_clampf(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* round(v) with ties to even (nearbyint in the default rounding mode), without libm and independent of the
 * FPU's rounding mode. v must already lie within [-2^30, 2^30] (callers clamp first). */
EDGEC_INLINE int32_t edgec_round_half_even(float v) {
    int32_t t = (int32_t)v; /* toward zero */
    if ((float)t > v) --t;  /* floor */
    const float frac = v - (float)t; /* exact: v and t are within 1 of each other */
    if (frac > 0.5f || (frac == 0.5f && (t & 1))) ++t;
    return t;
}

/* Element i of an 8-bit integer tensor as int32: int8 if is_signed, else uint8 (one kernel for both types). */
EDGEC_INLINE int32_t edgec_load_q8(const void *data, size_t i, int32_t is_signed) {
    const uint8_t b = ((const uint8_t *)data)[i];
    return is_signed ? (int32_t)(b ^ 0x80u) - 128 : (int32_t)b;
}

#endif /* EDGEC_COMMON_H */
