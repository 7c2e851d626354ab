/* Arm NEON: matrix multiply (Gemm, MatMul, fully connected), register-blocked along B's contiguous rows: a tile
 * of 4 rows x 8 columns keeps 8 vector accumulators, each k loads two B vectors and feeds them to 8 FMLA; a single
 * row (one sample through a fully connected layer) goes 16 columns at a time. Remainders take scalar loops.
 * Same results as the reference up to float summation order. */
#include "edgec_matmul_f32.h"
#include "edgec_neon.h"

/* One output element the plain way: column and row remainders. */
static float dot_column(const float *r, const float *B, int32_t K, int32_t N, int32_t j, float acc) {
    for (int32_t k = 0; k < K; ++k) acc = EDGEC_FMA(acc, r[k], B[(size_t)k * N + j]);
    return acc;
}

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max), z = vdupq_n_f32(0.0f);
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) {
        const float *r0 = A + (size_t)i * K, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
        int32_t j = 0;
        for (; j + 8 <= N; j += 8) {
            const float32x4_t b0 = bias ? vld1q_f32(bias + j) : z, b1 = bias ? vld1q_f32(bias + j + 4) : z;
            float32x4_t c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float32x4_t y0 = vld1q_f32(bk), y1 = vld1q_f32(bk + 4);
                const float32x4_t x0 = vdupq_n_f32(r0[k]), x1 = vdupq_n_f32(r1[k]);
                const float32x4_t x2 = vdupq_n_f32(r2[k]), x3 = vdupq_n_f32(r3[k]);
                c00 = edgec_neon_fma_f32(c00, x0, y0); c01 = edgec_neon_fma_f32(c01, x0, y1);
                c10 = edgec_neon_fma_f32(c10, x1, y0); c11 = edgec_neon_fma_f32(c11, x1, y1);
                c20 = edgec_neon_fma_f32(c20, x2, y0); c21 = edgec_neon_fma_f32(c21, x2, y1);
                c30 = edgec_neon_fma_f32(c30, x3, y0); c31 = edgec_neon_fma_f32(c31, x3, y1);
            }
            float *o = C + (size_t)i * N + j;
            vst1q_f32(o, vminq_f32(vmaxq_f32(c00, lo), hi)); vst1q_f32(o + 4, vminq_f32(vmaxq_f32(c01, lo), hi));
            o += N;
            vst1q_f32(o, vminq_f32(vmaxq_f32(c10, lo), hi)); vst1q_f32(o + 4, vminq_f32(vmaxq_f32(c11, lo), hi));
            o += N;
            vst1q_f32(o, vminq_f32(vmaxq_f32(c20, lo), hi)); vst1q_f32(o + 4, vminq_f32(vmaxq_f32(c21, lo), hi));
            o += N;
            vst1q_f32(o, vminq_f32(vmaxq_f32(c30, lo), hi)); vst1q_f32(o + 4, vminq_f32(vmaxq_f32(c31, lo), hi));
        }
        for (; j < N; ++j) {
            const float b = bias ? bias[j] : 0.0f;
            C[(size_t)i * N + j] = edgec_clampf(dot_column(r0, B, K, N, j, b), p->act_min, p->act_max);
            C[(size_t)(i + 1) * N + j] = edgec_clampf(dot_column(r1, B, K, N, j, b), p->act_min, p->act_max);
            C[(size_t)(i + 2) * N + j] = edgec_clampf(dot_column(r2, B, K, N, j, b), p->act_min, p->act_max);
            C[(size_t)(i + 3) * N + j] = edgec_clampf(dot_column(r3, B, K, N, j, b), p->act_min, p->act_max);
        }
    }
    for (; i < M; ++i) { /* single rows: 16, then 4 columns at a time */
        const float *r = A + (size_t)i * K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 16 <= N; j += 16) {
            float32x4_t s0 = bias ? vld1q_f32(bias + j) : z, s1 = bias ? vld1q_f32(bias + j + 4) : z;
            float32x4_t s2 = bias ? vld1q_f32(bias + j + 8) : z, s3 = bias ? vld1q_f32(bias + j + 12) : z;
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float32x4_t x = vdupq_n_f32(r[k]);
                s0 = edgec_neon_fma_f32(s0, x, vld1q_f32(bk)); s1 = edgec_neon_fma_f32(s1, x, vld1q_f32(bk + 4));
                s2 = edgec_neon_fma_f32(s2, x, vld1q_f32(bk + 8)); s3 = edgec_neon_fma_f32(s3, x, vld1q_f32(bk + 12));
            }
            vst1q_f32(o + j, vminq_f32(vmaxq_f32(s0, lo), hi)); vst1q_f32(o + j + 4, vminq_f32(vmaxq_f32(s1, lo), hi));
            vst1q_f32(o + j + 8, vminq_f32(vmaxq_f32(s2, lo), hi)); vst1q_f32(o + j + 12, vminq_f32(vmaxq_f32(s3, lo), hi));
        }
        for (; j + 4 <= N; j += 4) {
            float32x4_t s = bias ? vld1q_f32(bias + j) : z;
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) s = edgec_neon_fma_f32(s, vdupq_n_f32(r[k]), vld1q_f32(bk));
            vst1q_f32(o + j, vminq_f32(vmaxq_f32(s, lo), hi));
        }
        for (; j < N; ++j) o[j] = edgec_clampf(dot_column(r, B, K, N, j, bias ? bias[j] : 0.0f), p->act_min, p->act_max);
    }
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    edgec_matmul_batches(a, b, bias, out, p, matmul_one);
}
