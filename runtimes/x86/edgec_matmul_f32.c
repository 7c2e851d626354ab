/* Matrix multiply for x86 hosts on 8-float GNU C vectors (one AVX register, two SSE ones): B is row-major
 * [K][N], so a row of B is contiguous along the output columns; each A value is broadcast against column
 * vectors, no reduction across lanes. 4 rows x 16 columns per tile (8 accumulators), single rows (a fully
 * connected layer on one sample) 32 columns at a time; columns past the last 8 take scalar code.
 * Same signature as runtimes/reference/edgec_matmul_f32.c; equal up to float summation order. */
#include "edgec_matmul_f32.h"
#include "edgec_x86_fma.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define SELECT8(mask, a, b) ((v8f)(((v8i)(a) & (mask)) | ((v8i)(b) & ~(mask))))
/* clamp v to [lo8, hi8] lane by lane and store it at ptr */
#define STORE8_CLAMPED(ptr, v, lo8, hi8)                          \
    do {                                                          \
        v8f c_ = SELECT8((v) < (lo8), lo8, v);                    \
        c_ = SELECT8(c_ > (hi8), hi8, c_);                        \
        *(v8f_unaligned *)(void *)(ptr) = c_;                     \
    } while (0)
#define BIAS8(bias, j) ((bias) ? LOAD8((bias) + (j)) : (v8f){0})

/* Column j of rows [i0, i0 + rows) with scalar code. */
static void column(const float *A, const float *B, const float *bias, float *C, const edgec_matmul_params *p,
                   int32_t i0, int32_t rows, int32_t j) {
    for (int32_t i = i0; i < i0 + rows; ++i) {
        float acc = bias ? bias[j] : 0.0f;
        for (int32_t k = 0; k < p->k; ++k) EDGEC_X86_MADDF(acc, A[(size_t)i * p->k + k], B[(size_t)k * p->n + j]);
        C[(size_t)i * p->n + j] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const v8f lo8 = (v8f){0} + p->act_min, hi8 = (v8f){0} + p->act_max;
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) {
        const float *r0 = A + (size_t)i * K, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 16 <= N; j += 16) {
            const v8f b0 = BIAS8(bias, j), b1 = BIAS8(bias, j + 8);
            v8f a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const v8f k0 = LOAD8(bk), k1 = LOAD8(bk + 8);
                const float x0 = r0[k], x1 = r1[k], x2 = r2[k], x3 = r3[k];
                EDGEC_X86_MADD8(a00, x0, k0); EDGEC_X86_MADD8(a01, x0, k1); EDGEC_X86_MADD8(a10, x1, k0);
                EDGEC_X86_MADD8(a11, x1, k1); EDGEC_X86_MADD8(a20, x2, k0); EDGEC_X86_MADD8(a21, x2, k1);
                EDGEC_X86_MADD8(a30, x3, k0); EDGEC_X86_MADD8(a31, x3, k1);
            }
            STORE8_CLAMPED(o + j, a00, lo8, hi8); STORE8_CLAMPED(o + j + 8, a01, lo8, hi8);
            STORE8_CLAMPED(o + N + j, a10, lo8, hi8); STORE8_CLAMPED(o + N + j + 8, a11, lo8, hi8);
            STORE8_CLAMPED(o + 2 * N + j, a20, lo8, hi8); STORE8_CLAMPED(o + 2 * N + j + 8, a21, lo8, hi8);
            STORE8_CLAMPED(o + 3 * N + j, a30, lo8, hi8); STORE8_CLAMPED(o + 3 * N + j + 8, a31, lo8, hi8);
        }
        for (; j < N; ++j) column(A, B, bias, C, p, i, 4, j);
    }
    for (; i < M; ++i) { /* single rows: each weight is used once, four column vectors per pass */
        const float *r = A + (size_t)i * K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 32 <= N; j += 32) {
            v8f a0 = BIAS8(bias, j), a1 = BIAS8(bias, j + 8), a2 = BIAS8(bias, j + 16), a3 = BIAS8(bias, j + 24);
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) {
                const float x = r[k];
                EDGEC_X86_MADD8(a0, x, LOAD8(bk)); EDGEC_X86_MADD8(a1, x, LOAD8(bk + 8));
                EDGEC_X86_MADD8(a2, x, LOAD8(bk + 16)); EDGEC_X86_MADD8(a3, x, LOAD8(bk + 24));
            }
            STORE8_CLAMPED(o + j, a0, lo8, hi8); STORE8_CLAMPED(o + j + 8, a1, lo8, hi8);
            STORE8_CLAMPED(o + j + 16, a2, lo8, hi8); STORE8_CLAMPED(o + j + 24, a3, lo8, hi8);
        }
        for (; j + 8 <= N; j += 8) {
            v8f a0 = BIAS8(bias, j);
            const float *bk = B + j;
            for (int32_t k = 0; k < K; ++k, bk += N) EDGEC_X86_MADD8(a0, r[k], LOAD8(bk));
            STORE8_CLAMPED(o + j, a0, lo8, hi8);
        }
        for (; j < N; ++j) column(A, B, bias, C, p, i, 1, j);
    }
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    edgec_matmul_batches(a, b, bias, out, p, matmul_one);
}
