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

#endif /* EDGEC_COMMON_H */
