/* Cortex-M twin of optimized/edgec_matmul_f32.c (same signature, same results up to float summation order).
 * Fully connected layers on one sample (a single row: ad01's 640-128-...-640 stack) use each weight once, so the
 * limit is one load per MAC; with the FPU the row's 16 (or 8) columns at a time are one asm loop over pairs of k:
 * per k, the 16 weights come in two VLDMs (8 s-registers each) and feed 16 VFMAs into accumulators held in
 * s16-s31, 41 instructions per 32 MACs with the loop. Several rows keep the optimized set's 4 x 4 C tiles
 * (edgec_matmul_f32_tiles.h). */
#include "edgec_matmul_f32_tiles.h"

#include "edgec_cm_fpu.h"

/* s[t] += sum over k < 2 * pairs of x[k] * b[k * n + t], t < 16 (b: the row's first column, n: floats per row). */
static void row_16(float *s, const float *x, const float *b, int32_t n, int32_t pairs) {
#if EDGEC_CM_FPU_ASM
    if (pairs > 0) {
        const int32_t step = n * 4 - 32; /* bytes from the second half of one k's 16 weights to the next k's */
        __asm__ volatile(
            "vldmia %[s], {s16-s31}\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s8-s9}\n\t"
            "vldmia %[b]!, {s0-s7}\n\t"
            "vfma.f32 s16, s8, s0\n\t" "vfma.f32 s17, s8, s1\n\t" "vfma.f32 s18, s8, s2\n\t" "vfma.f32 s19, s8, s3\n\t"
            "vfma.f32 s20, s8, s4\n\t" "vfma.f32 s21, s8, s5\n\t" "vfma.f32 s22, s8, s6\n\t" "vfma.f32 s23, s8, s7\n\t"
            "vldmia %[b], {s0-s7}\n\t"
            "add %[b], %[b], %[step]\n\t"
            "vfma.f32 s24, s8, s0\n\t" "vfma.f32 s25, s8, s1\n\t" "vfma.f32 s26, s8, s2\n\t" "vfma.f32 s27, s8, s3\n\t"
            "vfma.f32 s28, s8, s4\n\t" "vfma.f32 s29, s8, s5\n\t" "vfma.f32 s30, s8, s6\n\t" "vfma.f32 s31, s8, s7\n\t"
            "vldmia %[b]!, {s0-s7}\n\t"
            "vfma.f32 s16, s9, s0\n\t" "vfma.f32 s17, s9, s1\n\t" "vfma.f32 s18, s9, s2\n\t" "vfma.f32 s19, s9, s3\n\t"
            "vfma.f32 s20, s9, s4\n\t" "vfma.f32 s21, s9, s5\n\t" "vfma.f32 s22, s9, s6\n\t" "vfma.f32 s23, s9, s7\n\t"
            "vldmia %[b], {s0-s7}\n\t"
            "add %[b], %[b], %[step]\n\t"
            "vfma.f32 s24, s9, s0\n\t" "vfma.f32 s25, s9, s1\n\t" "vfma.f32 s26, s9, s2\n\t" "vfma.f32 s27, s9, s3\n\t"
            "vfma.f32 s28, s9, s4\n\t" "vfma.f32 s29, s9, s5\n\t" "vfma.f32 s30, s9, s6\n\t" "vfma.f32 s31, s9, s7\n\t"
            "subs %[pairs], %[pairs], #1\n\t"
            "bne 1b\n\t"
            "vstmia %[s], {s16-s31}"
            : [x] "+r"(x), [b] "+r"(b), [pairs] "+r"(pairs)
            : [s] "r"(s), [step] "r"(step)
            : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s16", "s17", "s18", "s19", "s20", "s21",
              "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
    }
#else
    for (; pairs > 0; --pairs)
        for (int32_t k = 0; k < 2; ++k, ++x, b += n)
            for (int32_t t = 0; t < 16; ++t) s[t] = EDGEC_FMA(s[t], *x, b[t]);
#endif
}

/* The same for 8 columns: one VLDM and 8 VFMAs per k, 23 instructions per 16 MACs. */
static void row_8(float *s, const float *x, const float *b, int32_t n, int32_t pairs) {
#if EDGEC_CM_FPU_ASM
    if (pairs > 0) {
        const int32_t step = n * 4;
        __asm__ volatile(
            "vldmia %[s], {s16-s23}\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s8-s9}\n\t"
            "vldmia %[b], {s0-s7}\n\t"
            "add %[b], %[b], %[step]\n\t"
            "vfma.f32 s16, s8, s0\n\t" "vfma.f32 s17, s8, s1\n\t" "vfma.f32 s18, s8, s2\n\t" "vfma.f32 s19, s8, s3\n\t"
            "vfma.f32 s20, s8, s4\n\t" "vfma.f32 s21, s8, s5\n\t" "vfma.f32 s22, s8, s6\n\t" "vfma.f32 s23, s8, s7\n\t"
            "vldmia %[b], {s0-s7}\n\t"
            "add %[b], %[b], %[step]\n\t"
            "vfma.f32 s16, s9, s0\n\t" "vfma.f32 s17, s9, s1\n\t" "vfma.f32 s18, s9, s2\n\t" "vfma.f32 s19, s9, s3\n\t"
            "vfma.f32 s20, s9, s4\n\t" "vfma.f32 s21, s9, s5\n\t" "vfma.f32 s22, s9, s6\n\t" "vfma.f32 s23, s9, s7\n\t"
            "subs %[pairs], %[pairs], #1\n\t"
            "bne 1b\n\t"
            "vstmia %[s], {s16-s23}"
            : [x] "+r"(x), [b] "+r"(b), [pairs] "+r"(pairs)
            : [s] "r"(s), [step] "r"(step)
            : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s16", "s17", "s18", "s19", "s20", "s21",
              "s22", "s23", "cc", "memory");
    }
#else
    for (; pairs > 0; --pairs)
        for (int32_t k = 0; k < 2; ++k, ++x, b += n)
            for (int32_t t = 0; t < 8; ++t) s[t] = EDGEC_FMA(s[t], *x, b[t]);
#endif
}

/* One row times `width` (16 or 8) columns from column j: bias, the pairs of k, an odd last k, the clamp. */
static void row_block(const float *r, const float *B, const float *bias, float *o, int32_t K, int32_t N, int32_t j,
                      int32_t width, float lo, float hi) {
    float s[16];
    for (int32_t t = 0; t < width; ++t) s[t] = bias ? bias[j + t] : 0.0f;
    if (width == 16)
        row_16(s, r, B + j, N, K >> 1);
    else
        row_8(s, r, B + j, N, K >> 1);
    if (K & 1) {
        const float x = r[K - 1], *bk = B + (size_t)(K - 1) * N + j;
        for (int32_t t = 0; t < width; ++t) s[t] = EDGEC_FMA(s[t], x, bk[t]);
    }
    for (int32_t t = 0; t < width; ++t) o[j + t] = edgec_clampf(s[t], lo, hi);
}

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const int32_t M = p->m, K = p->k, N = p->n;
    const float lo = p->act_min, hi = p->act_max;
    int32_t i = 0;
    for (; i + 4 <= M; i += 4) edgec_matmul_f32_rows4(A, B, bias, C, i, K, N, lo, hi);
    for (; i < M; ++i) { /* single rows: 16, then 8 columns at a time (each weight is used once) */
        const float *r = A + (size_t)i * K;
        float *o = C + (size_t)i * N;
        int32_t j = 0;
        for (; j + 16 <= N; j += 16) row_block(r, B, bias, o, K, N, j, 16, lo, hi);
        for (; j + 8 <= N; j += 8) row_block(r, B, bias, o, K, N, j, 8, lo, hi);
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
