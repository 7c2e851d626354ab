/* Matrix multiply, register-blocked: 4 rows x 4 columns per tile, or 1 row x 8 columns when there is a single
 * row (a fully connected layer on one sample), so each loaded value feeds several multiply-adds. */
#include "edgec_matmul_f32.h"

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float lo = p->act_min, hi = p->act_max;
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) {
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
    for (; i < M; ++i) { /* single rows: 16, then 8 columns at a time (each weight is used once: amortize the rest) */
        const float *r = A + (size_t)i * K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 16 <= N; j += 16) {
            float s[16];
            for (int32_t t = 0; t < 16; ++t) s[t] = bias ? bias[j + t] : 0.0f;
            float s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
            float s8 = s[8], s9 = s[9], s10 = s[10], s11 = s[11], s12 = s[12], s13 = s[13], s14 = s[14], s15 = s[15];
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float x = r[k];
                s0 = EDGEC_FMA(s0, x, bk[0]); s1 = EDGEC_FMA(s1, x, bk[1]); s2 = EDGEC_FMA(s2, x, bk[2]); s3 = EDGEC_FMA(s3, x, bk[3]);
                s4 = EDGEC_FMA(s4, x, bk[4]); s5 = EDGEC_FMA(s5, x, bk[5]); s6 = EDGEC_FMA(s6, x, bk[6]); s7 = EDGEC_FMA(s7, x, bk[7]);
                s8 = EDGEC_FMA(s8, x, bk[8]); s9 = EDGEC_FMA(s9, x, bk[9]); s10 = EDGEC_FMA(s10, x, bk[10]); s11 = EDGEC_FMA(s11, x, bk[11]);
                s12 = EDGEC_FMA(s12, x, bk[12]); s13 = EDGEC_FMA(s13, x, bk[13]); s14 = EDGEC_FMA(s14, x, bk[14]); s15 = EDGEC_FMA(s15, x, bk[15]);
            }
            s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3; s[4] = s4; s[5] = s5; s[6] = s6; s[7] = s7;
            s[8] = s8; s[9] = s9; s[10] = s10; s[11] = s11; s[12] = s12; s[13] = s13; s[14] = s14; s[15] = s15;
            for (int32_t t = 0; t < 16; ++t) o[j + t] = edgec_clampf(s[t], lo, hi);
        }
        for (; j + 8 <= N; j += 8) {
            float s[8];
            for (int32_t t = 0; t < 8; ++t) s[t] = bias ? bias[j + t] : 0.0f;
            float s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float x = r[k];
                s0 = EDGEC_FMA(s0, x, bk[0]); s1 = EDGEC_FMA(s1, x, bk[1]); s2 = EDGEC_FMA(s2, x, bk[2]); s3 = EDGEC_FMA(s3, x, bk[3]);
                s4 = EDGEC_FMA(s4, x, bk[4]); s5 = EDGEC_FMA(s5, x, bk[5]); s6 = EDGEC_FMA(s6, x, bk[6]); s7 = EDGEC_FMA(s7, x, bk[7]);
            }
            o[j] = edgec_clampf(s0, lo, hi); o[j + 1] = edgec_clampf(s1, lo, hi);
            o[j + 2] = edgec_clampf(s2, lo, hi); o[j + 3] = edgec_clampf(s3, lo, hi);
            o[j + 4] = edgec_clampf(s4, lo, hi); o[j + 5] = edgec_clampf(s5, lo, hi);
            o[j + 6] = edgec_clampf(s6, lo, hi); o[j + 7] = edgec_clampf(s7, lo, hi);
        }
        for (; j < N; ++j) {
            float acc = bias ? bias[j] : 0.0f;
            for (int32_t k = 0; k < K; ++k) acc = EDGEC_FMA(acc, r[k], B[(size_t)k * N + j]);
            o[j] = edgec_clampf(acc, lo, hi);
        }
    }
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    edgec_matmul_batches(a, b, bias, out, p, matmul_one);
}
