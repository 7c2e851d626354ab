/* Cortex-M twin of reference/edgec_fully_connected_s8.c, bit-identical to it. Two entry points:
 *
 * edgec_fully_connected_s8_packed (what the compiler calls when the filter offset is 0): weights and bias packed
 * at compile time (compiler/edgec/ops/quantized_s8.py, pack_fc_s8; the arithmetic is explained in
 * runtimes/include/edgec_packed_s8.h), eight units interleaved word by word. Each batch row becomes activation
 * words (A, Y per group of four inputs; 2 bytes per input, on the stack), then with __ARM_FEATURE_DSP a
 * hand-scheduled loop (edgec_fc_gemm8x1) runs eight units at a time: per group of four inputs one LDRD of the
 * activation words, four LDRDs of two units' weight words, eight SXTB16 and sixteen SMLADs (32 MACs in 29
 * instructions; with the wide layout, the SXTB16s' results stored too: 25), unrolled 32 times (wide: 8) and
 * entered Duff-style, then the requantisation of the eight (pk_requant) in the same loop. When pk_requant's shift l
 * is 1 (0 with truncation: every TFLite layer with a multiplier below 1), the epilogue subtracts the activation
 * correction as (acc << l) - (corr << l) in one RSB instead of eight SUBs at each tile's start.
 *
 * edgec_fully_connected_s8: the reference's signature (any filter offset): SXTB16 + SMLAD dot products. */
#include "edgec_fully_connected_s8.h"
#include "edgec_packed_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

EDGEC_INLINE int16x2_t pack_offset(int32_t offset) {
    return (int16x2_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
}

/* sum over n of (a[i] + a_offset) * (b[i] + b_offset); both sides fit a halfword lane. */
EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t b_offset, int32_t n) {
    const int16x2_t a_off2 = pack_offset(a_offset), b_off2 = pack_offset(b_offset);
    int32_t acc = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, b4;
        __builtin_memcpy(&a4, a + i, 4);
        __builtin_memcpy(&b4, b + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), a_off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), a_off2);
        const int16x2_t b02 = __sadd16(__sxtb16((int8x4_t)b4), b_off2);
        const int16x2_t b13 = __sadd16(__sxtb16((int8x4_t)((b4 >> 8) | (b4 << 24))), b_off2);
        acc = __smlad(a02, b02, acc);
        acc = __smlad(a13, b13, acc);
    }
    for (; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * ((int32_t)b[i] + b_offset);
    return acc;
}
/* Two weight rows against one input: the input is loaded and widened once for both. */
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t b_offset,
                          int32_t n, int32_t *acc0, int32_t *acc1) {
    const int16x2_t a_off2 = pack_offset(a_offset), b_off2 = pack_offset(b_offset);
    int32_t s0 = 0, s1 = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, w4, v4;
        __builtin_memcpy(&a4, a + i, 4);
        __builtin_memcpy(&w4, b0 + i, 4);
        __builtin_memcpy(&v4, b1 + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), a_off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), a_off2);
        s0 = __smlad(a02, __sadd16(__sxtb16((int8x4_t)w4), b_off2), s0);
        s0 = __smlad(a13, __sadd16(__sxtb16((int8x4_t)((w4 >> 8) | (w4 << 24))), b_off2), s0);
        s1 = __smlad(a02, __sadd16(__sxtb16((int8x4_t)v4), b_off2), s1);
        s1 = __smlad(a13, __sadd16(__sxtb16((int8x4_t)((v4 >> 8) | (v4 << 24))), b_off2), s1);
    }
    for (; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * ((int32_t)b0[i] + b_offset);
        s1 += x * ((int32_t)b1[i] + b_offset);
    }
    *acc0 = s0;
    *acc1 = s1;
}
/* Fast path (filter_offset 0, as TFLite's symmetric int8 weights always are): the input row is widened once into
 * int16 pairs with the input offset added, in the order SXTB16 / SXTB16 ROR #8 gives the weights; then each input
 * word pair feeds four weight rows. Integer sums only: bit-exact. */
#define EDGEC_FC_MAX_DEPTH 1024

EDGEC_INLINE uint32_t load_u32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
/* SXTB16 with its built-in ROR #8 (GCC does not fold the rotation into the instruction). */
EDGEC_INLINE int16x2_t sxtb16_ror8(uint32_t v) {
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

EDGEC_INLINE void fc_store(int32_t acc, int32_t u, const int32_t *bias, int8_t *out,
                           const edgec_fully_connected_s8_params *p) {
    if (bias) acc += bias[u];
    acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                              : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
    out[u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

static void fc_fast(const int8_t *in, const int8_t *weights, const int32_t *bias, int8_t *out,
                    const edgec_fully_connected_s8_params *p) {
    uint32_t col[EDGEC_FC_MAX_DEPTH / 2];
    const int32_t depth = p->depth, D4 = depth >> 2, off = p->input_offset;
    const int16x2_t off2 = pack_offset(off);
    for (int32_t g = 0; g < D4; ++g) {
        const uint32_t a4 = load_u32(in + 4 * g);
        col[2 * g] = (uint32_t)__sadd16(__sxtb16((int8x4_t)a4), off2);
        col[2 * g + 1] = (uint32_t)__sadd16(sxtb16_ror8(a4), off2);
    }
    int32_t u = 0;
    for (; u + 4 <= p->units; u += 4) {
        const int8_t *w0 = weights + (size_t)u * depth, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const uint32_t *x = col, *const x_end = col + 2 * D4;
        while (x != x_end) {
            const int16x2_t x02 = (int16x2_t)x[0], x13 = (int16x2_t)x[1];
            x += 2;
            uint32_t w = load_u32(w0);
            w0 += 4;
            s0 = __smlad(x02, __sxtb16((int8x4_t)w), s0);
            s0 = __smlad(x13, sxtb16_ror8(w), s0);
            w = load_u32(w1);
            w1 += 4;
            s1 = __smlad(x02, __sxtb16((int8x4_t)w), s1);
            s1 = __smlad(x13, sxtb16_ror8(w), s1);
            w = load_u32(w2);
            w2 += 4;
            s2 = __smlad(x02, __sxtb16((int8x4_t)w), s2);
            s2 = __smlad(x13, sxtb16_ror8(w), s2);
            w = load_u32(w3);
            w3 += 4;
            s3 = __smlad(x02, __sxtb16((int8x4_t)w), s3);
            s3 = __smlad(x13, sxtb16_ror8(w), s3);
        }
        for (int32_t d = D4 * 4; d < depth; ++d) {
            const int32_t xv = (int32_t)in[d] + off;
            s0 += xv * (int32_t)*w0++;
            s1 += xv * (int32_t)*w1++;
            s2 += xv * (int32_t)*w2++;
            s3 += xv * (int32_t)*w3++;
        }
        fc_store(s0, u, bias, out, p);
        fc_store(s1, u + 1, bias, out, p);
        fc_store(s2, u + 2, bias, out, p);
        fc_store(s3, u + 3, bias, out, p);
    }
    for (; u < p->units; ++u) {
        const int8_t *w0 = weights + (size_t)u * depth;
        int32_t s0 = 0;
        const uint32_t *x = col;
        for (int32_t g = D4; g > 0; --g) {
            const uint32_t w = load_u32(w0);
            w0 += 4;
            s0 = __smlad((int16x2_t)x[0], __sxtb16((int8x4_t)w), s0);
            s0 = __smlad((int16x2_t)x[1], sxtb16_ror8(w), s0);
            x += 2;
        }
        for (int32_t d = D4 * 4; d < depth; ++d) s0 += ((int32_t)in[d] + off) * (int32_t)*w0++;
        fc_store(s0, u, bias, out, p);
    }
}
#define EDGEC_FC_FAST 1
#else
#define EDGEC_FC_FAST 0
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t b_offset,
                          int32_t n, int32_t *acc0, int32_t *acc1) {
    int32_t s0 = 0, s1 = 0;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * ((int32_t)b0[i] + b_offset);
        s1 += x * ((int32_t)b1[i] + b_offset);
    }
    *acc0 = s0;
    *acc1 = s1;
}

EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t b_offset, int32_t n) {
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * ((int32_t)b[i] + b_offset);
    return acc;
}
#endif

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * p->depth;
#if EDGEC_FC_FAST
        if (p->filter_offset == 0 && p->depth <= EDGEC_FC_MAX_DEPTH) {
            fc_fast(in, weights, bias, output + (size_t)b * p->units, p);
            continue;
        }
#endif
        int32_t u = 0;
        for (; u + 2 <= p->units; u += 2) {
            int32_t acc[2];
            dot2_s8(in, p->input_offset, weights + (size_t)u * p->depth, weights + (size_t)(u + 1) * p->depth,
                    p->filter_offset, p->depth, &acc[0], &acc[1]);
            for (int32_t k = 0; k < 2; ++k) {
                int32_t v = acc[k] + (bias ? bias[u + k] : 0);
                v = (p->single_rounding ? edgec_mbqm_single(v, p->multiplier, p->shift)
                                        : edgec_mbqm(v, p->multiplier, p->shift)) + p->output_offset;
                output[(size_t)b * p->units + u + k] = (int8_t)edgec_clamp_i32(v, p->act_min, p->act_max);
            }
        }
        for (; u < p->units; ++u) { /* odd unit count: the last row alone */
            int32_t acc = dot_s8(in, p->input_offset, weights + (size_t)u * p->depth, p->filter_offset, p->depth);
            if (bias) acc += bias[u];
            acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                      : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
            output[(size_t)b * p->units + u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}

/* ---- edgec_fully_connected_s8_packed ------------------------------------------------------------------------
 * packed: header [d4 (depth in words), tiles of eight units, variant (pk_requant's, | 8: wide), l, m, c, e, 0]
 * (the requantisation constants of pk_requant in edgec_packed_s8.h), then per tile: [bias' x 8], d4 x [weight
 * word of unit 0, 1, ..., 7] (wide: d4 x [W, O of unit 0, W, O of unit 1, ...], O the word's SXTB16 ROR #8, which
 * the loop then loads instead of computing); units past the last are zero rows. */
#define EDGEC_FC_TILE 8
#define EDGEC_FC_WIDE 8    /* the variant bit */
#define EDGEC_FC_FOLDED 16 /* _prepare's flag: corr subtracted in the epilogue */

#if EDGEC_PACKED_DSP
typedef struct {
    const uint32_t *panel;     /* 0 */
    const uint32_t *panel_end; /* 4 */
    int32_t corr;              /* 8 */
    uint32_t entry;            /* 12: where the unrolled loop (wide or not) starts for d4 % 8 (set by ..._prepare) */
    uint32_t epilogue;         /* 16: the requantisation variant (set by ..._prepare) */
    int32_t l, m, c, e;        /* 20, 24, 28, 32 */
    uint32_t lo4, hi4;         /* 36, 40: act_min, act_max in each byte */
    int8_t *out;               /* 44: where the next tile's eight bytes go */
    const int32_t *w_end;      /* 48: the packed stream after the last tile this call computes */
} fc_gemm_frame;

void edgec_fc_gemm8x1(const fc_gemm_frame *f, const int32_t *w);
void edgec_fc_gemm8x1_prepare(fc_gemm_frame *f, int32_t d4, int32_t variant);

/* Registers in the loop: r0 activation words, r1 packed stream, r2/r3 A/Y, r4-r11 the eight units' accumulators,
 * r12/lr two weight words at a time. Per group of four inputs (32 MACs): one LDRD of A, Y, four LDRDs of two
 * units' W, eight SXTB16 and sixteen SMLADs, 29 instructions and estimated cycles (the four-unit tiles took 15 per
 * 16 MACs); wide: eight LDRDs of a unit's W and O and sixteen SMLADs, 25. Each step is 116 (wide 100) bytes of
 * 32-bit code, so _prepare can point the first pass into the middle of the unrolled body (32 steps: a layer of up
 * to 128 inputs runs one pass, with one loop test). The frame is copied
 * onto the stack and addressed as [sp, #offset]. */
__asm__(
    "   .pushsection .text.edgec_fc_gemm8x1,\"ax\",%progbits\n"
    "   .syntax unified\n"
    "   .thumb\n"
    "   .macro FG_UNITS acc0, acc1\n"
    "   ldrd    r12, lr, [r1], #8\n"
    "   smlad   \\acc0, r2, r12, \\acc0\n"
    "   sxtb16  r12, r12, ror #8\n"
    "   smlad   \\acc0, r3, r12, \\acc0\n"
    "   smlad   \\acc1, r2, lr, \\acc1\n"
    "   sxtb16  lr, lr, ror #8\n"
    "   smlad   \\acc1, r3, lr, \\acc1\n"
    "   .endm\n"
    "   .macro FG_STEP\n"
    "   ldrd    r2, r3, [r0], #8\n"
    "   FG_UNITS r4, r5\n"
    "   FG_UNITS r6, r7\n"
    "   FG_UNITS r8, r9\n"
    "   FG_UNITS r10, r11\n"
    "   .endm\n"
    "   .macro FG_UNIT_WIDE acc\n"
    "   ldrd    r12, lr, [r1], #8\n"
    "   smlad   \\acc, r2, r12, \\acc\n"
    "   smlad   \\acc, r3, lr, \\acc\n"
    "   .endm\n"
    "   .macro FG_STEP_WIDE\n"
    "   ldrd    r2, r3, [r0], #8\n"
    "   FG_UNIT_WIDE r4\n   FG_UNIT_WIDE r5\n   FG_UNIT_WIDE r6\n   FG_UNIT_WIDE r7\n"
    "   FG_UNIT_WIDE r8\n   FG_UNIT_WIDE r9\n   FG_UNIT_WIDE r10\n   FG_UNIT_WIDE r11\n"
    "   .endm\n"
    /* acc -> int8 (pk_requant): r2 l, r3 m, r12 c, lr e, r0 scratch */
    "   .macro FG_RQ acc, sign, trunc, fold\n"
    "   .if \\fold < 0\n"
    "   lsl     \\acc, \\acc, r2\n"
    "   .else\n"                        /* (acc << l) - (corr << l): the tile start's subtraction, folded */
    "   rsb     \\acc, r2, \\acc, lsl #\\fold\n"
    "   .endif\n"
    "   .if \\trunc\n"
    "   smmla   \\acc, \\acc, r3, r12\n"
    "   asr     \\acc, \\acc, lr\n"
    "   .elseif \\sign\n"
    "   smmlar  r0, \\acc, r3, r12\n"
    "   sub     \\acc, r0, \\acc, lsr #31\n"
    "   asr     \\acc, \\acc, lr\n"
    "   .else\n"
    "   smmlar  \\acc, \\acc, r3, r12\n"
    "   asr     \\acc, \\acc, lr\n"
    "   .endif\n"
    "   ssat    \\acc, #8, \\acc\n"
    "   .endm\n"
    /* four bytes: max(v, lo), min(v, hi) byte-wise with r2 lo4, r3 hi4 */
    "   .macro FG_CLAMP v\n"
    "   ssub8   r0, \\v, r2\n"
    "   sel     \\v, \\v, r2\n"
    "   ssub8   r0, r3, \\v\n"
    "   sel     \\v, \\v, r3\n"
    "   .endm\n"
    "   .macro FG_EPI sign, clamp, trunc, fold\n"
    "   add     r0, sp, #20\n"
    "   ldm     r0, {r2, r3, r12, lr}\n"
    "   FG_RQ   r4, \\sign, \\trunc, \\fold\n   FG_RQ   r5, \\sign, \\trunc, \\fold\n"
    "   FG_RQ   r6, \\sign, \\trunc, \\fold\n   FG_RQ   r7, \\sign, \\trunc, \\fold\n"
    "   FG_RQ   r8, \\sign, \\trunc, \\fold\n   FG_RQ   r9, \\sign, \\trunc, \\fold\n"
    "   FG_RQ   r10, \\sign, \\trunc, \\fold\n  FG_RQ   r11, \\sign, \\trunc, \\fold\n"
    "   bfi     r4, r5, #8, #8\n"
    "   bfi     r4, r6, #16, #8\n"
    "   bfi     r4, r7, #24, #8\n"
    "   bfi     r8, r9, #8, #8\n"
    "   bfi     r8, r10, #16, #8\n"
    "   bfi     r8, r11, #24, #8\n"
    "   .if \\clamp\n"
    "   ldrd    r2, r3, [sp, #36]\n"
    "   FG_CLAMP r4\n"
    "   FG_CLAMP r8\n"
    "   .endif\n"
    "   ldr     r2, [sp, #44]\n"
    "   str     r4, [r2], #4\n"          /* unaligned word stores are fine on v7E-M */
    "   str     r8, [r2], #4\n"
    "   str     r2, [sp, #44]\n"
    "   ldr     r2, [sp, #48]\n"
    "   cmp     r1, r2\n"
    "   .if \\fold < 0\n"
    "   bne     .Lfg_tile\n"
    "   .else\n"
    "   bne     .Lfg_tile_folded\n"
    "   .endif\n"
    "   b       .Lfg_done\n"
    "   .endm\n"
    /* _prepare first: its ADR.Ws reach both unrolled bodies forward (+-4 KB) */
    "   .balign 4\n"
    "   .global edgec_fc_gemm8x1_prepare\n"
    "   .hidden edgec_fc_gemm8x1_prepare\n"
    "   .type   edgec_fc_gemm8x1_prepare, %function\n"
    "   .thumb_func\n"
    "edgec_fc_gemm8x1_prepare:\n"        /* r0 frame, r1 d4, r2 variant (bit 8: wide, bit 16: corr folded) */
    "   tst     r2, #8\n"
    "   beq     1f\n"
    "   and     r1, r1, #7\n"            /* wide: unrolled 8 times */
    "   rsb     r1, r1, #8\n"
    "   and     r1, r1, #7\n"
    "   adr.w   r3, .Lfg_kw\n"
    "   mov     r12, #100\n"
    "   b       2f\n"
    "1: and     r1, r1, #31\n"           /* compact: 32 times */
    "   rsb     r1, r1, #32\n"
    "   and     r1, r1, #31\n"
    "   adr.w   r3, .Lfg_k\n"
    "   mov     r12, #116\n"
    "2: mla     r3, r1, r12, r3\n"
    "   orr     r3, r3, #1\n"
    "   str     r3, [r0, #12]\n"
    "   and     r3, r2, #7\n"            /* epilogue index: variant & 7, + 8 when folded */
    "   lsr     r2, r2, #1\n"
    "   and     r2, r2, #8\n"
    "   orr     r2, r2, r3\n"
    "   adr.w   r3, .Lfg_epis\n"
    "   ldr     r3, [r3, r2, lsl #2]\n"
    "   str     r3, [r0, #16]\n"
    "   bx      lr\n"
    "   .balign 4\n"
    ".Lfg_epis:\n"                       /* sign_fix never comes with truncation: 5 and 7 are not used */
    "   .word   .Lfg_epi0 + 1, .Lfg_epi1 + 1, .Lfg_epi2 + 1, .Lfg_epi3 + 1\n"
    "   .word   .Lfg_epi4 + 1, .Lfg_epi4 + 1, .Lfg_epi6 + 1, .Lfg_epi6 + 1\n"
    "   .word   .Lfg_epi0f + 1, .Lfg_epi1f + 1, .Lfg_epi2f + 1, .Lfg_epi3f + 1\n"
    "   .word   .Lfg_epi4f + 1, .Lfg_epi4f + 1, .Lfg_epi6f + 1, .Lfg_epi6f + 1\n"
    "   .size   edgec_fc_gemm8x1_prepare, . - edgec_fc_gemm8x1_prepare\n"
    "   .balign 4\n"
    "   .global edgec_fc_gemm8x1\n"
    "   .hidden edgec_fc_gemm8x1\n"
    "   .type   edgec_fc_gemm8x1, %function\n"
    "   .thumb_func\n"
    "edgec_fc_gemm8x1:\n"                /* r0 frame, r1 the first tile */
    "   push    {r4-r11, lr}\n"
    "   mov     lr, r1\n"
    "   ldm     r0, {r0-r12}\n"
    "   push    {r0-r12}\n"
    "   mov     r1, lr\n"
    "   cbz     r2, .Lfg_tile_folded\n"  /* corr 0 (as when folded): nothing to subtract */
    ".Lfg_tile:\n"
    "   ldmia   r1!, {r4-r11}\n"         /* bias' */
    "   ldr     r2, [sp, #8]\n"
    "   sub     r4, r4, r2\n"
    "   sub     r5, r5, r2\n"
    "   sub     r6, r6, r2\n"
    "   sub     r7, r7, r2\n"
    "   sub     r8, r8, r2\n"
    "   sub     r9, r9, r2\n"
    "   sub     r10, r10, r2\n"
    "   sub     r11, r11, r2\n"
    "   ldr     r0, [sp]\n"
    "   ldr     pc, [sp, #12]\n"
    ".Lfg_tile_folded:\n"
    "   ldmia   r1!, {r4-r11}\n"
    "   ldr     r0, [sp]\n"
    "   ldr     pc, [sp, #12]\n"
    ".Lfg_k:\n"
    "   .rept 32\n"
    "   FG_STEP\n"
    "   .endr\n"
    "   ldr     r2, [sp, #4]\n"
    "   cmp     r0, r2\n"
    "   bne     .Lfg_k\n"
    "   ldr     pc, [sp, #16]\n"
    ".Lfg_kw:\n"
    "   FG_STEP_WIDE\n   FG_STEP_WIDE\n   FG_STEP_WIDE\n   FG_STEP_WIDE\n"
    "   FG_STEP_WIDE\n   FG_STEP_WIDE\n   FG_STEP_WIDE\n   FG_STEP_WIDE\n"
    "   ldr     r2, [sp, #4]\n"
    "   cmp     r0, r2\n"
    "   bne     .Lfg_kw\n"
    "   ldr     pc, [sp, #16]\n"
    ".Lfg_epi0:\n   FG_EPI 0, 0, 0, -1\n"
    ".Lfg_epi1:\n   FG_EPI 1, 0, 0, -1\n"
    ".Lfg_epi2:\n   FG_EPI 0, 1, 0, -1\n"
    ".Lfg_epi3:\n   FG_EPI 1, 1, 0, -1\n"
    ".Lfg_epi4:\n   FG_EPI 0, 0, 1, -1\n"
    ".Lfg_epi6:\n   FG_EPI 0, 1, 1, -1\n"
    /* corr folded into the epilogue (l = 1; truncation: l = 0) */
    ".Lfg_epi0f:\n  FG_EPI 0, 0, 0, 1\n"
    ".Lfg_epi1f:\n  FG_EPI 1, 0, 0, 1\n"
    ".Lfg_epi2f:\n  FG_EPI 0, 1, 0, 1\n"
    ".Lfg_epi3f:\n  FG_EPI 1, 1, 0, 1\n"
    ".Lfg_epi4f:\n  FG_EPI 0, 0, 1, 0\n"
    ".Lfg_epi6f:\n  FG_EPI 0, 1, 1, 0\n"
    ".Lfg_done:\n"
    "   add     sp, sp, #52\n"
    "   pop     {r4-r11, pc}\n"
    "   .size   edgec_fc_gemm8x1, . - edgec_fc_gemm8x1\n"
    "   .purgem FG_UNITS\n"
    "   .purgem FG_STEP\n"
    "   .purgem FG_UNIT_WIDE\n"
    "   .purgem FG_STEP_WIDE\n"
    "   .purgem FG_RQ\n"
    "   .purgem FG_CLAMP\n"
    "   .purgem FG_EPI\n"
    "   .popsection\n");
#endif

/* pk_activations four groups a step (one batch row is prepared once per layer, but at 128 inputs per 16 tiles
 * its loop overhead showed). */
static int32_t fc_activations(uint32_t *dst, const int8_t *src, int32_t n4) {
    int32_t corr = 0, g = 0;
    for (; g + 4 <= n4; g += 4, dst += 8, src += 16) {
        const uint32_t x0 = pk_load_u32(src), x1 = pk_load_u32(src + 4), x2 = pk_load_u32(src + 8),
                       x3 = pk_load_u32(src + 12);
        const uint32_t a0 = pk_sxtb16_ror8(x0), a1 = pk_sxtb16_ror8(x1), a2 = pk_sxtb16_ror8(x2),
                       a3 = pk_sxtb16_ror8(x3);
        dst[0] = a0;
        dst[1] = x0 ^ 0xFF80FF80u;
        dst[2] = a1;
        dst[3] = x1 ^ 0xFF80FF80u;
        dst[4] = a2;
        dst[5] = x2 ^ 0xFF80FF80u;
        dst[6] = a3;
        dst[7] = x3 ^ 0xFF80FF80u;
        corr = pk_smlad(a0, 0x00800080u, corr);
        corr = pk_smlad(a1, 0x00800080u, corr);
        corr = pk_smlad(a2, 0x00800080u, corr);
        corr = pk_smlad(a3, 0x00800080u, corr);
    }
    return pk_activations(dst, 2, src, n4 - g, corr);
}

static __attribute__((noinline)) void fc_packed(const int8_t *input, const int32_t *packed, int8_t *output,
                                                const edgec_fully_connected_s8_params *p, uint32_t *panel) {
    const int32_t d4 = packed[0], tiles = packed[1], variant = packed[2];
    const int32_t l = packed[3], m = packed[4], c = packed[5], e = packed[6];
    const int32_t depth = p->depth, units = p->units, full = depth >> 2, lo = p->act_min, hi = p->act_max;
    const int32_t gw = variant & EDGEC_FC_WIDE ? 2 : 1; /* words per unit and group of four inputs */
    const int32_t tile_words = EDGEC_FC_TILE + EDGEC_FC_TILE * gw * d4;
#if EDGEC_PACKED_DSP
    const int32_t full_tiles = units / EDGEC_FC_TILE;
    fc_gemm_frame f;
    f.panel = panel;
    f.panel_end = panel + 2 * d4;
    f.l = l;
    f.m = m;
    f.c = c;
    f.e = e;
    f.lo4 = (uint32_t)(uint8_t)lo * 0x01010101u;
    f.hi4 = (uint32_t)(uint8_t)hi * 0x01010101u;
    /* corr folded into the epilogue's shift, (acc << l) - (corr << l), where l is 1 (or 0 with truncation):
     * the tile start then skips its eight subtractions */
    const int32_t fold = (variant & PK_TRUNCATE) ? l == 0 : l == 1;
    edgec_fc_gemm8x1_prepare(&f, d4, (variant & (EDGEC_FC_WIDE | 7)) | (fold ? EDGEC_FC_FOLDED : 0));
#endif
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * units;
        int32_t corr = fc_activations(panel, in, full);
        if (full < d4) { /* the last inputs, then zeros (their weights are 0) */
            int8_t tail[4] = {0, 0, 0, 0};
            for (int32_t i = 4 * full; i < depth; ++i) tail[i - 4 * full] = in[i];
            corr = pk_activations(panel + 2 * full, 2, tail, 1, corr);
        }
#if EDGEC_PACKED_DSP
        f.corr = fold ? 0 : corr;
        f.l = fold ? (int32_t)((uint32_t)corr << l) : l;
        if (full_tiles > 0) {
            f.out = out;
            f.w_end = packed + 8 + full_tiles * tile_words;
            edgec_fc_gemm8x1(&f, packed + 8);
        }
        if (full_tiles < tiles) { /* a partial last tile: its eight bytes into a buffer, the real ones copied */
            int8_t last[EDGEC_FC_TILE];
            f.out = last;
            f.w_end = packed + 8 + tiles * tile_words;
            edgec_fc_gemm8x1(&f, packed + 8 + full_tiles * tile_words);
            for (int32_t i = EDGEC_FC_TILE * full_tiles; i < units; ++i) out[i] = last[i - EDGEC_FC_TILE * full_tiles];
        }
#else
        for (int32_t t = 0; t < tiles; ++t) {
            const int32_t *w = packed + 8 + t * tile_words;
            for (int32_t i = 0; i < EDGEC_FC_TILE && EDGEC_FC_TILE * t + i < units; ++i) {
                const int32_t acc = pk_dot(panel, 2, w + EDGEC_FC_TILE + gw * i, EDGEC_FC_TILE * gw, d4, w[i] - corr);
                const int32_t v = pk_requant(acc, l, m, c, e, variant);
                out[EDGEC_FC_TILE * t + i] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
            }
        }
#endif
    }
}

void edgec_fully_connected_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT packed,
                                     int8_t *EDGEC_RESTRICT output, const edgec_fully_connected_s8_params *p,
                                     void *scratch) {
    if (scratch != 0) { /* free arena space the compiler found */
        fc_packed(input, packed, output, p, (uint32_t *)scratch);
        return;
    }
    uint32_t panel[2 * packed[0]]; /* one batch row's activation words: 2 bytes per input */
    fc_packed(input, packed, output, p, panel);
}
