/* Matrix multiply for x86 hosts with B constant and packed at compile time in column blocks, each [K][width]
 * (edgec_matmul_f32_packed.h): a block's weights are one sequential stream, read once per row of A. A fully
 * connected layer on one sample reads every weight once, so it is memory-bound, and B's rows strided by N (the
 * unpacked layout, runtimes/x86/edgec_matmul_f32.c) leave the prefetchers behind. 16-float GNU C vectors (one
 * AVX-512 register, two AVX ones). Equal to runtimes/reference/edgec_matmul_f32.c up to float summation order. */
#include "edgec_matmul_f32_packed.h"
#include "edgec_x86_fma.h"

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
#define LOAD16(ptr) (*(const v16f_unaligned *)(const void *)(ptr))
#define SELECT16(mask, a, b) ((v16f)(((v16i)(a) & (mask)) | ((v16i)(b) & ~(mask))))
#define PACK_WIDE 64   /* columns per block while that many remain */
#define PACK_NARROW 16 /* then blocks of 16, the last padded with zero columns */

#ifdef __AVX512F__
#define SEGMENTS 4 /* 4 x 4 accumulators: half the 32 vector registers */
#else
#define SEGMENTS 2 /* a 16-float vector is two AVX registers, of 16 */
#endif

/* Row x of A times one block ([K][16 * NV] at blk) into out's first cols columns (fewer than 16 * NV in the
 * padded last block); bias offset to the block, or NULL. K is cut in SEGMENTS runs summed side by side: as many
 * sequential streams of weights in flight (where the weights come from memory, not cache, 5-15 % faster than
 * one stream on MobileNetV2's 1280 x 1000 classifier) and as many independent FMA chains; the rows past the last
 * full run go to the first. */
EDGEC_INLINE void packed_row(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT blk,
                             const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, int32_t K, int32_t cols,
                             const int32_t NV, const edgec_matmul_params *p) {
    const int32_t W = 16 * NV, L = K / SEGMENTS;
    v16f acc[SEGMENTS][PACK_WIDE / 16];
    for (int32_t q = 0; q < SEGMENTS; ++q)
        for (int32_t s = 0; s < NV; ++s) acc[q][s] = (v16f){0};
    for (int32_t k = 0; k < L; ++k)
        for (int32_t q = 0; q < SEGMENTS; ++q) {
            const float xq = x[q * L + k];
            const float *b = blk + ((size_t)q * L + k) * W;
            for (int32_t s = 0; s < NV; ++s) EDGEC_X86_MADD16(acc[q][s], xq, LOAD16(b + 16 * s));
        }
    for (int32_t k = SEGMENTS * L; k < K; ++k)
        for (int32_t s = 0; s < NV; ++s) EDGEC_X86_MADD16(acc[0][s], x[k], LOAD16(blk + (size_t)k * W + 16 * s));
    const v16f lo = (v16f){0} + p->act_min, hi = (v16f){0} + p->act_max;
    for (int32_t s = 0; s < NV; ++s) {
        v16f y = acc[0][s];
        for (int32_t q = 1; q < SEGMENTS; ++q) y += acc[q][s];
        if (16 * s + 16 <= cols) {
            if (bias) y += LOAD16(bias + 16 * s);
            y = SELECT16(y < lo, lo, y); /* edgec_clampf */
            y = SELECT16(y > hi, hi, y);
            *(v16f_unaligned *)(void *)(out + 16 * s) = y;
        } else {
            for (int32_t j = 16 * s; j < cols; ++j)
                out[j] = edgec_clampf(y[j - 16 * s] + (bias ? bias[j] : 0.0f), p->act_min, p->act_max);
        }
    }
}

static void matmul_packed_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT packed,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float *blk = packed;
    for (int32_t j = 0; j < N;) {
        const int wide = N - j >= PACK_WIDE;
        const int32_t width = wide ? PACK_WIDE : PACK_NARROW, cols = N - j < width ? N - j : width;
        const float *b = bias ? bias + j : NULL;
        for (int32_t i = 0; i < M; ++i) {
            if (wide)
                packed_row(A + (size_t)i * K, blk, b, C + (size_t)i * N + j, K, cols, PACK_WIDE / 16, p);
            else
                packed_row(A + (size_t)i * K, blk, b, C + (size_t)i * N + j, K, cols, PACK_NARROW / 16, p);
        }
        blk += (size_t)K * width;
        j += width;
    }
}

void edgec_matmul_f32_packed(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT packed,
                             const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    edgec_matmul_batches(a, packed, bias, out, p, matmul_packed_one);
}
