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

/* acc a##0..a##3 += the four vectors of k times lane l of v. */
#define FMA_ACC4(a, k, v, l)                                                                                        \
    do {                                                                                                            \
        a##0 = EDGEC_NEON_FMA_LANE_F32(a##0, (k).val[0], (v), l);                                                   \
        a##1 = EDGEC_NEON_FMA_LANE_F32(a##1, (k).val[1], (v), l);                                                   \
        a##2 = EDGEC_NEON_FMA_LANE_F32(a##2, (k).val[2], (v), l);                                                   \
        a##3 = EDGEC_NEON_FMA_LANE_F32(a##3, (k).val[3], (v), l);                                                   \
    } while (0)

/* Rows r0..r3 of A times columns [0, 16) of B (row stride N): 16 accumulators; per four k, four A loads (each
 * row's 4 k) and four 16-float rows of B in one LD1 each feed 64 FMLA by element. */
static void tile_4x16(const float *r0, const float *r1, const float *r2, const float *r3, const float *B,
                      const float *bias, float *out, int32_t K, int32_t N, float32x4_t lo, float32x4_t hi) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    const float32x4_t b0 = bias ? vld1q_f32(bias) : z, b1 = bias ? vld1q_f32(bias + 4) : z;
    const float32x4_t b2 = bias ? vld1q_f32(bias + 8) : z, b3 = bias ? vld1q_f32(bias + 12) : z;
    float32x4_t p00 = b0, p01 = b1, p02 = b2, p03 = b3, p10 = b0, p11 = b1, p12 = b2, p13 = b3;
    float32x4_t p20 = b0, p21 = b1, p22 = b2, p23 = b3, p30 = b0, p31 = b1, p32 = b2, p33 = b3;
    const float *bk = B;
    int32_t k = 0;
    for (; k + 4 <= K; k += 4, bk += 4 * (size_t)N) {
        const float32x4_t v0 = vld1q_f32(r0 + k), v1 = vld1q_f32(r1 + k), v2 = vld1q_f32(r2 + k), v3 = vld1q_f32(r3 + k);
        float32x4x4_t y = edgec_neon_ld4q_f32(bk);
        FMA_ACC4(p0, y, v0, 0); FMA_ACC4(p1, y, v1, 0); FMA_ACC4(p2, y, v2, 0); FMA_ACC4(p3, y, v3, 0);
        y = edgec_neon_ld4q_f32(bk + N);
        FMA_ACC4(p0, y, v0, 1); FMA_ACC4(p1, y, v1, 1); FMA_ACC4(p2, y, v2, 1); FMA_ACC4(p3, y, v3, 1);
        y = edgec_neon_ld4q_f32(bk + 2 * (size_t)N);
        FMA_ACC4(p0, y, v0, 2); FMA_ACC4(p1, y, v1, 2); FMA_ACC4(p2, y, v2, 2); FMA_ACC4(p3, y, v3, 2);
        y = edgec_neon_ld4q_f32(bk + 3 * (size_t)N);
        FMA_ACC4(p0, y, v0, 3); FMA_ACC4(p1, y, v1, 3); FMA_ACC4(p2, y, v2, 3); FMA_ACC4(p3, y, v3, 3);
    }
    for (; k < K; ++k, bk += N) {
        const float32x4x4_t y = edgec_neon_ld4q_f32(bk);
        const float32x4_t v0 = vdupq_n_f32(r0[k]), v1 = vdupq_n_f32(r1[k]), v2 = vdupq_n_f32(r2[k]), v3 = vdupq_n_f32(r3[k]);
        FMA_ACC4(p0, y, v0, 0); FMA_ACC4(p1, y, v1, 0); FMA_ACC4(p2, y, v2, 0); FMA_ACC4(p3, y, v3, 0);
    }
    const float32x4_t rows[4][4] = {{p00, p01, p02, p03}, {p10, p11, p12, p13}, {p20, p21, p22, p23},
                                    {p30, p31, p32, p33}};
    for (int32_t i = 0; i < 4; ++i)
        for (int32_t v = 0; v < 4; ++v) vst1q_f32(out + (size_t)i * N + 4 * v, vminq_f32(vmaxq_f32(rows[i][v], lo), hi));
}

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max), z = vdupq_n_f32(0.0f);
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) {
        const float *r0 = A + (size_t)i * K, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
        int32_t j = 0;
        for (; j + 16 <= N; j += 16) tile_4x16(r0, r1, r2, r3, B + j, bias ? bias + j : NULL, C + (size_t)i * N + j, K, N, lo, hi);
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
            int32_t k = 0;
            for (; k + 4 <= K; k += 4, bk += 4 * (size_t)N) { /* four k of the row per load, by lane */
                const float32x4_t x = vld1q_f32(r + k);
                float32x4x4_t y = edgec_neon_ld4q_f32(bk);
                FMA_ACC4(s, y, x, 0);
                y = edgec_neon_ld4q_f32(bk + N); FMA_ACC4(s, y, x, 1);
                y = edgec_neon_ld4q_f32(bk + 2 * (size_t)N); FMA_ACC4(s, y, x, 2);
                y = edgec_neon_ld4q_f32(bk + 3 * (size_t)N); FMA_ACC4(s, y, x, 3);
            }
            for (; k < K; ++k, bk += N) {
                const float32x4_t x = vdupq_n_f32(r[k]);
                const float32x4x4_t y = edgec_neon_ld4q_f32(bk);
                FMA_ACC4(s, y, x, 0);
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
