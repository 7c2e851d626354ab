/* Arm NEON: int8 fully connected with the weights packed at compile time (edgec_fully_connected_s8_dot4.h; the
 * compiler's call for constant weights on this set), bit-exact with runtimes/reference/edgec_fully_connected_s8.c.
 *
 * The weights come as the int8 conv's dot4 blocks (blocks of 16 units, [K/4][16][4] bytes: four consecutive k of
 * four units in one register), input_offset * each unit's weight sum folded into the bias. One SDOT by element
 * multiplies 4 k of 4 units by one quad of input bytes into those units' sums, so a 64-byte weight load (one LD1)
 * feeds 4 SDOTs, a 16-byte input load 16 of them, and a block's 16 sums come out in four vectors with no
 * horizontal reduction, requantised together. Without the dot product (cortex-a53, Armv7-A): SMULL + SADALP into
 * pairs of half sums, two quads' products summed in int16 first (SMULL + SMLAL + SADALP, EDGEC_NEON_SYM_LOOP)
 * when no weight is -128 (flags), then one ADDP per 4 units. The integer sums are exact, the requantisation the
 * reference's arithmetic (TFLite Micro's double rounding or LiteRT's single rounding): bit-exact. Layers with
 * right shifts, depths the loops cover (whole 32s; whole 8s without SDOT) and such weights go two blocks a pass
 * with no choice per block, ReLU's (zero point -128, int8's bounds) narrowing unsigned. */
#include "edgec_fully_connected_s8_dot4.h"
#include "edgec_neon.h"

#define FC_OCB 16 /* units per block of the packed weights */

/* The layer's requantisation (one multiplier for every unit), its constants in registers for every block. FC_RELU:
 * FC_RIGHT's with a zero point of -128 and int8's bounds (TFLite's ReLU). */
enum { FC_RIGHT, FC_DOUBLE, FC_SINGLE, FC_RELU };
typedef struct {
    int32x4_t multiplier, left, right; /* right: minus the right shift */
    int64x2_t total;                   /* FC_SINGLE: minus LiteRT's total shift, 31 - shift */
    int16x8_t zp;
    int8x16_t lo, hi;
} fc_rq;

/* Four sums rounded as the reference does, before the zero point and the clamp. FC_RIGHT: TFLite Micro's double
 * rounding with a right shift (edgec_neon_round4_right), FC_DOUBLE: with a left shift or none
 * (edgec_neon_fixed4_apply's arithmetic), FC_SINGLE: LiteRT's (acc * m + 2^(ts - 1)) >> ts in int64 (SMULL, SRSHL
 * rounds ties up as the + 2^(ts - 1) does), its low 32 bits as the reference's cast. */
EDGEC_INLINE int32x4_t fc_round4(int32x4_t acc, const fc_rq *q, int mode) {
    if (mode == FC_RIGHT) return edgec_neon_round4_right(acc, q->multiplier, q->right);
    /* FC_RELU without FC_RIGHT's fix-up: it changes only negative values' rounding, and those (<= 0 either way)
     * the unsigned narrowing takes to 0 */
    if (mode == FC_RELU) return vrshlq_s32(vqrdmulhq_s32(acc, q->multiplier), q->right);
    if (mode == FC_DOUBLE) {
        int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, q->left), q->multiplier);
        x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, q->right), 31));
        return vrshlq_s32(x, q->right);
    }
    const int32x2_t m = vget_low_s32(q->multiplier);
    const int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(acc), m), q->total);
    const int64x2_t hi = vrshlq_s64(vmull_s32(vget_high_s32(acc), m), q->total);
    return vcombine_s32(vmovn_s64(lo), vmovn_s64(hi));
}


/* nb (< 16) of the 16 bytes r at out: 8, 4, 2 and 1 at a time by nb's bits (a byte loop took 6 instructions a
 * byte). */
EDGEC_INLINE void fc_store_part(int8x16_t r, int32_t nb, int8_t *out) {
    int8x8_t h = vget_low_s8(r);
    if (nb & 8) {
        vst1_s8(out, h);
        h = vget_high_s8(r);
        out += 8;
    }
    if (nb & 4) {
        const int32_t word = vget_lane_s32(vreinterpret_s32_s8(h), 0);
        __builtin_memcpy(out, &word, 4);
        h = vext_s8(h, h, 4);
        out += 4;
    }
    if (nb & 2) {
        const int16_t half = vget_lane_s16(vreinterpret_s16_s8(h), 0);
        __builtin_memcpy(out, &half, 2);
        h = vext_s8(h, h, 2);
        out += 2;
    }
    if (nb & 1) *out = vget_lane_s8(h, 0);
}

/* A block's 16 sums requantised. */
EDGEC_INLINE int8x16_t fc_requant16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const fc_rq *q, int mode) {
    const int32x4_t r0 = fc_round4(a0, q, mode), r1 = fc_round4(a1, q, mode), r2 = fc_round4(a2, q, mode);
    const int32x4_t r3 = fc_round4(a3, q, mode);
    return mode == FC_RELU ? edgec_neon_narrow16_relu_s8(r0, r1, r2, r3)
                           : edgec_neon_narrow16_s8(r0, r1, r2, r3, q->zp, q->lo, q->hi);
}

/* The same, nb of them stored. */
EDGEC_INLINE void fc_store16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const fc_rq *q, int mode,
                             int32_t nb, int8_t *out) {
    const int8x16_t r = fc_requant16(a0, a1, a2, a3, q, mode);
    if (nb == FC_OCB)
        vst1q_s8(out, r);
    else
        fc_store_part(r, nb, out);
}

/* The input's last depth % 4 bytes (depth > 0) as a quad, zeros after them (times the packing's zero weights). */
EDGEC_INLINE int8x16_t fc_last_quad(const int8_t *x, int32_t n) {
    int8_t t[4] = {0, 0, 0, 0};
    for (int32_t i = 0; i < n; ++i) t[i] = x[i];
    return edgec_neon_quad_s8(t);
}

#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
/* A0..A3 (units 4r..4r+3) += n (> 0) times 32 bytes of input X against 32 quads of weights W, both advanced past
 * them: two input loads, eight weight loads (64 bytes each) and 32 SDOTs by element per 512 MACs. In assembly:
 * GCC's loop kept a pointer per weight load, 27 instructions per 256 MACs where this takes 22. */
#define FC_SDOT_LOOP(X, W, N, A0, A1, A2, A3)                                                                         \
    __asm__("1:\n"                                                                                                    \
            "ldr q22, [%[x]], #16\n" "ldr q23, [%[x]], #16\n"                                                         \
            "ld1 {v24.16b - v27.16b}, [%[w]], #64\n" "ld1 {v28.16b - v31.16b}, [%[w]], #64\n"                         \
            "sdot %[a0].4s, v24.16b, v22.4b[0]\n" "sdot %[a1].4s, v25.16b, v22.4b[0]\n"                               \
            "sdot %[a2].4s, v26.16b, v22.4b[0]\n" "sdot %[a3].4s, v27.16b, v22.4b[0]\n"                               \
            "ld1 {v24.16b - v27.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v28.16b, v22.4b[1]\n" "sdot %[a1].4s, v29.16b, v22.4b[1]\n"                               \
            "sdot %[a2].4s, v30.16b, v22.4b[1]\n" "sdot %[a3].4s, v31.16b, v22.4b[1]\n"                               \
            "ld1 {v28.16b - v31.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v24.16b, v22.4b[2]\n" "sdot %[a1].4s, v25.16b, v22.4b[2]\n"                               \
            "sdot %[a2].4s, v26.16b, v22.4b[2]\n" "sdot %[a3].4s, v27.16b, v22.4b[2]\n"                               \
            "ld1 {v24.16b - v27.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v28.16b, v22.4b[3]\n" "sdot %[a1].4s, v29.16b, v22.4b[3]\n"                               \
            "sdot %[a2].4s, v30.16b, v22.4b[3]\n" "sdot %[a3].4s, v31.16b, v22.4b[3]\n"                               \
            "ld1 {v28.16b - v31.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v24.16b, v23.4b[0]\n" "sdot %[a1].4s, v25.16b, v23.4b[0]\n"                               \
            "sdot %[a2].4s, v26.16b, v23.4b[0]\n" "sdot %[a3].4s, v27.16b, v23.4b[0]\n"                               \
            "ld1 {v24.16b - v27.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v28.16b, v23.4b[1]\n" "sdot %[a1].4s, v29.16b, v23.4b[1]\n"                               \
            "sdot %[a2].4s, v30.16b, v23.4b[1]\n" "sdot %[a3].4s, v31.16b, v23.4b[1]\n"                               \
            "ld1 {v28.16b - v31.16b}, [%[w]], #64\n"                                                                  \
            "sdot %[a0].4s, v24.16b, v23.4b[2]\n" "sdot %[a1].4s, v25.16b, v23.4b[2]\n"                               \
            "sdot %[a2].4s, v26.16b, v23.4b[2]\n" "sdot %[a3].4s, v27.16b, v23.4b[2]\n"                               \
            "sdot %[a0].4s, v28.16b, v23.4b[3]\n" "sdot %[a1].4s, v29.16b, v23.4b[3]\n"                               \
            "sdot %[a2].4s, v30.16b, v23.4b[3]\n" "sdot %[a3].4s, v31.16b, v23.4b[3]\n"                               \
            "subs %w[n], %w[n], #1\n" "b.ne 1b\n"                                                                     \
            : [x] "+r"(X), [w] "+r"(W), [n] "+r"(N), [a0] "+w"(A0), [a1] "+w"(A1), [a2] "+w"(A2), [a3] "+w"(A3)       \
            :                                                                                                         \
            : "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "memory", "cc")
/* The same for two blocks (W and V their weights, 32 units), n times 32 bytes of input (one LDP): the input
 * load and the loop shared, 83 instructions per 1024 MACs. FC_SDOT_PAIR_QUAD: one quad (lane L of input register
 * IN) of both blocks. */
#define FC_SDOT_PAIR_QUAD(IN, L)                                                                                      \
    "ld1 {v24.16b - v27.16b}, [%[w]], #64\n" "ld1 {v28.16b - v31.16b}, [%[v]], #64\n"                                 \
    "sdot %[a0].4s, v24.16b, " IN ".4b[" L "]\n" "sdot %[a1].4s, v25.16b, " IN ".4b[" L "]\n"                         \
    "sdot %[a2].4s, v26.16b, " IN ".4b[" L "]\n" "sdot %[a3].4s, v27.16b, " IN ".4b[" L "]\n"                         \
    "sdot %[b0].4s, v28.16b, " IN ".4b[" L "]\n" "sdot %[b1].4s, v29.16b, " IN ".4b[" L "]\n"                         \
    "sdot %[b2].4s, v30.16b, " IN ".4b[" L "]\n" "sdot %[b3].4s, v31.16b, " IN ".4b[" L "]\n"
#define FC_SDOT_PAIR_16(IN)                                                                                           \
    FC_SDOT_PAIR_QUAD(IN, "0") FC_SDOT_PAIR_QUAD(IN, "1") FC_SDOT_PAIR_QUAD(IN, "2") FC_SDOT_PAIR_QUAD(IN, "3")
/* A 16-byte step if depth & 16, an 8-byte one if depth & 8, then n passes of 32 bytes (n > 0 unless there was a
 * step): one assembly statement, its operands allocated once; whole 32s go straight to the loop. */
#define FC_SDOT_PAIR_LOOP(X, W, V, N, D, A0, A1, A2, A3, B0, B1, B2, B3)                                              \
    __asm__("cbz %w[t], 1f\n"                                                                                         \
            "tbz %w[t], #4, 3f\n" "ldr q22, [%[x]], #16\n" FC_SDOT_PAIR_16("v22")                                    \
            "3:\n" "tbz %w[t], #3, 4f\n" "ldr d22, [%[x]], #8\n" FC_SDOT_PAIR_QUAD("v22", "0")                       \
            FC_SDOT_PAIR_QUAD("v22", "1")                                                                             \
            "4:\n" "cbz %w[n], 2f\n"                                                                                  \
            "1:\n" "ldp q22, q23, [%[x]], #32\n" FC_SDOT_PAIR_16("v22") FC_SDOT_PAIR_16("v23")                        \
            "subs %w[n], %w[n], #1\n" "b.ne 1b\n" "2:\n"                                                              \
            : [x] "+r"(X), [w] "+r"(W), [v] "+r"(V), [n] "+r"(N), [a0] "+w"(A0), [a1] "+w"(A1), [a2] "+w"(A2),        \
              [a3] "+w"(A3), [b0] "+w"(B0), [b1] "+w"(B1), [b2] "+w"(B2), [b3] "+w"(B3)                               \
            : [t] "r"((D) & 24)                                                                                       \
            : "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "memory", "cc")
/* acc[r] = bias of units 4r..4r+3 + their dot products with x: SDOT by element, lane `lane` of v the quad. */
#define FC_LANE(v, lane) EDGEC_NEON_SDOT_LANE(w, v, lane, a0, a1, a2, a3)
/* whole: depth is a multiple of FC_WHOLE, the loop and the 16- and 8-byte steps cover it (no 4-byte tail code) */
#define FC_WHOLE 8
EDGEC_INLINE void fc_block(const int8_t *x, int32_t depth, const int8_t *w, const int32_t *bias, int sym, int whole,
                           int32x4_t acc[4]) {
    (void)sym; /* SDOT sums four products in int32: any weights */
    int32x4_t a0 = vld1q_s32(bias), a1 = vld1q_s32(bias + 4), a2 = vld1q_s32(bias + 8), a3 = vld1q_s32(bias + 12);
    int32_t c = 0;
    if (depth >= 32) {
        const int8_t *xp = x;
        int32_t n = depth / 32;
        c = n * 32;
        FC_SDOT_LOOP(xp, w, n, a0, a1, a2, a3);
    }
    if (whole && (depth & 24) == 0) { /* whole 32s */
        acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
        return;
    }
    if (c + 16 <= depth) {
        const int8x16_t v = vld1q_s8(x + c);
        FC_LANE(v, 0); FC_LANE(v, 1); FC_LANE(v, 2); FC_LANE(v, 3);
        c += 16;
    }
    if (c + 8 <= depth) {
        const int8x16_t v = vcombine_s8(vld1_s8(x + c), vdup_n_s8(0));
        FC_LANE(v, 0); FC_LANE(v, 1);
        c += 8;
    }
    if (whole) {
        acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
        return;
    }
    if (c + 4 <= depth) {
        const int8x16_t v = edgec_neon_quad_s8(x + c);
        FC_LANE(v, 0);
        c += 4;
    }
    if (c < depth) {
        const int8x16_t v = fc_last_quad(x + c, depth - c);
        FC_LANE(v, 0);
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

/* acc[0..1] = a half block's 8 sums (its weights [K/4][8][4]: two registers a quad), any depth. */
EDGEC_INLINE void fc_half(const int8_t *x, int32_t depth, const int8_t *w, const int32_t *bias, int sym,
                          int32x4_t acc[2]) {
    (void)sym;
    int32x4_t a0 = vld1q_s32(bias), a1 = vld1q_s32(bias + 4);
    int32_t c = 0;
    for (; c + 16 <= depth; c += 16, w += 128) {
        const int8x16_t v = vld1q_s8(x + c);
        const int8x16x4_t k = edgec_neon_ld64_s8(w), l = edgec_neon_ld64_s8(w + 64);
        a0 = vdotq_laneq_s32(a0, k.val[0], v, 0); a1 = vdotq_laneq_s32(a1, k.val[1], v, 0);
        a0 = vdotq_laneq_s32(a0, k.val[2], v, 1); a1 = vdotq_laneq_s32(a1, k.val[3], v, 1);
        a0 = vdotq_laneq_s32(a0, l.val[0], v, 2); a1 = vdotq_laneq_s32(a1, l.val[1], v, 2);
        a0 = vdotq_laneq_s32(a0, l.val[2], v, 3); a1 = vdotq_laneq_s32(a1, l.val[3], v, 3);
    }
    for (; c < depth; c += 4, w += 32) {
        const int8x16_t v = c + 4 <= depth ? edgec_neon_quad_s8(x + c) : fc_last_quad(x + c, depth - c);
        a0 = vdotq_s32(a0, vld1q_s8(w), v);
        a1 = vdotq_s32(a1, vld1q_s8(w + 16), v);
    }
    acc[0] = a0; acc[1] = a1;
}

/* acc[0..3] = block 0's sums, acc[4..7] block 1's (at w + block_bytes); depth a multiple of 8: a 16- and an
 * 8-byte step (ad01's 8 -> 128), the loop over 32s. */
EDGEC_INLINE void fc_pair(const int8_t *x, int32_t depth, const int8_t *w, size_t block_bytes, const int32_t *bias,
                          int32x4_t acc[8]) {
    int32x4_t a0 = vld1q_s32(bias), a1 = vld1q_s32(bias + 4), a2 = vld1q_s32(bias + 8), a3 = vld1q_s32(bias + 12);
    int32x4_t b0 = vld1q_s32(bias + 16), b1 = vld1q_s32(bias + 20), b2 = vld1q_s32(bias + 24);
    int32x4_t b3 = vld1q_s32(bias + 28);
    const int8_t *xp = x, *v = w + block_bytes;
    int32_t n = depth / 32;
    FC_SDOT_PAIR_LOOP(xp, w, v, n, depth, a0, a1, a2, a3, b0, b1, b2, b3);
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = b0; acc[5] = b1; acc[6] = b2; acc[7] = b3;
}
#define FC_PAIRS 1
#undef FC_LANE
#else
#if defined(__aarch64__)
#define FC_MULL_HI(k, v) vmull_high_s8(k, v)
#define FC_MLAL_HI(a, k, v) vmlal_high_s8(a, k, v)
#else
#define FC_MULL_HI(k, v) vmull_s8(vget_high_s8(k), vget_high_s8(v))
#define FC_MLAL_HI(a, k, v) vmlal_s8(a, vget_high_s8(k), vget_high_s8(v))
#endif
/* h(2r), h(2r + 1) += units 4r..4r+3 times the quad v as pairs of half sums (SMULL + SADALP); FC_QUAD2: two quads
 * v, u summed in int16 first (SMULL + SMLAL + SADALP: |w x| <= 127 * 128, two of them fit). */
#define FC_HALF(h0, h1, k, v)                                                                                         \
    (h0 = vpadalq_s16(h0, vmull_s8(vget_low_s8(k), vget_low_s8(v))), h1 = vpadalq_s16(h1, FC_MULL_HI(k, v)))
#define FC_QUAD(v)                                                                                                    \
    do {                                                                                                              \
        const int8x16x4_t k_ = edgec_neon_ld64_s8(w);                                                                 \
        w += 64;                                                                                                      \
        FC_HALF(h0, h1, k_.val[0], v); FC_HALF(h2, h3, k_.val[1], v);                                                 \
        FC_HALF(h4, h5, k_.val[2], v); FC_HALF(h6, h7, k_.val[3], v);                                                 \
    } while (0)
#define FC_HALF2(h0, h1, k, v, l, u)                                                                                  \
    (h0 = vpadalq_s16(h0, vmlal_s8(vmull_s8(vget_low_s8(k), vget_low_s8(v)), vget_low_s8(l), vget_low_s8(u))),        \
     h1 = vpadalq_s16(h1, FC_MLAL_HI(FC_MULL_HI(k, v), l, u)))
#define FC_QUAD2(v, u)                                                                                                \
    do {                                                                                                              \
        const int8x16x4_t k_ = edgec_neon_ld64_s8(w), l_ = edgec_neon_ld64_s8(w + 64);                                \
        w += 128;                                                                                                     \
        FC_HALF2(h0, h1, k_.val[0], v, l_.val[0], u); FC_HALF2(h2, h3, k_.val[1], v, l_.val[1], u);                   \
        FC_HALF2(h4, h5, k_.val[2], v, l_.val[2], u); FC_HALF2(h6, h7, k_.val[3], v, l_.val[3], u);                   \
    } while (0)
/* whole: depth is a multiple of FC_WHOLE and the weights within [-127, 127], the pairs of quads cover it */
#define FC_WHOLE 8
EDGEC_INLINE void fc_block(const int8_t *x, int32_t depth, const int8_t *w, const int32_t *bias, int sym, int whole,
                           int32x4_t acc[4]) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t h0 = z, h1 = z, h2 = z, h3 = z, h4 = z, h5 = z, h6 = z, h7 = z;
    int32_t c = 0;
    if (sym && (whole || depth >= 8)) {
#if defined(__aarch64__) /* the conv's loop in assembly: pairs of quads, 29 instructions per 128 MACs */
        const int8_t *xp = x;
        int32_t n = depth / 8;
        c = n * 8;
        EDGEC_NEON_SYM_LOOP(xp, w, n, h0, h1, h2, h3, h4, h5, h6, h7);
#else
        for (; c + 8 <= depth; c += 8) {
            const int8x16_t v = edgec_neon_quad_s8(x + c), u = edgec_neon_quad_s8(x + c + 4);
            FC_QUAD2(v, u);
        }
#endif
    }
    for (; c + 4 <= depth && !(whole && sym); c += 4) {
        const int8x16_t v = edgec_neon_quad_s8(x + c);
        FC_QUAD(v);
    }
    if (c < depth && !whole) {
        const int8x16_t v = fc_last_quad(x + c, depth - c);
        FC_QUAD(v);
    }
    acc[0] = vaddq_s32(vld1q_s32(bias), edgec_neon_pairs_s32(h0, h1));
    acc[1] = vaddq_s32(vld1q_s32(bias + 4), edgec_neon_pairs_s32(h2, h3));
    acc[2] = vaddq_s32(vld1q_s32(bias + 8), edgec_neon_pairs_s32(h4, h5));
    acc[3] = vaddq_s32(vld1q_s32(bias + 12), edgec_neon_pairs_s32(h6, h7));
}
#undef FC_QUAD
#undef FC_QUAD2
/* acc[0..1] = a half block's 8 sums (its weights [K/4][8][4]: two registers a quad), any depth. */
EDGEC_INLINE void fc_half(const int8_t *x, int32_t depth, const int8_t *w, const int32_t *bias, int sym,
                          int32x4_t acc[2]) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t h0 = z, h1 = z, h2 = z, h3 = z;
    int32_t c = 0;
    for (; sym && c + 8 <= depth; c += 8, w += 64) {
        const int8x16_t v = edgec_neon_quad_s8(x + c), u = edgec_neon_quad_s8(x + c + 4);
        const int8x16x4_t k = edgec_neon_ld64_s8(w);
        FC_HALF2(h0, h1, k.val[0], v, k.val[2], u); FC_HALF2(h2, h3, k.val[1], v, k.val[3], u);
    }
    for (; c < depth; c += 4, w += 32) {
        const int8x16_t v = c + 4 <= depth ? edgec_neon_quad_s8(x + c) : fc_last_quad(x + c, depth - c);
        FC_HALF(h0, h1, vld1q_s8(w), v); FC_HALF(h2, h3, vld1q_s8(w + 16), v);
    }
    acc[0] = vaddq_s32(vld1q_s32(bias), edgec_neon_pairs_s32(h0, h1));
    acc[1] = vaddq_s32(vld1q_s32(bias + 4), edgec_neon_pairs_s32(h2, h3));
}
#if defined(__aarch64__)
/* EDGEC_NEON_SYM_LOOP's pass for two blocks (32 units): half sums of block 0 in v16-v23, of block 1 in v24-v31;
 * the input's LD2R and the loop shared: 53 instructions per 256 MACs (108 per 512 with the loop's count and branch,
 * two bodies a pass), where two passes of the single loop take 58. */
#define FC_SYM_PAIR_BODY                                                                                              \
    "ld2r {v8.4s, v9.4s}, [%[x]], #8\n"                                                                               \
    EDGEC_NEON_SYM_QUADS("%[w]", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23")                              \
    EDGEC_NEON_SYM_QUADS("%[v]", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

/* acc[0..3] = block 0's sums, acc[4..7] block 1's (at w + block_bytes); depth a multiple of 8, weights within
 * [-127, 127]. The 16 half sums stay in fixed registers (as operands they would take 40 of GCC's 30), start as
 * the bias zero-extended to 64 bits (UXTL: {b0, 0, b1, 0}, the ADDP's pairs add b0 and b1) and leave reduced
 * (ADDP) in v16-v23, the registers of s0..s7: no zeroing, no bias add, no store and reload. */
EDGEC_INLINE void fc_pair(const int8_t *x, int32_t depth, const int8_t *w, size_t block_bytes, const int32_t *bias,
                          int32x4_t acc[8]) {
    register int32x4_t s0 __asm__("v16"), s1 __asm__("v17"), s2 __asm__("v18"), s3 __asm__("v19");
    register int32x4_t s4 __asm__("v20"), s5 __asm__("v21"), s6 __asm__("v22"), s7 __asm__("v23");
    const int8_t *v = w + block_bytes;
    int32_t n = depth / 8;
    __asm__("ld1 {v0.4s - v3.4s}, [%[b]]\n" "ld1 {v4.4s - v7.4s}, [%[b16]]\n"
            "uxtl v16.2d, v0.2s\n" "uxtl2 v17.2d, v0.4s\n" "uxtl v18.2d, v1.2s\n" "uxtl2 v19.2d, v1.4s\n"
            "uxtl v20.2d, v2.2s\n" "uxtl2 v21.2d, v2.4s\n" "uxtl v22.2d, v3.2s\n" "uxtl2 v23.2d, v3.4s\n"
            "uxtl v24.2d, v4.2s\n" "uxtl2 v25.2d, v4.4s\n" "uxtl v26.2d, v5.2s\n" "uxtl2 v27.2d, v5.4s\n"
            "uxtl v28.2d, v6.2s\n" "uxtl2 v29.2d, v6.4s\n" "uxtl v30.2d, v7.2s\n" "uxtl2 v31.2d, v7.4s\n"
            "tbz %w[n], #0, 1f\n" FC_SYM_PAIR_BODY /* an odd pair of quads first, then two a pass */
            "1:\n" "lsr %w[n], %w[n], #1\n" "cbz %w[n], 3f\n"
            "2:\n" FC_SYM_PAIR_BODY FC_SYM_PAIR_BODY
            "subs %w[n], %w[n], #1\n" "b.ne 2b\n"
            "3:\n" "addp v16.4s, v16.4s, v17.4s\n" "addp v17.4s, v18.4s, v19.4s\n"
            "addp v18.4s, v20.4s, v21.4s\n" "addp v19.4s, v22.4s, v23.4s\n"
            "addp v20.4s, v24.4s, v25.4s\n" "addp v21.4s, v26.4s, v27.4s\n"
            "addp v22.4s, v28.4s, v29.4s\n" "addp v23.4s, v30.4s, v31.4s\n"
            : [x] "+r"(x), [w] "+r"(w), [v] "+r"(v), [n] "+r"(n), "=w"(s0), "=w"(s1), "=w"(s2), "=w"(s3), "=w"(s4),
              "=w"(s5), "=w"(s6), "=w"(s7)
            : [b] "r"(bias), [b16] "r"(bias + 16)
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v12", "v13", "v14", "v15", "v24", "v25",
              "v26", "v27", "v28", "v29", "v30", "v31", "memory", "cc");
    acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3; acc[4] = s4; acc[5] = s5; acc[6] = s6; acc[7] = s7;
}
#undef FC_SYM_PAIR_BODY
#define FC_PAIRS 1
#else
#define FC_PAIRS 0 /* Armv7-A: 16 vector registers, a block at a time */
#endif
#endif

/* The layer's requantisation constants. */
EDGEC_INLINE fc_rq fc_rq_of(const edgec_fully_connected_s8_params *p) {
    fc_rq q;
    q.multiplier = vdupq_n_s32(p->multiplier);
    q.left = vdupq_n_s32(p->shift > 0 ? p->shift : 0);
    q.right = vdupq_n_s32(p->shift > 0 ? 0 : p->shift);
    q.total = vdupq_n_s64(p->shift - 31);
    q.zp = vdupq_n_s16((int16_t)p->output_offset);
    q.lo = vdupq_n_s8((int8_t)p->act_min);
    q.hi = vdupq_n_s8((int8_t)p->act_max);
    return q;
}

/* The layer's last units from head on (at most 8): a half block, requantised as a block's first 8, batch by batch.
 * Not inlined, a tail call with its own constants: the caller's would be address-taken, and reloaded after every
 * assembly loop's memory clobber. */
__attribute__((noinline)) static void fc_half_layer(const int8_t *input, const int8_t *packed, const int32_t *bias,
                                                    int8_t *output, const edgec_fully_connected_s8_params *p,
                                                    int32_t head, int sym, int mode) {
    const fc_rq q = fc_rq_of(p);
    const int32_t depth = p->depth, units = p->units;
    const int8_t *w = packed + (size_t)head * (((size_t)depth + 3) & ~(size_t)3);
    for (int32_t b = 0; b < p->batches; ++b) {
        int32x4_t acc[2];
        fc_half(input + (size_t)b * (size_t)depth, depth, w, bias + head, sym, acc);
        fc_store16(acc[0], acc[1], acc[0], acc[1], &q, mode, units - head, output + (size_t)b * (size_t)units + head);
    }
}

/* The layer's blocks of 16 (units of them, those before a half block; output rows of `stride`), batch by batch. */
EDGEC_INLINE void fc_layer(const int8_t *input, const int8_t *packed, const int32_t *bias, int8_t *output,
                           const fc_rq *q, int32_t depth, int32_t units, int32_t stride, int32_t batches, int sym,
                           int mode, int whole) {
    const size_t block_bytes = (size_t)FC_OCB * (((size_t)depth + 3) & ~(size_t)3);
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *x = input + (size_t)b * (size_t)depth;
        int8_t *out = output + (size_t)b * (size_t)stride;
        const int8_t *w = packed;
        int32_t u = 0;
#if FC_PAIRS
        for (; whole && u + 2 * FC_OCB <= units; u += 2 * FC_OCB, w += 2 * block_bytes) { /* two blocks a pass */
            int32x4_t acc[8];
            fc_pair(x, depth, w, block_bytes, bias + u, acc);
            fc_store16(acc[0], acc[1], acc[2], acc[3], q, mode, FC_OCB, out + u);
            fc_store16(acc[4], acc[5], acc[6], acc[7], q, mode, FC_OCB, out + u + FC_OCB);
        }
#endif
        for (; u < units; u += FC_OCB, w += block_bytes) {
            int32x4_t acc[4];
            fc_block(x, depth, w, bias + u, sym, whole, acc);
            fc_store16(acc[0], acc[1], acc[2], acc[3], q, mode, units - u < FC_OCB ? units - u : FC_OCB, out + u);
        }
    }
}

void edgec_fully_connected_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                                   const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                                   const edgec_fully_connected_s8_params *p, int32_t flags) {
    const int sym = (flags & EDGEC_FULLY_CONNECTED_S8_DOT4_SYM) != 0;
    const int relu = p->output_offset == -128 && p->act_min == -128 && p->act_max == 127;
    const int mode = p->single_rounding                       ? FC_SINGLE
                     : p->shift < 0 && p->multiplier >= 0 ? (relu ? FC_RELU : FC_RIGHT)
                                                              : FC_DOUBLE;
    const fc_rq q = fc_rq_of(p);
    /* in locals: the assembly loops' memory clobber would have them read again every block */
    const int32_t depth = p->depth, units = p->units, batches = p->batches;
    const int32_t head = EDGEC_FC_DOT4_HEAD(units); /* then a half block */
    /* TFLite Micro's usual layers (ad01's): no choice per block */
    if (mode == FC_RELU && sym && depth % FC_WHOLE == 0)
        fc_layer(input, packed, bias, output, &q, depth, head, units, batches, 1, FC_RELU, 1);
    else if (mode == FC_RIGHT && sym && depth % FC_WHOLE == 0)
        fc_layer(input, packed, bias, output, &q, depth, head, units, batches, 1, FC_RIGHT, 1);
    else
        fc_layer(input, packed, bias, output, &q, depth, head, units, batches, sym, mode, 0);
    if (head < units) fc_half_layer(input, packed, bias, output, p, head, sym, mode);
}
