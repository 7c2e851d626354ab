/* Arm NEON: int8 depthwise convolution (TFLite DepthwiseConvPerChannel), bit-exact with
 * runtimes/reference/edgec_depthwise_conv2d_s8.c. 3x3 layers with depth multiplier 1 (nearly all of them) go 16
 * channels at once over every pixel, borders included: with the dot product (cortex-a55) as SDOTs of each
 * channel's kernel row against its input row's bytes, transposed once per input row by TBL (dwd_chunk, dwd_group);
 * without it as SMULL products (dw3x3_groups; stride 1 or 2 across, the usual requantisation: up to 8 groups'
 * padded rows copied at once, each group's rows in one assembly call, dw_rows_asm). Other shapes take a
 * per-pixel loop, eight channels at once with depth multiplier 1 (depthwise_general), one by one otherwise. The
 * weights come as the reference takes them (no packing by the compiler): each call arranges them per group, a few
 * hundred instructions per 16 channels. */
#include "edgec_depthwise_s8_tap_sum.h"
#include "edgec_neon.h"

/* Cores with the dot product (cortex-a55) take the 3x3 path in SDOT form (dwd_*); the others the SMULL one. */
#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD) && (defined(__GNUC__) || defined(__clang__))
#define DW_DOT 1
#endif

static void depthwise_scalar(const int8_t *in_b, const int8_t *weights, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, int8_t *out, int32_t y0, int32_t x0,
                             int32_t oc_begin, const edgec_conv2d_s8_params *p) {
    for (int32_t oc = oc_begin; oc < p->out_c; ++oc)
        out[oc] = edgec_depthwise_s8_channel(in_b, weights, bias, multiplier, shift, y0, x0, oc / p->depth_multiplier,
                                             oc, p);
}

/* ---- 3x3, depth multiplier 1, EDGEC_REQUANT_FIXED: 16 channels a vector ------------------------------------
 * sum w * (x + input_offset) = sum w * x + input_offset * sum w: the second sum goes into the group's base with the
 * bias, the first runs on the raw bytes. A tap outside the input reads -input_offset (an int8 since input_offset
 * is within [-127, 128]), which adds w * (-input_offset) and cancels its share of the base, as the reference's
 * skipped tap adds nothing; so border pixels take the same arithmetic as interior ones. Products: SMULL into
 * int16 (|w * x| <= 16384), then SADDW into the int32 sums. When no weight of the group is -128, two taps share
 * one int16 product (SMULL + SMLAL: |w0 x0 + w1 x1| <= 2 * 127 * 128 < 32768), one widening per two taps. The
 * integer sums are exact (wrapping as the reference's int32 sum), the requantisation is the reference's
 * (edgec_neon_fixed4_apply's arithmetic, narrowed with saturation before the zero point and the clamp, which
 * changes no result, the clamp being within int8): bit-exact. */
typedef struct {
    int8x16_t w[9];
    int32x4_t base[4];
    edgec_neon_fixed4 q[4];
    int32x4_t multiplier[4], right[4]; /* q's, contiguous: one LD1 of four registers each */
    int16x8_t zp;
    int8x16_t lo, hi;
    int8_t pad[16]; /* -input_offset: what a tap outside the input reads */
#if defined(DW_DOT)
    int8x16_t wq[12]; /* per kernel row ky, wq[4 ky + i]: channels 4i..4i+3, each [w(ky,0) w(ky,1) w(ky,2) 0] */
#endif
} dw_group;

/* The high halves' widening ops on the whole registers (SMULL2, SMLAL2, SADDW2) where AArch64 has them: the
 * weights then stay nine q registers instead of eighteen d halves that spill. */
#if defined(__aarch64__)
#define DW_MULL_HI(x, w) vmull_high_s8(x, w)
#define DW_MLAL_HI(acc, x, w) vmlal_high_s8(acc, x, w)
#define DW_ADDW_HI(acc, v) vaddw_high_s16(acc, v)
#else
#define DW_MULL_HI(x, w) vmull_s8(vget_high_s8(x), vget_high_s8(w))
#define DW_MLAL_HI(acc, x, w) vmlal_s8(acc, vget_high_s8(x), vget_high_s8(w))
#define DW_ADDW_HI(acc, v) vaddw_s16(acc, vget_high_s16(v))
#endif

/* The low halves' products on the q registers themselves (GCC 12 otherwise keeps the weights' low halves as
 * separate d values and spills them). */
#if defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(DW_DOT)
EDGEC_INLINE int16x8_t dw_mull_lo(int8x16_t x, int8x16_t w) {
    int16x8_t r;
    __asm__("smull %0.8h, %1.8b, %2.8b" : "=w"(r) : "w"(x), "w"(w));
    return r;
}
EDGEC_INLINE int16x8_t dw_mlal_lo(int16x8_t acc, int8x16_t x, int8x16_t w) {
    __asm__("smlal %0.8h, %1.8b, %2.8b" : "+w"(acc) : "w"(x), "w"(w));
    return acc;
}
#else
#define dw_mull_lo(x, w) vmull_s8(vget_low_s8(x), vget_low_s8(w))
#define dw_mlal_lo(acc, x, w) vmlal_s8(acc, vget_low_s8(x), vget_low_s8(w))
#endif

/* 16 products of one tap (DW_ONE), or of two taps summed (DW_TWO with pairs), into the four int32 sums. */
#define DW_WIDEN(prod_lo, prod_hi)                                                                                 \
    do {                                                                                                            \
        a0 = vaddw_s16(a0, vget_low_s16(prod_lo)); a1 = DW_ADDW_HI(a1, prod_lo);                                   \
        a2 = vaddw_s16(a2, vget_low_s16(prod_hi)); a3 = DW_ADDW_HI(a3, prod_hi);                                   \
    } while (0)
#define DW_ONE(xv, wv) DW_WIDEN(dw_mull_lo(xv, wv), DW_MULL_HI(xv, wv))
#define DW_TWO(xa, wa, xb, wb)                                                                                     \
    do {                                                                                                            \
        if (pairs) {                                                                                                \
            const int16x8_t l_ = dw_mlal_lo(dw_mull_lo(xa, wa), xb, wb);                                          \
            const int16x8_t h_ = DW_MLAL_HI(DW_MULL_HI(xa, wa), xb, wb);                                          \
            DW_WIDEN(l_, h_);                                                                                       \
        } else {                                                                                                    \
            DW_ONE(xa, wa);                                                                                         \
            DW_ONE(xb, wb);                                                                                         \
        }                                                                                                           \
    } while (0)

/* 16 lanes at x, or for a group of 8 channels the 8 at x in both halves (two pixels share a vector). */
EDGEC_INLINE int8x16_t dw_load(const int8_t *x, int32_t width) {
    if (width == 16) return vld1q_s8(x);
    const int8x8_t v = vld1_s8(x);
    return vcombine_s8(v, v);
}


/* How a group requantises: DW_SHIFT_LEFT, some channel shifts left (TFLite's shift > 0, rare); DW_SHIFT_RIGHT, every
 * channel shifts right (the usual case); DW_SHIFT_MIXED, the rest (no left shift, some zero shift). The rounding
 * right shift (SRSHL rounds ties up) first takes 1 from negative values, so that ties round away from zero as
 * edgec_rdbpot's do, in lanes that shift; when every lane shifts that is one SSRA (x + (x >> 31)), which cannot
 * overflow: SQRDMULH never returns INT32_MIN (a negative a * b is at least -(2^62 - 2^31)). */
#define DW_SHIFT_MIXED 0
#define DW_SHIFT_LEFT 1
#define DW_SHIFT_RIGHT 2
EDGEC_INLINE int32x4_t dw_round(int32x4_t acc, edgec_neon_fixed4 q, int mode) {
    int32x4_t x = vqrdmulhq_s32(mode == DW_SHIFT_LEFT ? vshlq_s32(acc, q.left) : acc, q.multiplier);
    if (mode == DW_SHIFT_RIGHT)
        x = vsraq_n_s32(x, x, 31);
    else
        x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, q.right), 31));
    return vrshlq_s32(x, q.right);
}

/* 16 sums requantised, narrowed with saturation, offset and clamped. */
EDGEC_INLINE int8x16_t dw_finish(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const dw_group *g,
                                 int mode) {
    const int16x8_t l16 = vqaddq_s16(vcombine_s16(vqmovn_s32(dw_round(a0, g->q[0], mode)),
                                                  vqmovn_s32(dw_round(a1, g->q[1], mode))), g->zp);
    const int16x8_t h16 = vqaddq_s16(vcombine_s16(vqmovn_s32(dw_round(a2, g->q[2], mode)),
                                                  vqmovn_s32(dw_round(a3, g->q[3], mode))), g->zp);
    return vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(l16), vqmovn_s16(h16)), g->lo), g->hi);
}

#if !defined(DW_DOT)
/* One pixel's 16 outputs from its nine taps x[t] and the weights w[t]. In DW_SHIFT_RIGHT mode on AArch64 the base,
 * multipliers and shifts come from memory each pixel, three LD1s of four registers: fewer than the spills of
 * twelve more constants held in registers. */
EDGEC_INLINE int8x16_t dw_pixel(const int8x16_t x[9], const int8x16_t w[9], const dw_group *g, int pairs,
                               int mode) {
#if defined(__aarch64__)
    if (mode == DW_SHIFT_RIGHT) {
        const int32x4x4_t base = vld1q_s32_x4((const int32_t *)g->base);
        int32x4_t a0 = base.val[0], a1 = base.val[1], a2 = base.val[2], a3 = base.val[3];
        DW_TWO(x[0], w[0], x[1], w[1]);
        DW_TWO(x[2], w[2], x[3], w[3]);
        DW_TWO(x[4], w[4], x[5], w[5]);
        DW_TWO(x[6], w[6], x[7], w[7]);
        DW_ONE(x[8], w[8]);
        const int32x4x4_t m = vld1q_s32_x4((const int32_t *)g->multiplier);
        a0 = vqrdmulhq_s32(a0, m.val[0]); a1 = vqrdmulhq_s32(a1, m.val[1]);
        a2 = vqrdmulhq_s32(a2, m.val[2]); a3 = vqrdmulhq_s32(a3, m.val[3]);
        a0 = vsraq_n_s32(a0, a0, 31); a1 = vsraq_n_s32(a1, a1, 31);
        a2 = vsraq_n_s32(a2, a2, 31); a3 = vsraq_n_s32(a3, a3, 31);
        const int32x4x4_t r = vld1q_s32_x4((const int32_t *)g->right);
        a0 = vrshlq_s32(a0, r.val[0]); a1 = vrshlq_s32(a1, r.val[1]);
        a2 = vrshlq_s32(a2, r.val[2]); a3 = vrshlq_s32(a3, r.val[3]);
        const int16x8_t l16 = vqaddq_s16(vcombine_s16(vqmovn_s32(a0), vqmovn_s32(a1)), g->zp);
        const int16x8_t h16 = vqaddq_s16(vcombine_s16(vqmovn_s32(a2), vqmovn_s32(a3)), g->zp);
        return vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(l16), vqmovn_s16(h16)), g->lo), g->hi);
    }
#endif
    int32x4_t a0 = g->base[0], a1 = g->base[1], a2 = g->base[2], a3 = g->base[3];
    DW_TWO(x[0], w[0], x[1], w[1]);
    DW_TWO(x[2], w[2], x[3], w[3]);
    DW_TWO(x[4], w[4], x[5], w[5]);
    DW_TWO(x[6], w[6], x[7], w[7]);
    DW_ONE(x[8], w[8]);
    return dw_finish(a0, a1, a2, a3, g, mode);
}

/* A 16-channel pixel's nine taps: three columns of 16 bytes in each row, one LD1 of three registers a row where
 * AArch64 has it. */
EDGEC_INLINE void dw_taps(int8x16_t u[9], const int8_t *x0, const int8_t *x1, const int8_t *x2) {
#if defined(__aarch64__)
    const int8x16x3_t r0 = vld1q_s8_x3(x0), r1 = vld1q_s8_x3(x1), r2 = vld1q_s8_x3(x2);
    u[0] = r0.val[0]; u[1] = r0.val[1]; u[2] = r0.val[2];
    u[3] = r1.val[0]; u[4] = r1.val[1]; u[5] = r1.val[2];
    u[6] = r2.val[0]; u[7] = r2.val[1]; u[8] = r2.val[2];
#else
    for (int32_t k = 0; k < 3; ++k) {
        u[k] = vld1q_s8(x0 + 16 * k);
        u[3 + k] = vld1q_s8(x1 + 16 * k);
        u[6 + k] = vld1q_s8(x2 + 16 * k);
    }
#endif
}

#if defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define DW_ASM 1
/* Row loops in assembly for the usual layer (pairs of taps, DW_SHIFT_RIGHT): two vectors A and B a step, each
 * dw_pixel's arithmetic instruction for instruction: a 16-channel pixel each (stride 1 or 2 across: two pixels a
 * step), or, for a group of 8 channels at stride 1, two pixels each (four a step: each tap a 16-byte run of the
 * 8-byte columns, the odd ones by EXT). One LD1 a kernel row serves both vectors (stride 1: B's taps are A's
 * shifted by a column; stride 2: by two, a fifth column), one load of the base, multipliers and shifts serves
 * both, and the weights, zero point and clamp stay in registers across the row. With intrinsics GCC spills the
 * eight sums, nine weights and the columns live at once. Registers: v0-v8 weights, v9-v12 / v13-v16 A's / B's
 * sums, v17-v26 columns (then multipliers, shifts), v25-v26 / v30-v31 products, v27-v29 zero point and clamp. */
#define DW_ASM_WIDEN(S0, S1, S2, S3, P0, P1)                                                                       \
    "saddw " S0 ".4s, " S0 ".4s, " P0 ".4h\n" "saddw2 " S1 ".4s, " S1 ".4s, " P0 ".8h\n"                        \
    "saddw " S2 ".4s, " S2 ".4s, " P1 ".4h\n" "saddw2 " S3 ".4s, " S3 ".4s, " P1 ".8h\n"
#define DW_ASM_TAP1(S0, S1, S2, S3, X, W, P0, P1)                                                                  \
    "smull " P0 ".8h, " X ".8b, " W ".8b\n" "smull2 " P1 ".8h, " X ".16b, " W ".16b\n"                          \
    DW_ASM_WIDEN(S0, S1, S2, S3, P0, P1)
#define DW_ASM_TAP2(S0, S1, S2, S3, X, W, Y, V, P0, P1)                                                            \
    "smull " P0 ".8h, " X ".8b, " W ".8b\n" "smull2 " P1 ".8h, " X ".16b, " W ".16b\n"                          \
    "smlal " P0 ".8h, " Y ".8b, " V ".8b\n" "smlal2 " P1 ".8h, " Y ".16b, " V ".16b\n"                          \
    DW_ASM_WIDEN(S0, S1, S2, S3, P0, P1)
#define DW_ASM_A(OP, ...) OP("v9", "v10", "v11", "v12", __VA_ARGS__)
#define DW_ASM_B(OP, ...) OP("v13", "v14", "v15", "v16", __VA_ARGS__)
/* Both vectors' taps (Ark: A's row r, column k; LOAD2 brings row 2 once rows 0 and 1 are done with), paired as
 * dw_pixel pairs them; A's products in PA0-PA1, B's in PB0-PB1. */
#define DW_ASM_PRODUCTS(A00, A01, A02, A10, A11, A12, A20, A21, A22, B00, B01, B02, B10, B11, B12, B20, B21, B22,    \
                        LOAD2, PA0, PA1, PB0, PB1)                                                                 \
    DW_ASM_A(DW_ASM_TAP2, A00, "v0", A01, "v1", PA0, PA1) DW_ASM_B(DW_ASM_TAP2, B00, "v0", B01, "v1", PB0, PB1)     \
    DW_ASM_A(DW_ASM_TAP2, A10, "v3", A11, "v4", PA0, PA1) DW_ASM_B(DW_ASM_TAP2, B10, "v3", B11, "v4", PB0, PB1)     \
    DW_ASM_A(DW_ASM_TAP2, A02, "v2", A12, "v5", PA0, PA1) DW_ASM_B(DW_ASM_TAP2, B02, "v2", B12, "v5", PB0, PB1)     \
    LOAD2                                                                                                          \
    DW_ASM_A(DW_ASM_TAP2, A20, "v6", A21, "v7", PA0, PA1) DW_ASM_B(DW_ASM_TAP2, B20, "v6", B21, "v7", PB0, PB1)     \
    DW_ASM_A(DW_ASM_TAP1, A22, "v8", PA0, PA1) DW_ASM_B(DW_ASM_TAP1, B22, "v8", PB0, PB1)
/* The rounding of dw_round's DW_SHIFT_RIGHT on the eight sums (DW_ASM_EACH) or A's four (DW_ASM_EACH_A),
 * constants K0-K3 a quarter each. */
#define DW_ASM_EACH(OP, K0, K1, K2, K3)                                                                            \
    OP("v9", K0) OP("v13", K0) OP("v10", K1) OP("v14", K1) OP("v11", K2) OP("v15", K2) OP("v12", K3) OP("v16", K3)
#define DW_ASM_EACH_A(OP, K0, K1, K2, K3) OP("v9", K0) OP("v10", K1) OP("v11", K2) OP("v12", K3)
#define DW_ASM_SQRDMULH(S, K) "sqrdmulh " S ".4s, " S ".4s, " K ".4s\n"
#define DW_ASM_SSRA(S, K) "ssra " S ".4s, " S ".4s, #31\n"
#define DW_ASM_SRSHL(S, K) "srshl " S ".4s, " S ".4s, " K ".4s\n"
#define DW_ASM_ROUND(EACH, NARROW)                                                                                 \
    "ld1 {v17.4s-v20.4s}, [%[mult]]\n" EACH(DW_ASM_SQRDMULH, "v17", "v18", "v19", "v20")                           \
    NARROW##_FIXUP(EACH) "ld1 {v17.4s-v20.4s}, [%[right]]\n" EACH(DW_ASM_SRSHL, "v17", "v18", "v19", "v20")
/* One vector's sums S0-S3 to int8 in T (U a temporary), stored by STORE: dw_finish's narrowing (zero point v27,
 * clamp v28-v29), or, for a zero point of -128 with int8's whole range as the clamp (TFLite's ReLU), unsigned
 * (SQXTUN, UQXTN: the clamp at 0 and 255 before the zero point, then EOR 0x80 (v28) for the -128): the same
 * bytes, no zero-point add, no clamp. */
#define DW_ASM_NARROW_S(S0, S1, S2, S3, T, U, STORE)                                                               \
    "sqxtn " T ".4h, " S0 ".4s\n" "sqxtn2 " T ".8h, " S1 ".4s\n" "sqxtn " U ".4h, " S2 ".4s\n"                    \
    "sqxtn2 " U ".8h, " S3 ".4s\n" "sqadd " T ".8h, " T ".8h, v27.8h\n" "sqadd " U ".8h, " U ".8h, v27.8h\n"       \
    "sqxtn " T ".8b, " T ".8h\n" "sqxtn2 " T ".16b, " U ".8h\n" "smax " T ".16b, " T ".16b, v28.16b\n"            \
    "smin " T ".16b, " T ".16b, v29.16b\n" STORE(T)
#define DW_ASM_NARROW_U(S0, S1, S2, S3, T, U, STORE)                                                               \
    "sqxtun " T ".4h, " S0 ".4s\n" "sqxtun2 " T ".8h, " S1 ".4s\n" "sqxtun " U ".4h, " S2 ".4s\n"                 \
    "sqxtun2 " U ".8h, " S3 ".4s\n" "uqxtn " T ".8b, " T ".8h\n" "uqxtn2 " T ".16b, " U ".8h\n"                  \
    "eor " T ".16b, " T ".16b, v28.16b\n" STORE(T)
#define DW_ASM_NARROW_S_SETUP ""
#define DW_ASM_NARROW_U_SETUP "movi v28.16b, #0x80\n"
/* The rounding's fix-up (SSRA) before the signed narrowing; none before the unsigned one: it moves only negative
 * sums, whose rounded value is <= 0 either way, and every value <= 0 gives -128 (dot4_round4_relu's argument). */
#define DW_ASM_NARROW_S_FIXUP(EACH) EACH(DW_ASM_SSRA, "", "", "", "")
#define DW_ASM_NARROW_U_FIXUP(EACH)
#define DW_ASM_STORE16(T) "st1 {" T ".16b}, [%[o]], %[C]\n"
#define DW_ASM_STORE8X2(T) "st1 {" T ".d}[0], [%[o]], %[C]\n" "st1 {" T ".d}[1], [%[o]], %[C]\n"
/* Both vectors narrowed, each stored by STORE; or, for a layer of 8 channels in all (its four pixels' outputs side by
 * side), A's in v25 and B's in v26 stored at once */
#define DW_ASM_OUT(NARROW, STORE) DW_ASM_A(NARROW, "v25", "v26", STORE) DW_ASM_B(NARROW, "v30", "v31", STORE)
#define DW_ASM_OUT16(NARROW) DW_ASM_OUT(NARROW, DW_ASM_STORE16)
#define DW_ASM_OUT8X2(NARROW) DW_ASM_OUT(NARROW, DW_ASM_STORE8X2)
#define DW_ASM_NO_STORE(T)
#define DW_ASM_STORE_AB(T) "st1 {v25.16b, v26.16b}, [%[o]], #32\n"
#define DW_ASM_OUT8_ALL(NARROW)                                                                                    \
    DW_ASM_A(NARROW, "v25", "v30", DW_ASM_NO_STORE) DW_ASM_B(NARROW, "v26", "v31", DW_ASM_STORE_AB)
/* A group's weights, zero point and clamp, and its pointers to base, multipliers and shifts, from g (dw_group's
 * offsets: DW_AT_, checked below) */
#define DW_AT_BASE "144"
#define DW_AT_MULTIPLIER "400"
#define DW_AT_RIGHT "464"
#define DW_AT_ZP "528"
#define DW_GROUP_BYTES "592"
typedef char dw_group_offsets[offsetof(dw_group, base) == 144 && offsetof(dw_group, multiplier) == 400 &&
                              offsetof(dw_group, right) == 464 && offsetof(dw_group, zp) == 528 &&
                              sizeof(dw_group) == 592 ? 1 : -1];
#define DW_ASM_PROLOGUE(NARROW)                                                                                    \
    "mov %[w], %[g]\n" "ld1 {v0.16b-v3.16b}, [%[w]], #64\n" "ld1 {v4.16b-v7.16b}, [%[w]], #64\n"                  \
    "ld1 {v8.16b}, [%[w]]\n" "add %[w], %[g], #" DW_AT_ZP "\n" "ld1 {v27.16b-v29.16b}, [%[w]]\n" NARROW##_SETUP   \
    "add %[base], %[g], #" DW_AT_BASE "\n" "add %[mult], %[g], #" DW_AT_MULTIPLIER "\n"                           \
    "add %[right], %[g], #" DW_AT_RIGHT "\n"
/* The row: n steps (each LOAD01, PRODUCTS, the rounding, both vectors narrowed and stored by STORE), then TAIL. */
#define DW_ASM_LOOP(LOAD01, PRODUCTS, NARROW, STORE, TAIL)                                                         \
    "1:\n"                                                                                                         \
    "ld1 {v9.4s-v12.4s}, [%[base]]\n" "ld1 {v13.4s-v16.4s}, [%[base]]\n" LOAD01 PRODUCTS                          \
    DW_ASM_ROUND(DW_ASM_EACH, NARROW) STORE(NARROW) "subs %[n], %[n], #1\n" "b.ne 1b\n" TAIL
/* 8-channel rows' tail: when back, one step more after stepping the inputs back by back bytes and the output by
 * back_o (a step overlapping the previous one: the same outputs written twice). */
#define DW_ASM_BACK                                                                                                \
    "cbz %[back], 2f\n"                                                                                            \
    "sub %[x0], %[x0], %[back]\n" "sub %[x1], %[x1], %[back]\n" "sub %[x2], %[x2], %[back]\n"                     \
    "sub %[o], %[o], %[back_o]\n" "mov %[back], #0\n" "mov %[n], #1\n" "b 1b\n"                                 \
    "2:\n"
/* 16-channel rows' tail: when odd, A alone on one more pixel (its three columns a row, either stride), its loads
 * moving the row pointers on to the next row (then past DW_ASM_IMAGE's adds, to 3). */
#define DW_ASM_ODD(NARROW)                                                                                         \
    "cbz %[odd], 2f\n"                                                                                             \
    "ld1 {v9.4s-v12.4s}, [%[base]]\n" "ld1 {v17.16b-v19.16b}, [%[x0]], %[rskip]\n"                                 \
    "ld1 {v21.16b-v23.16b}, [%[x1]], %[rskip]\n"                                                                   \
    DW_ASM_A(DW_ASM_TAP2, "v17", "v0", "v18", "v1", "v25", "v26")                                                  \
    DW_ASM_A(DW_ASM_TAP2, "v21", "v3", "v22", "v4", "v25", "v26")                                                  \
    DW_ASM_A(DW_ASM_TAP2, "v19", "v2", "v23", "v5", "v25", "v26") "ld1 {v17.16b-v19.16b}, [%[x2]], %[rskip]\n"     \
    DW_ASM_A(DW_ASM_TAP2, "v17", "v6", "v18", "v7", "v25", "v26") DW_ASM_A(DW_ASM_TAP1, "v19", "v8", "v25", "v26")  \
    DW_ASM_ROUND(DW_ASM_EACH_A, NARROW) DW_ASM_A(NARROW, "v25", "v26", DW_ASM_STORE16) "b 3f\n"                    \
    "2:\n"
#define DW_ASM_LOAD_S1(X, R0, R1, R2, R3) "ld1 {" R0 ".16b-" R3 ".16b}, [%[" X "]], %[step]\n"
#define DW_ASM_LOAD_S2(X, R0, R1, R2, R3, R4) DW_ASM_LOAD_S1(X, R0, R1, R2, R3) "ld1 {" R4 ".16b}, [%[" X "]]\n"
/* 8 channels: the odd taps E0-E1 (columns 1-4) by a second load 8 bytes on (w: 8 once the weights are in, step:
 * the rest of the step), where two EXTs took two instructions */
#define DW_ASM_LOAD_W8(X, R0, R1, R2, E0, E1)                                                                      \
    "ld1 {" R0 ".16b-" R2 ".16b}, [%[" X "]], %[w]\n" "ld1 {" E0 ".16b-" E1 ".16b}, [%[" X "]], %[step]\n"
#define DW_ASM_ROW_S1(NARROW, TAIL)                                                                                \
    DW_ASM_LOOP(DW_ASM_LOAD_S1("x0", "v17", "v18", "v19", "v20") DW_ASM_LOAD_S1("x1", "v21", "v22", "v23", "v24"), \
                DW_ASM_PRODUCTS("v17", "v18", "v19", "v21", "v22", "v23", "v17", "v18", "v19",                      \
                                "v18", "v19", "v20", "v22", "v23", "v24", "v18", "v19", "v20",                      \
                                DW_ASM_LOAD_S1("x2", "v17", "v18", "v19", "v20"), "v25", "v26", "v30", "v31"),     \
                NARROW, DW_ASM_OUT16, TAIL)
#define DW_ASM_ROW_S2(NARROW, TAIL)                                                                                \
    DW_ASM_LOOP(DW_ASM_LOAD_S2("x0", "v17", "v18", "v19", "v20", "v21")                                            \
                DW_ASM_LOAD_S2("x1", "v22", "v23", "v24", "v25", "v26"),                                           \
                DW_ASM_PRODUCTS("v17", "v18", "v19", "v22", "v23", "v24", "v17", "v18", "v19",                      \
                                "v19", "v20", "v21", "v24", "v25", "v26", "v19", "v20", "v21",                      \
                                DW_ASM_LOAD_S2("x2", "v17", "v18", "v19", "v20", "v21"), "v30", "v31", "v30",      \
                                "v31"),                                                                            \
                NARROW, DW_ASM_OUT16, TAIL)
#define DW_ASM_ROW_W8_OUT(NARROW, TAIL, OUT)                                                                       \
    DW_ASM_LOOP(DW_ASM_LOAD_W8("x0", "v17", "v18", "v19", "v20", "v21")                                            \
                DW_ASM_LOAD_W8("x1", "v22", "v23", "v24", "v25", "v26"),                                           \
                DW_ASM_PRODUCTS("v17", "v20", "v18", "v22", "v25", "v23", "v17", "v20", "v18",                      \
                                "v18", "v21", "v19", "v23", "v26", "v24", "v18", "v21", "v19",                      \
                                DW_ASM_LOAD_W8("x2", "v17", "v18", "v19", "v20", "v21"), "v30", "v31", "v30",      \
                                "v31"),                                                                            \
                NARROW, OUT, TAIL)
#define DW_ASM_ROW_W8(NARROW, TAIL) DW_ASM_ROW_W8_OUT(NARROW, TAIL, DW_ASM_OUT8X2)
#define DW_ASM_ROW_W8_ALL(NARROW, TAIL) DW_ASM_ROW_W8_OUT(NARROW, TAIL, DW_ASM_OUT8_ALL)

/* n pixels (16 channels: n >= 2, stride 1 or 2 across; 8: n >= 4, stride 1) of rows output rows of G groups g[0..G)
 * (8 channels: one) from their padded images at x (image bytes apart; rows rb bytes apart, columns of width bytes),
 * into o (the next group 16 bytes on; pixel stride C, row stride out_w * C): each row's steps, its tail (16
 * channels: a last odd pixel; 8: an overlapping step), the next row and the next group in assembly, a group's
 * weights loaded once. The pointers run on from row to row (rskip, oskip: a row's stride less what its steps moved
 * them) and from group to group (xback, oback). */
EDGEC_INLINE void dw_rows_asm(const int8_t *x, int8_t *o, size_t rb, uint64_t rows, int32_t n_px, int32_t width,
                              int unsigned_narrow, const dw_group *g, uint64_t G, size_t image,
                              const edgec_conv2d_s8_params *p) {
    const int8_t *w, *x1, *x2;
    const int32_t *base, *mult, *right;
    const int32_t per = width == 16 ? 2 : 4, rem = width == 16 ? 0 : n_px % per;
    const uint64_t C = (uint64_t)p->out_c, step = (uint64_t)32 * (uint64_t)p->stride_w, np = (uint64_t)(n_px / per);
    const uint64_t odd = width == 16 ? (uint64_t)n_px % 2 : 0, back0 = rem ? (uint64_t)((per - rem) * width) : 0;
    const uint64_t back_o = (uint64_t)(per - rem) * C, rstep = rb * (uint64_t)p->stride_h;
    const uint64_t ostep = (uint64_t)p->out_w * C;
    /* what a row's steps move the input and output pointers (an overlapping step: back bytes back first) */
    const uint64_t x_moved = (np + (back0 != 0)) * step - back0;
    const uint64_t o_moved = width == 16 ? (2 * np + odd) * C : (np + (back0 != 0)) * 4 * C - (back0 ? back_o : 0);
    uint64_t n, back, rc;
#define DW_ASM_IMAGE(NARROW, ROW, TAIL, RESET, START)                                                              \
    "9:\n" DW_ASM_PROLOGUE(NARROW) START "add %[x1], %[x0], %[rb]\n" "add %[x2], %[x1], %[rb]\n"                  \
    "mov %[rc], %[rows]\n"                                                                                         \
    "0:\n" "mov %[n], %[np]\n" RESET ROW(NARROW, TAIL)                                                            \
    "add %[x0], %[x0], %[rskip]\n" "add %[x1], %[x1], %[rskip]\n" "add %[x2], %[x2], %[rskip]\n"                 \
    "3:\n" "add %[o], %[o], %[oskip]\n" "subs %[rc], %[rc], #1\n" "b.ne 0b\n"                                    \
    "add %[x0], %[x0], %[xback]\n" "add %[o], %[o], %[oback]\n" "add %[g], %[g], #" DW_GROUP_BYTES "\n"          \
    "subs %[G], %[G], #1\n" "b.ne 9b\n"
#define DW_ASM_OPERANDS                                                                                            \
    : [g] "+r"(g), [x0] "+r"(x), [o] "+r"(o), [G] "+r"(G), [w] "=&r"(w), [base] "=&r"(base), [mult] "=&r"(mult),  \
      [right] "=&r"(right), [x1] "=&r"(x1), [x2] "=&r"(x2), [n] "=&r"(n), [back] "=&r"(back), [rc] "=&r"(rc)       \
    : [np] "r"(np), [odd] "r"(odd), [back0] "r"(back0), [back_o] "r"(back_o), [rb] "r"(rb),                        \
      [rskip] "r"(rstep - x_moved), [oskip] "r"(ostep - o_moved), [C] "r"(C),                                       \
      [step] "r"(width == 16 ? step : step - 8), [rows] "r"(rows),                                                 \
      [xback] "r"((uint64_t)image - rows * rstep), [oback] "r"(16 - rows * ostep)                                  \
    : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",     \
      "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",    \
      "v29", "v30", "v31"
#define DW_ASM_IMAGE_ODD(NARROW, ROW) DW_ASM_IMAGE(NARROW, ROW, DW_ASM_ODD(NARROW), "", "")
#define DW_ASM_RESET_BACK "mov %[back], %[back0]\n"
#define DW_ASM_START_W8 "mov %[w], #8\n"
#define DW_ASM_IMAGE_W8(NARROW, ROW) DW_ASM_IMAGE(NARROW, ROW, DW_ASM_BACK, DW_ASM_RESET_BACK, DW_ASM_START_W8)
    if (width == 8 && C == 8) { /* VWW's 48 x 48 x 8 */
        if (unsigned_narrow) __asm__ volatile(DW_ASM_IMAGE_W8(DW_ASM_NARROW_U, DW_ASM_ROW_W8_ALL) DW_ASM_OPERANDS);
        else __asm__ volatile(DW_ASM_IMAGE_W8(DW_ASM_NARROW_S, DW_ASM_ROW_W8_ALL) DW_ASM_OPERANDS);
    } else if (width == 8) {
        if (unsigned_narrow) __asm__ volatile(DW_ASM_IMAGE_W8(DW_ASM_NARROW_U, DW_ASM_ROW_W8) DW_ASM_OPERANDS);
        else __asm__ volatile(DW_ASM_IMAGE_W8(DW_ASM_NARROW_S, DW_ASM_ROW_W8) DW_ASM_OPERANDS);
    } else if (p->stride_w == 1) {
        if (unsigned_narrow) __asm__ volatile(DW_ASM_IMAGE_ODD(DW_ASM_NARROW_U, DW_ASM_ROW_S1) DW_ASM_OPERANDS);
        else __asm__ volatile(DW_ASM_IMAGE_ODD(DW_ASM_NARROW_S, DW_ASM_ROW_S1) DW_ASM_OPERANDS);
    } else {
        if (unsigned_narrow) __asm__ volatile(DW_ASM_IMAGE_ODD(DW_ASM_NARROW_U, DW_ASM_ROW_S2) DW_ASM_OPERANDS);
        else __asm__ volatile(DW_ASM_IMAGE_ODD(DW_ASM_NARROW_S, DW_ASM_ROW_S2) DW_ASM_OPERANDS);
    }
#undef DW_ASM_OPERANDS
}
#endif

/* The rows a run of G channel groups reads, padded, in 16 KB of stack: per group a plane (the group's channels,
 * compact: 16 bytes a column; a group of 8 channels, alone: 8); the taps outside the input read pad bytes, so
 * every output pixel takes the same code. The usual layer (dw_rows_asm) takes bands of output rows whose padded
 * input rows all fit (a small map's whole image: VWW's 6 x 6 and 3 x 3, KWS's 25 x 5; up to DW_GROUPS groups a
 * run, copied once), the rest a ring of three input rows of DW_COLS / G columns a plane and one row of pad bytes
 * that every group shares; wider outputs go in column strips. */
#define DW_COLS 256
#define DW_GROUPS 8
typedef struct {
    int8_t rows[4][DW_COLS * 16 + 8]; /* rows[3]: the pad row; 8 bytes more: 16-byte stores of 8-byte columns */
} dw_rows;

/* A padded row of G planes plane bytes apart at d (width bytes a column, cols columns): columns [lo, hi) from src
 * (C bytes apart; channels [c, c + G * width) at src), the others pad (16-byte stores: a group of 8 channels' last
 * pad column writes 8 bytes past the row, which the next row overwrites). A group spanning all of the input's
 * channels (C == width: VWW's 8- and 16-channel layers) is one contiguous run, copied 64 bytes at a time; groups
 * of 16 go four a pass over the columns when G allows (one 64-byte load, four stores a column: the pad columns
 * in the same pass), else one a pass, four columns a step. */
EDGEC_INLINE void dw_fill_cols(int8_t *d, size_t plane, int32_t G, const int8_t *src, int32_t lo, int32_t hi,
                               int32_t cols, int32_t width, int32_t C, int8x16_t pad) {
    if (width == 16 && G % 4 == 0 && C != width) {
        for (int32_t g = 0; g < G; g += 4, src += 64, d += 4 * plane) {
            int8_t *y0 = d, *y1 = d + plane, *y2 = d + 2 * plane, *y3 = d + 3 * plane;
            const int8_t *x = src;
            int32_t j = 0;
            for (; j < lo; ++j, y0 += 16, y1 += 16, y2 += 16, y3 += 16) {
                vst1q_s8(y0, pad);
                vst1q_s8(y1, pad);
                vst1q_s8(y2, pad);
                vst1q_s8(y3, pad);
            }
            for (; j < hi; ++j, x += C, y0 += 16, y1 += 16, y2 += 16, y3 += 16) {
                const int8x16x4_t v = edgec_neon_ld64_s8(x);
                vst1q_s8(y0, v.val[0]);
                vst1q_s8(y1, v.val[1]);
                vst1q_s8(y2, v.val[2]);
                vst1q_s8(y3, v.val[3]);
            }
            for (; j < cols; ++j, y0 += 16, y1 += 16, y2 += 16, y3 += 16) {
                vst1q_s8(y0, pad);
                vst1q_s8(y1, pad);
                vst1q_s8(y2, pad);
                vst1q_s8(y3, pad);
            }
        }
        return;
    }
    for (int32_t g = 0; g < G; ++g) {
        for (int32_t j = 0; j < lo; ++j) vst1q_s8(d + g * plane + width * j, pad);
        for (int32_t j = hi; j < cols; ++j) vst1q_s8(d + g * plane + width * j, pad);
    }
    const int32_t n = hi - lo;
    d += width * lo;
    if (C == width) {
        const int32_t bytes = n * width; /* a multiple of 8 */
        int32_t i = 0;
#if defined(__aarch64__)
        for (; i + 64 <= bytes; i += 64) vst1q_s8_x4(d + i, vld1q_s8_x4(src + i));
#endif
        for (; i + 16 <= bytes; i += 16) vst1q_s8(d + i, vld1q_s8(src + i));
        if (i < bytes) vst1_s8(d + i, vld1_s8(src + i));
    } else if (width == 16) {
        for (int32_t g = 0; g < G; ++g, src += 16, d += plane) {
            const int8_t *x = src;
            int8_t *y = d;
            int32_t j = 0;
            for (; j + 4 <= n; j += 4, x += 4 * (size_t)C, y += 64) {
                int8x16x4_t v;
                v.val[0] = vld1q_s8(x);
                v.val[1] = vld1q_s8(x + C);
                v.val[2] = vld1q_s8(x + 2 * (size_t)C);
                v.val[3] = vld1q_s8(x + 3 * (size_t)C);
#if defined(__aarch64__)
                vst1q_s8_x4(y, v);
#else
                vst1q_s8(y, v.val[0]);
                vst1q_s8(y + 16, v.val[1]);
                vst1q_s8(y + 32, v.val[2]);
                vst1q_s8(y + 48, v.val[3]);
#endif
            }
            for (; j < n; ++j, x += C, y += 16) vst1q_s8(y, vld1q_s8(x));
        }
    } else {
        for (int32_t j = 0; j < n; ++j, src += C, d += 8) vst1_s8(d, vld1_s8(src));
    }
}

/* The columns of the cols from ix0 inside the input: [*lo, *hi). */
EDGEC_INLINE void dw_inside(int32_t ix0, int32_t cols, int32_t in_w, int32_t *lo, int32_t *hi) {
    *lo = ix0 >= 0 ? 0 : -ix0 < cols ? -ix0 : cols;
    *hi = in_w - ix0 < cols ? (in_w - ix0 > *lo ? in_w - ix0 : *lo) : cols;
}

/* Input row iy's padded row for the ring (dw_fill_cols; the geometry in locals: the byte stores could alias *p).
 * Out of line, as dw_fill_image: clang inlined both into each of the twelve dw3x3_groups copies (+23 KB). */
__attribute__((noinline)) static void dw_fill_row(int8_t *dst, size_t plane, int32_t G, const int8_t *in_b,
                                                 int32_t iy, int32_t ix0, int32_t cols, int32_t c, int32_t width,
                                                 int8x16_t pad, const edgec_conv2d_s8_params *p) {
    const int32_t in_w = p->in_w, C = p->in_c;
    int32_t lo, hi;
    dw_inside(ix0, cols, in_w, &lo, &hi);
    dw_fill_cols(dst, plane, G, in_b + ((size_t)iy * in_w + (size_t)(ix0 + lo)) * C + c, lo, hi, cols, width, C, pad);
}

#if defined(DW_ASM)
/* bytes of pad (a multiple of 8) at d in each of G planes plane bytes apart: 64 bytes a store, then 16 (a run of
 * 8-byte columns may end 8 bytes into the row after it, which is filled after it). */
static void dw_pad_rows(int8_t *d, size_t plane, uint64_t G, size_t bytes, int8x16_t pad) {
    const uint64_t q64 = bytes / 64, r16 = bytes % 64, skip = plane - (bytes + 15) / 16 * 16;
    uint64_t j;
#define DW_PAD_ROWS(TAIL)                                                                                          \
    __asm__ volatile("mov v16.16b, %[pad].16b\n" "mov v17.16b, %[pad].16b\n" "mov v18.16b, %[pad].16b\n"         \
                     "mov v19.16b, %[pad].16b\n"                                                                  \
                     "0:\n" "mov %[j], %[q64]\n" "cbz %[j], 2f\n"                                                 \
                     "1:\n" "st1 {v16.16b-v19.16b}, [%[d]], #64\n" "subs %[j], %[j], #1\n" "b.ne 1b\n"            \
                     "2:\n" TAIL "add %[d], %[d], %[skip]\n" "subs %[G], %[G], #1\n" "b.ne 0b\n"                  \
                     : [d] "+r"(d), [G] "+r"(G), [j] "=&r"(j)                                                      \
                     : [pad] "w"(pad), [q64] "r"(q64), [r16] "r"(r16), [skip] "r"(skip)                            \
                     : "memory", "cc", "v16", "v17", "v18", "v19")
    if (r16) /* then 16 bytes a store */
        DW_PAD_ROWS("mov %[j], %[r16]\n" "3:\n" "st1 {v16.16b}, [%[d]], #16\n" "subs %[j], %[j], #16\n" "b.gt 3b\n");
    else
        DW_PAD_ROWS("");
#undef DW_PAD_ROWS
}

/* The data rows of dw_fill_image, in assembly (GCC's loops took about 100 instructions a row beside the copies):
 * each row lo pad columns (PAD), n columns from the input (DATA), right pad columns, the stores running on from
 * row to row (a row is the plane's next rb bytes) and the input moving on by skip bytes a row. */
#define DW_FILL_PADS(COUNT, PAD)                                                                                   \
    "cbz %[" COUNT "], 3f\n" "mov %[j], %[" COUNT "]\n" "2:\n" PAD "subs %[j], %[j], #1\n" "b.ne 2b\n" "3:\n"
/* A row's right pad columns and the next row's left ones are adjacent (edge of them): one pass, two columns a store
 * (PAD2) when edge is 2 (stride 1, one column each side), where two passes took 16 instructions a row (K = 4) */
#define DW_FILL_ROWS(DATA, PAD, PAD2)                                                                              \
    "mov v16.16b, %[pad].16b\n" DW_FILL_PADS("lo", PAD) "b 13f\n"                                                  \
    "1:\n" "cmp %[edge], #2\n" "b.ne 10f\n" PAD2 "b 11f\n"                                                          \
    "10:\n" "cmp %[edge], #1\n" "b.ne 12f\n" PAD "b 11f\n" "12:\n" DW_FILL_PADS("edge", PAD)                        \
    "11:\n" "add %[x], %[x], %[skip]\n" "13:\n" DATA "subs %[rows], %[rows], #1\n" "b.ne 1b\n"                       \
    DW_FILL_PADS("right", PAD)
/* n columns C bytes apart: two a step (LOAD2, STORE2), then one (LOAD1, STORE1) when n is odd */
#define DW_FILL_COLS(LOAD1, STORE1, LOAD2, STORE2)                                                                 \
    "lsr %[j], %[n], #1\n" "cbz %[j], 5f\n" "4:\n" LOAD2 STORE2 "subs %[j], %[j], #1\n" "b.ne 4b\n"              \
    "5:\n" "tbz %[n], #0, 6f\n" LOAD1 STORE1 "6:\n"
/* n bytes (a multiple of 8) of a contiguous row: 256 a step (128 took 6 instructions), then 128, 64, 32, 16, 8 */
#define DW_FILL_PIECE(BIT, REGS, BYTES)                                                                            \
    "tbz %[n], #" BIT ", 5f\n" "ld1 {" REGS "}, [%[x]], #" BYTES "\n" "st1 {" REGS "}, [%[y0]], #" BYTES "\n" "5:\n"
/* 128 bytes at P by eight registers: R "v", v0-v7, or "v2", v20-v27 */
#define DW_FILL_128(LD_OR_ST, R, P)                                                                                \
    LD_OR_ST " {" R "0.16b-" R "3.16b}, [%[" P "]], #64\n" LD_OR_ST " {" R "4.16b-" R "7.16b}, [%[" P "]], #64\n"
#define DW_FILL_BYTES                                                                                              \
    "lsr %[j], %[n], #8\n" "cbz %[j], 5f\n"                                                                        \
    "4:\n" DW_FILL_128("ld1", "v", "x") DW_FILL_128("ld1", "v2", "x") DW_FILL_128("st1", "v", "y0")                  \
    DW_FILL_128("st1", "v2", "y0") "subs %[j], %[j], #1\n" "b.ne 4b\n" "5:\n"                                       \
    "tbz %[n], #7, 5f\n" DW_FILL_128("ld1", "v2", "x") DW_FILL_128("st1", "v2", "y0") "5:\n"                        \
    DW_FILL_PIECE("6", "v20.16b-v23.16b", "64") DW_FILL_PIECE("5", "v20.16b-v21.16b", "32")                      \
    DW_FILL_PIECE("4", "v20.16b", "16") DW_FILL_PIECE("3", "v20.8b", "8")
#define DW_FILL_LD(R) "ld1 {" R "}, [%[x]], %[C]\n"
#define DW_FILL_Q(Y, R) "str q" R ", [%[" Y "]], #16\n"
#define DW_FILL_QQ(Y, R, S) "stp q" R ", q" S ", [%[" Y "]], #32\n"
#define DW_FILL_PLANES4                                                                                            \
    DW_FILL_COLS(DW_FILL_LD("v20.16b-v23.16b"),                                                                   \
                 DW_FILL_Q("y0", "20") DW_FILL_Q("y1", "21") DW_FILL_Q("y2", "22") DW_FILL_Q("y3", "23"),          \
                 DW_FILL_LD("v20.16b-v23.16b") DW_FILL_LD("v24.16b-v27.16b"),                                     \
                 DW_FILL_QQ("y0", "20", "24") DW_FILL_QQ("y1", "21", "25") DW_FILL_QQ("y2", "22", "26")            \
                 DW_FILL_QQ("y3", "23", "27"))
#define DW_FILL_PLANES2                                                                                            \
    DW_FILL_COLS(DW_FILL_LD("v20.16b-v21.16b"), DW_FILL_Q("y0", "20") DW_FILL_Q("y1", "21"),                     \
                 DW_FILL_LD("v20.16b-v21.16b") DW_FILL_LD("v24.16b-v25.16b"),                                     \
                 DW_FILL_QQ("y0", "20", "24") DW_FILL_QQ("y1", "21", "25"))
/* one group: eight columns a step (two ST1s of four registers; four a step took 7 instructions), then four, two,
 * one */
#define DW_FILL_LD4(R0, R1, R2, R3) DW_FILL_LD(R0) DW_FILL_LD(R1) DW_FILL_LD(R2) DW_FILL_LD(R3)
#define DW_FILL_PLANES1                                                                                            \
    "lsr %[j], %[n], #3\n" "cbz %[j], 7f\n"                                                                         \
    "8:\n" DW_FILL_LD4("v20.16b", "v21.16b", "v22.16b", "v23.16b") DW_FILL_LD4("v24.16b", "v25.16b", "v26.16b",     \
                                                                              "v27.16b")                          \
    "st1 {v20.16b-v23.16b}, [%[y0]], #64\n" "st1 {v24.16b-v27.16b}, [%[y0]], #64\n" "subs %[j], %[j], #1\n"       \
    "b.ne 8b\n"                                                                                                    \
    "7:\n" "tbz %[n], #2, 7f\n" DW_FILL_LD4("v20.16b", "v21.16b", "v22.16b", "v23.16b")                             \
    "st1 {v20.16b-v23.16b}, [%[y0]], #64\n"                                                                        \
    "7:\n" "tbz %[n], #1, 7f\n" DW_FILL_LD("v20.16b") DW_FILL_LD("v24.16b") DW_FILL_QQ("y0", "20", "24") "7:\n"     \
    "tbz %[n], #0, 6f\n" DW_FILL_LD("v20.16b") DW_FILL_Q("y0", "20") "6:\n"
#define DW_FILL_PLANES1_W8                                                                                         \
    DW_FILL_COLS(DW_FILL_LD("v20.8b"), "str d20, [%[y0]], #8\n", DW_FILL_LD("v20.8b") DW_FILL_LD("v24.8b"),       \
                 "stp d20, d24, [%[y0]], #16\n")
#define DW_FILL_PAD16(K) DW_FILL_PAD16_##K
#define DW_FILL_PAD16_1 DW_FILL_Q("y0", "16")
#define DW_FILL_PAD16_2 DW_FILL_PAD16_1 DW_FILL_Q("y1", "16")
#define DW_FILL_PAD16_4 DW_FILL_PAD16_2 DW_FILL_Q("y2", "16") DW_FILL_Q("y3", "16")
#define DW_FILL_PAD8 "str d16, [%[y0]], #8\n"
#define DW_FILL_PAIR16(K) DW_FILL_PAIR16_##K
#define DW_FILL_PAIR16_1 DW_FILL_QQ("y0", "16", "16")
#define DW_FILL_PAIR16_2 DW_FILL_PAIR16_1 DW_FILL_QQ("y1", "16", "16")
#define DW_FILL_PAIR16_4 DW_FILL_PAIR16_2 DW_FILL_QQ("y2", "16", "16") DW_FILL_QQ("y3", "16", "16")
#define DW_FILL_PAIR8 DW_FILL_Q("y0", "16")

/* G groups' padded rows, plane bytes apart at dst: prows input rows from iy0, each cols columns of width bytes from
 * ix0, channels [c, c + G * width); rows and columns outside the input: pad. The columns inside the input are the
 * same every row, worked out once; the data rows' groups four, two or one a pass (one 64-, 32- or 16-byte load a
 * column), a group spanning all of the input's channels (C == width: VWW's 8- and 16-channel layers) a contiguous
 * run a row. */
__attribute__((noinline)) static void dw_fill_image(int8_t *dst, size_t plane, int32_t G, int32_t iy0,
                                                   int32_t prows, int32_t ix0, int32_t cols, int32_t width,
                                                   const int8_t *in_b, int32_t c, int8x16_t pad,
                                                   const edgec_conv2d_s8_params *p) {
    const int32_t in_h = p->in_h, in_w = p->in_w, C = p->in_c;
    int32_t lo, hi;
    dw_inside(ix0, cols, in_w, &lo, &hi);
    const size_t rb = (size_t)width * (size_t)cols, in_row = (size_t)in_w * (size_t)C;
    const int32_t top = iy0 >= 0 ? 0 : -iy0 < prows ? -iy0 : prows; /* pad rows above the input */
    const int32_t end = in_h - iy0 < prows ? (in_h - iy0 > top ? in_h - iy0 : top) : prows; /* and from end on */
    if (top) dw_pad_rows(dst, plane, (uint64_t)G, rb * (size_t)top, pad);
    if (end > top) {
        const uint64_t n = (uint64_t)(hi - lo), skip = in_row - n * (uint64_t)C;
        const int K = width == 8 || C == width ? 1 : G % 4 == 0 ? 4 : G % 2 == 0 ? 2 : 1; /* groups a pass */
        for (int32_t g = 0; g < G; g += K) {
            const int8_t *x = in_b + (size_t)(iy0 + top) * in_row + (size_t)(ix0 + lo) * (size_t)C + c + 16 * g;
            int8_t *y0 = dst + (size_t)top * rb + (size_t)g * plane, *y1 = y0 + plane, *y2 = y1 + plane;
            int8_t *y3 = y2 + plane;
            uint64_t rows = (uint64_t)(end - top), j;
#define DW_FILL_OPERANDS(N)                                                                                        \
    : [x] "+r"(x), [y0] "+r"(y0), [y1] "+r"(y1), [y2] "+r"(y2), [y3] "+r"(y3), [rows] "+r"(rows), [j] "=&r"(j)     \
    : [pad] "w"(pad), [lo] "r"((uint64_t)lo), [right] "r"((uint64_t)(cols - hi)), [n] "r"(N), [C] "r"((uint64_t)C), \
      [skip] "r"(skip), [edge] "r"((uint64_t)(cols - hi + lo))                                                     \
    : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v20", "v21", "v22", "v23", "v24",    \
      "v25", "v26", "v27"
#define DW_FILL_ASM(DATA, PAD, PAIR, N) __asm__ volatile(DW_FILL_ROWS(DATA, PAD, PAIR) DW_FILL_OPERANDS(N))
            if (C == width && width == 8) DW_FILL_ASM(DW_FILL_BYTES, DW_FILL_PAD8, DW_FILL_PAIR8, n * 8);
            else if (C == width) DW_FILL_ASM(DW_FILL_BYTES, DW_FILL_PAD16(1), DW_FILL_PAIR16(1), n * 16);
            else if (width == 8) DW_FILL_ASM(DW_FILL_PLANES1_W8, DW_FILL_PAD8, DW_FILL_PAIR8, n);
            else if (K == 4) DW_FILL_ASM(DW_FILL_PLANES4, DW_FILL_PAD16(4), DW_FILL_PAIR16(4), n);
            else if (K == 2) DW_FILL_ASM(DW_FILL_PLANES2, DW_FILL_PAD16(2), DW_FILL_PAIR16(2), n);
            else DW_FILL_ASM(DW_FILL_PLANES1, DW_FILL_PAD16(1), DW_FILL_PAIR16(1), n);
#undef DW_FILL_ASM
#undef DW_FILL_OPERANDS
        }
    }
    if (end < prows) dw_pad_rows(dst + (size_t)end * rb, plane, (uint64_t)G, rb * (size_t)(prows - end), pad);
}
#endif

/* One output row's n pixels of a group from its rows x0-x2 (intrinsics: any stride, pairs and mode). */
EDGEC_INLINE void dw_row(const int8_t *x0, const int8_t *x1, const int8_t *x2, int8_t *o, int32_t n,
                         const dw_group *g, int32_t width, int pairs, int mode, const edgec_conv2d_s8_params *p) {
    const int32_t C = p->out_c, sw = p->stride_w;
    const int8x16_t w[9] = {g->w[0], g->w[1], g->w[2], g->w[3], g->w[4], g->w[5], g->w[6], g->w[7], g->w[8]};
    if (width == 8) { /* two pixels a vector: lanes 0-7 pixel i, 8-15 pixel i + 1 */
        const size_t pair = 8 * (size_t)sw;
        for (int32_t i = 0; i < n; i += 2, x0 += 2 * pair, x1 += 2 * pair, x2 += 2 * pair, o += 2 * C) {
            const size_t b = i + 1 < n ? pair : 0; /* a last single pixel: itself twice */
#define DW_PAIR(x, k) vcombine_s8(vld1_s8(x + 8 * k), vld1_s8(x + 8 * k + b))
            const int8x16_t u[9] = {DW_PAIR(x0, 0), DW_PAIR(x0, 1), DW_PAIR(x0, 2),
                                    DW_PAIR(x1, 0), DW_PAIR(x1, 1), DW_PAIR(x1, 2),
                                    DW_PAIR(x2, 0), DW_PAIR(x2, 1), DW_PAIR(x2, 2)};
#undef DW_PAIR
            const int8x16_t res = dw_pixel(u, w, g, pairs, mode);
            vst1_s8(o, vget_low_s8(res));
            if (b) vst1_s8(o + C, vget_high_s8(res));
        }
        return;
    }
    const size_t step = 16 * (size_t)sw;
    for (int32_t i = 0; i < n; ++i, x0 += step, x1 += step, x2 += step, o += C) {
        int8x16_t u[9];
        dw_taps(u, x0, x1, x2);
        vst1q_s8(o, dw_pixel(u, w, g, pairs, mode));
    }
}

/* Channels [c, c + G * width) of every output pixel of one image: G groups g[0..G) of 16 channels, or one of 8.
 * pairs: no weight of the groups is -128; mode: their DW_SHIFT_ value; unsigned_narrow: a zero point of -128 with
 * act_min -128 and act_max 127 (DW_ASM_NARROW_U). */
EDGEC_INLINE void dw3x3_groups(const int8_t *in_b, int8_t *out_b, const dw_group *g, int32_t G, dw_rows *buf,
                               int32_t c, int32_t width, int pairs, int mode, int unsigned_narrow,
                               const edgec_conv2d_s8_params *p) {
    /* the geometry in locals: the assembly's memory clobber would reload it from *p every row */
    const int32_t C = p->out_c, sw = p->stride_w, sh = p->stride_h, in_h = p->in_h, out_h = p->out_h;
    const int32_t out_w = p->out_w, pad_top = p->pad_top, max_cols = DW_COLS / G;
    const int32_t strip = (max_cols - 3) / sw + 1; /* output columns a strip */
    const size_t plane = (size_t)width * max_cols;
    const int8x16_t pad = vld1q_s8(g->pad);
#if defined(DW_ASM)
    const int32_t per = width == 16 ? 2 : 4; /* dw_rows_asm's pixels a step */
    if (pairs && mode == DW_SHIFT_RIGHT && (width == 16 ? sw <= 2 : sw == 1) && out_w >= per) {
        /* column strips (balanced) of at most the columns three padded rows of the groups fit, then bands of output
         * rows whose padded rows fit the ring's bytes; each band's groups in turn */
        const size_t cap = sizeof buf->rows - 16;
        const int32_t max_n = ((int32_t)(cap / (3 * (size_t)G * (size_t)width)) - 3) / sw + 1;
        const int32_t strips = (out_w + max_n - 1) / max_n;
        int8_t *x = &buf->rows[0][0];
        for (int32_t s = 0; s < strips; ++s) { /* strip sizes differ by one at most: each >= per */
            const int32_t ox0 = (int32_t)((int64_t)out_w * s / strips);
            const int32_t n = (int32_t)((int64_t)out_w * (s + 1) / strips) - ox0, pcols = (n - 1) * sw + 3;
            const size_t rb = (size_t)width * (size_t)pcols, fit = cap / ((size_t)G * rb);
            const int32_t band = (int32_t)((fit - 3) / (size_t)sh + 1) < out_h ? (int32_t)((fit - 3) / (size_t)sh + 1)
                                                                               : out_h;
            const size_t image = rb * (size_t)((band - 1) * sh + 3); /* a group's plane */
            for (int32_t oy0 = 0; oy0 < out_h; oy0 += band) {
                const int32_t nb = out_h - oy0 < band ? out_h - oy0 : band;
                dw_fill_image(x, image, G, oy0 * sh - pad_top, (nb - 1) * sh + 3, ox0 * sw - p->pad_left, pcols,
                              width, in_b, c, pad, p);
                int8_t *o = out_b + ((size_t)oy0 * out_w + ox0) * C + c;
                dw_rows_asm(x, o, rb, (uint64_t)nb, n, width, unsigned_narrow, g, (uint64_t)G, image, p);
            }
        }
        return;
    }
#else
    (void)unsigned_narrow;
#endif
    for (int32_t ox0 = 0; ox0 < out_w; ox0 += strip) {
        const int32_t n = out_w - ox0 < strip ? out_w - ox0 : strip, cols = (n - 1) * sw + 3;
        const int32_t ix0 = ox0 * sw - p->pad_left;
        for (int32_t j = 0; j < (cols * width + 15) / 16; ++j) vst1q_s8(buf->rows[3] + 16 * j, pad);
        int32_t next = 0; /* the first input row not yet in the ring */
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * sh - pad_top;
            int32_t slot = iy0 % 3; /* input row iy's ring slot: iy mod 3 */
            slot += slot < 0 ? 3 : 0;
            const int8_t *r[3];
            size_t rs[3]; /* bytes from a group's plane to the next: none in the pad row */
            for (int32_t ky = 0; ky < 3; ++ky, slot = slot == 2 ? 0 : slot + 1) {
                const int32_t iy = iy0 + ky;
                r[ky] = buf->rows[3];
                rs[ky] = 0;
                if (iy < 0 || iy >= in_h) continue;
                if (iy >= next) {
                    dw_fill_row(buf->rows[slot], plane, G, in_b, iy, ix0, cols, c, width, pad, p);
                    next = iy + 1;
                }
                r[ky] = buf->rows[slot];
                rs[ky] = plane;
            }
            int8_t *o = out_b + ((size_t)oy * out_w + ox0) * C + c;
            for (int32_t k = 0; k < G; ++k, o += width) {
                const int8_t *x0 = r[0] + k * rs[0], *x1 = r[1] + k * rs[1], *x2 = r[2] + k * rs[2];
                dw_row(x0, x1, x2, o, n, &g[k], width, pairs, mode, p);
            }
        }
    }
}

#endif /* !DW_DOT */

#if defined(DW_DOT)
/* ---- the same 3x3 groups with SDOT: one 32-bit lane holds one channel's taps of a kernel row, [x0 x1 x2 *]
 * against [w0 w1 w2 0], so a pixel's 16 channels take 12 SDOTs (three rows of four registers) and no widening.
 * The input comes in that layout from bands built once per input row: entry i of a group's band is output column
 * i's window row, 16 channels x 4 bytes (columns j..j+3, j = i * stride, outside the input: pad bytes; four TBLs
 * of four columns' vectors, dwd_fill_tbl), read from a copy of the strip's input row whose border columns are pad
 * bytes (dwd_strip_start, dwd_build), so that no step checks a border. A ring of three rows' bands (rows outside
 * the input: pad bytes, dwd_build); up to DWD_CHUNK channels' groups at once (dwd_chunk), their bands back to
 * back, so that a small map's row runs every group in one call; outputs wider than a band go in strips. A last
 * group of 8 channels takes two pixels a vector (entries of 32 bytes: lanes 0-7 pixel i, 8-15 pixel i + 1;
 * dwd_group). The arithmetic (the raw bytes' sums, the base, the requantisation) is dw_pixel's: bit-exact; with
 * ReLU's outputs (zero point -128, int8's bounds) the loops narrow unsigned (DWD_RQ_RELU). */
#define DWD_Q 64 /* output columns a strip (even) */
#define DWD_CHUNK 128 /* channels a pass of dwd_chunk: 8 groups */
#define DWD_SLOT 8192 /* bytes of a band */
#define DWD_ROW 4352 /* bytes of a strip's input columns (dwd_build copies them) */
typedef struct {
    int8_t q[3][DWD_SLOT]; /* three input rows' bands */
    int8_t row[DWD_ROW];
    dw_group g[DWD_CHUNK / 16];
} dwd_work;

/* Column k's channels of a row: 16 bytes, or 8 in the low half. */
EDGEC_INLINE int8x16_t dwd_col(const int8_t *x, int32_t width) {
    return width == 16 ? vld1q_s8(x) : vcombine_s8(vld1_s8(x), vdup_n_s8(0));
}

/* The window rows of columns with pairs a = zip(j, j + 1) and b = zip(j + 2, j + 3), stored at dst. */
EDGEC_INLINE void dwd_store(int8_t *dst, int8x16_t a_lo, int8x16_t a_hi, int8x16_t b_lo, int8x16_t b_hi,
                            int32_t width) {
    const int16x8_t al = vreinterpretq_s16_s8(a_lo), bl = vreinterpretq_s16_s8(b_lo);
    vst1q_s8(dst, vreinterpretq_s8_s16(vzip1q_s16(al, bl)));
    vst1q_s8(dst + 16, vreinterpretq_s8_s16(vzip2q_s16(al, bl)));
    if (width == 16) {
        const int16x8_t ah = vreinterpretq_s16_s8(a_hi), bh = vreinterpretq_s16_s8(b_hi);
        vst1q_s8(dst + 32, vreinterpretq_s8_s16(vzip1q_s16(ah, bh)));
        vst1q_s8(dst + 48, vreinterpretq_s8_s16(vzip2q_s16(ah, bh)));
    }
}

/* Input row iy's band, any stride: nq entries, entry i from columns ix0 + i * stride + (0..3), channels [c, c +
 * width); columns outside the input read pad. (Strides 1 and 2 take dwd_fill_tbl.) */
static void dwd_fill(int8_t *dst, const int8_t *in_b, int32_t iy, int32_t ix0, int32_t nq, int32_t c, int32_t width,
                     const int8_t *pad, const edgec_conv2d_s8_params *p) {
    const int32_t sw = p->stride_w, entry = 4 * width, in_w = p->in_w;
    const ptrdiff_t C = p->in_c;
    const int8_t *row = in_b + (size_t)iy * in_w * C + c;
    int8x16_t x[4];
    for (int32_t i = 0, k = ix0; i < nq; ++i, dst += entry, k += sw) {
        for (int32_t j = 0; j < 4; ++j)
            x[j] = dwd_col((uint32_t)(k + j) < (uint32_t)in_w ? row + (ptrdiff_t)(k + j) * C : pad, width);
        dwd_store(dst, vzip1q_s8(x[0], x[1]), vzip2q_s8(x[0], x[1]), vzip1q_s8(x[2], x[3]), vzip2q_s8(x[2], x[3]),
                  width);
    }
}

/* TBL's indices for an entry from four columns' vectors (the table, in order): register r of the entry (channels
 * 4r..4r+3) takes at byte 4i + t column t's byte 4r + i. */
static const uint8_t dwd_tbl_index[64] = {
    0, 16, 32, 48, 1, 17, 33, 49, 2, 18, 34, 50, 3, 19, 35, 51,
    4, 20, 36, 52, 5, 21, 37, 53, 6, 22, 38, 54, 7, 23, 39, 55,
    8, 24, 40, 56, 9, 25, 41, 57, 10, 26, 42, 58, 11, 27, 43, 59,
    12, 28, 44, 60, 13, 29, 45, 61, 14, 30, 46, 62, 15, 31, 47, 63};
/* The same for 8 channels from a table of two columns a register (column t at byte 8t): registers 0-1 an entry,
 * 2-3 the next entry's (one column on). */
static const uint8_t dwd_tbl_index8[64] = {
    0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27,
    4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31,
    8, 16, 24, 32, 9, 17, 25, 33, 10, 18, 26, 34, 11, 19, 27, 35,
    12, 20, 28, 36, 13, 21, 29, 37, 14, 22, 30, 38, 15, 23, 31, 39};

/* Bands at stride 1 or 2 for groups [0, G) (group g's entries at d + g * gstride), n entries from a row whose
 * column j, group g is at x + j * cs + 16 g: entry i from columns i * stride + (0..3). A step's columns are loaded
 * into v16.. in order (no callee-saved register), so that each entry's columns are four consecutive registers, the
 * table of four TBLs (v0-v3 the indices), and an ST1 an entry: 11 + 32 + 8 instructions for 8 entries at stride 1
 * (6.4 an entry, where two levels of ZIPs took 8), 10 + 16 + 4 for 4 at stride 2; the rest by n's bits
 * (DWD_TAIL1, DWD_TAIL2). DWD_TBL16 also takes both entries of a vector of 8 channels from a table of three
 * registers of two columns each (dwd_tbl_index8). */
#define DWD_TBL16(a, d)                                                                                            \
    "tbl v4.16b, {v" #a ".16b-v" #d ".16b}, v0.16b\n"                                                               \
    "tbl v5.16b, {v" #a ".16b-v" #d ".16b}, v1.16b\n"                                                               \
    "tbl v6.16b, {v" #a ".16b-v" #d ".16b}, v2.16b\n"                                                               \
    "tbl v7.16b, {v" #a ".16b-v" #d ".16b}, v3.16b\n"                                                               \
    "st1 {v4.16b-v7.16b}, [%[d]], #64\n"
#define DWD_TBL8(a, d)                                                                                             \
    "tbl v4.16b, {v" #a ".16b-v" #d ".16b}, v0.16b\n"                                                               \
    "tbl v5.16b, {v" #a ".16b-v" #d ".16b}, v1.16b\n"                                                               \
    "st1 {v4.16b-v5.16b}, [%[d]], #32\n"
/* Loads of columns into v<a>..v<d>: one LD1 a column (L = DWD_LS), or, when the columns are contiguous (one group),
 * one LD1 of up to four (L = DWD_LC). */
#define DWD_LD(v, w) "ld1 {v" #v "." w "}, [%[src]], %[cs]\n"
#define DWD_LS_16_19(w) DWD_LD(16, w) DWD_LD(17, w) DWD_LD(18, w) DWD_LD(19, w)
#define DWD_LS_20_23(w) DWD_LD(20, w) DWD_LD(21, w) DWD_LD(22, w) DWD_LD(23, w)
#define DWD_LS_24_26(w) DWD_LD(24, w) DWD_LD(25, w) DWD_LD(26, w)
#define DWD_LS_20_22(w) DWD_LD(20, w) DWD_LD(21, w) DWD_LD(22, w)
#define DWD_LS_24_25(w) DWD_LD(24, w) DWD_LD(25, w)
#define DWD_LS_20_21(w) DWD_LD(20, w) DWD_LD(21, w)
#define DWD_LS_22_23(w) DWD_LD(22, w) DWD_LD(23, w)
#define DWD_LS_23_24(w) DWD_LD(23, w) DWD_LD(24, w)
#define DWD_LS(a, d, w) DWD_LS_##a##_##d(w)
#define DWD_CNT_16_19 "c4"
#define DWD_CNT_20_23 "c4"
#define DWD_CNT_24_26 "c3"
#define DWD_CNT_20_22 "c3"
#define DWD_CNT_24_25 "c2"
#define DWD_CNT_20_21 "c2"
#define DWD_CNT_22_23 "c2"
#define DWD_CNT_23_24 "c2"
#define DWD_LC(a, d, w) "ld1 {v" #a "." w "-v" #d "." w "}, [%[src]], %[" DWD_CNT_##a##_##d "]\n"
#define DWD_STEP1X8(L, w, E)                                                                                       \
    L(16, 19, w) L(20, 23, w) L(24, 26, w)                                                                          \
    E(16, 19) E(17, 20) E(18, 21) E(19, 22) E(20, 23) E(21, 24) E(22, 25) E(23, 26)
#define DWD_STEP2(L, w, E) L(16, 19, w) L(20, 23, w) L(24, 25, w) E(16, 19) E(18, 21) E(20, 23) E(22, 25)
/* The last n % 8 entries at stride 1 (n % 4 at stride 2) by n's bits, each part's columns loaded once: a part after
 * a part of 4 (2) entries takes that part's last columns from its registers. */
#define DWD_TAIL1(L, w, E)                                                                                         \
    "tbz %[n], #2, 30f\n"                                                                                           \
    L(16, 19, w) L(20, 22, w) E(16, 19) E(17, 20) E(18, 21) E(19, 22)                                              \
    "tbz %[n], #1, 31f\n"                                                                                           \
    L(23, 24, w) E(20, 23) E(21, 24)                                                                               \
    "tbz %[n], #0, 5f\n"                                                                                            \
    DWD_LD(25, w) E(22, 25) "b 5f\n"                                                                               \
    "30:\n"                                                                                                         \
    "tbz %[n], #1, 32f\n"                                                                                           \
    L(16, 19, w) DWD_LD(20, w) E(16, 19) E(17, 20)                                                                 \
    "tbz %[n], #0, 5f\n"                                                                                            \
    DWD_LD(21, w) E(18, 21) "b 5f\n"                                                                               \
    "32:\n"                                                                                                         \
    "tbz %[n], #0, 5f\n"                                                                                            \
    L(16, 19, w) E(16, 19) "b 5f\n"                                                                                \
    "31:\n" /* last: KWS's 4 + 1 runs on into the end */                                                          \
    "tbz %[n], #0, 5f\n"                                                                                            \
    DWD_LD(23, w) E(20, 23)
#define DWD_TAIL2(L, w, E)                                                                                         \
    "tbz %[n], #1, 30f\n"                                                                                           \
    L(16, 19, w) L(20, 21, w) E(16, 19) E(18, 21)                                                                  \
    "tbz %[n], #0, 5f\n"                                                                                            \
    L(22, 23, w) E(20, 23) "b 5f\n"                                                                                \
    "30:\n"                                                                                                         \
    "tbz %[n], #0, 5f\n"                                                                                            \
    L(16, 19, w) E(16, 19)

/* dwd_fill_tbl's operands, worked out once a strip (dwd_fill_plan): cs the bytes from a column to the next, back
 * what a step's loads go past its next step's first column, next from a group's last entry to the next group's
 * first, steps the whole steps (stride 1: of eight entries, stride 2: of four; then the tail by n's bits). */
typedef struct {
    uint64_t steps, back, next, n, G, cs, c2, c3, c4; /* c2-c4: 2, 3, 4 columns' bytes */
    int32_t sw, width;
} dwd_fill_ops;
static void dwd_fill_plan(dwd_fill_ops *f, int32_t n, int32_t G, size_t gstride, int32_t sw, int32_t width) {
    const uint64_t cs = (uint64_t)G * (uint64_t)width;
    f->back = (uint64_t)(4 - sw) * cs;
    f->next = gstride - (size_t)n * 4 * width;
    f->steps = sw == 1 ? (uint64_t)n / 8 : (uint64_t)n / 4;
    f->n = (uint64_t)n;
    f->G = (uint64_t)G;
    f->cs = cs; f->c2 = 2 * cs; f->c3 = 3 * cs; f->c4 = 4 * cs;
    f->sw = sw;
    f->width = width;
}
/* The bands (see above) from the row at x, which the same call first fills from the input: bytes (a multiple of 8)
 * from from to to (a row's columns inside the input, when they are one run; else bytes 0), so that a row's build
 * is one call: 256 bytes a step (10 instructions, where 128 a step took 12), the rest by the bits of bytes. */
static void dwd_fill_tbl(int8_t *d, const int8_t *x, const dwd_fill_ops *f, const int8_t *from, int8_t *to,
                         size_t bytes) {
    const uint64_t back = f->back, next = f->next, steps = f->steps, n = f->n, cs = f->cs;
    uint64_t g = f->G, k;
    const int8_t *src = from; /* the copy's source, then the fill's */
#define DWD_COPY128                                                                                                \
    "ld1 {v16.16b-v19.16b}, [%[src]], #64\n"                                                                       \
    "ld1 {v20.16b-v23.16b}, [%[src]], #64\n"                                                                       \
    "st1 {v16.16b-v19.16b}, [%[to]], #64\n"                                                                         \
    "st1 {v20.16b-v23.16b}, [%[to]], #64\n"
#define DWD_COPY_ROW                                                                                               \
    "tbz %[bytes], #6, 15f\n"                                                                                       \
    "ld1 {v16.16b-v19.16b}, [%[src]], #64\n"                                                                       \
    "st1 {v16.16b-v19.16b}, [%[to]], #64\n"                                                                         \
    "15:\n"                                                                                                         \
    "tbz %[bytes], #7, 16f\n"                                                                                       \
    DWD_COPY128                                                                                                     \
    "16:\n"                                                                                                         \
    "lsr %[k], %[bytes], #8\n"                                                                                      \
    "cbz %[k], 11f\n"                                                                                               \
    "10:\n"                                                                                                         \
    DWD_COPY128 DWD_COPY128                                                                                         \
    "subs %[k], %[k], #1\n"                                                                                         \
    "b.ne 10b\n"                                                                                                    \
    "11:\n"                                                                                                         \
    "tbz %[bytes], #5, 12f\n"                                                                                       \
    "ld1 {v16.16b-v17.16b}, [%[src]], #32\n"                                                                       \
    "st1 {v16.16b-v17.16b}, [%[to]], #32\n"                                                                         \
    "12:\n"                                                                                                         \
    "tbz %[bytes], #4, 13f\n"                                                                                       \
    "ld1 {v16.16b}, [%[src]], #16\n"                                                                               \
    "st1 {v16.16b}, [%[to]], #16\n"                                                                                 \
    "13:\n"                                                                                                         \
    "tbz %[bytes], #3, 14f\n"                                                                                       \
    "ld1 {v16.8b}, [%[src]], #8\n"                                                                                 \
    "st1 {v16.8b}, [%[to]], #8\n"                                                                                   \
    "14:\n"
#define DWD_FILL_TBL(L, step, tail, E, w, ...)                                                                     \
    __asm__ volatile(DWD_COPY_ROW                                                                                   \
                     "ld1 {v0.16b-v3.16b}, [%[idx]]\n"                                                              \
                     "1:\n"                                                                                         \
                     "mov %[src], %[x]\n"                                                                           \
                     "cbz %[steps], 3f\n"                                                                           \
                     "mov %[k], %[steps]\n"                                                                         \
                     "2:\n"                                                                                         \
                     step(L, w, E)                                                                                  \
                     "sub %[src], %[src], %[back]\n"                                                                \
                     "subs %[k], %[k], #1\n"                                                                        \
                     "b.ne 2b\n"                                                                                    \
                     "3:\n"                                                                                         \
                     tail(L, w, E)                                                                                  \
                     "5:\n"                                                                                         \
                     "add %[x], %[x], #16\n"                                                                        \
                     "add %[d], %[d], %[next]\n"                                                                    \
                     "subs %[g], %[g], #1\n"                                                                        \
                     "b.ne 1b\n"                                                                                    \
                     : [d] "+r"(d), [x] "+r"(x), [g] "+r"(g), [k] "=&r"(k), [src] "+r"(src), [to] "+r"(to)         \
                     : [idx] "r"(dwd_tbl_index), [steps] "r"(steps), [n] "r"(n), [cs] "r"(cs), [back] "r"(back),    \
                       [next] "r"(next), [bytes] "r"((uint64_t)bytes) __VA_ARGS__                                   \
                     : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19",   \
                       "v20", "v21", "v22", "v23", "v24", "v25", "v26")
#define DWD_FILL_STRIDES(L, E, w, ...)                                                                             \
    do {                                                                                                            \
        if (f->sw == 1) DWD_FILL_TBL(L, DWD_STEP1X8, DWD_TAIL1, E, w, __VA_ARGS__);                                  \
        else DWD_FILL_TBL(L, DWD_STEP2, DWD_TAIL2, E, w, __VA_ARGS__);                                              \
    } while (0)
#define DWD_CONTIGUOUS , [c2] "r"(f->c2), [c3] "r"(f->c3), [c4] "r"(f->c4)
    if (g != 1) DWD_FILL_STRIDES(DWD_LS, DWD_TBL16, "16b", ); /* groups of 8 channels come one at a time */
    else if (f->width == 8 && f->sw == 1) {
        /* 8 channels at stride 1 (VWW's first depthwise layer): a register holds two columns, so that a table of
         * three registers holds both entries of a vector (columns j..j+4), 4 TBLs (v0-v3: dwd_tbl_index8) and one
         * ST1 a vector: 24 instructions for 8 entries, where a column a register took 30 */
        __asm__ volatile(DWD_COPY_ROW
                         "mov %[k], %[steps]\n"
                         "ld1 {v0.16b-v3.16b}, [%[idx]]\n"
                         "cbz %[k], 3f\n"
                         "2:\n"
                         "ld1 {v16.16b-v19.16b}, [%[x]], #64\n"
                         "ld1 {v20.16b-v21.16b}, [%[x]]\n" /* columns 8-11 (11 read, not used) */
                         DWD_TBL16(16, 18) DWD_TBL16(17, 19) DWD_TBL16(18, 20) DWD_TBL16(19, 21)
                         "subs %[k], %[k], #1\n"
                         "b.ne 2b\n"
                         "3:\n"
                         "tbz %[n], #2, 4f\n"
                         "ld1 {v16.16b-v19.16b}, [%[x]], %[c4]\n" /* columns 0-7 (7 not used) */
                         DWD_TBL16(16, 18) DWD_TBL16(17, 19)
                         "4:\n"
                         "tbz %[n], #1, 5f\n"
                         "ld1 {v16.16b-v18.16b}, [%[x]], %[c2]\n" /* columns 0-5 (5 not used) */
                         DWD_TBL16(16, 18)
                         "5:\n"
                         "tbz %[n], #0, 6f\n" /* (dwd_group's n is even) */
                         "ld1 {v16.16b-v18.16b}, [%[x]]\n"
                         "tbl v4.16b, {v16.16b-v18.16b}, v0.16b\n"
                         "tbl v5.16b, {v16.16b-v18.16b}, v1.16b\n"
                         "st1 {v4.16b-v5.16b}, [%[d]], #32\n"
                         "6:\n"
                         : [d] "+r"(d), [x] "+r"(x), [k] "=&r"(k), [src] "+r"(src), [to] "+r"(to)
                         : [idx] "r"(dwd_tbl_index8), [steps] "r"(steps), [n] "r"(n), [bytes] "r"((uint64_t)bytes),
                           [c2] "r"(f->c2), [c4] "r"(f->c4)
                         : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19",
                           "v20", "v21", "v22", "v23");
    } else if (f->width == 16) DWD_FILL_STRIDES(DWD_LC, DWD_TBL16, "16b", DWD_CONTIGUOUS);
    else DWD_FILL_STRIDES(DWD_LC, DWD_TBL8, "8b", DWD_CONTIGUOUS);
#undef DWD_CONTIGUOUS
#undef DWD_FILL_STRIDES
#undef DWD_FILL_TBL
#undef DWD_COPY_ROW
#undef DWD_COPY128
}
#undef DWD_TAIL2
#undef DWD_TAIL1
#undef DWD_STEP2
#undef DWD_STEP1X8
#undef DWD_LC
#undef DWD_CNT_20_21
#undef DWD_CNT_22_23
#undef DWD_CNT_23_24
#undef DWD_CNT_24_25
#undef DWD_CNT_20_22
#undef DWD_CNT_24_26
#undef DWD_CNT_20_23
#undef DWD_CNT_16_19
#undef DWD_LS
#undef DWD_LS_20_21
#undef DWD_LS_22_23
#undef DWD_LS_23_24
#undef DWD_LS_24_25
#undef DWD_LS_20_22
#undef DWD_LS_24_26
#undef DWD_LS_20_23
#undef DWD_LS_16_19
#undef DWD_LD
#undef DWD_TBL8
#undef DWD_TBL16

/* bytes (a multiple of 8) of pad bytes at dst: 64 a step, one, two and four steps by the bits of the steps, then
 * eight steps a pass (a pad row's band: 10 instructions for 512 bytes, where two steps a pass took 16; the x4
 * struct of intrinsics went through memory), then 8 bytes at a time. */
static void dwd_pad_bytes(int8_t *dst, const int8_t *pad, size_t bytes) {
    uint64_t k = bytes / 64;
#define DWD_ST64 "st1 {v16.16b-v19.16b}, [%[d]], #64\n"
    __asm__ volatile("ld4r {v16.16b-v19.16b}, [%[pad]]\n" /* 16 equal bytes: four of them, each everywhere */
                     "tbz %[k], #0, 1f\n"
                     DWD_ST64
                     "1:\n"
                     "tbz %[k], #1, 2f\n"
                     DWD_ST64 DWD_ST64
                     "2:\n"
                     "tbz %[k], #2, 3f\n"
                     DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64
                     "3:\n"
                     "lsr %[k], %[k], #3\n"
                     "cbz %[k], 5f\n"
                     "4:\n"
                     DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64 DWD_ST64
                     "subs %[k], %[k], #1\n"
                     "b.ne 4b\n"
                     "5:\n"
                     : [d] "+r"(dst), [k] "+r"(k)
                     : [pad] "r"(pad)
                     : "memory", "cc", "v16", "v17", "v18", "v19");
#undef DWD_ST64
    for (size_t b = 0; b < bytes % 64; b += 8) vst1_s8(dst + b, vld1_s8(pad));
}
/* A strip's columns ix0 .. ix0 + span - 1 as rows of wk->row (column j at j * w, w = G * width bytes: the groups'
 * channels side by side): dwd_row_pad sets those outside the input (a run each side) to pad once a strip,
 * dwd_build copies those inside from input row iy (channels from c0) for each row, so that dwd_fill_tbl reads
 * no border. */
static void dwd_row_pad(int8_t *dst, int32_t ix0, int32_t span, int32_t w, const int8_t *pad, int32_t in_w) {
    const int32_t left = ix0 < 0 ? (-ix0 < span ? -ix0 : span) : 0, right = in_w - ix0 > left ? in_w - ix0 : left;
    if (left > 0) dwd_pad_bytes(dst, pad, (size_t)left * w);
    if (right < span) dwd_pad_bytes(dst + (size_t)right * w, pad, (size_t)(span - right) * w);
}
/* bytes (a multiple of 8) from src to dst: 64 a step, then 8 at a time. */
static void dwd_copy_bytes(int8_t *dst, const int8_t *src, size_t bytes) {
    uint64_t m = bytes / 64;
    if (m)
        __asm__ volatile("1:\n"
                         "ld1 {v16.16b-v19.16b}, [%[x]], #64\n"
                         "st1 {v16.16b-v19.16b}, [%[d]], #64\n"
                         "subs %[m], %[m], #1\n"
                         "b.ne 1b\n"
                         : [x] "+r"(src), [d] "+r"(dst), [m] "+r"(m)
                         :
                         : "memory", "cc", "v16", "v17", "v18", "v19");
    for (size_t b = 0; b < bytes % 64; b += 8) vst1_s8(dst + b, vld1_s8(src + b));
}

/* A strip of output columns: n entries of width channels for groups [0, G) from channel c0 (group g's band at g *
 * gstride), from input columns ix0 on. */
typedef struct {
    const int8_t *in_b, *pad; /* pad: a column of pad bytes */
    const edgec_conv2d_s8_params *p;
    size_t gstride;
    int32_t ix0, n, c0, G, width;
    /* the copy of a row's columns inside the input into wk->row (stride 1 or 2; dwd_build): runs runs of bytes
     * bytes, from src_col + iy * src_row (a run src_step on) to wk->row + dst_col (a run dst_step on) */
    const int8_t *src_col;
    size_t src_row, src_step, dst_col, dst_step, bytes;
    int32_t runs; /* -1: stride above 2 (dwd_build_any) */
    int32_t in_h;
    dwd_fill_ops fill;
} dwd_strip;

static void dwd_strip_start(dwd_strip *st, dwd_work *wk, const int8_t *in_b, int32_t ix0, int32_t n, int32_t c0,
                            int32_t G, size_t gstride, int32_t width, const int8_t *pad,
                            const edgec_conv2d_s8_params *p) {
    st->in_b = in_b; st->pad = pad; st->p = p; st->gstride = gstride;
    st->ix0 = ix0; st->n = n; st->c0 = c0; st->G = G; st->width = width;
    st->in_h = p->in_h;
    st->runs = -1;
    if (p->stride_w > 2) return;
    /* wk->row: the strip's span columns of w bytes, those outside the input pad bytes once for all rows */
    const int32_t span = (n - 1) * p->stride_w + 4, w = G * width;
    dwd_row_pad(wk->row, ix0, span, w, pad, p->in_w);
    const int32_t lo = ix0 < 0 ? 0 : ix0, hi = ix0 + span < p->in_w ? ix0 + span : p->in_w;
    const size_t C = (size_t)p->in_c, whole = C == (size_t)w; /* whole: all channels, the columns one run */
    st->runs = hi <= lo ? 0 : whole ? 1 : hi - lo;
    st->bytes = whole ? (size_t)(hi - lo) * w : (size_t)w;
    st->src_col = in_b + (size_t)lo * C + c0;
    st->src_row = (size_t)p->in_w * C;
    st->src_step = C;
    st->dst_col = (size_t)(lo - ix0) * w;
    st->dst_step = (size_t)w;
    dwd_fill_plan(&st->fill, n, G, gstride, p->stride_w, width);
}

/* Input row iy's bands at any stride (dwd_fill), apart so that dwd_build's usual case keeps few registers. */
static __attribute__((noinline)) void dwd_build_any(int8_t *band, int32_t iy, const dwd_strip *st) {
    for (int32_t g = 0; g < st->G; ++g)
        dwd_fill(band + g * st->gstride, st->in_b, iy, st->ix0, st->n, st->c0 + 16 * g, st->width, st->pad, st->p);
}

/* Input row iy's bands into band: from the input (through wk->row at stride 1 or 2), or pad bytes outside it. */
static __attribute__((noinline)) void dwd_build(int8_t *band, dwd_work *wk, int32_t iy, const dwd_strip *st) {
    if ((uint32_t)iy >= (uint32_t)st->in_h) {
        /* the groups' bands are back to back (gstride n * 4 * width, or one group) */
        dwd_pad_bytes(band, st->pad, (size_t)(st->G * st->n * 4 * st->width));
    } else if (st->runs >= 0) {
        const int8_t *src = st->src_col + (size_t)iy * st->src_row;
        int8_t *dst = wk->row + st->dst_col;
        size_t bytes = st->bytes; /* one run: dwd_fill_tbl copies it */
        if (st->runs != 1) {
            for (int32_t r = 0; r < st->runs; ++r, src += st->src_step, dst += st->dst_step)
                dwd_copy_bytes(dst, src, st->bytes);
            bytes = 0;
        }
        dwd_fill_tbl(band, wk->row, &st->fill, src, dst, bytes);
    } else {
        dwd_build_any(band, iy, st);
    }
}

/* A strip's ring of three input rows' bands (wk->q): top, the next output row's first input row, its rows top + k
 * in band[k], those with k < built already built (the pointers rotate with the rows, so that no row works out a
 * slot). Apart from dwd_strip, which dwd_build reads, so that the caller's ring stays in registers. */
typedef struct {
    int8_t *band[3];
    int32_t top, built, sh;
} dwd_ring_pos;

EDGEC_INLINE void dwd_ring_start(dwd_ring_pos *rg, dwd_work *wk, const edgec_conv2d_s8_params *p) {
    for (int32_t k = 0; k < 3; ++k) rg->band[k] = wk->q[k];
    rg->top = -p->pad_top;
    rg->built = 0;
    rg->sh = p->stride_h;
}

/* The bands of the strip's next output row's three input rows into r[0..2], those not in the ring built; then
 * the ring on by stride_h rows (the rows kept to the front). */
EDGEC_INLINE void dwd_ring(const int8_t *r[3], dwd_work *wk, const dwd_strip *st, dwd_ring_pos *rg) {
    int8_t *b0 = rg->band[0], *b1 = rg->band[1], *b2 = rg->band[2];
    /* built is at most 2; no loop over k, so that the ring is not an array in memory */
    if (rg->built == 0) dwd_build(b0, wk, rg->top, st);
    if (rg->built <= 1) dwd_build(b1, wk, rg->top + 1, st);
    dwd_build(b2, wk, rg->top + 2, st);
    r[0] = b0;
    r[1] = b1;
    r[2] = b2;
    const int32_t sh = rg->sh;
    rg->top += sh;
    if (sh == 1) {
        rg->band[0] = b1; rg->band[1] = b2; rg->band[2] = b0;
        rg->built = 2;
    } else if (sh == 2) {
        rg->band[0] = b2; rg->band[1] = b0; rg->band[2] = b1;
        rg->built = 1;
    } else {
        rg->built = 0;
    }
}

/* One vector of outputs (a 16-channel pixel, or two 8-channel pixels) from its three band entries. */
EDGEC_INLINE int8x16_t dwd_vector(const int8_t *q0, const int8_t *q1, const int8_t *q2, const dw_group *g,
                                  int mode) {
    int32x4_t a[4] = {g->base[0], g->base[1], g->base[2], g->base[3]};
    const int8_t *q[3] = {q0, q1, q2};
    for (int32_t r = 0; r < 3; ++r) {
        const int8x16x4_t x = vld1q_s8_x4(q[r]);
        for (int32_t i = 0; i < 4; ++i) a[i] = vdotq_s32(a[i], x.val[i], g->wq[4 * r + i]);
    }
    return dw_finish(a[0], a[1], a[2], a[3], g, mode);
}

/* n (>= 1) vectors, no left shift: dwd_vector's arithmetic in assembly, the weights, multipliers and shifts in
 * registers across the row (v0-v11, v12-v15, v16-v19), sums v24-v27, input v28-v31. Two requantisations:
 * DWD_RQ_CLAMP (DW_SHIFT_RIGHT; zero point and clamp in v20-v22): 41 instructions a vector; DWD_RQ_RELU (relu: no left
 * shift, an output zero point of -128 and int8's bounds, TFLite's ReLU and ReLU6 at a scale of 6 / 255; v20 0x80): the
 * result is clamp(r, 0, 255) - 128 of the rounded r, so unsigned saturating narrows (SQXTUN, UQXTN) and the sign
 * bit flipped (the conv's trick), and the fix-up of negative ties goes (a negative value rounds to at most 0 with
 * ties up or away, which the clamp makes 0 either way; lanes of no shift need no mask): 34 instructions. Advances
 * q0-q2 and o. */
#define DWD_CONSTANTS DWD_CONSTANTS_ON("", "")
/* the same, the last loads' post-index (", %[reg]") taking the pointers on (dwd_group_row: to the next group's) */
#define DWD_CONSTANTS_ON(w_on, mr_on)                                                                              \
    "ld1 {v0.16b-v3.16b}, [%[w]], #64\n"                                                                            \
    "ld1 {v4.16b-v7.16b}, [%[w]], #64\n"                                                                            \
    "ld1 {v8.16b-v11.16b}, [%[w]]" w_on "\n"                                                                        \
    "ld1 {v12.4s-v15.4s}, [%[mr]], #64\n"                                                                          \
    "ld1 {v16.4s-v19.4s}, [%[mr]]" mr_on "\n"
#define DWD_ZP_CLAMP "ld1 {v20.16b-v22.16b}, [%[zp]]\n"
#define DWD_ZP_RELU "movi v20.16b, #0x80\n"
#define DWD_DOTS                                                                                                   \
    "ld1 {v24.4s-v27.4s}, [%[base]]\n"                                                                              \
    "ld1 {v28.16b-v31.16b}, [%[q0]], #64\n"                                                                         \
    "sdot v24.4s, v28.16b, v0.16b\n"                                                                                \
    "sdot v25.4s, v29.16b, v1.16b\n"                                                                                \
    "sdot v26.4s, v30.16b, v2.16b\n"                                                                                \
    "sdot v27.4s, v31.16b, v3.16b\n"                                                                                \
    "ld1 {v28.16b-v31.16b}, [%[q1]], #64\n"                                                                         \
    "sdot v24.4s, v28.16b, v4.16b\n"                                                                                \
    "sdot v25.4s, v29.16b, v5.16b\n"                                                                                \
    "sdot v26.4s, v30.16b, v6.16b\n"                                                                                \
    "sdot v27.4s, v31.16b, v7.16b\n"                                                                                \
    "ld1 {v28.16b-v31.16b}, [%[q2]], #64\n"                                                                         \
    "sdot v24.4s, v28.16b, v8.16b\n"                                                                                \
    "sdot v25.4s, v29.16b, v9.16b\n"                                                                                \
    "sdot v26.4s, v30.16b, v10.16b\n"                                                                               \
    "sdot v27.4s, v31.16b, v11.16b\n"                                                                               \
    "sqrdmulh v24.4s, v24.4s, v12.4s\n"                                                                             \
    "sqrdmulh v25.4s, v25.4s, v13.4s\n"                                                                             \
    "sqrdmulh v26.4s, v26.4s, v14.4s\n"                                                                             \
    "sqrdmulh v27.4s, v27.4s, v15.4s\n"
#define DWD_SHIFT                                                                                                  \
    "srshl v24.4s, v24.4s, v16.4s\n"                                                                                \
    "srshl v25.4s, v25.4s, v17.4s\n"                                                                                \
    "srshl v26.4s, v26.4s, v18.4s\n"                                                                                \
    "srshl v27.4s, v27.4s, v19.4s\n"
#define DWD_RQ_CLAMP                                                                                               \
    "ssra v24.4s, v24.4s, #31\n"                                                                                    \
    "ssra v25.4s, v25.4s, #31\n"                                                                                    \
    "ssra v26.4s, v26.4s, #31\n"                                                                                    \
    "ssra v27.4s, v27.4s, #31\n"                                                                                    \
    DWD_SHIFT                                                                                                       \
    "sqxtn v28.4h, v24.4s\n"                                                                                        \
    "sqxtn2 v28.8h, v25.4s\n"                                                                                       \
    "sqxtn v29.4h, v26.4s\n"                                                                                        \
    "sqxtn2 v29.8h, v27.4s\n"                                                                                       \
    "sqadd v28.8h, v28.8h, v20.8h\n"                                                                                \
    "sqadd v29.8h, v29.8h, v20.8h\n"                                                                                \
    "sqxtn v28.8b, v28.8h\n"                                                                                        \
    "sqxtn2 v28.16b, v29.8h\n"                                                                                      \
    "smax v28.16b, v28.16b, v21.16b\n"                                                                              \
    "smin v28.16b, v28.16b, v22.16b\n"
#define DWD_RQ_RELU                                                                                                \
    DWD_SHIFT                                                                                                       \
    "sqxtun v28.4h, v24.4s\n"                                                                                       \
    "sqxtun2 v28.8h, v25.4s\n"                                                                                      \
    "sqxtun v29.4h, v26.4s\n"                                                                                       \
    "sqxtun2 v29.8h, v27.4s\n"                                                                                      \
    "uqxtn v28.8b, v28.8h\n"                                                                                        \
    "uqxtn2 v28.16b, v29.8h\n"                                                                                      \
    "eor v28.16b, v28.16b, v20.16b\n"
#define DWD_VECTORS(rq, store)                                                                                     \
    "1:\n"                                                                                                          \
    DWD_DOTS                                                                                                        \
    rq                                                                                                              \
    store                                                                                                           \
    "subs %[n], %[n], #1\n"                                                                                         \
    "b.ne 1b\n"
/* the same, two vectors a pass, n pairs (one vector first when odd is): the ReLU loops' */
#define DWD_VECTORS2(rq, store)                                                                                    \
    "tbz %[odd], #0, 3f\n"                                                                                          \
    DWD_DOTS rq store                                                                                               \
    "3:\n"                                                                                                          \
    "cbz %[n], 4f\n"                                                                                                \
    "1:\n"                                                                                                          \
    DWD_DOTS rq store                                                                                               \
    DWD_DOTS rq store                                                                                               \
    "subs %[n], %[n], #1\n"                                                                                         \
    "b.ne 1b\n"                                                                                                     \
    "4:\n"
static void dwd_vectors(const int8_t **q0, const int8_t **q1, const int8_t **q2, int8_t **o, int32_t n_vectors,
                        int relu, const dw_group *g, int32_t C) {
    const int8_t *w = (const int8_t *)g->wq;
    const int32_t *mr = (const int32_t *)g->multiplier; /* and g->right after it */
    uint64_t n = (uint64_t)(relu ? n_vectors / 2 : n_vectors); /* DWD_VECTORS2's pairs, DWD_VECTORS's vectors */
#define DWD_ASM_OPERANDS                                                                                           \
    : [q0] "+r"(*q0), [q1] "+r"(*q1), [q2] "+r"(*q2), [o] "+r"(*o), [n] "+r"(n), [w] "+r"(w), [mr] "+r"(mr)        \
    : [base] "r"(g->base), [zp] "r"(&g->zp), [C] "r"((uint64_t)C), [pair] "r"((uint64_t)16),                     \
      [odd] "r"((uint64_t)n_vectors)                                                                                \
    : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",     \
      "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v24", "v25", "v26", "v27", "v28", "v29",    \
      "v30", "v31"
#define DWD_STORE16 "st1 {v28.16b}, [%[o]], %[C]\n" /* also dwd_group_rows' */
#define DWD_STORE8 "st1 {v28.d}[0], [%[o]], %[C]\n" "st1 {v28.d}[1], [%[o]], %[C]\n" /* two pixels of 8 channels */
#define DWD_STORE_PAIR "st1 {v28.16b}, [%[o]], %[pair]\n"
    /* with 8 channels in all (VWW's first depthwise layer) the two pixels are next to each other: one store */
    if (relu && C == 8)
        __asm__ volatile(DWD_CONSTANTS DWD_ZP_RELU DWD_VECTORS2(DWD_RQ_RELU, DWD_STORE_PAIR) DWD_ASM_OPERANDS);
    else if (relu)
        __asm__ volatile(DWD_CONSTANTS DWD_ZP_RELU DWD_VECTORS2(DWD_RQ_RELU, DWD_STORE8) DWD_ASM_OPERANDS);
    else
        __asm__ volatile(DWD_CONSTANTS DWD_ZP_CLAMP DWD_VECTORS(DWD_RQ_CLAMP, DWD_STORE8) DWD_ASM_OPERANDS);
#undef DWD_STORE_PAIR
#undef DWD_STORE8
#undef DWD_ASM_OPERANDS
}

/* dwd_group_row's operands, the same for every row of a strip: loaded by its asm (LDPs), so that the row loop keeps
 * its own values in registers. */
typedef struct {
    uint64_t w, mr, base, g;  /* group 0's weights, multipliers (and right shifts), base; the groups */
    uint64_t N, odd;          /* DWD_VECTORS' vectors or DWD_VECTORS2's pairs; the vectors' parity */
    uint64_t w_next, mr_next; /* the constants' pointers past a group's loads: on to the next group's */
    uint64_t gs, o_back, C, zp;
} dwd_row_ops;

static void dwd_row_ops_start(dwd_row_ops *ops, const dw_group *groups, int32_t G, int32_t n_vectors, int relu,
                              int32_t C) {
    const uint64_t gs = sizeof(dw_group);
    ops->w = (uint64_t)(uintptr_t)groups[0].wq;
    ops->mr = (uint64_t)(uintptr_t)groups[0].multiplier;
    ops->base = (uint64_t)(uintptr_t)groups[0].base;
    ops->g = (uint64_t)G;
    ops->N = (uint64_t)(relu ? n_vectors / 2 : n_vectors);
    ops->odd = (uint64_t)n_vectors;
    ops->w_next = gs - 128;
    ops->mr_next = gs - 64;
    ops->gs = gs;
    ops->o_back = (uint64_t)n_vectors * (uint64_t)C - 16;
    ops->C = (uint64_t)C;
    ops->zp = (uint64_t)(uintptr_t)&groups[0].zp;
}

/* One output row of every group: dwd_group_rows' asm. */
EDGEC_INLINE void dwd_group_row(const int8_t *q0, const int8_t *q1, const int8_t *q2, int8_t *o,
                                const dwd_row_ops *ops, int relu) {
    uint64_t n, g, w, mr, base, N, odd, w_next, mr_next, gs, o_back, C, zp;
#define DWD_GROUPS(zp, vectors, rq)                                                                                \
    "ldp %[w], %[mr], [%[ops]]\n"                                                                                   \
    "ldp %[base], %[g], [%[ops], #16]\n"                                                                            \
    "ldp %[N], %[odd], [%[ops], #32]\n"                                                                             \
    "ldp %[w_next], %[mr_next], [%[ops], #48]\n"                                                                    \
    "ldp %[gs], %[o_back], [%[ops], #64]\n"                                                                         \
    "ldp %[C], %[zp], [%[ops], #80]\n"                                                                              \
    zp                                                                                                              \
    "2:\n"                                                                                                          \
    DWD_CONSTANTS_ON(", %[w_next]", ", %[mr_next]")                                                                 \
    "mov %[n], %[N]\n"                                                                                              \
    vectors(rq, DWD_STORE16)                                                                                        \
    "add %[base], %[base], %[gs]\n"                                                                                 \
    "sub %[o], %[o], %[o_back]\n"                                                                                   \
    "subs %[g], %[g], #1\n"                                                                                         \
    "b.ne 2b\n"
#define DWD_ASM_OPERANDS                                                                                           \
    : [q0] "+r"(q0), [q1] "+r"(q1), [q2] "+r"(q2), [o] "+r"(o), [g] "=&r"(g), [w] "=&r"(w), [mr] "=&r"(mr),       \
      [base] "=&r"(base), [n] "=&r"(n), [N] "=&r"(N), [odd] "=&r"(odd), [w_next] "=&r"(w_next),                  \
      [mr_next] "=&r"(mr_next), [gs] "=&r"(gs), [o_back] "=&r"(o_back), [C] "=&r"(C), [zp] "=&r"(zp)            \
    : [ops] "r"(ops), "m"(*ops)                                                                                     \
    : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",     \
      "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v24", "v25", "v26", "v27", "v28", "v29",    \
      "v30", "v31"
    if (relu)
        __asm__ volatile(DWD_GROUPS(DWD_ZP_RELU, DWD_VECTORS2, DWD_RQ_RELU) DWD_ASM_OPERANDS);
    else
        __asm__ volatile(DWD_GROUPS(DWD_ZP_CLAMP, DWD_VECTORS, DWD_RQ_CLAMP) DWD_ASM_OPERANDS);
#undef DWD_ASM_OPERANDS
#undef DWD_GROUPS
}

/* dwd_vectors on G groups of 16 channels one after the other, for every output row of the strip st (the rows'
 * bands from dwd_ring; output row oy at o + oy * o_row): group g's constants at wk->g[g], its band entries at the
 * rows' bands + g * 64 n (each group's entries follow the previous one's: the pointers run on), its outputs at o +
 * 16 g, n_vectors a row, C bytes apart (a group of 8 channels in all: two pixels a vector, C 16); one call a strip
 * (small maps: KWS's 25 x 5, VWW's 6 x 6), so that d8-d15 are saved once: 13 instructions a group besides its
 * vectors. */
static void dwd_group_rows(dwd_work *wk, dwd_strip *st, int8_t *o, size_t o_row, int32_t rows, int32_t n_vectors,
                           int relu, int32_t C) {
    dwd_row_ops ops;
    dwd_row_ops_start(&ops, wk->g, st->G, n_vectors, relu, C);
    dwd_ring_pos rg;
    dwd_ring_start(&rg, wk, st->p);
    for (int32_t oy = 0; oy < rows; ++oy, o += o_row) {
        const int8_t *r[3];
        dwd_ring(r, wk, st, &rg);
        dwd_group_row(r[0], r[1], r[2], o, &ops, relu);
    }
}
#undef DWD_STORE16
#undef DWD_VECTORS2
#undef DWD_VECTORS
#undef DWD_RQ_RELU
#undef DWD_RQ_CLAMP
#undef DWD_SHIFT
#undef DWD_DOTS
#undef DWD_ZP_RELU
#undef DWD_ZP_CLAMP
#undef DWD_CONSTANTS
#undef DWD_CONSTANTS_ON

/* Channels [c, c + 8) of every output pixel of one image (a last group of 8 channels: two pixels a vector); mode:
 * a DW_SHIFT_ value; relu: the output's zero point is -128 and its bounds int8's. */
EDGEC_INLINE void dwd_group(const int8_t *in_b, int8_t *out_b, const dw_group *g, dwd_work *wk, int32_t c, int mode,
                            int relu, const edgec_conv2d_s8_params *p) {
    const int32_t C = p->out_c, sw = p->stride_w;
    const int rows_rq = relu && mode != DW_SHIFT_LEFT; /* dwd_vectors' DWD_RQ_RELU serves */
    for (int32_t ox0 = 0; ox0 < p->out_w; ox0 += DWD_Q) {
        const int32_t n = p->out_w - ox0 < DWD_Q ? p->out_w - ox0 : DWD_Q;
        const int32_t nq = (n + 1) / 2 * 2; /* pixels in pairs, the last one padded */
        const int32_t ix0 = ox0 * sw - p->pad_left;
        dwd_strip st;
        dwd_strip_start(&st, wk, in_b, ix0, nq, c, 1, 0, 8, g->pad, p);
        if (C == 8 && n == nq && (mode == DW_SHIFT_RIGHT || rows_rq)) {
            /* 8 channels in all (VWW's first depthwise layer), whole pairs: a vector's two pixels are 16 bytes
             * side by side, dwd_group_rows' store (d8-d15 saved once a strip) */
            dwd_group_rows(wk, &st, out_b + (size_t)ox0 * C, (size_t)p->out_w * C, p->out_h, n / 2, rows_rq, 16);
            continue;
        }
        dwd_ring_pos rg;
        dwd_ring_start(&rg, wk, p);
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int8_t *r[3];
            dwd_ring(r, wk, &st, &rg);
            const int8_t *q0 = r[0], *q1 = r[1], *q2 = r[2];
            int8_t *o = out_b + ((size_t)oy * p->out_w + ox0) * C + c;
            int32_t v = 0;
            if ((mode == DW_SHIFT_RIGHT || rows_rq) && n / 2 > 0) {
                dwd_vectors(&q0, &q1, &q2, &o, n / 2, rows_rq, g, C);
                v = n / 2;
            }
            for (; v < n / 2; ++v, q0 += 64, q1 += 64, q2 += 64, o += 2 * C) {
                const int8x16_t res = dwd_vector(q0, q1, q2, g, mode);
                vst1_s8(o, vget_low_s8(res));
                vst1_s8(o + C, vget_high_s8(res));
            }
            if (n % 2) vst1_s8(o, vget_low_s8(dwd_vector(q0, q1, q2, g, mode)));
        }
    }
}

/* Groups [0, G) of 16 channels from c0 (constants in wk->g) of every output pixel of one image, a row at a time
 * for all of them: each input row's bands built once per strip, the groups' loops one after the other on them.
 * mode: a DW_SHIFT_ value that serves every group (DW_SHIFT_LEFT's arithmetic serves all); relu: the output's zero
 * point is -128 and its bounds int8's. */
EDGEC_INLINE void dwd_chunk(const int8_t *in_b, int8_t *out_b, dwd_work *wk, int32_t c0, int32_t G, int mode,
                            int relu, const edgec_conv2d_s8_params *p) {
    const int32_t C = p->out_c, sw = p->stride_w;
    /* entries a group's band: within a band, and their columns within wk->row */
    const int32_t by_band = DWD_SLOT / (64 * G), by_row = (DWD_ROW / (16 * G) - 4) / sw + 1;
    const int32_t fit = by_band < by_row ? by_band : by_row, strip = fit < DWD_Q ? fit : DWD_Q;
    const int8_t *pad = wk->g[0].pad;
    for (int32_t ox0 = 0; ox0 < p->out_w; ox0 += strip) {
        const int32_t n = p->out_w - ox0 < strip ? p->out_w - ox0 : strip;
        const size_t gstride = (size_t)n * 64; /* the groups' bands back to back (dwd_group_rows) */
        const int32_t ix0 = ox0 * sw - p->pad_left;
        dwd_strip st;
        dwd_strip_start(&st, wk, in_b, ix0, n, c0, G, gstride, 16, pad, p);
        if (mode == DW_SHIFT_RIGHT || (relu && mode != DW_SHIFT_LEFT)) {
            dwd_group_rows(wk, &st, out_b + (size_t)ox0 * C + c0, (size_t)p->out_w * C, p->out_h, n, relu, C);
            continue;
        }
        dwd_ring_pos rg;
        dwd_ring_start(&rg, wk, p);
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int8_t *r[3];
            dwd_ring(r, wk, &st, &rg);
            int8_t *o_row = out_b + ((size_t)oy * p->out_w + ox0) * C + c0;
            for (int32_t g = 0; g < G; ++g) {
                const dw_group *grp = &wk->g[g];
                const int8_t *q0 = r[0] + g * gstride, *q1 = r[1] + g * gstride, *q2 = r[2] + g * gstride;
                int8_t *o = o_row + 16 * g;
                for (int32_t v = 0; v < n; ++v, q0 += 64, q1 += 64, q2 += 64, o += C)
                    vst1q_s8(o, dwd_vector(q0, q1, q2, grp, mode));
            }
        }
    }
}
#endif /* DW_DOT */

/* The group's weights, base (bias + input_offset * sum w, wrapping as the reference's int32 sum) and
 * requantisation constants; returns DW_PAIRS if its taps may be paired (no weight is -128), plus its DW_SHIFT_ mode
 * times DW_MODE. */
#define DW_PAIRS 1
#define DW_MODE 2
static int dw_prepare(const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                      int32_t c, int32_t width, const edgec_conv2d_s8_params *p, dw_group *g) {
    int32x4_t b[4], s[4];
    const int32x4_t zero = vdupq_n_s32(0);
    uint32x4_t any_left = vdupq_n_u32(0), any_not_right = any_left;
    for (int32_t r = 0; r < 4; ++r) { /* a group of 8: its channels in both halves */
        const int32_t ch = c + 4 * r % width;
        b[r] = bias ? vld1q_s32(bias + ch) : zero;
        s[r] = vld1q_s32(shift + ch);
        g->q[r].multiplier = g->multiplier[r] = vld1q_s32(multiplier + ch);
        g->q[r].left = vmaxq_s32(s[r], zero);
        g->q[r].right = g->right[r] = vminq_s32(s[r], zero);
        any_left = vorrq_u32(any_left, vcgtq_s32(s[r], zero));
        any_not_right = vorrq_u32(any_not_right, vcgeq_s32(s[r], zero));
    }
    int16x8_t sum_lo = vdupq_n_s16(0), sum_hi = sum_lo; /* |sum of 9 weights| <= 1152 */
    uint8x16_t min128 = vdupq_n_u8(0);
    for (int32_t t = 0; t < 9; ++t) {
        const int8x16_t w = g->w[t] = dw_load(weights + (size_t)t * p->in_c + c, width);
        sum_lo = vaddw_s8(sum_lo, vget_low_s8(w));
        sum_hi = vaddw_s8(sum_hi, vget_high_s8(w));
        min128 = vorrq_u8(min128, vceqq_s8(w, vdupq_n_s8(-128)));
    }
#if defined(DW_DOT)
    for (int32_t ky = 0; ky < 3; ++ky) { /* [w(ky,0) w(ky,1) w(ky,2) 0] per channel: dwd_fill's zips */
        const int8x16_t w0 = g->w[3 * ky], w1 = g->w[3 * ky + 1], w2 = g->w[3 * ky + 2], z = vdupq_n_s8(0);
        dwd_store((int8_t *)&g->wq[4 * ky], vzip1q_s8(w0, w1), vzip2q_s8(w0, w1), vzip1q_s8(w2, z),
                  vzip2q_s8(w2, z), 16);
    }
#endif
    const int16x8_t sums[2] = {sum_lo, sum_hi};
    const uint32_t io = (uint32_t)p->input_offset;
    for (int32_t r = 0; r < 4; ++r) {
        const int16x8_t h = sums[r / 2];
        const int32x4_t sum = vmovl_s16(r % 2 ? vget_high_s16(h) : vget_low_s16(h));
        /* bias + input_offset * sum, wrapping as the reference's int32 sum */
        g->base[r] = vreinterpretq_s32_u32(vmlaq_n_u32(vreinterpretq_u32_s32(b[r]), vreinterpretq_u32_s32(sum), io));
    }
    const uint32x2_t l2 = vorr_u32(vget_low_u32(any_left), vget_high_u32(any_left));
    const uint32x2_t r2 = vorr_u32(vget_low_u32(any_not_right), vget_high_u32(any_not_right));
    const int left = vget_lane_u64(vreinterpret_u64_u32(l2), 0) != 0;
    const int right = vget_lane_u64(vreinterpret_u64_u32(r2), 0) == 0;
    g->zp = vdupq_n_s16((int16_t)p->output_offset);
    g->lo = vdupq_n_s8((int8_t)p->act_min);
    g->hi = vdupq_n_s8((int8_t)p->act_max);
    vst1q_s8(g->pad, vdupq_n_s8((int8_t)-p->input_offset));
    const uint8x8_t any = vorr_u8(vget_low_u8(min128), vget_high_u8(min128));
    const int mode = left ? DW_SHIFT_LEFT : right ? DW_SHIFT_RIGHT : DW_SHIFT_MIXED;
    return (vget_lane_u64(vreinterpret_u64_u8(any), 0) ? 0 : DW_PAIRS) + DW_MODE * mode;
}

#if defined(DW_DOT)
/* dw_prepare for G groups of 16 channels from c0, what dwd_group_rows reads only (the SDOT weights, base,
 * multipliers and right shifts), in one assembly loop: on small maps (VWW's 6 x 6 and 3 x 3 layers) a group's
 * set-up weighs (64 instructions a group, where the intrinsics took about 200). A kernel row's packed weights are
 * four TBLs of its three taps and a zero vector (dwd_fill_tbl's indices); their SDOT with -input_offset (an int8:
 * input_offset is within [-127, 128]) is -input_offset * sum w, taken off the bias (wrapping as the reference's
 * int32 sum). Returns the chunk's DW_SHIFT_ mode (from the largest shift: > 0 some left shift, < 0 all right). */
static int dwd_prepare16(const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                         const int32_t *shift, int32_t c0, int32_t G, const edgec_conv2d_s8_params *p,
                         dw_group *groups) {
    static const int32_t no_bias[16];
    const uint64_t C = (uint64_t)p->in_c, gs = sizeof(dw_group);
    const int8_t *w = weights + c0;
    const int32_t *b = bias ? bias + c0 : no_bias, *m = multiplier + c0, *s = shift + c0;
    int8_t *wq = (int8_t *)groups[0].wq;
    int32_t *base = (int32_t *)groups[0].base, *mr = (int32_t *)groups[0].multiplier; /* and right after it */
    uint64_t g = (uint64_t)G;
    int32_t max_shift;
#define DWD_PACK_ROW                                                                                               \
    "ld1 {v4.16b}, [%[w]], %[C]\n"                                                                                  \
    "ld1 {v5.16b}, [%[w]], %[C]\n"                                                                                  \
    "ld1 {v6.16b}, [%[w]], %[C]\n"                                                                                  \
    "tbl v16.16b, {v4.16b-v7.16b}, v0.16b\n"                                                                        \
    "tbl v17.16b, {v4.16b-v7.16b}, v1.16b\n"                                                                        \
    "tbl v18.16b, {v4.16b-v7.16b}, v2.16b\n"                                                                        \
    "tbl v19.16b, {v4.16b-v7.16b}, v3.16b\n"                                                                        \
    "st1 {v16.16b-v19.16b}, [%[wq]], #64\n"                                                                         \
    "sdot v28.4s, v16.16b, v20.16b\n"                                                                               \
    "sdot v29.4s, v17.16b, v20.16b\n"                                                                               \
    "sdot v30.4s, v18.16b, v20.16b\n"                                                                               \
    "sdot v31.4s, v19.16b, v20.16b\n"
    __asm__ volatile("ld1 {v0.16b-v3.16b}, [%[idx]]\n"
                     "movi v7.16b, #0\n"
                     "dup v20.16b, %w[nio]\n"
                     "movi v21.4s, #0x80, lsl #24\n" /* the largest shift so far: INT32_MIN */
                     "1:\n"
                     "movi v28.4s, #0\n"
                     "movi v29.4s, #0\n"
                     "movi v30.4s, #0\n"
                     "movi v31.4s, #0\n"
                     DWD_PACK_ROW DWD_PACK_ROW DWD_PACK_ROW
                     "ld1 {v24.4s-v27.4s}, [%[b]], %[b_step]\n"
                     "sub v24.4s, v24.4s, v28.4s\n"
                     "sub v25.4s, v25.4s, v29.4s\n"
                     "sub v26.4s, v26.4s, v30.4s\n"
                     "sub v27.4s, v27.4s, v31.4s\n"
                     "st1 {v24.4s-v27.4s}, [%[base]], %[gs]\n"
                     "ld1 {v16.4s-v19.4s}, [%[m]], #64\n"
                     "st1 {v16.4s-v19.4s}, [%[mr]], #64\n"
                     "ld1 {v16.4s-v19.4s}, [%[s]], #64\n"
                     "smax v21.4s, v21.4s, v16.4s\n"
                     "smax v21.4s, v21.4s, v17.4s\n"
                     "smax v21.4s, v21.4s, v18.4s\n"
                     "smax v21.4s, v21.4s, v19.4s\n"
                     "smin v16.4s, v16.4s, v7.4s\n"
                     "smin v17.4s, v17.4s, v7.4s\n"
                     "smin v18.4s, v18.4s, v7.4s\n"
                     "smin v19.4s, v19.4s, v7.4s\n"
                     "st1 {v16.4s-v19.4s}, [%[mr]], %[mr_next]\n"
                     "add %[w], %[w], %[w_next]\n"
                     "add %[wq], %[wq], %[wq_next]\n"
                     "subs %[g], %[g], #1\n"
                     "b.ne 1b\n"
                     "smaxv s21, v21.4s\n"
                     "fmov %w[max], s21\n"
                     : [w] "+r"(w), [b] "+r"(b), [m] "+r"(m), [s] "+r"(s), [wq] "+r"(wq), [base] "+r"(base),
                       [mr] "+r"(mr), [g] "+r"(g), [max] "=r"(max_shift)
                     : [idx] "r"(dwd_tbl_index), [nio] "r"(-p->input_offset), [C] "r"(C),
                       [b_step] "r"((uint64_t)(bias ? 64 : 0)), [gs] "r"(gs), [mr_next] "r"(gs - 64),
                       [w_next] "r"(16 - 9 * C), [wq_next] "r"(gs - 192)
                     : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19",
                       "v20", "v21", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
#undef DWD_PACK_ROW
    return max_shift > 0 ? DW_SHIFT_LEFT : max_shift == 0 ? DW_SHIFT_MIXED : DW_SHIFT_RIGHT;
}

/* The rest of dw_prepare for a group dwd_prepare16 set up: zero point, clamp, pad and, for the C loop
 * (dwd_vector), its requantisation constants (q). */
static void dwd_prepare_c(const int32_t *shift, int32_t c, const edgec_conv2d_s8_params *p, int q, dw_group *g) {
    for (int32_t r = 0; r < 4 * q; ++r) {
        g->q[r].multiplier = g->multiplier[r];
        g->q[r].left = vmaxq_s32(vld1q_s32(shift + c + 4 * r), vdupq_n_s32(0));
        g->q[r].right = g->right[r];
    }
    g->zp = vdupq_n_s16((int16_t)p->output_offset);
    g->lo = vdupq_n_s8((int8_t)p->act_min);
    g->hi = vdupq_n_s8((int8_t)p->act_max);
    vst1q_s8(g->pad, vdupq_n_s8((int8_t)-p->input_offset));
}
#endif

#if !defined(DW_DOT)
/* A group's zero point, clamp and pad bytes (dw_group's zp, lo, hi, pad, in that order), the same for every group:
 * set once a call, copied into each group by dw_prepare16 (one load and one store where it is in assembly). */
typedef struct {
    int16x8_t zp;
    int8x16_t lo, hi;
    int8_t pad[16];
} dw_consts;
typedef char dw_consts_layout[sizeof(dw_consts) == 64 && offsetof(dw_group, lo) == offsetof(dw_group, zp) + 16 &&
                              offsetof(dw_group, hi) == offsetof(dw_group, zp) + 32 &&
                              offsetof(dw_group, pad) == offsetof(dw_group, zp) + 48 ? 1 : -1];

#if defined(DW_ASM)
/* A group's dw_prepare flags from its smallest weight (pairs unless -128) and largest shift (its mode). */
EDGEC_INLINE int dw_flags_of(int least, int32_t most) {
    return (least != -128 ? DW_PAIRS : 0) +
           DW_MODE * (most > 0 ? DW_SHIFT_LEFT : most == 0 ? DW_SHIFT_MIXED : DW_SHIFT_RIGHT);
}
#else
/* Group c's dw_prepare flags: pairs unless a weight is -128, the mode by its largest shift. */
static int dw_flags16(const int8_t *weights, const int32_t *shift, int32_t c, const edgec_conv2d_s8_params *p) {
    const int32x4_t zero = vdupq_n_s32(0);
    int8x16_t least = vdupq_n_s8(127);
    for (int32_t t = 0; t < 9; ++t) least = vminq_s8(least, vld1q_s8(weights + (size_t)t * p->in_c + c));
    int32x4_t most = vdupq_n_s32(-1); /* TFLite's shift: > 0 left, < 0 right */
    for (int32_t r = 0; r < 4; ++r) most = vmaxq_s32(most, vld1q_s32(shift + c + 4 * r));
    const int mode = edgec_neon_any_u32(vcgtq_s32(most, zero))   ? DW_SHIFT_LEFT
                     : edgec_neon_any_u32(vcgeq_s32(most, zero)) ? DW_SHIFT_MIXED : DW_SHIFT_RIGHT;
    return (edgec_neon_any_u32(vreinterpretq_u32_u8(vceqq_s8(least, vdupq_n_s8(-128)))) ? 0 : DW_PAIRS) +
           DW_MODE * mode;
}
#endif

/* dw_prepare for up to n groups of 16 channels from c: on small maps (VWW's 6 x 6 and 3 x 3, 8 and 16 groups a
 * layer) a group's set-up weighs. The same values; returns how many groups from the first share its flags
 * (*flags; the groups after them are prepared again by the next call). */
static int32_t dw_prepare16(const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                            const int32_t *shift, int32_t c, int32_t n, const edgec_conv2d_s8_params *p,
                            const dw_consts *k, dw_group *g, int *flags) {
    const int32x4_t zero = vdupq_n_s32(0);
    int32_t G = 1;
#if defined(DW_ASM)
    /* in assembly, the groups in one loop (GCC's intrinsics took about 165 instructions a group, a loop of calls
     * to a group's assembly about 115; this about 60): the nine taps (v0-v7, v16) stored, their sums widened, the
     * base (bias + input_offset * sum by SMLAL, wrapping as the reference's int32 sum: |input_offset * sum| <
     * 2^18), multipliers, right shifts and the call's constants (v24-v27) stored; the smallest weight (v30) and
     * largest shift (v31) of all the groups kept: all pairs and right shifts, the usual case, is one run (else
     * each group's, lv and hv, give its flags) */
    static const int32_t no_bias[16];
    const int8_t *wc = weights + c;
    const int32_t *bp = bias ? bias + c : no_bias, *mp = multiplier + c, *sp = shift + c;
    int8_t *gp = (int8_t *)g, lv[DW_GROUPS][16], *lp = lv[0];
    int32_t hv[DW_GROUPS][4], *hp = hv[0];
    uint64_t left = (uint64_t)n;
    int32_t least, most;
    __asm__ volatile(
        "ld1 {v24.16b-v27.16b}, [%[k]]\n" "dup v28.8h, %w[io]\n" "movi v29.4s, #0\n" "movi v30.16b, #127\n"
        "mvni v31.4s, #0\n"
        "1:\n"
        "ld1 {v0.16b}, [%[wc]], %[C]\n" "ld1 {v1.16b}, [%[wc]], %[C]\n" "ld1 {v2.16b}, [%[wc]], %[C]\n"
        "ld1 {v3.16b}, [%[wc]], %[C]\n" "ld1 {v4.16b}, [%[wc]], %[C]\n" "ld1 {v5.16b}, [%[wc]], %[C]\n"
        "ld1 {v6.16b}, [%[wc]], %[C]\n" "ld1 {v7.16b}, [%[wc]], %[C]\n" "ld1 {v16.16b}, [%[wc]]\n"
        "st1 {v0.16b-v3.16b}, [%[gp]], #64\n" "st1 {v4.16b-v7.16b}, [%[gp]], #64\n" "st1 {v16.16b}, [%[gp]], #16\n"
        /* |sum of 9 weights| <= 1152: int16 */
        "saddl v17.8h, v0.8b, v1.8b\n" "saddl2 v18.8h, v0.16b, v1.16b\n" "saddl v19.8h, v2.8b, v3.8b\n"
        "saddl2 v20.8h, v2.16b, v3.16b\n" "add v17.8h, v17.8h, v19.8h\n" "add v18.8h, v18.8h, v20.8h\n"
        "saddl v19.8h, v4.8b, v5.8b\n" "saddl2 v20.8h, v4.16b, v5.16b\n" "saddl v21.8h, v6.8b, v7.8b\n"
        "saddl2 v22.8h, v6.16b, v7.16b\n" "add v19.8h, v19.8h, v21.8h\n" "add v20.8h, v20.8h, v22.8h\n"
        "saddw v17.8h, v17.8h, v16.8b\n" "saddw2 v18.8h, v18.8h, v16.16b\n" "add v17.8h, v17.8h, v19.8h\n"
        "add v18.8h, v18.8h, v20.8h\n"
        "ld1 {v19.4s-v22.4s}, [%[bp]], %[bstep]\n" "smlal v19.4s, v17.4h, v28.4h\n" "smlal2 v20.4s, v17.8h, v28.8h\n"
        "smlal v21.4s, v18.4h, v28.4h\n" "smlal2 v22.4s, v18.8h, v28.8h\n" "st1 {v19.4s-v22.4s}, [%[gp]]\n"
        "add %[gp], %[gp], #" DW_AT_MULTIPLIER " - " DW_AT_BASE "\n"
        "ld1 {v19.4s-v22.4s}, [%[mp]], #64\n" "st1 {v19.4s-v22.4s}, [%[gp]], #64\n"
        "ld1 {v19.4s-v22.4s}, [%[sp]], #64\n" "smax v17.4s, v19.4s, v20.4s\n" "smax v18.4s, v21.4s, v22.4s\n"
        "smax v17.4s, v17.4s, v18.4s\n" "st1 {v17.4s}, [%[hp]], #16\n" "smax v31.4s, v31.4s, v17.4s\n"
        "smin v19.4s, v19.4s, v29.4s\n" "smin v20.4s, v20.4s, v29.4s\n" "smin v21.4s, v21.4s, v29.4s\n"
        "smin v22.4s, v22.4s, v29.4s\n" "st1 {v19.4s-v22.4s}, [%[gp]], #64\n" "st1 {v24.16b-v27.16b}, [%[gp]], #64\n"
        "smin v17.16b, v0.16b, v1.16b\n" "smin v18.16b, v2.16b, v3.16b\n" "smin v19.16b, v4.16b, v5.16b\n"
        "smin v20.16b, v6.16b, v7.16b\n" "smin v17.16b, v17.16b, v18.16b\n" "smin v19.16b, v19.16b, v20.16b\n"
        "smin v17.16b, v17.16b, v16.16b\n" "smin v17.16b, v17.16b, v19.16b\n" "st1 {v17.16b}, [%[lp]], #16\n"
        "smin v30.16b, v30.16b, v17.16b\n"
        "sub %[wc], %[wc], %[wback]\n" "subs %[left], %[left], #1\n" "b.ne 1b\n"
        "sminv b30, v30.16b\n" "smov %w[least], v30.b[0]\n" "smaxv s31, v31.4s\n" "fmov %w[most], s31\n"
        : [wc] "+r"(wc), [bp] "+r"(bp), [mp] "+r"(mp), [sp] "+r"(sp), [gp] "+r"(gp), [left] "+r"(left),
          [lp] "+r"(lp), [hp] "+r"(hp), [least] "=r"(least), [most] "=r"(most)
        : [C] "r"((uint64_t)p->in_c), [wback] "r"((uint64_t)8 * (uint64_t)p->in_c - 16), [io] "r"(p->input_offset),
          [bstep] "r"((uint64_t)(bias ? 64 : 0)), [k] "r"(k)
        : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21",
          "v22", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
    if (least != -128 && most < 0) { /* every group: pairs, right shifts */
        *flags = DW_PAIRS + DW_MODE * DW_SHIFT_RIGHT;
        return n;
    }
    *flags = dw_flags_of(vminvq_s8(vld1q_s8(lv[0])), vmaxvq_s32(vld1q_s32(hv[0])));
    while (G < n && dw_flags_of(vminvq_s8(vld1q_s8(lv[G])), vmaxvq_s32(vld1q_s32(hv[G]))) == *flags) ++G;
#else
    const size_t C = (size_t)p->in_c;
    for (int32_t i = 0; i < n; ++i) {
        const int8_t *wc = weights + c + 16 * i;
        int16x8_t sum_lo = vdupq_n_s16(0), sum_hi = sum_lo; /* |sum of 9 weights| <= 1152 */
#pragma GCC unroll 9
        for (int32_t t = 0; t < 9; ++t, wc += C) {
            const int8x16_t w = g[i].w[t] = vld1q_s8(wc);
            sum_lo = vaddw_s8(sum_lo, vget_low_s8(w));
            sum_hi = vaddw_s8(sum_hi, vget_high_s8(w));
        }
        const int32x4_t sums[4] = {vmovl_s16(vget_low_s16(sum_lo)), vmovl_s16(vget_high_s16(sum_lo)),
                                   vmovl_s16(vget_low_s16(sum_hi)), vmovl_s16(vget_high_s16(sum_hi))};
        const uint32_t io = (uint32_t)p->input_offset;
        for (int32_t r = 0; r < 4; ++r) {
            const int32_t ch = c + 16 * i + 4 * r;
            const int32x4_t b = bias ? vld1q_s32(bias + ch) : zero;
            /* bias + input_offset * sum, wrapping as the reference's int32 sum */
            g[i].base[r] = vreinterpretq_s32_u32(vmlaq_n_u32(vreinterpretq_u32_s32(b), vreinterpretq_u32_s32(sums[r]),
                                                             io));
            g[i].multiplier[r] = vld1q_s32(multiplier + ch);
            g[i].right[r] = vminq_s32(vld1q_s32(shift + ch), zero);
        }
        g[i].zp = k->zp;
        g[i].lo = k->lo;
        g[i].hi = k->hi;
        vst1q_s8(g[i].pad, vld1q_s8(k->pad));
    }
    *flags = dw_flags16(weights, shift, c, p);
    while (G < n && dw_flags16(weights, shift, c + 16 * G, p) == *flags) ++G;
#endif
#if defined(__aarch64__)
    if (*flags / DW_MODE != DW_SHIFT_RIGHT) /* dw_pixel's constants for the other modes (AArch64's right shifts: its
                                                own) */
#endif
        for (int32_t i = 0; i < G; ++i)
            for (int32_t r = 0; r < 4; ++r) {
                g[i].q[r].multiplier = g[i].multiplier[r];
                g[i].q[r].left = vmaxq_s32(vld1q_s32(shift + c + 16 * i + 4 * r), zero);
                g[i].q[r].right = g[i].right[r];
            }
    return G;
}
#endif

static void depthwise_general(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                              const edgec_conv2d_s8_params *p, int32_t c_begin);

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int fast = p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 && p->depth_multiplier == 1 &&
                     p->requant == EDGEC_REQUANT_FIXED && p->input_offset >= -127 && p->input_offset <= 128;
    const int32_t C = p->in_c, fast_c = fast ? C / 8 * 8 : 0;
    if (!fast_c) {
        depthwise_general(input, weights, bias, multiplier, shift, output, p, 0);
        return;
    }
#if defined(DW_DOT)
    /* dwd_chunk on the first fast_c / 16 * 16 channels of every pixel, up to DWD_CHUNK at a time, dwd_group on 8
     * more, the general loop on the rest */
    dwd_work wk;
    const int32_t c16 = fast_c / 16 * 16;
    const int relu = p->output_offset == -128 && p->act_min == -128 && p->act_max == 127; /* DWD_RQ_RELU's */
    for (int32_t c0 = 0; c0 < c16; c0 += DWD_CHUNK) {
        const int32_t G = (c16 - c0 < DWD_CHUNK ? c16 - c0 : DWD_CHUNK) / 16;
        const int mode = dwd_prepare16(weights, bias, multiplier, shift, c0, G, p, wk.g);
        const int all_right = mode == DW_SHIFT_RIGHT, any_left = mode == DW_SHIFT_LEFT;
        /* the C loop (dwd_chunk) takes groups with left shifts, and those of no shift without ReLU's outputs */
        const int c_loop = any_left || (!all_right && !relu);
        for (int32_t g = 0; g < (c_loop ? G : 1); ++g) dwd_prepare_c(shift, c0 + 16 * g, p, c_loop, &wk.g[g]);
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
            int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * C;
            if (all_right) dwd_chunk(in_b, out_b, &wk, c0, G, DW_SHIFT_RIGHT, relu, p);
            else if (any_left) dwd_chunk(in_b, out_b, &wk, c0, G, DW_SHIFT_LEFT, relu, p);
            else dwd_chunk(in_b, out_b, &wk, c0, G, DW_SHIFT_MIXED, relu, p);
        }
    }
    if (c16 < fast_c) {
        const int mode = dw_prepare(weights, bias, multiplier, shift, c16, 8, p, &wk.g[0]) / DW_MODE;
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
            int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * C;
            if (mode == DW_SHIFT_RIGHT) dwd_group(in_b, out_b, &wk.g[0], &wk, c16, DW_SHIFT_RIGHT, relu, p);
            else dwd_group(in_b, out_b, &wk.g[0], &wk, c16, mode, relu, p);
        }
    }
#else
    /* dw3x3_groups on the first fast_c channels of every pixel, runs of up to DW_GROUPS groups of 16 with the
     * same flags whose rows fit the ring whole (a last group of 8 alone), the general loop on the rest */
    dw_rows buf;
    dw_group g[DW_GROUPS];
    int flags;
    const int unsigned_narrow = p->output_offset == -128 && p->act_min == -128 && p->act_max == 127;
    dw_consts k;
    k.zp = vdupq_n_s16((int16_t)p->output_offset);
    k.lo = vdupq_n_s8((int8_t)p->act_min);
    k.hi = vdupq_n_s8((int8_t)p->act_max);
    vst1q_s8(k.pad, vdupq_n_s8((int8_t)-p->input_offset));
    /* groups a run: as many padded images as the ring's bytes hold (dw3x3_groups' bands), else one */
    const int32_t cols = (p->out_w - 1) * p->stride_w + 3, rows = (p->out_h - 1) * p->stride_h + 3;
    const size_t images = (sizeof buf.rows - 16) / (16 * (size_t)cols * (size_t)rows);
    const int32_t fit = images > DW_GROUPS ? DW_GROUPS : images > 0 ? (int32_t)images : 1;
    for (int32_t c = 0; c < fast_c;) {
        const int32_t width = fast_c - c >= 16 ? 16 : 8;
        int32_t G = 1;
        if (width == 16) /* the groups that fit, up to the first whose flags differ */
            G = dw_prepare16(weights, bias, multiplier, shift, c, (fast_c - c) / 16 < fit ? (fast_c - c) / 16 : fit, p,
                             &k, g, &flags);
        else flags = dw_prepare(weights, bias, multiplier, shift, c, 8, p, &g[0]);
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
            int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * C;
            /* constant width, pairs and mode: one specialised loop each */
#define DW_GROUP(w, f) dw3x3_groups(in_b, out_b, g, G, &buf, c, w, (f) & DW_PAIRS, (f) / DW_MODE, unsigned_narrow, p)
            switch (flags + (width == 16 ? 3 * DW_MODE : 0)) {
            case 0: DW_GROUP(8, 0); break;
            case 1: DW_GROUP(8, 1); break;
            case 2: DW_GROUP(8, 2); break;
            case 3: DW_GROUP(8, 3); break;
            case 4: DW_GROUP(8, 4); break;
            case 5: DW_GROUP(8, 5); break;
            case 6: DW_GROUP(16, 0); break;
            case 7: DW_GROUP(16, 1); break;
            case 8: DW_GROUP(16, 2); break;
            case 9: DW_GROUP(16, 3); break;
            case 10: DW_GROUP(16, 4); break;
            default: DW_GROUP(16, 5); break;
            }
#undef DW_GROUP
        }
        c += G * width;
    }
#endif
    if (fast_c < C) depthwise_general(input, weights, bias, multiplier, shift, output, p, fast_c);
}

/* Every pixel, channels [c_begin, out_c) (8 at a time, then one by one); dw3x3_group did those before c_begin. */
static void depthwise_general(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                              const edgec_conv2d_s8_params *p, int32_t c_begin) {
    /* int16 lanes hold x + offset only for an int8 zero point (offset in [-127, 128]) */
    const int vector = p->depth_multiplier == 1 && p->input_offset >= -127 && p->input_offset <= 128;
    const int16x8_t off = vdupq_n_s16((int16_t)(vector ? p->input_offset : 0));
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                /* the taps inside the input: [ky_lo, ky_hi) x [kx_lo, kx_hi) */
                const int32_t ky_lo = y0 < 0 ? (-y0 + p->dil_h - 1) / p->dil_h : 0;
                const int32_t kx_lo = x0 < 0 ? (-x0 + p->dil_w - 1) / p->dil_w : 0;
                int32_t ky_hi = p->k_h, kx_hi = p->k_w;
                while (ky_hi > ky_lo && y0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
                while (kx_hi > kx_lo && x0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
                int32_t c = c_begin;
                for (; vector && c + 8 <= p->out_c; c += 8) {
                    int32x4_t lo = vdupq_n_s32(0), hi = lo;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        const int8_t *x = in_b + ((size_t)(y0 + ky * p->dil_h) * p->in_w + x0 + kx_lo * p->dil_w) * p->in_c + c;
                        const int8_t *w = weights + ((size_t)ky * p->k_w + kx_lo) * p->out_c + c;
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * p->in_c, w += p->out_c) {
                            const int16x8_t xv = vaddq_s16(vmovl_s8(vld1_s8(x)), off);
                            const int16x8_t wv = vmovl_s8(vld1_s8(w));
                            lo = vmlal_s16(lo, vget_low_s16(xv), vget_low_s16(wv));
                            hi = vmlal_s16(hi, vget_high_s16(xv), vget_high_s16(wv));
                        }
                    }
                    if (bias) {
                        lo = vaddq_s32(lo, vld1q_s32(bias + c));
                        hi = vaddq_s32(hi, vld1q_s32(bias + c + 4));
                    }
                    edgec_neon_store4_s8(out + c, edgec_neon_requant4(lo, multiplier + c, shift + c, p->requant,
                                                                      p->output_offset, p->act_min, p->act_max));
                    edgec_neon_store4_s8(out + c + 4, edgec_neon_requant4(hi, multiplier + c + 4, shift + c + 4,
                                                                          p->requant, p->output_offset, p->act_min,
                                                                          p->act_max));
                }
                depthwise_scalar(in_b, weights, bias, multiplier, shift, out, y0, x0, c, p);
            }
        }
    }
}
