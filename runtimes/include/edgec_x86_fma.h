/* edgec runtime, host kernel set (runtimes/x86/): the float kernels' multiply-add acc += x * k, fused (one
 * rounding: vfmadd) wherever the build enables FMA, whatever the C dialect. gcc contracts `acc += x * k` into an FMA
 * in its GNU dialects (-ffp-contract=fast) but not under -std=c99 / -std=c11 (ISO mode: -ffp-contract=off), where
 * the float conv ran about 40 % slower; users build the generated C with their own flags. The fused sums are
 * the bits a GNU-dialect build computes; without FMA, the plain multiply and add.
 *
 * x and k: vectors of acc's type, or (either) a float, broadcast as GNU C does; `(x) * ONES` is x exactly (a float
 * or a vector: x * 1 is x, -0 and infinities included) and folds away. Macros rather than functions: a 256- or
 * 512-bit vector passed by value changes the ABI where AVX is off. */
#ifndef EDGEC_X86_FMA_H
#define EDGEC_X86_FMA_H

#include "edgec_common.h"

typedef float edgec_x86_v8f __attribute__((vector_size(32)));
typedef float edgec_x86_v16f __attribute__((vector_size(64)));
#define EDGEC_X86_ONES8 ((edgec_x86_v8f){1, 1, 1, 1, 1, 1, 1, 1})
#define EDGEC_X86_ONES16 ((edgec_x86_v16f){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})

#if defined(__FMA__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

/* 8 lanes (one ymm). */
#if defined(__FMA__)
#define EDGEC_X86_MADD8(acc, x, k)                                                                              \
    ((acc) = (edgec_x86_v8f)_mm256_fmadd_ps((__m256)((x) * EDGEC_X86_ONES8), (__m256)((k) * EDGEC_X86_ONES8), \
                                            (__m256)(acc)))
#else
#define EDGEC_X86_MADD8(acc, x, k) ((acc) += (x) * (k))
#endif

/* 16 lanes: one zmm, else two ymm halves. */
#if defined(__AVX512F__)
#define EDGEC_X86_MADD16(acc, x, k)                                                                                \
    ((acc) = (edgec_x86_v16f)_mm512_fmadd_ps((__m512)((x) * EDGEC_X86_ONES16), (__m512)((k) * EDGEC_X86_ONES16), \
                                             (__m512)(acc)))
#elif defined(__FMA__)
#define EDGEC_X86_MADD16(acc, x, k)                                                                     \
    do {                                                                                                \
        const edgec_x86_v16f x_ = (x) * EDGEC_X86_ONES16, k_ = (k) * EDGEC_X86_ONES16;                  \
        __m256 a_[2], xh_[2], kh_[2];                                                                   \
        __builtin_memcpy(a_, &(acc), sizeof a_);                                                        \
        __builtin_memcpy(xh_, &x_, sizeof xh_);                                                         \
        __builtin_memcpy(kh_, &k_, sizeof kh_);                                                         \
        a_[0] = _mm256_fmadd_ps(xh_[0], kh_[0], a_[0]);                                                 \
        a_[1] = _mm256_fmadd_ps(xh_[1], kh_[1], a_[1]);                                                 \
        __builtin_memcpy(&(acc), a_, sizeof a_);                                                        \
    } while (0)
#else
#define EDGEC_X86_MADD16(acc, x, k) ((acc) += (x) * (k))
#endif

/* One float (the kernels' channel remainders): the builtin is one vfmadd*ss where FMA is on (no libm call, -O0
 * included). */
#if defined(__FMA__)
#define EDGEC_X86_MADDF(acc, x, k) ((acc) = __builtin_fmaf((x), (k), (acc)))
#else
#define EDGEC_X86_MADDF(acc, x, k) ((acc) += (x) * (k))
#endif

#endif /* EDGEC_X86_FMA_H */
