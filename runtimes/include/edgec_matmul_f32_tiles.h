/* The scalar float matmul's register blocking, shared by the optimized and Cortex-M sets (each keeps its own
 * single-row path: Cortex-M's is asm). The pointers are not restrict here: the callers' are, and restrict on an
 * inlined function's parameters changes GCC's scheduling of the same loops (a few bytes, not for the better). */
#ifndef EDGEC_MATMUL_F32_TILES_H
#define EDGEC_MATMUL_F32_TILES_H

#include "edgec_matmul_f32.h"

/* Rows i..i+3 of C: 4 x 4 tiles (each loaded value feeds four multiply-adds), then the last columns one at a
 * time. */
EDGEC_INLINE void edgec_matmul_f32_rows4(const float *A, const float *B, const float *bias, float *C, int32_t i,
                                         int32_t K, int32_t N, float lo, float hi) {
    const float *r0 = A + (size_t)i * K, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
    int32_t j = 0;
    for (; j + 4 <= N; j += 4) {
        float b0 = 0.0f, b1 = 0.0f, b2 = 0.0f, b3 = 0.0f;
        if (bias) { b0 = bias[j]; b1 = bias[j + 1]; b2 = bias[j + 2]; b3 = bias[j + 3]; }
        float c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3;
        float c20 = b0, c21 = b1, c22 = b2, c23 = b3, c30 = b0, c31 = b1, c32 = b2, c33 = b3;
        const float *bk = B + j;
        for (int32_t k = 0; k < K; ++k, bk += N) {
            const float x0 = r0[k], x1 = r1[k], x2 = r2[k], x3 = r3[k];
            const float y0 = bk[0], y1 = bk[1], y2 = bk[2], y3 = bk[3];
            c00 = EDGEC_FMA(c00, x0, y0); c01 = EDGEC_FMA(c01, x0, y1); c02 = EDGEC_FMA(c02, x0, y2); c03 = EDGEC_FMA(c03, x0, y3);
            c10 = EDGEC_FMA(c10, x1, y0); c11 = EDGEC_FMA(c11, x1, y1); c12 = EDGEC_FMA(c12, x1, y2); c13 = EDGEC_FMA(c13, x1, y3);
            c20 = EDGEC_FMA(c20, x2, y0); c21 = EDGEC_FMA(c21, x2, y1); c22 = EDGEC_FMA(c22, x2, y2); c23 = EDGEC_FMA(c23, x2, y3);
            c30 = EDGEC_FMA(c30, x3, y0); c31 = EDGEC_FMA(c31, x3, y1); c32 = EDGEC_FMA(c32, x3, y2); c33 = EDGEC_FMA(c33, x3, y3);
        }
        float *o = C + (size_t)i * N + j;
        o[0] = edgec_clampf(c00, lo, hi); o[1] = edgec_clampf(c01, lo, hi); o[2] = edgec_clampf(c02, lo, hi); o[3] = edgec_clampf(c03, lo, hi);
        o += N;
        o[0] = edgec_clampf(c10, lo, hi); o[1] = edgec_clampf(c11, lo, hi); o[2] = edgec_clampf(c12, lo, hi); o[3] = edgec_clampf(c13, lo, hi);
        o += N;
        o[0] = edgec_clampf(c20, lo, hi); o[1] = edgec_clampf(c21, lo, hi); o[2] = edgec_clampf(c22, lo, hi); o[3] = edgec_clampf(c23, lo, hi);
        o += N;
        o[0] = edgec_clampf(c30, lo, hi); o[1] = edgec_clampf(c31, lo, hi); o[2] = edgec_clampf(c32, lo, hi); o[3] = edgec_clampf(c33, lo, hi);
    }
    for (; j < N; ++j) {
        const float b = bias ? bias[j] : 0.0f;
        float s0 = b, s1 = b, s2 = b, s3 = b;
        for (int32_t k = 0; k < K; ++k) {
            const float y = B[(size_t)k * N + j];
            s0 = EDGEC_FMA(s0, r0[k], y); s1 = EDGEC_FMA(s1, r1[k], y); s2 = EDGEC_FMA(s2, r2[k], y); s3 = EDGEC_FMA(s3, r3[k], y);
        }
        C[(size_t)i * N + j] = edgec_clampf(s0, lo, hi);
        C[(size_t)(i + 1) * N + j] = edgec_clampf(s1, lo, hi);
        C[(size_t)(i + 2) * N + j] = edgec_clampf(s2, lo, hi);
        C[(size_t)(i + 3) * N + j] = edgec_clampf(s3, lo, hi);
    }
}

#endif
