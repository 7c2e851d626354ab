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
                c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
                c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
                c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
                c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
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
                s0 += r0[k] * y; s1 += r1[k] * y; s2 += r2[k] * y; s3 += r3[k] * y;
            }
            C[(size_t)i * N + j] = edgec_clampf(s0, lo, hi);
            C[(size_t)(i + 1) * N + j] = edgec_clampf(s1, lo, hi);
            C[(size_t)(i + 2) * N + j] = edgec_clampf(s2, lo, hi);
            C[(size_t)(i + 3) * N + j] = edgec_clampf(s3, lo, hi);
        }
    }
    for (; i < M; ++i) { /* single rows: 8 columns at a time */
        const float *r = A + (size_t)i * K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 8 <= N; j += 8) {
            float s[8];
            for (int32_t t = 0; t < 8; ++t) s[t] = bias ? bias[j + t] : 0.0f;
            float s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float x = r[k];
                s0 += x * bk[0]; s1 += x * bk[1]; s2 += x * bk[2]; s3 += x * bk[3];
                s4 += x * bk[4]; s5 += x * bk[5]; s6 += x * bk[6]; s7 += x * bk[7];
            }
            o[j] = edgec_clampf(s0, lo, hi); o[j + 1] = edgec_clampf(s1, lo, hi);
            o[j + 2] = edgec_clampf(s2, lo, hi); o[j + 3] = edgec_clampf(s3, lo, hi);
            o[j + 4] = edgec_clampf(s4, lo, hi); o[j + 5] = edgec_clampf(s5, lo, hi);
            o[j + 6] = edgec_clampf(s6, lo, hi); o[j + 7] = edgec_clampf(s7, lo, hi);
        }
        for (; j < N; ++j) {
            float acc = bias ? bias[j] : 0.0f;
            for (int32_t k = 0; k < K; ++k) acc += r[k] * B[(size_t)k * N + j];
            o[j] = edgec_clampf(acc, lo, hi);
        }
    }
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    const int32_t *s = p->batch_shape;
    const size_t mn = (size_t)p->m * p->n;
    size_t o = 0;
    for (int32_t i0 = 0; i0 < s[0]; ++i0)
    for (int32_t i1 = 0; i1 < s[1]; ++i1)
    for (int32_t i2 = 0; i2 < s[2]; ++i2)
    for (int32_t i3 = 0; i3 < s[3]; ++i3) {
        const size_t ao = (size_t)i0 * p->a_strides[0] + (size_t)i1 * p->a_strides[1] + (size_t)i2 * p->a_strides[2] + (size_t)i3 * p->a_strides[3];
        const size_t bo = (size_t)i0 * p->b_strides[0] + (size_t)i1 * p->b_strides[1] + (size_t)i2 * p->b_strides[2] + (size_t)i3 * p->b_strides[3];
        matmul_one(a + ao, b + bo, bias, out + o, p);
        o += mn;
    }
}
