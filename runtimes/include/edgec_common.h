/* edgec runtime: shared definitions for every kernel. Freestanding C99. */
#ifndef EDGEC_COMMON_H
#define EDGEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define EDGEC_RESTRICT __restrict__
#define EDGEC_INLINE static inline __attribute__((always_inline))
#define EDGEC_NOINLINE __attribute__((noinline))
#else
#define EDGEC_RESTRICT
#define EDGEC_INLINE static inline
#define EDGEC_NOINLINE
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

/* Walks every index of a right-aligned EDGEC_MAX_RANK-D shape (leading dims 1) in row-major order, keeping the
 * element offset sum(index[d] * strides[d]): one odometer for the strided kernels instead of nested loops in
 * each. Use: edgec_strided_iter it = {{0}, 0}; do { ... it.offset ... } while (edgec_strided_next(&it, s, st));
 * Every dim of the shape must be >= 1 (edgec_shape_is_empty tells). */
typedef struct {
    int32_t index[EDGEC_MAX_RANK];
    size_t offset;
} edgec_strided_iter;

EDGEC_INLINE int edgec_shape_is_empty(const int32_t *shape) {
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d)
        if (shape[d] <= 0) return 1;
    return 0;
}

/* Advances the walk over the first `dims` dims of the shape (the last of them fastest). Kernels that keep the
 * innermost dim as a plain loop walk the outer ones: edgec_strided_next_outer. */
EDGEC_INLINE int edgec_strided_next_dims(edgec_strided_iter *it, const int32_t *shape, const int32_t *strides,
                                         int32_t dims) {
    for (int32_t d = dims - 1; d >= 0; --d) {
        if (++it->index[d] < shape[d]) {
            it->offset += (size_t)strides[d];
            return 1;
        }
        it->offset -= (size_t)strides[d] * (size_t)(shape[d] - 1);
        it->index[d] = 0;
    }
    return 0;
}

EDGEC_INLINE int edgec_strided_next(edgec_strided_iter *it, const int32_t *shape, const int32_t *strides) {
    return edgec_strided_next_dims(it, shape, strides, EDGEC_MAX_RANK);
}

EDGEC_INLINE int edgec_strided_next_outer(edgec_strided_iter *it, const int32_t *shape, const int32_t *strides) {
    return edgec_strided_next_dims(it, shape, strides, EDGEC_MAX_RANK - 1);
}

EDGEC_INLINE float edgec_clampf(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* std::round (half away from zero, TFLite's TfLiteRound) without libm, for |x| < 2^23; larger values are
 * clamped to +-2^22 first (callers saturate to 8 or 16 bits afterwards), NaN becomes -2^22. */
EDGEC_INLINE float edgec_round_half_away(float x) {
    if (!(x > -4194304.0f)) x = -4194304.0f;
    if (x > 4194304.0f) x = 4194304.0f;
    const float t = (float)(int32_t)x; /* truncated toward zero; x - t is exact */
    const float frac = x - t;
    return frac >= 0.5f ? t + 1.0f : (frac <= -0.5f ? t - 1.0f : t);
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
