/* edgec runtime: the few Arm NEON building blocks the runtimes/neon/ kernels share, for AArch64 and Armv7-A
 * (-mfpu=neon-vfpv4). The int8 dot product is SDOT where the core has it (__ARM_FEATURE_DOTPROD, from the
 * target's -mcpu: cortex-a55, cortex-a76), SMULL + SADALP otherwise; both are exact integer arithmetic. */
#ifndef EDGEC_NEON_H
#define EDGEC_NEON_H

#include <arm_neon.h>

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

/* Sum of the four lanes. */
EDGEC_INLINE int32_t edgec_neon_hsum_s32(int32x4_t v) {
#if defined(__aarch64__)
    return vaddvq_s32(v);
#else
    const int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
    return vget_lane_s32(vpadd_s32(s, s), 0);
#endif
}

/* Whether any lane is nonzero (a mask's "some"). */
EDGEC_INLINE int edgec_neon_any_u32(uint32x4_t v) {
#if defined(__aarch64__)
    return vmaxvq_u32(v) != 0;
#else
    const uint32x2_t m = vorr_u32(vget_low_u32(v), vget_high_u32(v));
    return (vget_lane_u32(m, 0) | vget_lane_u32(m, 1)) != 0;
#endif
}

EDGEC_INLINE float edgec_neon_hsum_f32(float32x4_t v) {
#if defined(__aarch64__)
    return vaddvq_f32(v);
#else
    const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
}

/* {hsum(a), hsum(b), hsum(c), hsum(d)}: four accumulators reduced into one vector. */
EDGEC_INLINE int32x4_t edgec_neon_hsum4_s32(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
#if defined(__aarch64__)
    return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
#else
    const int32x2_t ab = vpadd_s32(vpadd_s32(vget_low_s32(a), vget_high_s32(a)),
                                   vpadd_s32(vget_low_s32(b), vget_high_s32(b)));
    const int32x2_t cd = vpadd_s32(vpadd_s32(vget_low_s32(c), vget_high_s32(c)),
                                   vpadd_s32(vget_low_s32(d), vget_high_s32(d)));
    return vcombine_s32(ab, cd);
#endif
}

EDGEC_INLINE float32x4_t edgec_neon_hsum4_f32(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
#if defined(__aarch64__)
    return vpaddq_f32(vpaddq_f32(a, b), vpaddq_f32(c, d));
#else
    const float32x2_t ab = vpadd_f32(vpadd_f32(vget_low_f32(a), vget_high_f32(a)),
                                     vpadd_f32(vget_low_f32(b), vget_high_f32(b)));
    const float32x2_t cd = vpadd_f32(vpadd_f32(vget_low_f32(c), vget_high_f32(c)),
                                     vpadd_f32(vget_low_f32(d), vget_high_f32(d)));
    return vcombine_f32(ab, cd);
#endif
}

/* acc + a * b, fused (FMLA / VFMA). */
EDGEC_INLINE float32x4_t edgec_neon_fma_f32(float32x4_t acc, float32x4_t a, float32x4_t b) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
    return vfmaq_f32(acc, a, b);
#else
    return vmlaq_f32(acc, a, b);
#endif
}

/* Four consecutive float vectors at p: one LD1 of four registers on AArch64, four loads on Armv7-A. */
EDGEC_INLINE float32x4x4_t edgec_neon_ld4q_f32(const float *p) {
#if defined(__aarch64__)
    return vld1q_f32_x4(p);
#else
    float32x4x4_t r;
    r.val[0] = vld1q_f32(p); r.val[1] = vld1q_f32(p + 4); r.val[2] = vld1q_f32(p + 8); r.val[3] = vld1q_f32(p + 12);
    return r;
#endif
}

/* {a0 + a1, a2 + a3, b0 + b1, b2 + b3}: ADDP. */
EDGEC_INLINE int32x4_t edgec_neon_pairs_s32(int32x4_t a, int32x4_t b) {
#if defined(__aarch64__)
    return vpaddq_s32(a, b);
#else
    return vcombine_s32(vpadd_s32(vget_low_s32(a), vget_high_s32(a)), vpadd_s32(vget_low_s32(b), vget_high_s32(b)));
#endif
}

/* Four bytes at x as one 32-bit lane repeated. AArch64: one LD1R (any alignment; the may_alias word reads the
 * int8 bytes in place); Armv7-A: a word copied and duplicated, VLD1 of a word may require its alignment. */
EDGEC_INLINE int8x16_t edgec_neon_quad_s8(const int8_t *x) {
#if defined(__aarch64__)
    typedef int32_t edgec_neon_word __attribute__((may_alias));
    return vreinterpretq_s8_s32(vld1q_dup_s32((const edgec_neon_word *)(const void *)x));
#else
    int32_t word;
    __builtin_memcpy(&word, x, 4);
    return vreinterpretq_s8_s32(vdupq_n_s32(word));
#endif
}

/* 64 bytes at w: one LD1 of four registers on AArch64 (the packed int8 weights' unit), four loads on Armv7-A. */
EDGEC_INLINE int8x16x4_t edgec_neon_ld64_s8(const int8_t *w) {
#if defined(__aarch64__)
    return vld1q_s8_x4(w);
#else
    int8x16x4_t r;
    r.val[0] = vld1q_s8(w); r.val[1] = vld1q_s8(w + 16); r.val[2] = vld1q_s8(w + 32); r.val[3] = vld1q_s8(w + 48);
    return r;
#endif
}

#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
/* A0..A3 (16 channels, four a register) += the 64 bytes of packed weights at W (advanced past them) times the quad
 * in lane LANE of V: one LD1 and four SDOTs by element. */
#define EDGEC_NEON_SDOT_LANE(W, V, LANE, A0, A1, A2, A3)                                                         \
    do {                                                                                                         \
        const int8x16x4_t k_ = edgec_neon_ld64_s8(W);                                                            \
        (W) += 64;                                                                                               \
        A0 = vdotq_laneq_s32(A0, k_.val[0], V, LANE); A1 = vdotq_laneq_s32(A1, k_.val[1], V, LANE);             \
        A2 = vdotq_laneq_s32(A2, k_.val[2], V, LANE); A3 = vdotq_laneq_s32(A3, k_.val[3], V, LANE);             \
    } while (0)
#endif

/* acc + w * x[lane], fused, the lane a constant: FMLA by element on AArch64 (no broadcast instruction); Armv7-A
 * has no fused by-lane form, so there the lane is duplicated first. */
#if defined(__aarch64__)
#define EDGEC_NEON_FMA_LANE_F32(acc, w, x, lane) vfmaq_laneq_f32((acc), (w), (x), (lane))
#else
#define EDGEC_NEON_FMA_LANE_F32(acc, w, x, lane) edgec_neon_fma_f32((acc), (w), vdupq_n_f32(vgetq_lane_f32((x), (lane))))
#endif

#if defined(__aarch64__)
/* Four channels' pairs of half sums H0..H3 += the weight quads K0, K1 (first quad) and L0, L1 (second) times the
 * input quads A and B: the products of a pair of quads summed in the int16 sums T0..T3 (SMULL + SMLAL), then
 * widened (SADALP). (EDGEC_NEON_SYM_MUL2: in v20-v23.) */
#define EDGEC_NEON_SYM_MUL2_IN(T0, T1, T2, T3, K0, K1, L0, L1, A, B, H0, H1, H2, H3)                             \
    "smull " T0 ".8h, " K0 ".8b, " A ".8b\n" "smull2 " T1 ".8h, " K0 ".16b, " A ".16b\n"                       \
    "smull " T2 ".8h, " K1 ".8b, " A ".8b\n" "smull2 " T3 ".8h, " K1 ".16b, " A ".16b\n"                       \
    "smlal " T0 ".8h, " L0 ".8b, " B ".8b\n" "smlal2 " T1 ".8h, " L0 ".16b, " B ".16b\n"                       \
    "smlal " T2 ".8h, " L1 ".8b, " B ".8b\n" "smlal2 " T3 ".8h, " L1 ".16b, " B ".16b\n"                       \
    "sadalp " H0 ".4s, " T0 ".8h\n" "sadalp " H1 ".4s, " T1 ".8h\n"                                            \
    "sadalp " H2 ".4s, " T2 ".8h\n" "sadalp " H3 ".4s, " T3 ".8h\n"
/* One pixel's pair of quads (already in v8, v9: one LD2R) against 16 channels' weights at W (advanced past
 * them, v0-v7), into H0..H7 (int16 sums in v12-v15): EDGEC_NEON_SYM_LOOP's pass, and the int8 fully connected
 * layer's (two blocks a pass, each its own weights and half sums). */
#define EDGEC_NEON_SYM_QUADS(W, H0, H1, H2, H3, H4, H5, H6, H7)                                                   \
    "ld1 {v0.16b - v3.16b}, [" W "], #64\n" "ld1 {v4.16b - v7.16b}, [" W "], #64\n"                            \
    EDGEC_NEON_SYM_MUL2_IN("v12", "v13", "v14", "v15", "v0", "v1", "v4", "v5", "v8", "v9", H0, H1, H2, H3)       \
    EDGEC_NEON_SYM_MUL2_IN("v12", "v13", "v14", "v15", "v2", "v3", "v6", "v7", "v8", "v9", H4, H5, H6, H7)
/* Without the dot product, for weights within [-127, 127] (two int8 products fit an int16 lane), 16 channels' int8
 * sums over n (> 0) pairs of quads of one pixel (SMULL + SMLAL, then SADALP): x the pixel's bytes, w the weights
 * packed as pack_conv_s8_dot4's ([K/4][16][4]), both advanced past them; H0..H7 int32x4_t, two per four channels
 * (pairs of lanes to add). The loop in assembly: the intrinsics' version spilled accumulators every pass. v0-v7
 * the two quads' weights, v8-v9 the input quads (one LD2R), v12-v15 four int16 sums in flight. Used by the int8
 * fully connected layer (edgec_fully_connected_s8_dot4.c: one sample, so one pixel). */
#define EDGEC_NEON_SYM_LOOP(X, W, N, H0, H1, H2, H3, H4, H5, H6, H7)                                                \
    __asm__("1:\n" "ld2r {v8.4s, v9.4s}, [%[x]], #8\n"                                                          \
            EDGEC_NEON_SYM_QUADS("%[w]", "%[h0]", "%[h1]", "%[h2]", "%[h3]", "%[h4]", "%[h5]", "%[h6]", "%[h7]")  \
            "subs %w[n], %w[n], #1\n" "b.ne 1b\n"                                                                \
            : [x] "+r"(X), [w] "+r"(W), [n] "+r"(N), [h0] "+w"(H0), [h1] "+w"(H1), [h2] "+w"(H2), [h3] "+w"(H3), \
              [h4] "+w"(H4), [h5] "+w"(H5), [h6] "+w"(H6), [h7] "+w"(H7)                                         \
            :                                                                                                    \
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v12", "v13", "v14", "v15", "memory",  \
              "cc")
/* Without the dot product, for weights within [-127, 127] (two int8 products fit an int16 lane), two pixels' sums
 * over 16 channels (SMULL + SMLAL, then SADALP), the loop in assembly over a whole window. X0, X1: the pixels'
 * first bytes, W: the weights packed as pack_conv_s8_dot4's ([K/4][16][4]), all three advanced; ROWS (> 0) kernel
 * rows, each n pairs of quads, one quad more when TAIL (SMULL + SADALP), then SKIP bytes to the row's next.
 * A0..A7 (pixel 0) and B0..B7 (pixel 1), int32x4_t, two per four channels (pairs of lanes to add), start from the
 * 32 int32 at B. Each pair of weight quads, loaded once (v0-v7), feeds both pixels; one LD2R fetches a pixel's
 * two quads (v16-v17, v18-v19); v20-v23 the int16 sums in flight. The accumulators are the only vector operands,
 * outputs only (GCC's 30 operands count an in-out operand twice), the registers in use named in the clobbers:
 * 52 instructions per pair of quads and two pixels, 256 MACs (0.203 per MAC), and the loop's count and branch.
 * EDGEC_NEON_SYM_LOOP2_EVEN: n even and no tail (kernel rows of whole 16-byte runs), two pairs a pass. Used by
 * the int8 and the hybrid conv. */
#define EDGEC_NEON_SYM_MUL2(K0, K1, L0, L1, A, B, H0, H1, H2, H3)                                                \
    EDGEC_NEON_SYM_MUL2_IN("v20", "v21", "v22", "v23", K0, K1, L0, L1, A, B, H0, H1, H2, H3)
#define EDGEC_NEON_SYM_MUL1(K0, K1, A, H0, H1, H2, H3)                                                           \
    "smull v20.8h, " K0 ".8b, " A ".8b\n" "smull2 v21.8h, " K0 ".16b, " A ".16b\n"                             \
    "smull v22.8h, " K1 ".8b, " A ".8b\n" "smull2 v23.8h, " K1 ".16b, " A ".16b\n"                             \
    "sadalp " H0 ".4s, v20.8h\n" "sadalp " H1 ".4s, v21.8h\n"                                                  \
    "sadalp " H2 ".4s, v22.8h\n" "sadalp " H3 ".4s, v23.8h\n"
#define EDGEC_NEON_SYM2_INIT                                                                                     \
    "ldp %q[a0], %q[a1], [%[b]]\n" "ldp %q[a2], %q[a3], [%[b], #32]\n"                                         \
    "ldp %q[a4], %q[a5], [%[b], #64]\n" "ldp %q[a6], %q[a7], [%[b], #96]\n"                                    \
    "ldp %q[b0], %q[b1], [%[b]]\n" "ldp %q[b2], %q[b3], [%[b], #32]\n"                                         \
    "ldp %q[b4], %q[b5], [%[b], #64]\n" "ldp %q[b6], %q[b7], [%[b], #96]\n"
/* One pair of quads for two pixels: the pointers X0, X1 (the pixels' bytes) and W (the weights) advanced, the sums
 * added into A0..A7 (pixel 0) and B0..B7 (pixel 1): asm operand or register names, as strings. */
#define EDGEC_NEON_SYM2_PAIR_ON(X0, X1, W, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3, B4, B5, B6, B7)        \
    "ld2r {v16.4s, v17.4s}, [" X0 "], #8\n" "ld2r {v18.4s, v19.4s}, [" X1 "], #8\n"                            \
    "ld1 {v0.16b - v3.16b}, [" W "], #64\n" "ld1 {v4.16b - v7.16b}, [" W "], #64\n"                            \
    EDGEC_NEON_SYM_MUL2("v0", "v1", "v4", "v5", "v16", "v17", A0, A1, A2, A3)                                   \
    EDGEC_NEON_SYM_MUL2("v2", "v3", "v6", "v7", "v16", "v17", A4, A5, A6, A7)                                   \
    EDGEC_NEON_SYM_MUL2("v0", "v1", "v4", "v5", "v18", "v19", B0, B1, B2, B3)                                   \
    EDGEC_NEON_SYM_MUL2("v2", "v3", "v6", "v7", "v18", "v19", B4, B5, B6, B7)
#define EDGEC_NEON_SYM2_PAIR                                                                                     \
    EDGEC_NEON_SYM2_PAIR_ON("%[x0]", "%[x1]", "%[w]", "%[a0]", "%[a1]", "%[a2]", "%[a3]", "%[a4]", "%[a5]",     \
                            "%[a6]", "%[a7]", "%[b0]", "%[b1]", "%[b2]", "%[b3]", "%[b4]", "%[b5]", "%[b6]",    \
                            "%[b7]")
#define EDGEC_NEON_SYM2_OUT(X0, X1, W, ROWS, C, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3, B4, B5, B6, B7)  \
    [x0] "+r"(X0), [x1] "+r"(X1), [w] "+r"(W), [r] "+r"(ROWS), [c] "=&r"(C), [a0] "=w"(A0), [a1] "=w"(A1),      \
        [a2] "=w"(A2), [a3] "=w"(A3), [a4] "=w"(A4), [a5] "=w"(A5), [a6] "=w"(A6), [a7] "=w"(A7), [b0] "=w"(B0), \
        [b1] "=w"(B1), [b2] "=w"(B2), [b3] "=w"(B3), [b4] "=w"(B4), [b5] "=w"(B5), [b6] "=w"(B6), [b7] "=w"(B7)
#define EDGEC_NEON_SYM2_CLOBBERS                                                                                 \
    "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",     \
        "memory", "cc"
#define EDGEC_NEON_SYM_LOOP2(X0, X1, W, B, ROWS, N, TAIL, SKIP, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3,  \
                             B4, B5, B6, B7)                                                                     \
    do {                                                                                                         \
        int32_t cnt_;                                                                                            \
        __asm__(EDGEC_NEON_SYM2_INIT                                                                             \
                "0:\n" "mov %w[c], %w[n]\n" "cbz %w[c], 2f\n"                                                  \
                "1:\n" EDGEC_NEON_SYM2_PAIR "subs %w[c], %w[c], #1\n" "b.ne 1b\n"                              \
                "2:\n" "cbz %w[t], 3f\n"                                                                         \
                "ld1r {v16.4s}, [%[x0]], #4\n" "ld1r {v18.4s}, [%[x1]], #4\n"                                  \
                "ld1 {v0.16b - v3.16b}, [%[w]], #64\n"                                                           \
                EDGEC_NEON_SYM_MUL1("v0", "v1", "v16", "%[a0]", "%[a1]", "%[a2]", "%[a3]")                     \
                EDGEC_NEON_SYM_MUL1("v2", "v3", "v16", "%[a4]", "%[a5]", "%[a6]", "%[a7]")                     \
                EDGEC_NEON_SYM_MUL1("v0", "v1", "v18", "%[b0]", "%[b1]", "%[b2]", "%[b3]")                     \
                EDGEC_NEON_SYM_MUL1("v2", "v3", "v18", "%[b4]", "%[b5]", "%[b6]", "%[b7]")                     \
                "3:\n" "add %[x0], %[x0], %[skip]\n" "add %[x1], %[x1], %[skip]\n"                             \
                "subs %w[r], %w[r], #1\n" "b.ne 0b\n"                                                            \
                : EDGEC_NEON_SYM2_OUT(X0, X1, W, ROWS, cnt_, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3, B4, \
                                      B5, B6, B7)                                                                \
                : [b] "r"(B), [n] "r"(N), [t] "r"(TAIL), [skip] "r"(SKIP)                                        \
                : EDGEC_NEON_SYM2_CLOBBERS);                                                                     \
    } while (0)
#define EDGEC_NEON_SYM_LOOP2_EVEN(X0, X1, W, B, ROWS, HALF_N, SKIP, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2,  \
                                  B3, B4, B5, B6, B7)                                                            \
    do {                                                                                                         \
        int32_t cnt_;                                                                                            \
        __asm__(EDGEC_NEON_SYM2_INIT                                                                             \
                "0:\n" "mov %w[c], %w[n]\n"                                                                    \
                "1:\n" EDGEC_NEON_SYM2_PAIR EDGEC_NEON_SYM2_PAIR "subs %w[c], %w[c], #1\n" "b.ne 1b\n"         \
                "add %[x0], %[x0], %[skip]\n" "add %[x1], %[x1], %[skip]\n"                                    \
                "subs %w[r], %w[r], #1\n" "b.ne 0b\n"                                                            \
                : EDGEC_NEON_SYM2_OUT(X0, X1, W, ROWS, cnt_, A0, A1, A2, A3, A4, A5, A6, A7, B0, B1, B2, B3, B4, \
                                      B5, B6, B7)                                                                \
                : [b] "r"(B), [n] "r"(HALF_N), [skip] "r"(SKIP)                                                  \
                : EDGEC_NEON_SYM2_CLOBBERS);                                                                     \
    } while (0)
#endif

/* Lanes of acc += the 16 products x[i] * w[i], in groups of four (SDOT), or in pairs (SMULL + SADALP): either way
 * the exact integer sum of the 16 products ends up spread over the four lanes. */
EDGEC_INLINE int32x4_t edgec_neon_dot16_s8(int32x4_t acc, int8x16_t x, int8x16_t w) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, x, w);
#else
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
#if defined(__aarch64__)
    return vpadalq_s16(acc, vmull_high_s8(x, w));
#else
    return vpadalq_s16(acc, vmull_s8(vget_high_s8(x), vget_high_s8(w)));
#endif
#endif
}

/* acc[j] += sum_{i < n} x[i] * w[j * w_stride + i] for four weight rows j: each x vector loaded once feeds four
 * rows. Exact int32 arithmetic (wrapping like the reference's would only where it overflows). */
EDGEC_INLINE int32x4_t edgec_neon_dot4_s8(int32x4_t acc, const int8_t *x, const int8_t *w, size_t w_stride,
                                          int32_t n) {
    const int8_t *w0 = w, *w1 = w + w_stride, *w2 = w1 + w_stride, *w3 = w2 + w_stride;
    int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const int8x16_t v = vld1q_s8(x + i);
        a0 = edgec_neon_dot16_s8(a0, v, vld1q_s8(w0 + i));
        a1 = edgec_neon_dot16_s8(a1, v, vld1q_s8(w1 + i));
        a2 = edgec_neon_dot16_s8(a2, v, vld1q_s8(w2 + i));
        a3 = edgec_neon_dot16_s8(a3, v, vld1q_s8(w3 + i));
    }
    if (i + 8 <= n) {
        const int8x8_t v = vld1_s8(x + i);
        a0 = vpadalq_s16(a0, vmull_s8(v, vld1_s8(w0 + i)));
        a1 = vpadalq_s16(a1, vmull_s8(v, vld1_s8(w1 + i)));
        a2 = vpadalq_s16(a2, vmull_s8(v, vld1_s8(w2 + i)));
        a3 = vpadalq_s16(a3, vmull_s8(v, vld1_s8(w3 + i)));
        i += 8;
    }
    acc = vaddq_s32(acc, edgec_neon_hsum4_s32(a0, a1, a2, a3));
    if (i < n) {
        int32_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (; i < n; ++i) {
            const int32_t v = x[i];
            t0 += v * w0[i]; t1 += v * w1[i]; t2 += v * w2[i]; t3 += v * w3[i];
        }
        const int32_t t[4] = {t0, t1, t2, t3};
        acc = vaddq_s32(acc, vld1q_s32(t));
    }
    return acc;
}

/* The same for one weight row. */
EDGEC_INLINE int32_t edgec_neon_dot1_s8(const int8_t *x, const int8_t *w, int32_t n) {
    int32x4_t a = vdupq_n_s32(0);
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) a = edgec_neon_dot16_s8(a, vld1q_s8(x + i), vld1q_s8(w + i));
    int32_t t = edgec_neon_hsum_s32(a);
    for (; i < n; ++i) t += (int32_t)x[i] * w[i];
    return t;
}

/* sum_{i < n} x[i] (SADDLP, SADALP). */
EDGEC_INLINE int32_t edgec_neon_sum_s8(const int8_t *x, int32_t n) {
    int32x4_t a = vdupq_n_s32(0);
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) a = vpadalq_s16(a, vpaddlq_s8(vld1q_s8(x + i)));
    int32_t t = edgec_neon_hsum_s32(a);
    for (; i < n; ++i) t += x[i];
    return t;
}

/* edgec_requant on four accumulators (channels c..c+3 of multiplier[] and shift[]), the same bits:
 * EDGEC_REQUANT_FIXED as TFLite's NEON kernels do it, SQRDMULH being exactly edgec_srdhm (saturation included) and
 * the rounding shift (RSHL, ties up) made ties-away-from-zero by first subtracting 1 from negative values;
 * EDGEC_REQUANT_FLOAT with the reference's float operations, each rounded as in the scalar code. */
EDGEC_INLINE int32x4_t edgec_neon_requant4(int32x4_t acc, const int32_t *multiplier, const int32_t *shift,
                                           int32_t mode, int32_t zero_point, int32_t lo, int32_t hi) {
    const int32x4_t zp = vdupq_n_s32(zero_point);
    if (mode == EDGEC_REQUANT_FLOAT) {
        const float32x4_t scale = vreinterpretq_f32_s32(vld1q_s32(multiplier));
        const float32x4_t magic = vdupq_n_f32(12582912.0f); /* 1.5 * 2^23: round half to even */
        float32x4_t f = vmulq_f32(vcvtq_f32_s32(acc), scale);
        f = vminq_f32(vmaxq_f32(f, vdupq_n_f32((float)(lo - zero_point))), vdupq_n_f32((float)(hi - zero_point)));
        f = vsubq_f32(vaddq_f32(f, magic), magic);
        return vaddq_s32(vcvtq_s32_f32(f), zp);
    }
    const int32x4_t sh = vld1q_s32(shift);
    const int32x4_t zero = vdupq_n_s32(0);
    const int32x4_t left = vmaxq_s32(sh, zero), right = vminq_s32(sh, zero); /* right: minus the right shift */
    int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), vld1q_s32(multiplier));
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31)); /* -1 where x < 0 and there is a right shift */
    x = vaddq_s32(vrshlq_s32(x, right), zp);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(lo)), vdupq_n_s32(hi));
}

/* The four results (already within int8) as int8 at out[0..3]: narrowed twice, one 4-byte store. */
EDGEC_INLINE void edgec_neon_store4_s8(int8_t *out, int32x4_t v) {
    const int16x4_t h = vmovn_s32(v);
    const int32_t word = vget_lane_s32(vreinterpret_s32_s8(vmovn_s16(vcombine_s16(h, h))), 0);
    __builtin_memcpy(out, &word, 4);
}

/* EDGEC_REQUANT_FIXED's per-channel constants for four channels, prepared once for a run of pixels. */
typedef struct {
    int32x4_t multiplier, left, right; /* right: minus the right shift */
} edgec_neon_fixed4;

EDGEC_INLINE edgec_neon_fixed4 edgec_neon_fixed4_load(const int32_t *multiplier, const int32_t *shift) {
    const int32x4_t sh = vld1q_s32(shift), zero = vdupq_n_s32(0);
    edgec_neon_fixed4 q;
    q.multiplier = vld1q_s32(multiplier);
    q.left = vmaxq_s32(sh, zero);
    q.right = vminq_s32(sh, zero);
    return q;
}

/* edgec_neon_requant4's EDGEC_REQUANT_FIXED arithmetic (the same bits) with the constants prepared. */
EDGEC_INLINE int32x4_t edgec_neon_fixed4_apply(int32x4_t acc, edgec_neon_fixed4 q, int32x4_t zp, int32x4_t lo,
                                               int32x4_t hi) {
    int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, q.left), q.multiplier);
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, q.right), 31));
    x = vaddq_s32(vrshlq_s32(x, q.right), zp);
    return vminq_s32(vmaxq_s32(x, lo), hi);
}

/* edgec_mbqm's rounding (TFLite's double rounding) for a multiplier >= 0 and a right shift (right = minus it,
 * < 0), before the zero point and the clamp: SQRDMULH, then -1 on negative x (SSRA x + (x >> 31), which cannot
 * overflow: SQRDMULH by a multiplier >= 0 gives at least -2^31 + 1) so that SRSHL's ties upwards become TFLite's
 * ties away from zero. */
EDGEC_INLINE int32x4_t edgec_neon_round4_right(int32x4_t acc, int32x4_t multiplier, int32x4_t right) {
    const int32x4_t x = vqrdmulhq_s32(acc, multiplier);
    return vrshlq_s32(vsraq_n_s32(x, x, 31), right);
}

/* 16 rounded values narrowed with saturation, the zero point added and clamped (the saturating narrows before
 * the zero point and the clamp change no result, the clamp being within int8). */
EDGEC_INLINE int8x16_t edgec_neon_narrow16_s8(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3, int16x8_t zp,
                                              int8x16_t lo, int8x16_t hi) {
    const int16x8_t l16 = vqaddq_s16(vcombine_s16(vqmovn_s32(r0), vqmovn_s32(r1)), zp);
    const int16x8_t h16 = vqaddq_s16(vcombine_s16(vqmovn_s32(r2), vqmovn_s32(r3)), zp);
    return vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(l16), vqmovn_s16(h16)), lo), hi);
}

/* The same for a zero point of -128 and int8's bounds (TFLite's ReLU): clamp(v - 128, -128, 127) =
 * clamp(v, 0, 255) - 128, unsigned saturating narrows and the sign bit flipped (7 instructions, where the zero
 * point and the clamp take 10). */
EDGEC_INLINE int8x16_t edgec_neon_narrow16_relu_s8(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3) {
    const uint16x8_t l16 = vcombine_u16(vqmovun_s32(r0), vqmovun_s32(r1));
    const uint16x8_t h16 = vcombine_u16(vqmovun_s32(r2), vqmovun_s32(r3));
    return vreinterpretq_s8_u8(veorq_u8(vcombine_u8(vqmovn_u16(l16), vqmovn_u16(h16)), vdupq_n_u8(0x80)));
}

#endif /* EDGEC_NEON_H */
