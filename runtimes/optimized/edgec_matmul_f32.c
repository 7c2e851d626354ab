/* Matrix multiply, register-blocked: 4 rows x 4 columns per tile, or 1 row x 8 columns when there is a single
 * row (a fully connected layer on one sample), so each loaded value feeds several multiply-adds. */
#include "edgec_matmul_f32_tiles.h"

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float lo = p->act_min, hi = p->act_max;
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) edgec_matmul_f32_rows4(A, B, bias, C, i, K, N, lo, hi);
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
