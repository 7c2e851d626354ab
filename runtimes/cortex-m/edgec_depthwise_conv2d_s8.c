/* Cortex-M twin of reference/edgec_depthwise_conv2d_s8.c, bit-identical to it.
 *
 * With __ARM_FEATURE_DSP and depth multiplier 1, a 3x3 convolution goes one block of four channels (one input word)
 * at a time, each block over the whole output map:
 *   - dw_block_prepare builds the block's table. The input offset leaves the taps: sum (x + off) * w =
 *     sum x * w + off * sum w, the second term going into the bias. The weights become int16 pairs of two taps of
 *     one channel, so that one SMLAD does two MACs: PKHBT / PKHTB of two taps' input words give [a0 a1 b0 b1] and
 *     [a2 a3 b2 b3], and SXTB16 (ROR #8) of those the pairs (a_c, b_c) of each channel c. Eight taps pair up; the
 *     ninth goes through SMLABB / SMLATT. Weights and bias are doubled, so that the accumulator X is 2 * acc, and
 *     TFLite's two roundings (SRDHM, then a shift right by r rounding half away from zero) become three
 *     instructions, zero point included:  out = SMMLAR(X, multiplier, 2^(r-1) + zp 2^r - [X < 0]) >> r.
 *     (SMMLAR is SRDHM without its saturation; floor(floor(a / 2^31) / 2^r) = floor(a / 2^(31 + r)) joins the
 *     roundings; and with a multiplier >= 0, X < 0 stands in for "SRDHM < 0" wherever that matters, r >= 1.)
 *     This needs a right shift (1 <= r <= 22), a multiplier >= 0 and |bias| + 255 * 128 * 9 < 2^29 (so that no
 *     intermediate overflows); a block of channels outside that takes the general path below.
 *   - dw3x3_run_* (assembly: GCC spills half of this loop's state, and instructions are the figure of merit here)
 *     computes a rectangle of output pixels, 99 instructions per pixel of four channels. Pixels whose taps are all
 *     inside the input read it directly; the others read copies in a band on the stack (dw_stage) holding the input
 *     zero point where the input ends. Padding then needs no special case: x = -off adds (x + off) * w = 0, exactly
 *     what the reference's skipped taps add. Maps that fit the band (DW_BAND words) are copied whole; larger ones
 *     split into the rectangle of inside pixels and the border frame around it (dw3x3_block).
 *   - With stride 1, dilation 1 and an output of 2 x 2 or more (VWW's stride-1 layers) the same arithmetic runs as
 *     dwh_*: the input widened once into one int16 plane per channel, then 2 x 2 output pixels of one channel per
 *     step with the weights in registers, 55 instructions per 36 MACs (see there); stride 2 on maps up to 12
 *     outputs wide likewise (dws_*: 62 instructions per 36 MACs).
 *   - Maps whose padding is only at their edges and small enough to unpack whole (VWW's last seven layers: 3 x 3 at
 *     stride 1, 6 x 6 at stride 2 into 3 x 3, 6 x 6 at stride 1) take the same tables into dw3map_* / dw6map_*: the
 *     input unpacked into int16 pairs with the input offset added, so that the padding's taps are skipped.
 * 5x5 and 7x7 with dilation 1 (MCUNet's), and 3x3 in float requantisation, take dwk_*: the same arithmetic over
 * band copies (see there), with the float requantisation on the exact accumulator.
 * Everything else (other sizes, the blocks above, the in_c % 4 tail) takes dw_general: pixel by pixel,
 * four channels at a time with the input offset added to each tap (SXTB16, SADD16, SMLABB / SMLATT). Depth
 * multipliers other than 1 and, on dw_general, float requantisation and INT32_MIN multipliers run the reference
 * loops (dw_plain). */
#include "edgec_depthwise_s8_tap_sum.h"

/* The reference loops over input channels [c0, c1): every output channel of those. */
static void dw_plain(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                     const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p, int32_t c0, int32_t c1) {
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t ic = c0; ic < c1; ++ic) {
                    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        out[oc] = edgec_depthwise_s8_channel(in_b, weights, bias, multiplier, shift, y0, x0, ic, oc, p);
                    }
                }
            }
        }
    }
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

EDGEC_INLINE uint32_t load_u32(const int8_t *q) {
    uint32_t v;
    __builtin_memcpy(&v, q, 4);
    return v;
}
/* SXTB16 with its built-in ROR #8 (GCC does not fold the rotation into the instruction); PKHBT / PKHTB, which
 * have no ACLE intrinsic in GCC. */
EDGEC_INLINE int16x2_t sxtb16_ror8(uint32_t v) {
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
EDGEC_INLINE uint32_t pkhbt16(uint32_t lo, uint32_t hi) { /* lo[15:0] | hi[15:0] << 16 */
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}
EDGEC_INLINE uint32_t pkhtb16(uint32_t hi, uint32_t lo) { /* hi[31:16] | lo[31:16] >> 16 */
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}

/* ---- 3x3, depth multiplier 1 ---- */
typedef struct {
    int32_t bias[4]; /* 2 * (bias + input_offset * sum w) */
    int32_t w[18];   /* int16 pairs of 2 * weights: taps (0,kx)|(1,kx) for kx = 0..2, one word per channel; then
                      * (2,0)|(2,1) likewise; then (2,2) for channels 0|2 and 1|3 */
    int32_t rq[4][3]; /* per channel: multiplier, 2^(r-1) + zp 2^r, r */
} dw_block;

/* Fills the table of channels c..c+3; 0 when a channel's requantisation or bias is outside the fast path's range.
 * The weights are doubled lane by lane (SADD16). */
static int dw_block_prepare(dw_block *k, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                            const int32_t *shift, const edgec_conv2d_s8_params *p, int32_t c) {
    const int32_t C = p->in_c, zp = p->output_offset;
    const int8_t *const wc = weights + c;
    int32_t sum[4] = {0, 0, 0, 0};
#pragma GCC unroll 4
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t r = -shift[c + j], m = multiplier[c + j], b = bias ? bias[c + j] : 0;
        /* |acc| <= |b| + 255 * 128 * 9 */
        const uint32_t b_abs = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
        if (r < 1 || r > 22 || m < 0 || b_abs >= (UINT32_C(1) << 29) - 293760u) return 0;
        k->rq[j][0] = m;
        k->rq[j][1] = (1 << (r - 1)) + (int32_t)((uint32_t)zp << r);
        k->rq[j][2] = r;
    }
    static const uint8_t pairs[4][2] = {{0, 3}, {1, 4}, {2, 5}, {6, 7}};
#pragma GCC unroll 4
    for (int32_t i = 0; i < 4; ++i) {
        const uint32_t a = load_u32(wc + pairs[i][0] * C), b = load_u32(wc + pairs[i][1] * C);
        const uint32_t x01 = pkhbt16(a, b), x23 = pkhtb16(b, a);
        const int16x2_t v[4] = {__sxtb16((int8x4_t)x01), sxtb16_ror8(x01), __sxtb16((int8x4_t)x23),
                                sxtb16_ror8(x23)};
#pragma GCC unroll 4
        for (int32_t j = 0; j < 4; ++j) {
            sum[j] = __smlad(v[j], 0x00010001, sum[j]);
            k->w[4 * i + j] = (int32_t)__sadd16(v[j], v[j]);
        }
    }
    const uint32_t t8 = load_u32(wc + 8 * C);
    const int16x2_t v02 = __sxtb16((int8x4_t)t8), v13 = sxtb16_ror8(t8);
    k->w[16] = (int32_t)__sadd16(v02, v02);
    k->w[17] = (int32_t)__sadd16(v13, v13);
    sum[0] = __smlad(v02, 0x00000001, sum[0]);
    sum[2] = __smlad(v02, 0x00010000, sum[2]);
    sum[1] = __smlad(v13, 0x00000001, sum[1]);
    sum[3] = __smlad(v13, 0x00010000, sum[3]);
#pragma GCC unroll 4
    for (int32_t j = 0; j < 4; ++j)
        k->bias[j] = (int32_t)(((uint32_t)(bias ? bias[c + j] : 0) + (uint32_t)p->input_offset * (uint32_t)sum[j])
                               << 1);
    return 1;
}

/* A rectangle of output pixels of one block, in assembly. The table is copied to the bottom of the stack frame,
 * the dw_run fields before `in` above it; r0-r2 = the pixel's three tap columns, r3 = rs, r4-r7 = the four
 * channels' accumulators, r8-r12 scratch, lr = output. */
typedef struct {
    int32_t step, out_step;    /* bytes between input pixels, between output pixels */
    int8_t *out_end;           /* end of the first output row */
    int32_t rows;              /* output rows */
    int32_t in_skip, out_skip; /* bytes from the end of a row to the start of the next, input and output */
    int32_t out_jump;          /* bytes between output rows */
    int32_t lo, hi;            /* clamp (dw3x3_run_clamp only) */
    const int8_t *in;          /* top-left tap of the first pixel */
    int32_t cs, rs;            /* bytes between the taps of a row, between tap rows */
    int8_t *out;
    const dw_block *k;
} dw_run;
#define DW_FRAME "172" /* the table (136 bytes), then step ... hi */

/* two taps of four channels: input words A and B, weight pairs at table offset WO (bytes) */
#define DW_PAIR(A, B, WO)                   \
    "ldr    r8, " A "\n\t"                                       \
    "ldr    r9, " B "\n\t"                                       \
    "pkhbt  r10, r8, r9, lsl #16\n\t"                            \
    "pkhtb  r9, r9, r8, asr #16\n\t"                             \
    "ldrd   r11, r12, [sp, #" WO "]\n\t"                         \
    "sxtb16 r8, r10\n\t"                                         \
    "smlad  r4, r8, r11, r4\n\t"                                 \
    "sxtb16 r8, r10, ror #8\n\t"                                 \
    "smlad  r5, r8, r12, r5\n\t"                                 \
    "ldrd   r11, r12, [sp, #" WO "+8]\n\t"                       \
    "sxtb16 r8, r9\n\t"                                          \
    "smlad  r6, r8, r11, r6\n\t"                                 \
    "sxtb16 r8, r9, ror #8\n\t"                                  \
    "smlad  r7, r8, r12, r7\n\t"
#define DW_PROLOGUE                                              \
    "push   {r4-r11, lr}\n\t"                                    \
    "sub    sp, sp, #" DW_FRAME "\n\t"                           \
    "mov    r12, r0\n\t"                                         \
    "ldr    r1, [r12, #52]\n\t"                                  \
    "ldmia  r1!, {r2-r11}\n\t"                                   \
    "stm    sp, {r2-r11}\n\t"                                    \
    "ldmia  r1!, {r2-r11}\n\t"                                   \
    "add    r0, sp, #40\n\t"                                     \
    "stm    r0, {r2-r11}\n\t"                                    \
    "ldmia  r1!, {r2-r11}\n\t"                                   \
    "add    r0, sp, #80\n\t"                                     \
    "stm    r0, {r2-r11}\n\t"                                    \
    "ldm    r1, {r2-r5}\n\t"                                     \
    "add    r0, sp, #120\n\t"                                    \
    "stm    r0, {r2-r5}\n\t"                                     \
    "ldm    r12, {r2-r10}\n\t"                                   \
    "add    r0, sp, #136\n\t"                                    \
    "stm    r0, {r2-r10}\n\t"                                    \
    "add    r0, r12, #36\n\t"                                    \
    "ldm    r0, {r0, r8, r9, lr}\n\t"                            \
    "mov    r3, r9\n\t"                                          \
    "add    r1, r0, r8\n\t"                                      \
    "add    r2, r1, r8\n"                                        \
    "1:\n\t"
/* the nine taps into r4-r7, then each accumulator requantised (up to the clamp) */
#define DW_TAPS_RQ                                               \
    "ldm    sp, {r4-r7}\n\t"                                     \
    DW_PAIR("[r0]", "[r0, r3]", "16")                            \
    DW_PAIR("[r1]", "[r1, r3]", "32")                            \
    DW_PAIR("[r2]", "[r2, r3]", "48")                            \
    DW_PAIR("[r0, r3, lsl #1]", "[r1, r3, lsl #1]", "64")        \
    "ldr    r8, [r2, r3, lsl #1]\n\t"                            \
    "ldrd   r11, r12, [sp, #80]\n\t"                             \
    "sxtb16 r9, r8\n\t"                                          \
    "sxtb16 r8, r8, ror #8\n\t"                                  \
    "smlabb r4, r9, r11, r4\n\t"                                 \
    "smlatt r6, r9, r11, r6\n\t"                                 \
    "smlabb r5, r8, r12, r5\n\t"                                 \
    "smlatt r7, r8, r12, r7\n\t"                                 \
    "add    r8, sp, #88\n\t"                                     \
    DW_RQ("r4") DW_RQ("r5") DW_RQ("r6") DW_RQ("r7")
#define DW_RQ(R)                                                 \
    "ldmia  r8!, {r9-r11}\n\t"                                   \
    "add    r10, r10, " R ", asr #31\n\t"                        \
    "smmlar " R ", " R ", r9, r10\n\t"                           \
    "asr    " R ", " R ", r11\n\t"
/* next pixel; at the end of a row, the next row */
#define DW_NEXT                                                  \
    "ldr    r8, [sp, #136]\n\t"                                  \
    "add    r0, r0, r8\n\t"                                      \
    "add    r1, r1, r8\n\t"                                      \
    "add    r2, r2, r8\n\t"                                      \
    "ldr    r8, [sp, #140]\n\t"                                  \
    "add    lr, lr, r8\n\t"                                      \
    "ldr    r8, [sp, #144]\n\t"                                  \
    "cmp    lr, r8\n\t"                                          \
    "bne    1b\n\t"                                              \
    "ldr    r9, [sp, #148]\n\t"                                  \
    "subs   r9, r9, #1\n\t"                                      \
    "beq    2f\n\t"                                              \
    "str    r9, [sp, #148]\n\t"                                  \
    "ldrd   r9, r10, [sp, #152]\n\t"                             \
    "add    r0, r0, r9\n\t"                                      \
    "add    r1, r1, r9\n\t"                                      \
    "add    r2, r2, r9\n\t"                                      \
    "add    lr, lr, r10\n\t"                                     \
    "ldr    r9, [sp, #160]\n\t"                                  \
    "add    r8, r8, r9\n\t"                                      \
    "str    r8, [sp, #144]\n\t"                                  \
    "b      1b\n"                                                \
    "2:\n\t"                                                     \
    "add    sp, sp, #" DW_FRAME "\n\t"                           \
    "pop    {r4-r11, pc}\n"
/* R clamped to [-128, 127], or to [r8, r9], and stored at lr + OFF */
#define DW_SSAT(R, OFF) "ssat   " R ", #8, " R "\n\t" "strb   " R ", [lr, #" OFF "]\n\t"
#define DW_CLAMP(R, OFF)                                         \
    "cmp    " R ", r8\n\t"                                       \
    "it     lt\n\t"                                              \
    "movlt  " R ", r8\n\t"                                       \
    "cmp    " R ", r9\n\t"                                       \
    "it     gt\n\t"                                              \
    "movgt  " R ", r9\n\t"                                       \
    "strb   " R ", [lr, #" OFF "]\n\t"

__attribute__((naked, noinline)) static void dw3x3_run_full(const dw_run *run) {
    (void)run;
    __asm__(DW_PROLOGUE DW_TAPS_RQ
            DW_SSAT("r4", "0") DW_SSAT("r5", "1") DW_SSAT("r6", "2") DW_SSAT("r7", "3")
            DW_NEXT);
}
__attribute__((naked, noinline)) static void dw3x3_run_clamp(const dw_run *run) {
    (void)run;
    __asm__(DW_PROLOGUE DW_TAPS_RQ
            "ldrd   r8, r9, [sp, #164]\n\t"
            DW_CLAMP("r4", "0") DW_CLAMP("r5", "1") DW_CLAMP("r6", "2") DW_CLAMP("r7", "3")
            DW_NEXT);
}
#undef DW_FRAME
#undef DW_PAIR
#undef DW_PROLOGUE
#undef DW_TAPS_RQ
#undef DW_RQ
#undef DW_NEXT
#undef DW_SSAT
#undef DW_CLAMP

#define DW_BAND 200 /* words (input pixels of one block) of the band: 800 bytes of stack */

/* n >= 1 words from s, C bytes apart, to d: two per LDR, LDR, STRD. */
EDGEC_INLINE void dw_copy_words(uint32_t *d, const int8_t *s, int32_t C, int32_t n) {
    uint32_t a, b;
    __asm__ volatile("subs   %[n], %[n], #2\n\t"
                     "blt    2f\n"
                     "1:\n\t"
                     "ldr    %[a], [%[s]]\n\t"
                     "ldr    %[b], [%[s], %[C]]\n\t"
                     "add    %[s], %[s], %[C], lsl #1\n\t"
                     "strd   %[a], %[b], [%[d]], #8\n\t"
                     "subs   %[n], %[n], #2\n\t"
                     "bge    1b\n"
                     "2:\n\t"
                     "adds   %[n], %[n], #2\n\t"
                     "itt    ne\n\t"
                     "ldrne  %[a], [%[s]]\n\t"
                     "strne  %[a], [%[d]]\n"
                     : [d] "+r"(d), [s] "+r"(s), [n] "+r"(n), [a] "=&r"(a), [b] "=&r"(b)
                     : [C] "r"(C)
                     : "cc", "memory");
}
EDGEC_INLINE void dw_fill(uint32_t *d, uint32_t *end, uint32_t zp4) {
    for (; d < end; ++d) *d = zp4;
}

/* The input pixels (iy0 + i, ix0 + j), i < n, j < width, of the block into the band: word i * width + j, or
 * j * n + i when `transposed` (then a copied line is a column: fewer lines for a tall narrow region). The zero
 * point word zp4 outside the input, unless `kept`: the band holds those already, from the block before. */
__attribute__((noinline)) static void dw_stage(uint32_t *band, const int8_t *in, const edgec_conv2d_s8_params *p,
                                               int32_t iy0, int32_t n, int32_t ix0, int32_t width, uint32_t zp4,
                                               int32_t kept, int32_t transposed) {
    const int32_t C = p->in_c, W = p->in_w;
    int32_t i0 = iy0 < 0 ? -iy0 : 0, i1 = p->in_h - iy0 < n ? p->in_h - iy0 : n; /* rows inside: [i0, i1) */
    int32_t j0 = ix0 < 0 ? -ix0 : 0, j1 = W - ix0 < width ? W - ix0 : width;   /* columns inside: [j0, j1) */
    if (i0 > n) i0 = n;
    if (i1 < i0) i1 = i0;
    if (j0 > width) j0 = width;
    if (j1 < j0) j1 = j0;
    const int8_t *src = in + ((ptrdiff_t)(iy0 + i0) * W + (ix0 + j0)) * C;
    /* lines [l0, l1) of `len` words are inside the input at words [w0, w1) */
    int32_t lines = n, len = width, l0 = i0, l1 = i1, w0 = j0, w1 = j1, src_line = W * C, src_word = C;
    if (transposed) {
        lines = width, len = n, l0 = j0, l1 = j1, w0 = i0, w1 = i1, src_line = C, src_word = W * C;
    }
    if (!kept) {
        dw_fill(band, band + l0 * len, zp4);
        dw_fill(band + l1 * len, band + lines * len, zp4);
        if (w0 > 0 || w1 < len)
            for (uint32_t *line = band + l0 * len, *const end = band + l1 * len; line < end; line += len) {
                dw_fill(line, line + w0, zp4);
                dw_fill(line + w1, line + len, zp4);
            }
    }
    if (w0 == w1) return;
    for (uint32_t *d = band + l0 * len + w0, *const end = band + l1 * len; d < end; d += len, src += src_line)
        dw_copy_words(d, src, src_word, w1 - w0);
}

typedef struct {
    const edgec_conv2d_s8_params *p;
    const int8_t *in;  /* the batch's input at the block's first channel */
    int8_t *out;       /* the batch's output at the block's first channel */
    void (*run_fn)(const dw_run *);
    dw_run run;        /* fields that do not change */
    uint32_t zp4;      /* the input zero point in each byte */
    uint32_t *band;    /* DW_BAND words */
    int32_t band_kept; /* the band's padding already holds the zero point for this region */
} dw_ctx;

/* Output pixels [oy0, oy1) x [ox0, ox1) of a block: one assembly run straight from the input when all their taps are
 * inside it; else from copies in the band (zero point outside the input), in as few pieces as fit. */
static void dw3x3_region(dw_ctx *x, int32_t oy0, int32_t oy1, int32_t ox0, int32_t ox1) {
    const edgec_conv2d_s8_params *p = x->p;
    const int32_t C = p->in_c, W = p->in_w, OW = p->out_w, sh = p->stride_h, sw = p->stride_w;
    const int32_t dh = p->dil_h, dw = p->dil_w;
    if (oy0 >= oy1 || ox0 >= ox1) return;
    const int32_t iy0 = oy0 * sh - p->pad_top, iy1 = (oy1 - 1) * sh - p->pad_top + 2 * dh; /* taps, inclusive */
    const int32_t ix0 = ox0 * sw - p->pad_left, ix1 = (ox1 - 1) * sw - p->pad_left + 2 * dw;
    const int32_t npix = ox1 - ox0;
    dw_run *r = &x->run;
    r->out = x->out + ((size_t)oy0 * OW + ox0) * C;
    r->out_end = r->out + (size_t)npix * C;
    r->out_skip = (OW - npix) * C;
    if (iy0 >= 0 && iy1 < p->in_h && ix0 >= 0 && ix1 < W) {
        r->in = x->in + ((size_t)iy0 * W + ix0) * C;
        r->rs = dh * W * C;
        r->cs = dw * C;
        r->step = sw * C;
        r->in_skip = sh * W * C - npix * sw * C;
        r->rows = oy1 - oy0;
        x->run_fn(r);
        return;
    }
    const int32_t width = ix1 - ix0 + 1;
    if (width * (2 * dh + 1) > DW_BAND) { /* too wide for even one output row: in column pieces */
        const int32_t cols = (DW_BAND / (2 * dh + 1) - 1 - 2 * dw) / sw + 1;
        for (int32_t a = ox0; a < ox1; a += cols) dw3x3_region(x, oy0, oy1, a, a + cols < ox1 ? a + cols : ox1);
        return;
    }
    const int32_t rows = (DW_BAND / width - 1 - 2 * dh) / sh + 1; /* output rows per piece */
    for (int32_t a = oy0; a < oy1; a += rows) {
        const int32_t b = a + rows < oy1 ? a + rows : oy1;
        const int32_t y_first = a * sh - p->pad_top, n = (b - 1 - a) * sh + 2 * dh + 1;
        const int32_t transposed = width < n; /* copied by columns: fewer of them */
        dw_stage(x->band, x->in, p, y_first, n, ix0, width, x->zp4, x->band_kept, transposed);
        const int32_t word = transposed ? n * 4 : 4, line = transposed ? 4 : width * 4; /* bytes along x, y */
        r->rs = dh * line;
        r->cs = dw * word;
        r->step = sw * word;
        r->in_skip = sh * line - npix * sw * word;
        r->in = (const int8_t *)x->band;
        r->rows = b - a;
        r->out = x->out + ((size_t)a * OW + ox0) * C;
        r->out_end = r->out + (size_t)npix * C;
        x->run_fn(r);
    }
}

/* First output index whose taps start inside [0, n), and one past the last whose taps end inside it. */
EDGEC_INLINE int32_t inside_lo(int32_t pad, int32_t stride, int32_t n_out) {
    const int32_t v = (pad + stride - 1) / stride;
    return v < n_out ? v : n_out;
}
EDGEC_INLINE int32_t inside_hi(int32_t pad, int32_t stride, int32_t span, int32_t n, int32_t n_out, int32_t lo) {
    const int32_t last = n - 1 - span + pad; /* largest o * stride with o's taps inside */
    int32_t v = last < 0 ? 0 : last / stride + 1;
    v = v < n_out ? v : n_out;
    return v > lo ? v : lo;
}

/* Every output pixel of the block of channels c..c+3: the whole map from one band copy when that fits (its padding
 * written by the first block only), else the inside rectangle straight from the input and the border frame around
 * it from band copies. */
static void dw3x3_block(dw_ctx *x, const int8_t *input, int8_t *output, const dw_block *k, int32_t c) {
    const edgec_conv2d_s8_params *p = x->p;
    const int32_t C = p->in_c, H = p->in_h, W = p->in_w, OH = p->out_h, OW = p->out_w;
    const int32_t staged = ((OH - 1) * p->stride_h + 2 * p->dil_h + 1) * ((OW - 1) * p->stride_w + 2 * p->dil_w + 1);
    x->run.k = k;
    for (int32_t b = 0; b < p->batch; ++b) {
        x->in = input + (size_t)b * H * W * C + c;
        x->out = output + (size_t)b * OH * OW * C + c;
        if (staged <= DW_BAND) {
            dw3x3_region(x, 0, OH, 0, OW);
            x->band_kept = 1;
            continue;
        }
        const int32_t oy_lo = inside_lo(p->pad_top, p->stride_h, OH);
        const int32_t oy_hi = inside_hi(p->pad_top, p->stride_h, 2 * p->dil_h, H, OH, oy_lo);
        const int32_t ox_lo = inside_lo(p->pad_left, p->stride_w, OW);
        const int32_t ox_hi = inside_hi(p->pad_left, p->stride_w, 2 * p->dil_w, W, OW, ox_lo);
        dw3x3_region(x, 0, oy_lo, 0, OW);
        dw3x3_region(x, oy_lo, oy_hi, 0, ox_lo);
        dw3x3_region(x, oy_lo, oy_hi, ox_lo, ox_hi);
        dw3x3_region(x, oy_lo, oy_hi, ox_hi, OW);
        dw3x3_region(x, oy_hi, OH, 0, OW);
    }
}

static void dw_general(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                       const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p, int32_t c0,
                       int32_t c1);

/* ---- 3x3, stride 1 (and 2, dws_* below), dilation 1 (VWW's): 2 x 2 output pixels of one channel per step ----
 * The block's four channels are widened once into int16 planes (dwh_stage), one plane per channel, input zero
 * point outside the input. A word of a plane holds two horizontally adjacent pixels of one channel: P01 = (i0, i1),
 * P23 = (i2, i3) (one LDRD). With W01 = (w0, w1) and W12 = (w1, w2) of a weight row:
 *   left pixel  i0 w0 + i1 w1 + i2 w2 = SMLAD(P01, W01) + SMLABT(P23, W12)
 *   right pixel i1 w0 + i2 w1 + i3 w2 = SMLAD(P23, W12) + SMLATB(P01, W01)
 * so four loads of input rows feed 24 multiplies (36 MACs) of a 2 x 2 pixel group, the six weight words stay in
 * registers, the requantisation constants are loaded once for four outputs, and nothing is unpacked in the loop.
 * The arithmetic is the 3x3 path's above (offset folded into the bias, doubled weights, three-instruction
 * requantisation), with the same range conditions. An odd row count ends with a row of one-row groups (32 instructions per 18 MACs).
 * */
#define DWH_LINE 104    /* bytes per band line: 52 int16 columns */
#define DWH_LINES 64    /* lines of the band: 6,656 bytes of stack (tall pieces: fewer rows staged twice) */
#define DWH_MAX_COLS 50 /* output columns per piece (a plane's columns less the two taps beyond) */
#define DWS_MAX_COLS 24 /* at stride 2: their 25 pairs in a band line's 26 (a plane a line) */
#define DWH_STR_(x) #x
#define DWH_STR(x) DWH_STR_(x)

/* per channel, in the order the assembly loads them: bias 4 times, W01 W12 of rows 0..2, multiplier, 2^(r-1) + zp 2^r,
 * r */
typedef struct {
    int32_t ch[4][13];
} dwh_block;

typedef struct {
    const int16_t *in; /* the plane at the first group's top-left tap */
    int8_t *out;       /* the first group's top-left output */
    int32_t groups;    /* groups per row of groups */
    int32_t rows_span; /* bytes from the first row of groups in the planes to the last */
    int32_t C, OWC;    /* bytes between output pixels, output rows */
    int32_t lo, hi;    /* clamp (dwh_run_clamp only) */
    const int32_t *ch; /* the channel's 13 words */
    int32_t odd;       /* 1: each row of groups ends with a half group (the left column only) */
    int32_t in_skip, out_skip; /* bytes from the end of a row of groups to the next: plane, output */
    int32_t last;      /* 1: then one more row, of one-row groups (an odd row count) */
    int32_t S;         /* the stride (C only) */
} dwh_run;

static int dwh_block_prepare(dwh_block *k, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                             const int32_t *shift, const edgec_conv2d_s8_params *p, int32_t c) {
    const int32_t C = p->in_c, zp = p->output_offset;
    const int8_t *const wc = weights + c;
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t r = -shift[c + j], m = multiplier[c + j], b = bias ? bias[c + j] : 0;
        const uint32_t b_abs = b < 0 ? 0u - (uint32_t)b : (uint32_t)b; /* |acc| <= |b| + 255 * 128 * 9 */
        if (r < 1 || r > 22 || m < 0 || b_abs >= (UINT32_C(1) << 29) - 293760u) return 0;
        k->ch[j][10] = m;
        k->ch[j][11] = (1 << (r - 1)) + (int32_t)((uint32_t)zp << r);
        k->ch[j][12] = r;
    }
    int32_t sum[4] = {0, 0, 0, 0};
    for (int32_t ky = 0; ky < 3; ++ky) { /* taps a, b, e of the row, four channels each */
        const uint32_t a = load_u32(wc + 3 * ky * C), b = load_u32(wc + (3 * ky + 1) * C);
        const uint32_t e = load_u32(wc + (3 * ky + 2) * C);
        const uint32_t ab01 = pkhbt16(a, b), ab23 = pkhtb16(b, a), be01 = pkhbt16(b, e), be23 = pkhtb16(e, b);
        const int16x2_t v01[4] = {__sxtb16((int8x4_t)ab01), sxtb16_ror8(ab01), __sxtb16((int8x4_t)ab23),
                                  sxtb16_ror8(ab23)};
        const int16x2_t v12[4] = {__sxtb16((int8x4_t)be01), sxtb16_ror8(be01), __sxtb16((int8x4_t)be23),
                                  sxtb16_ror8(be23)};
#pragma GCC unroll 4
        for (int32_t j = 0; j < 4; ++j) {
            sum[j] = __smlatb(v12[j], 0x00000001, __smlad(v01[j], 0x00010001, sum[j]));
            k->ch[j][4 + 2 * ky] = (int32_t)__sadd16(v01[j], v01[j]);
            k->ch[j][5 + 2 * ky] = (int32_t)__sadd16(v12[j], v12[j]);
        }
    }
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t b = bias ? bias[c + j] : 0;
        k->ch[j][0] = k->ch[j][1] = k->ch[j][2] = k->ch[j][3] =
            (int32_t)(((uint32_t)b + (uint32_t)p->input_offset * (uint32_t)sum[j]) << 1);
    }
    return 1;
}

/* The assembly: r0 = plane, r1 r2 = input words, r3 = the end of the row of groups, r4-r7 = the group's
 * accumulators (top left, top right, bottom left, bottom right), r8-r12 lr = the six weight words, then r2 = OWC + C,
 * r8-r10 = the requantisation constants, r11 = out, r12 = C, lr = OWC. The frame: bias x 4, weights (the channel's
 * first 10 words), OWC + C, multiplier, rounding, r (its last 3), out, C, OWC, last, the end of the last row of
 * groups, in skip, out skip, lo, hi. The _odd variants end a row of groups with a half group: the left pixels only
 * (an odd output width), 28 instructions per 18 MACs. */
#define DWH_FRAME "96"
#define DWH_ROW_TOP(WA, WB) /* a plane row into the top pixels with weight row WA, WB */ \
    "smlad  r4, r1, " WA ", r4\n\t"                                                     \
    "smlabt r4, r2, " WB ", r4\n\t"                                                     \
    "smlad  r5, r2, " WB ", r5\n\t"                                                     \
    "smlatb r5, r1, " WA ", r5\n\t"
#define DWH_ROW_BOTTOM(WA, WB) \
    "smlad  r6, r1, " WA ", r6\n\t" \
    "smlabt r6, r2, " WB ", r6\n\t" \
    "smlad  r7, r2, " WB ", r7\n\t" \
    "smlatb r7, r1, " WA ", r7\n\t"
#define DWH_PROLOGUE(LSL) /* LSL: log2 of the bytes a group moves on in the planes */ \
    "push   {r4-r11, lr}\n\t"                                    \
    "sub    sp, sp, #" DWH_FRAME "\n\t"                          \
    "mov    r12, r0\n\t"                                         \
    "ldr    r1, [r12, #32]\n\t"                                  \
    "ldmia  r1!, {r2-r11}\n\t"                                   \
    "stm    sp, {r2-r11}\n\t"                                    \
    "ldm    r1, {r2-r4}\n\t"                                     \
    "add    r0, sp, #44\n\t"                                     \
    "stm    r0, {r2-r4}\n\t"                                     \
    "ldm    r12, {r0-r7}\n\t"                                    \
    "str    r1, [sp, #56]\n\t"                                   \
    "strd   r4, r5, [sp, #60]\n\t"                               \
    "add    r8, r4, r5\n\t"                                      \
    "str    r8, [sp, #40]\n\t"                                   \
    "strd   r6, r7, [sp, #84]\n\t"                               \
    "add    r8, r0, r2, lsl #" LSL "\n\t"                        \
    "add    r3, r3, r8\n\t"                                      \
    "str    r3, [sp, #72]\n\t"                                   \
    "mov    r3, r8\n\t"                                          \
    "add    r8, r12, #40\n\t"                                    \
    "ldm    r8, {r8-r10}\n\t"                                    \
    "str    r10, [sp, #68]\n\t"                                  \
    "strd   r8, r9, [sp, #76]\n"                                 \
    "1:\n\t"
/* the requantisation constants, out, C, OWC and OWC + C into r8-r12, lr and r2 */
#define DWH_RQ_LOAD                                              \
    "add    r1, sp, #40\n\t"                                     \
    "ldm    r1, {r2, r8-r12, lr}\n\t"
/* a group: 2 x 2 pixels (GROUP2) or the top two only (GROUP1: a map's last row when it has an odd count) */
#define DWH_GROUP2                                               \
    "ldm    sp, {r4-r12, lr}\n\t"                                \
    "ldrd   r1, r2, [r0], #4\n\t"                                \
    DWH_ROW_TOP("r8", "r9")                                      \
    "ldrd   r1, r2, [r0, #" DWH_STR(DWH_LINE - 4) "]\n\t"        \
    DWH_ROW_TOP("r10", "r11")                                    \
    DWH_ROW_BOTTOM("r8", "r9")                                   \
    "ldrd   r1, r2, [r0, #" DWH_STR(2 * DWH_LINE - 4) "]\n\t"    \
    DWH_ROW_TOP("r12", "lr")                                     \
    DWH_ROW_BOTTOM("r10", "r11")                                 \
    "ldrd   r1, r2, [r0, #" DWH_STR(3 * DWH_LINE - 4) "]\n\t"    \
    DWH_ROW_BOTTOM("r12", "lr")                                  \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") DWH_RQ("r5") DWH_RQ("r6") DWH_RQ("r7")
#define DWH_GROUP1                                               \
    "ldm    sp, {r4-r12, lr}\n\t"                                \
    "ldrd   r1, r2, [r0], #4\n\t"                                \
    DWH_ROW_TOP("r8", "r9")                                      \
    "ldrd   r1, r2, [r0, #" DWH_STR(DWH_LINE - 4) "]\n\t"        \
    DWH_ROW_TOP("r10", "r11")                                    \
    "ldrd   r1, r2, [r0, #" DWH_STR(2 * DWH_LINE - 4) "]\n\t"    \
    DWH_ROW_TOP("r12", "lr")                                     \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") DWH_RQ("r5")
/* r8 = multiplier, r9 = rounding, r10 = r */
#define DWH_RQ(R)                                                \
    "add    r1, r9, " R ", asr #31\n\t"                          \
    "smmlar " R ", " R ", r8, r1\n\t"                            \
    "asr    " R ", " R ", r10\n\t"
/* a half group's two left pixels in r4, r6 requantised (SAT: saturate or clamp them) and stored */
#define DWH_STORE_LEFT(SAT)                                      \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") DWH_RQ("r6") SAT                                \
    "strb   r4, [r11]\n\t"                                       \
    "strb   r6, [r11, lr]\n\t"
/* the left pixels of the half group at r0 into r4, r6, requantised (SAT: saturate or clamp them), stored (r11 =
 * out, r12 = C, lr = OWC after it); r0 and r11 stay: the row skips count from the half group */
#define DWH_HALF(SAT)                                            \
    "ldm    sp, {r4-r12, lr}\n\t"                                \
    "ldrd   r1, r2, [r0]\n\t"                                    \
    "smlad  r4, r1, r8, r4\n\t"                                  \
    "smlabt r4, r2, r9, r4\n\t"                                  \
    "ldrd   r1, r2, [r0, #" DWH_STR(DWH_LINE) "]\n\t"            \
    "smlad  r4, r1, r10, r4\n\t"                                 \
    "smlabt r4, r2, r11, r4\n\t"                                 \
    "smlad  r6, r1, r8, r6\n\t"                                  \
    "smlabt r6, r2, r9, r6\n\t"                                  \
    "ldrd   r1, r2, [r0, #" DWH_STR(2 * DWH_LINE) "]\n\t"        \
    "smlad  r4, r1, r12, r4\n\t"                                 \
    "smlabt r4, r2, lr, r4\n\t"                                  \
    "smlad  r6, r1, r10, r6\n\t"                                 \
    "smlabt r6, r2, r11, r6\n\t"                                 \
    "ldrd   r1, r2, [r0, #" DWH_STR(3 * DWH_LINE) "]\n\t"        \
    "smlad  r6, r1, r12, r6\n\t"                                 \
    "smlabt r6, r2, lr, r6\n\t"                                  \
    DWH_STORE_LEFT(SAT)
/* the taps and weights of the half group at r0, then plane rows 0..2 of its left column into r4 */
#define DWH_LEFT_TOP                                             \
    "ldm    sp, {r4-r12, lr}\n\t"                                \
    "ldrd   r1, r2, [r0]\n\t"                                    \
    "smlad  r4, r1, r8, r4\n\t"                                  \
    "smlabt r4, r2, r9, r4\n\t"                                  \
    "ldrd   r1, r2, [r0, #" DWH_STR(DWH_LINE) "]\n\t"            \
    "smlad  r4, r1, r10, r4\n\t"                                 \
    "smlabt r4, r2, r11, r4\n\t"                                 \
    "ldrd   r1, r2, [r0, #" DWH_STR(2 * DWH_LINE) "]\n\t"        \
    "smlad  r4, r1, r12, r4\n\t"                                 \
    "smlabt r4, r2, lr, r4\n\t"
/* the left pixel of the half group at r0 of a single row into r4 (as DWH_HALF) */
#define DWH_HALF1(SAT)                                           \
    DWH_LEFT_TOP                                                 \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") SAT                                             \
    "strb   r4, [r11]\n\t"
/* the group's outputs stored (r11 = out, r12 = C, lr = OWC, r2 = OWC + C) */
#define DWH_STORE4                                               \
    "strb   r4, [r11]\n\t"                                       \
    "strb   r5, [r11, r12]\n\t"                                  \
    "strb   r6, [r11, lr]\n\t"                                   \
    "strb   r7, [r11, r2]\n\t"
#define DWH_STORE2                                               \
    "strb   r4, [r11]\n\t"                                       \
    "strb   r5, [r11, r12]\n\t"
/* the next group; at the end of a row, the half group if any (HALF: DWH_HALF or nothing), then the next row */
#define DWH_NEXT(HALF, ROWS) /* ROWS: bytes between rows of groups in the planes */ \
    "add    r11, r11, r12, lsl #1\n\t"                           \
    "str    r11, [sp, #56]\n\t"                                  \
    "cmp    r0, r3\n\t"                                          \
    "bne    1b\n\t"                                              \
    HALF                                                         \
    "ldr    r2, [sp, #72]\n\t"                                   \
    "cmp    r3, r2\n\t"                                          \
    "beq    4f\n\t"                                              \
    "ldrd   r1, r2, [sp, #76]\n\t"                               \
    "add    r0, r0, r1\n\t"                                      \
    "add    r11, r11, r2\n\t"                                    \
    "str    r11, [sp, #56]\n\t"                                  \
    "add    r3, r3, #" ROWS "\n\t"                                \
    "b      1b\n"
/* after the rows of groups: if `last`, the next row (where a row of groups would start) in one-row groups (GROUP1
 * requantised with SAT, stored; then HALF1 or nothing); return */
#define DWH_LAST(SAT, HALF1, GROUP1, ROWS)                       \
    "4:\n\t"                                                     \
    "ldr    r2, [sp, #68]\n\t"                                   \
    "cmp    r2, #0\n\t"                                          \
    "beq    2f\n\t"                                              \
    "ldrd   r1, r2, [sp, #76]\n\t"                               \
    "add    r0, r0, r1\n\t"                                      \
    "add    r11, r11, r2\n\t"                                    \
    "str    r11, [sp, #56]\n\t"                                  \
    "add    r3, r3, #" ROWS "\n"                                  \
    "3:\n\t"                                                     \
    GROUP1 SAT DWH_STORE2                                        \
    "add    r11, r11, r12, lsl #1\n\t"                           \
    "str    r11, [sp, #56]\n\t"                                  \
    "cmp    r0, r3\n\t"                                          \
    "bne    3b\n\t"                                              \
    HALF1                                                        \
    "2:\n\t"                                                     \
    "add    sp, sp, #" DWH_FRAME "\n\t"                          \
    "pop    {r4-r11, pc}\n"
/* saturate, or clamp to [lo, hi] (r9, r10: free once requantised) */
#define DWH_SSAT(R) "ssat   " R ", #8, " R "\n\t"
#define DWH_CLAMP(R)                                             \
    "cmp    " R ", r9\n\t"                                       \
    "it     lt\n\t"                                              \
    "movlt  " R ", r9\n\t"                                       \
    "cmp    " R ", r10\n\t"                                      \
    "it     gt\n\t"                                              \
    "movgt  " R ", r10\n\t"
#define DWH_LOHI "ldrd   r9, r10, [sp, #84]\n\t"
#define DWH_FULL DWH_SSAT("r4") DWH_SSAT("r5") DWH_SSAT("r6") DWH_SSAT("r7")
#define DWH_CLAMP4 DWH_LOHI DWH_CLAMP("r4") DWH_CLAMP("r5") DWH_CLAMP("r6") DWH_CLAMP("r7")
#define DWH_CLAMP2 DWH_LOHI DWH_CLAMP("r4") DWH_CLAMP("r6")
#define DWH_FULL2 DWH_SSAT("r4") DWH_SSAT("r5")
#define DWH_CLAMP_TOP2 DWH_LOHI DWH_CLAMP("r4") DWH_CLAMP("r5")
#define DWH_CLAMP1 DWH_LOHI DWH_CLAMP("r4")
/* even and odd output widths, the full range (SSAT) and a clamp: the odd ones end each row of groups with a half
 * group; the even ones do not test for it */
#define DWH_S1 DWH_PROLOGUE("2") DWH_GROUP2
#define DWH_S1_ROWS DWH_STR(2 * DWH_LINE)
/* a stride's four kernels: full range or clamp, even or odd output width; ENTRY: the prologue and first group,
 * GROUP1: a one-row group, HALF: the half group at the end of a row, ROWS: the plane rows a row of groups moves */
#define DWH_RUNS(NAME, ENTRY, GROUP1, HALF, ROWS)                                                                   \
    __attribute__((naked, noinline)) static void NAME##_full(const dwh_run *run) {                                 \
        (void)run;                                                                                                  \
        __asm__(ENTRY DWH_FULL DWH_STORE4 DWH_NEXT("", ROWS) DWH_LAST(DWH_FULL2, "", GROUP1, ROWS));               \
    }                                                                                                               \
    __attribute__((naked, noinline)) static void NAME##_full_odd(const dwh_run *run) {                             \
        (void)run;                                                                                                  \
        __asm__(ENTRY DWH_FULL DWH_STORE4 DWH_NEXT(HALF(DWH_SSAT("r4") DWH_SSAT("r6")), ROWS)                      \
                DWH_LAST(DWH_FULL2, DWH_HALF1(DWH_SSAT("r4")), GROUP1, ROWS));                                      \
    }                                                                                                               \
    __attribute__((naked, noinline)) static void NAME##_clamp(const dwh_run *run) {                                \
        (void)run;                                                                                                  \
        __asm__(ENTRY DWH_CLAMP4 DWH_STORE4 DWH_NEXT("", ROWS) DWH_LAST(DWH_CLAMP_TOP2, "", GROUP1, ROWS));        \
    }                                                                                                               \
    __attribute__((naked, noinline)) static void NAME##_clamp_odd(const dwh_run *run) {                            \
        (void)run;                                                                                                  \
        __asm__(ENTRY DWH_CLAMP4 DWH_STORE4 DWH_NEXT(HALF(DWH_CLAMP2), ROWS)                                       \
                DWH_LAST(DWH_CLAMP_TOP2, DWH_HALF1(DWH_CLAMP1), GROUP1, ROWS));                                     \
    }
DWH_RUNS(dwh_run, DWH_S1, DWH_GROUP1, DWH_HALF, DWH_S1_ROWS)

/* Stride 2: the same frame, registers and requantisation; a word of a plane holds the two taps (i0, i1) of an output
 * pixel, the next word's low half its third, i2: left pixel = SMLAD(P0, W01) + SMLABT(P1, W12), right pixel =
 * SMLAD(P1, W01) + SMLABT(P2, W12). A 2 x 2 group reads five plane rows (two loads each: 10 loads, 24 multiplies
 * for 36 MACs) and moves on by two words; rows of groups are four plane rows apart. */
#define DWS_ROW(A, B, WA, WB) /* r1 r2 = P0 P1: accumulators A (left, all three taps) and B (right, but i2) */ \
    "smlad  " A ", r1, " WA ", " A "\n\t"                        \
    "smlabt " A ", r2, " WB ", " A "\n\t"                        \
    "smlad  " B ", r2, " WA ", " B "\n\t"
#define DWS_LAST(B, WB) "smlabt " B ", r1, " WB ", " B "\n\t" /* r1 = P2: the right pixel's i2 */
/* the top pixels of a group: plane rows 0..2 */
#define DWS_TOP                                                  \
    "ldm    sp, {r4-r12, lr}\n\t"                                \
    "ldrd   r1, r2, [r0], #8\n\t"                                \
    DWS_ROW("r4", "r5", "r8", "r9")                              \
    "ldr    r1, [r0]\n\t"                                        \
    DWS_LAST("r5", "r9")                                         \
    "ldrd   r1, r2, [r0, #" DWH_STR(DWH_LINE - 8) "]\n\t"        \
    DWS_ROW("r4", "r5", "r10", "r11")                            \
    "ldr    r1, [r0, #" DWH_STR(DWH_LINE) "]\n\t"                \
    DWS_LAST("r5", "r11")                                        \
    "ldrd   r1, r2, [r0, #" DWH_STR(2 * DWH_LINE - 8) "]\n\t"    \
    DWS_ROW("r4", "r5", "r12", "lr")
#define DWS_GROUP2                                               \
    DWS_TOP                                                      \
    DWS_ROW("r6", "r7", "r8", "r9")                              \
    "ldr    r1, [r0, #" DWH_STR(2 * DWH_LINE) "]\n\t"            \
    DWS_LAST("r5", "lr") DWS_LAST("r7", "r9")                    \
    "ldrd   r1, r2, [r0, #" DWH_STR(3 * DWH_LINE - 8) "]\n\t"    \
    DWS_ROW("r6", "r7", "r10", "r11")                            \
    "ldr    r1, [r0, #" DWH_STR(3 * DWH_LINE) "]\n\t"            \
    DWS_LAST("r7", "r11")                                        \
    "ldrd   r1, r2, [r0, #" DWH_STR(4 * DWH_LINE - 8) "]\n\t"    \
    DWS_ROW("r6", "r7", "r12", "lr")                             \
    "ldr    r1, [r0, #" DWH_STR(4 * DWH_LINE) "]\n\t"            \
    DWS_LAST("r7", "lr")                                         \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") DWH_RQ("r5") DWH_RQ("r6") DWH_RQ("r7")
#define DWS_GROUP1                                               \
    DWS_TOP                                                      \
    "ldr    r1, [r0, #" DWH_STR(2 * DWH_LINE) "]\n\t"            \
    DWS_LAST("r5", "lr")                                         \
    DWH_RQ_LOAD                                                  \
    DWH_RQ("r4") DWH_RQ("r5")
/* the left pixels of the half group at r0 (as DWH_HALF): the bottom one's taps are plane rows 2..4 */
#define DWS_HALF(SAT)                                            \
    DWH_LEFT_TOP                                                 \
    "smlad  r6, r1, r8, r6\n\t"                                  \
    "smlabt r6, r2, r9, r6\n\t"                                  \
    "ldrd   r1, r2, [r0, #" DWH_STR(3 * DWH_LINE) "]\n\t"        \
    "smlad  r6, r1, r10, r6\n\t"                                 \
    "smlabt r6, r2, r11, r6\n\t"                                 \
    "ldrd   r1, r2, [r0, #" DWH_STR(4 * DWH_LINE) "]\n\t"        \
    "smlad  r6, r1, r12, r6\n\t"                                 \
    "smlabt r6, r2, lr, r6\n\t"                                  \
    DWH_STORE_LEFT(SAT)
#define DWS_S2 DWH_PROLOGUE("3") DWS_GROUP2
#define DWS_ROWS DWH_STR(4 * DWH_LINE)
DWH_RUNS(dws_run, DWS_S2, DWS_GROUP1, DWS_HALF, DWS_ROWS)
#undef DWH_RUNS
#undef DWH_S1
#undef DWH_S1_ROWS
#undef DWS_ROW
#undef DWS_LAST
#undef DWS_TOP
#undef DWS_GROUP2
#undef DWS_GROUP1
#undef DWS_HALF
#undef DWS_S2
#undef DWS_ROWS
#undef DWH_FULL
#undef DWH_CLAMP4
#undef DWH_CLAMP2
#undef DWH_FULL2
#undef DWH_CLAMP_TOP2
#undef DWH_CLAMP1
#undef DWH_LOHI
#undef DWH_FRAME
#undef DWH_ROW_TOP
#undef DWH_ROW_BOTTOM
#undef DWH_PROLOGUE
#undef DWH_RQ_LOAD
#undef DWH_GROUP2
#undef DWH_GROUP1
#undef DWH_RQ
#undef DWH_HALF
#undef DWH_HALF1
#undef DWH_LEFT_TOP
#undef DWH_STORE_LEFT
#undef DWH_STORE4
#undef DWH_STORE2
#undef DWH_NEXT
#undef DWH_LAST
#undef DWH_SSAT
#undef DWH_CLAMP

/* Two adjacent input pixels a, b (four channels each) as (a_j, b_j) int16 pairs into the planes at q: plane j at
 * byte offset o[j] (o[0] = 0). */
EDGEC_INLINE void dwh_put(uint32_t *q, int32_t o1, int32_t o2, int32_t o3, uint32_t a, uint32_t b) {
    const uint32_t x01 = pkhbt16(a, b), x23 = pkhtb16(b, a);
    q[0] = (uint32_t)__sxtb16((int8x4_t)x01);
    *(uint32_t *)((char *)q + o1) = (uint32_t)sxtb16_ror8(x01);
    *(uint32_t *)((char *)q + o2) = (uint32_t)__sxtb16((int8x4_t)x23);
    *(uint32_t *)((char *)q + o3) = (uint32_t)sxtb16_ror8(x23);
}
EDGEC_INLINE void dwh_fill(uint32_t *q, uint32_t *end, int32_t o1, int32_t o2, int32_t o3, uint32_t zp2) {
    for (; q < end; ++q) {
        q[0] = zp2;
        *(uint32_t *)((char *)q + o1) = zp2;
        *(uint32_t *)((char *)q + o2) = zp2;
        *(uint32_t *)((char *)q + o3) = zp2;
    }
}

/* One column of pairs of the planes, `rows` rows from q (DWH_LINE bytes apart): from the input at s (rows WC bytes
 * apart, pixels C apart). */
EDGEC_INLINE void dwh_column(uint32_t *q, int32_t o1, int32_t o2, int32_t o3, const int8_t *s, int32_t C, int32_t WC,
                             int32_t rows) {
    for (uint32_t *const end = q + rows * (DWH_LINE / 4); q < end; q += DWH_LINE / 4, s += WC)
        dwh_put(q, o1, o2, o3, load_u32(s), load_u32(s + C));
}

/* Two adjacent columns of pairs (q, q + 1), as dwh_column: one pass over the rows for both. */
EDGEC_INLINE void dwh_column2(uint32_t *q, int32_t o1, int32_t o2, int32_t o3, const int8_t *s, int32_t C,
                              int32_t WC, int32_t rows) {
    for (uint32_t *const end = q + rows * (DWH_LINE / 4); q < end; q += DWH_LINE / 4, s += WC) {
        const uint32_t a = load_u32(s), b = load_u32(s + C), c = load_u32(s + 2 * C), d = load_u32(s + 3 * C);
        dwh_put(q, o1, o2, o3, a, b);
        dwh_put(q + 1, o1, o2, o3, c, d);
    }
}

#define DWH_ROW_MIN 8 /* pairs */
/* n >= 1 pairs of one plane row from q (plane j at byte offset o[j]): from the input at s, pixels C apart. Two
 * pairs a step in assembly (GCC spills in this loop), two steps a loop: four loads, the 8 int16 values of a pair of
 * pixels from two PKH and four SXTB16, each plane's two words in one STRD. */
#define DWH_ROW_STEP /* two pairs (four pixels) */           \
    "ldr    %[a], [%[s]]\n\t"                                \
    "ldr    %[b], [%[s], %[C]]\n\t"                          \
    "ldr    %[c], [%[s], %[C], lsl #1]\n\t"                  \
    "add    %[s], %[s], %[C], lsl #1\n\t"                    \
    "ldr    %[d], [%[s], %[C]]\n\t"                          \
    "add    %[s], %[s], %[C], lsl #1\n\t"                    \
    "pkhbt  %[t], %[a], %[b], lsl #16\n\t"                   \
    "pkhtb  %[b], %[b], %[a], asr #16\n\t"                   \
    "pkhbt  %[u], %[c], %[d], lsl #16\n\t"                   \
    "pkhtb  %[d], %[d], %[c], asr #16\n\t"                   \
    "sxtb16 %[a], %[t]\n\t"                                  \
    "sxtb16 %[c], %[u]\n\t"                                  \
    "strd   %[a], %[c], [%[q0]], #8\n\t"                     \
    "sxtb16 %[a], %[t], ror #8\n\t"                          \
    "sxtb16 %[c], %[u], ror #8\n\t"                          \
    "strd   %[a], %[c], [%[q1]], #8\n\t"                     \
    "sxtb16 %[a], %[b]\n\t"                                  \
    "sxtb16 %[c], %[d]\n\t"                                  \
    "strd   %[a], %[c], [%[q2]], #8\n\t"                     \
    "sxtb16 %[a], %[b], ror #8\n\t"                          \
    "sxtb16 %[c], %[d], ror #8\n\t"                          \
    "strd   %[a], %[c], [%[q3]], #8\n\t"
EDGEC_INLINE void dwh_row(uint32_t *q, int32_t o1, int32_t o2, int32_t o3, const int8_t *s, int32_t C, int32_t n) {
    uint32_t *q1 = (uint32_t *)((char *)q + o1), *q2 = (uint32_t *)((char *)q + o2);
    uint32_t *q3 = (uint32_t *)((char *)q + o3);
    int32_t m = n >> 1;
    uint32_t a, b, c, d, t, u;
    if (m) /* two steps a loop: an odd count enters at the second */
        __asm__ volatile("tst    %[m], #1\n\t"
                         "beq    1f\n\t"
                         "adds   %[m], %[m], #1\n\t"
                         "b      2f\n"
                         "1:\n\t" DWH_ROW_STEP
                         "2:\n\t" DWH_ROW_STEP
                         "subs   %[m], %[m], #2\n\t"
                         "bne    1b\n\t"
                         : [s] "+r"(s), [q0] "+r"(q), [q1] "+r"(q1), [q2] "+r"(q2), [q3] "+r"(q3), [m] "+r"(m),
                           [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d), [t] "=&r"(t), [u] "=&r"(u)
                         : [C] "r"(C)
                         : "cc", "memory");
    if (n & 1) dwh_put(q, o1, o2, o3, load_u32(s), load_u32(s + C));
}
#undef DWH_ROW_STEP

/* One piece of the output map (pixels [oy, oy + rows) x [ox, ox + cols)) and where its input goes in the planes:
 * input rows [iy0, iy0 + n) and columns [ix0, ix0 + 2 * pairs), rows [i0, i1) of those inside the input. Of the
 * pairs of columns, [0, zl) and [zr, pairs) are all zero point, [k0, k1) all inside; zl = k0 - 1 (left_half) and
 * k1 (right_half) have one pixel of each. The same for every block of channels: planned once a piece. */
typedef struct {
    uint32_t *plane[4];      /* 4-byte aligned stripes of the band, rows DWH_LINE bytes apart */
    int32_t o1, o2, o3;      /* bytes from plane 0 to planes 1..3 */
    int32_t ox, oy, cols, rows;
    int32_t iy0, n, ix0, pairs, i0, i1, k0, k1, zl, zr, left_half, right_half;
} dwh_piece;

/* Words (pairs of input columns) of a plane row for `cols` output columns at stride S (1 or 2): the taps of
 * cols, rounded up to an even count with stride 1 (its groups read two words past their first). */
EDGEC_INLINE int32_t dwh_pairs(int32_t S, int32_t cols) { return S == 1 ? ((cols + 1) & ~1) / 2 + 1 : cols + 1; }

static void dwh_plan(dwh_piece *g, const edgec_conv2d_s8_params *p, uint32_t *band, int32_t ox, int32_t oy,
                     int32_t cols, int32_t rows) {
    const int32_t W = p->in_w, S = p->stride_w;
    /* a plane is a stripe of `pairs` words: narrow maps put several side by side and get more rows */
    const int32_t stripe = dwh_pairs(S, cols), per_line = DWH_LINE / 4 / stripe; /* words */
    const int32_t lines = (4 + per_line - 1) / per_line, plane_rows = DWH_LINES / lines;
    for (int32_t j = 0; j < 4; ++j)
        g->plane[j] = band + (j / per_line) * plane_rows * (DWH_LINE / 4) + (j % per_line) * stripe;
    g->o1 = (int32_t)((char *)g->plane[1] - (char *)g->plane[0]);
    g->o2 = (int32_t)((char *)g->plane[2] - (char *)g->plane[0]);
    g->o3 = (int32_t)((char *)g->plane[3] - (char *)g->plane[0]);
    g->ox = ox, g->oy = oy, g->cols = cols, g->rows = rows;
    const int32_t iy0 = oy * S - p->pad_top, n = (rows - 1) * S + 3, ix0 = ox * S - p->pad_left, pairs = stripe;
    int32_t i0 = iy0 < 0 ? -iy0 : 0, i1 = p->in_h - iy0 < n ? p->in_h - iy0 : n;
    if (i0 > n) i0 = n;
    if (i1 < i0) i1 = i0;
    int32_t k0 = ix0 < 0 ? (1 - ix0) / 2 : 0, k1 = W - ix0 < 0 ? 0 : (W - ix0) / 2;
    if (k1 > pairs) k1 = pairs;
    if (k0 > k1) k0 = k1;
    g->left_half = ix0 < 0 && (ix0 & 1) && k0 - 1 < pairs && ix0 + 2 * (k0 - 1) + 1 < W;
    g->right_half = k1 < pairs && ix0 + 2 * k1 >= 0 && ix0 + 2 * k1 < W;
    g->zl = g->left_half ? k0 - 1 : k0, g->zr = g->right_half ? k1 + 1 : k1;
    g->iy0 = iy0, g->n = n, g->ix0 = ix0, g->pairs = pairs, g->i0 = i0, g->i1 = i1, g->k0 = k0, g->k1 = k1;
}

/* The zero point into the piece's planes wherever a pixel is outside the input (whole pairs, and the pairs with one
 * pixel outside, whose inside halves the copies below overwrite): what those do not write, so once a piece serves
 * every block. */
__attribute__((noinline)) static void dwh_fill_outside(const dwh_piece *g, uint32_t zp4) {
    const uint32_t zp2 = (uint32_t)__sxtb16((int8x4_t)zp4);
    const int32_t o1 = g->o1, o2 = g->o2, o3 = g->o3, pairs = g->pairs;
    for (int32_t i = 0; i < g->n; i = i == g->i0 - 1 ? g->i1 : i + 1) /* the rows outside */
        if (i < g->i0 || i >= g->i1)
            dwh_fill(g->plane[0] + i * (DWH_LINE / 4), g->plane[0] + i * (DWH_LINE / 4) + pairs, o1, o2, o3, zp2);
    const int32_t rows = g->i1 - g->i0;
    if (!rows) return;
    uint32_t *const q = g->plane[0] + g->i0 * (DWH_LINE / 4);
    for (int32_t k = 0; k < pairs; k = k == g->k0 - 1 ? g->k1 : k + 1) /* the zero point columns */
        if (k < g->k0 || k >= g->k1)
            for (uint32_t *d = q + k, *const e = d + rows * (DWH_LINE / 4); d < e; d += DWH_LINE / 4)
                dwh_fill(d, d + 1, o1, o2, o3, zp2);
}

/* One column of pixels into one half of a column of pairs (h: plane 0's half), rows DWH_LINE bytes apart: the
 * other half is the zero point already (dwh_fill_outside). */
EDGEC_INLINE void dwh_half_column(char *h, int32_t o1, int32_t o2, int32_t o3, const int8_t *s, int32_t WC,
                                  int32_t rows) {
    for (char *const end = h + rows * DWH_LINE; h < end; h += DWH_LINE, s += WC) {
        const uint32_t v = load_u32(s), v02 = (uint32_t)__sxtb16((int8x4_t)v), v13 = (uint32_t)sxtb16_ror8(v);
        const uint16_t c0 = (uint16_t)v02, c1 = (uint16_t)v13, c2 = (uint16_t)(v02 >> 16), c3 = (uint16_t)(v13 >> 16);
        __builtin_memcpy(h, &c0, 2);
        __builtin_memcpy(h + o1, &c1, 2);
        __builtin_memcpy(h + o2, &c2, 2);
        __builtin_memcpy(h + o3, &c3, 2);
    }
}

/* The block's input pixels (in: the batch's input at the block's first channel) into the piece's planes as int16:
 * rows of DWH_ROW_MIN pairs or more row by row, narrower ones column by column (either way the fewer loop set-ups);
 * pairs with one pixel outside the input get the inside one only. */
__attribute__((noinline)) static void dwh_copy_inside(const dwh_piece *g, const edgec_conv2d_s8_params *p,
                                                      const int8_t *in) {
    const int32_t C = p->in_c, WC = p->in_w * C, rows = g->i1 - g->i0;
    const int32_t o1 = g->o1, o2 = g->o2, o3 = g->o3;
    if (!rows) return;
    uint32_t *const q = g->plane[0] + g->i0 * (DWH_LINE / 4);
    const int8_t *const row = in + (size_t)(g->iy0 + g->i0) * WC;
    if (g->left_half) dwh_half_column((char *)(q + g->zl) + 2, o1, o2, o3, row, WC, rows);
    if (g->k1 - g->k0 >= DWH_ROW_MIN) {
        const int8_t *s = row + (ptrdiff_t)(g->ix0 + 2 * g->k0) * C;
        for (uint32_t *d = q + g->k0, *const end = d + rows * (DWH_LINE / 4); d < end; d += DWH_LINE / 4, s += WC)
            dwh_row(d, o1, o2, o3, s, C, g->k1 - g->k0);
    } else {
        int32_t k = g->k0;
        for (; k + 2 <= g->k1; k += 2)
            dwh_column2(q + k, o1, o2, o3, row + (ptrdiff_t)(g->ix0 + 2 * k) * C, C, WC, rows);
        if (k < g->k1) dwh_column(q + k, o1, o2, o3, row + (ptrdiff_t)(g->ix0 + 2 * k) * C, C, WC, rows);
    }
    if (g->right_half)
        dwh_half_column((char *)(q + g->k1), o1, o2, o3, row + (ptrdiff_t)(g->ix0 + 2 * g->k1) * C, WC, rows);
}

/* The piece's output pixels of the four channels of one block from its planes (out: the batch's output at the
 * block's first channel; tab: the block's table). An odd row count ends with one row of one-row groups (fn1); an
 * odd column count ends each row of groups with a half group. */
static void dwh_piece_runs(const dwh_piece *g, dwh_run *r, int8_t *out, const int32_t *tab,
                           void (*const fn)(const dwh_run *)) {
    int8_t *const o = out + (size_t)g->oy * r->OWC + (size_t)g->ox * r->C;
    r->rows_span = (g->rows / 2 - 1) * 2 * r->S * DWH_LINE;
    r->last = g->rows & 1;
    for (int32_t j = 0; j < 4; ++j) {
        r->ch = tab + 13 * j;
        r->in = (const int16_t *)g->plane[j];
        r->out = o + j;
        fn(r);
    }
}

/* The run's fields for `cols` output columns (r->C, r->OWC set): groups, half group, skips to the next row. */
EDGEC_INLINE void dwh_run_cols(dwh_run *r, int32_t cols) {
    r->groups = cols / 2;
    r->odd = cols & 1;
    r->in_skip = 2 * r->S * (DWH_LINE - 2 * r->groups); /* from the half group, if any: it does not move on */
    r->out_skip = 2 * r->OWC - 2 * r->groups * r->C;
}

/* The pieces: as many columns as a plane row holds at stride 1 (DWH_MAX_COLS), at stride 2 as many as half a row
 * holds (two planes a line: twice the rows, fewer input rows staged twice), and as many rows as the planes hold
 * (at stride 2 an even count, but for the last piece: 2 x 2 groups); returns the piece's columns at column ox,
 * rows at row oy. */
EDGEC_INLINE int32_t dwh_piece_cols(int32_t S, int32_t OW, int32_t ox) {
    const int32_t max_cols = S == 1 ? DWH_MAX_COLS : DWS_MAX_COLS;
    int32_t cols = OW - ox < max_cols ? OW - ox : max_cols;
    if (OW - ox - cols == 1) cols -= 2; /* no single column left for the next piece */
    return cols;
}
EDGEC_INLINE int32_t dwh_piece_rows(int32_t S, int32_t OH, int32_t oy, int32_t cols) {
    const int32_t per_line = DWH_LINE / 4 / dwh_pairs(S, cols);
    const int32_t plane_rows = DWH_LINES / ((4 + per_line - 1) / per_line), max_rows = (plane_rows - 3) / S + 1;
    int32_t rows = OH - oy < max_rows ? OH - oy : max_rows & ~(S - 1);
    if (OH - oy - rows == 1) --rows; /* no single row left for the next piece */
    return rows;
}

/* 3x3, dilation 1, an output of two rows and two columns or more, stride 1, or stride 2 (both ways) on a map one
 * piece wide (DWS_MAX_COLS): the 2 x 2 path (VWW's 48x48x16 layer at stride 2: 2.59 instructions per MAC here,
 * 2.88 on dw3x3, with tables built at compile time). Wider stride-2 maps stay on dw3x3: there the input staged
 * into the planes costs more (each input pixel feeds 2.25 MACs at stride 2, 9 at stride 1, and a piece's columns
 * are staged again by the next) than the four-channel pixels, which read the input in place, lose. The
 * compiler's test for it is ops/quantized_s8.py: dw_plane_path. */
EDGEC_INLINE int dwh_applies(const edgec_conv2d_s8_params *p) {
    return p->depth_multiplier == 1 && p->k_h == 3 && p->k_w == 3 && p->requant == EDGEC_REQUANT_FIXED &&
           p->dil_h == 1 && p->dil_w == 1 && p->out_h >= 2 && p->out_w >= 2 &&
           ((p->stride_h == 1 && p->stride_w == 1) ||
            (p->stride_h == 2 && p->stride_w == 2 && p->out_w <= DWS_MAX_COLS));
}

/* ---- 3 x 3 output maps whose padding is only at the edges (VWW's last two depthwise layers): the padding's taps
 * skipped ----
 * At stride 1 with padding 1 on a 3 x 3 map a third of a channel's 81 taps are padding, at stride 2 on a 6 x 6 map
 * (TFLite's SAME: padding after the map) a fifth; the 2 x 2 path multiplies the zero point there and covers the odd
 * width with half groups and one-row groups. Here a block's input words are read once and unpacked into int16 pairs
 * (PKH, SXTB16) with the input offset added (SADD16), so that a skipped tap needs no correction: each output pixel
 * sums only its taps inside the input (35 multiplies per channel at stride 1, 40 at stride 2), with the 2 x 2 path's
 * table (but word 1: 2 * bias without the offset's share, dwmap_all; its doubled weights, requantisation and range).
 * A row of taps (weight row W01 W12), stride 1, P = (x0, x1) and Q = x2 of an input row: into output column 0 SMLAD(P, W12); column 1
 * SMLAD(P, W01) + Q W12.top; column 2 P.top W01.bottom + Q W01.top. Stride 2, P0 P1 P2 the row's pairs of columns
 * (0, 1) (2, 3) (4, 5): column k SMLAD(Pk, W01) + Pk+1.bottom W12.top, column 2 without the second (padding). */
EDGEC_INLINE int dw3map_applies(const edgec_conv2d_s8_params *p) {
    return p->out_h == 3 && p->out_w == 3 &&
           ((p->stride_h == 1 && p->in_h == 3 && p->in_w == 3 && p->pad_top == 1 && p->pad_left == 1) ||
            (p->stride_h == 2 && p->in_h == 6 && p->in_w == 6 && p->pad_top == 0 && p->pad_left == 0));
}
typedef struct {
    const int32_t *w; /* the channel's W01 W12 of rows 0..2 (its table + 4) */
    int32_t b;        /* 2 * bias */
    int32_t acc[9];   /* the output pixels' accumulators, row by row */
    int8_t *o;        /* the channel's output */
    int32_t C;        /* bytes between output pixels */
    int32_t full;     /* 1: requantised, saturated and stored here; 0: the accumulators only */
    int32_t x[18];    /* the channel's input pairs: stride 1, P of rows 0..2 then Q (its value in the bottom half);
                       * stride 2, P0 P1 P2 of rows 0..5 */
} dw3map_args;
/* the assembly's offsets into it */
typedef char dw3map_args_layout[offsetof(dw3map_args, acc) == 8 && offsetof(dw3map_args, o) == 44 &&
                                        offsetof(dw3map_args, full) == 52 && offsetof(dw3map_args, x) == 56
                                    ? 1 : -1];
/* one channel in assembly: the weights (and at stride 1 the data) in registers, the nine accumulators; with `full`,
 * the outputs requantised (the 2 x 2 path's DWH_RQ), saturated and stored */
#define DW3_PROLOGUE                                             \
    "push   {r4-r11, lr}\n\t"                                    \
    "ldr    lr, [r0]\n\t"                                        \
    "ldm    lr, {r7-r12}\n\t"
#define DW3_RQ(R)                                                \
    "add    lr, r11, " R ", asr #31\n\t"                          \
    "smmlar " R ", " R ", r10, lr\n\t"                            \
    "asr    " R ", " R ", r12\n\t"                                \
    "ssat   " R ", #8, " R "\n\t"
#define DW3_STORE                                                \
    "ldr    r1, [r0, #52]\n\t"                                   \
    "cmp    r1, #0\n\t"                                          \
    "beq    9f\n\t"                                              \
    "ldr    r1, [r0]\n\t"                                        \
    "ldrd   r10, r11, [r1, #24]\n\t"                             \
    "ldr    r12, [r1, #32]\n\t"                                  \
    "ldrd   r8, r9, [r0, #44]\n\t"                               \
    "add    lr, r0, #8\n\t"                                      \
    "ldm    lr, {r1-r7}\n\t"                                     \
    DW3_RQ("r1") "strb   r1, [r8]\n\t"                           \
    DW3_RQ("r2") "strb   r2, [r8, r9]\n\t"                       \
    "add    r8, r8, r9, lsl #1\n\t"                              \
    DW3_RQ("r3") "strb   r3, [r8]\n\t"                           \
    DW3_RQ("r4") "strb   r4, [r8, r9]\n\t"                       \
    "add    r8, r8, r9, lsl #1\n\t"                              \
    DW3_RQ("r5") "strb   r5, [r8]\n\t"                           \
    DW3_RQ("r6") "strb   r6, [r8, r9]\n\t"                       \
    "add    r8, r8, r9, lsl #1\n\t"                              \
    DW3_RQ("r7") "strb   r7, [r8]\n\t"                           \
    "ldrd   r1, r2, [r0, #36]\n\t"                               \
    DW3_RQ("r1") "strb   r1, [r8, r9]\n\t"                       \
    "add    r8, r8, r9, lsl #1\n\t"                              \
    DW3_RQ("r2") "strb   r2, [r8]\n"                              \
    "9:\n\t"                                                     \
    "pop    {r4-r11, pc}\n"
__attribute__((naked, noinline)) static void dw3map_s1(dw3map_args *a) {
    (void)a;
    __asm__(DW3_PROLOGUE
            "add    lr, r0, #56\n\t"
            "ldm    lr, {r1-r6}\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r1, r10, lr\n\t"
            "smlad  lr, r2, r12, lr\n\t"
            "str    lr, [r0, #8]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r1, r9, lr\n\t"
            "smlabt lr, r4, r10, lr\n\t"
            "smlad  lr, r2, r11, lr\n\t"
            "smlabt lr, r5, r12, lr\n\t"
            "str    lr, [r0, #12]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlatb lr, r1, r9, lr\n\t"
            "smlabt lr, r4, r9, lr\n\t"
            "smlatb lr, r2, r11, lr\n\t"
            "smlabt lr, r5, r11, lr\n\t"
            "str    lr, [r0, #16]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r1, r8, lr\n\t"
            "smlad  lr, r2, r10, lr\n\t"
            "smlad  lr, r3, r12, lr\n\t"
            "str    lr, [r0, #20]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r1, r7, lr\n\t"
            "smlabt lr, r4, r8, lr\n\t"
            "smlad  lr, r2, r9, lr\n\t"
            "smlabt lr, r5, r10, lr\n\t"
            "smlad  lr, r3, r11, lr\n\t"
            "smlabt lr, r6, r12, lr\n\t"
            "str    lr, [r0, #24]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlatb lr, r1, r7, lr\n\t"
            "smlabt lr, r4, r7, lr\n\t"
            "smlatb lr, r2, r9, lr\n\t"
            "smlabt lr, r5, r9, lr\n\t"
            "smlatb lr, r3, r11, lr\n\t"
            "smlabt lr, r6, r11, lr\n\t"
            "str    lr, [r0, #28]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r2, r8, lr\n\t"
            "smlad  lr, r3, r10, lr\n\t"
            "str    lr, [r0, #32]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlad  lr, r2, r7, lr\n\t"
            "smlabt lr, r5, r8, lr\n\t"
            "smlad  lr, r3, r9, lr\n\t"
            "smlabt lr, r6, r10, lr\n\t"
            "str    lr, [r0, #36]\n\t"
            "ldr    lr, [r0, #4]\n\t"
            "smlatb lr, r2, r7, lr\n\t"
            "smlabt lr, r5, r7, lr\n\t"
            "smlatb lr, r3, r9, lr\n\t"
            "smlabt lr, r6, r9, lr\n\t"
            "str    lr, [r0, #40]\n\t"
            DW3_STORE);
}
/* An output row's three pixels (r1-r3, each from the 2 * bias word) over tap rows read at lr: per tap row its three
 * pixel pairs against the row's weight pairs (WA: taps 0 and 1, WB: tap 2); at stride 2 the next output row's
 * first tap row is this one's last, hence the rewind. The last output row has two tap rows (SAME pads after). */
#define DW3S2_START "ldr    r1, [r0, #4]\n\t" "mov    r2, r1\n\t" "mov    r3, r1\n\t"
#define DW3S2_TAPS(WA, WB)                                                                                     \
    "ldm    lr!, {r4-r6}\n\t" "smlad  r1, r4, " WA ", r1\n\t" "smlabt r1, r5, " WB ", r1\n\t"                  \
    "smlad  r2, r5, " WA ", r2\n\t" "smlabt r2, r6, " WB ", r2\n\t" "smlad  r3, r6, " WA ", r3\n\t"
#define DW3S2_ROW DW3S2_START DW3S2_TAPS("r7", "r8") DW3S2_TAPS("r9", "r10") DW3S2_TAPS("r11", "r12") \
    "sub    lr, lr, #12\n\t"
#define DW3S2_SUMS(A, B, C) "str    r1, [r0, #" #A "]\n\t" "str    r2, [r0, #" #B "]\n\t" "str    r3, [r0, #" #C "]\n\t"
__attribute__((naked, noinline)) static void dw3map_s2(dw3map_args *a) {
    (void)a;
    __asm__(DW3_PROLOGUE
            "add    lr, r0, #56\n\t"
            DW3S2_ROW DW3S2_SUMS(8, 12, 16)
            DW3S2_ROW DW3S2_SUMS(20, 24, 28)
            DW3S2_START DW3S2_TAPS("r7", "r8") DW3S2_TAPS("r9", "r10") DW3S2_SUMS(32, 36, 40)
            DW3_STORE);
}
#undef DW3S2_START
#undef DW3S2_TAPS
#undef DW3S2_ROW
#undef DW3S2_SUMS
#undef DW3_PROLOGUE
#undef DW3_RQ
#undef DW3_STORE
/* Two pixels' words u, v (four channels each) as the four channels' int16 pairs, the input offset added */
EDGEC_INLINE void dw_pairs4(int32_t *x0, int32_t *x1, int32_t *x2, int32_t *x3, uint32_t u, uint32_t v,
                            int16x2_t off2) {
    const uint32_t x01 = pkhbt16(u, v), x23 = pkhtb16(v, u);
    *x0 = (int32_t)__sadd16(__sxtb16((int8x4_t)x01), off2);
    *x1 = (int32_t)__sadd16(sxtb16_ror8(x01), off2);
    *x2 = (int32_t)__sadd16(__sxtb16((int8x4_t)x23), off2);
    *x3 = (int32_t)__sadd16(sxtb16_ror8(x23), off2);
}
/* The block of channels c..c+3 (in, out: the batch's input and output at channel c; tab: the block's table); S and
 * FULL (no clamp inside [-128, 127]) are constants where this is inlined. */
EDGEC_INLINE void dw3map_block(const int8_t *in, int8_t *out, const int32_t *tab, const edgec_conv2d_s8_params *p,
                               const int32_t S, const int FULL) {
    const int32_t C = p->in_c, off = p->input_offset, lo = p->act_min, hi = p->act_max;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) * 0x00010001u);
    dw3map_args a[4];
    if (S == 1) {
        for (int32_t r = 0; r < 3; ++r) {
            const int8_t *const row = in + 3 * r * C;
            dw_pairs4(&a[0].x[r], &a[1].x[r], &a[2].x[r], &a[3].x[r], load_u32(row), load_u32(row + C), off2);
            const uint32_t e = load_u32(row + 2 * C);
            const uint32_t e02 = (uint32_t)__sadd16(__sxtb16((int8x4_t)e), off2);
            const uint32_t e13 = (uint32_t)__sadd16(sxtb16_ror8(e), off2);
            a[0].x[3 + r] = (int32_t)e02, a[2].x[3 + r] = (int32_t)(e02 >> 16);
            a[1].x[3 + r] = (int32_t)e13, a[3].x[3 + r] = (int32_t)(e13 >> 16);
        }
    } else {
        const int8_t *px = in;
        for (int32_t i = 0; i < 18; ++i, px += 2 * C)
            dw_pairs4(&a[0].x[i], &a[1].x[i], &a[2].x[i], &a[3].x[i], load_u32(px), load_u32(px + C), off2);
    }
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t *const t = tab + 13 * j;
        a[j].w = t + 4;
        a[j].b = t[1]; /* 2 * bias: the offset is in the input pairs (dwmap_all) */
        a[j].o = out + j;
        a[j].C = C;
        a[j].full = FULL;
        if (S == 1)
            dw3map_s1(&a[j]);
        else
            dw3map_s2(&a[j]);
        if (FULL) continue;
        const int32_t m = t[10], rnd = t[11], sh = t[12];
        int8_t *o = out + j;
#pragma GCC unroll 9
        for (int32_t i = 0; i < 9; ++i) {
            const int32_t x = a[j].acc[i];
            int32_t y;
            __asm__("smmlar %0, %1, %2, %3" : "=r"(y) : "r"(x), "r"(m), "r"(rnd + (x >> 31)));
            y >>= sh;
            o[i * C] = (int8_t)(y < lo ? lo : (y > hi ? hi : y));
        }
    }
}
__attribute__((noinline)) static void dw3map_block_s1(const int8_t *in, int8_t *out, const int32_t *tab,
                                                      const edgec_conv2d_s8_params *p) {
    if (p->act_min == -128 && p->act_max == 127)
        dw3map_block(in, out, tab, p, 1, 1);
    else
        dw3map_block(in, out, tab, p, 1, 0);
}
__attribute__((noinline)) static void dw3map_block_s2(const int8_t *in, int8_t *out, const int32_t *tab,
                                                      const edgec_conv2d_s8_params *p) {
    if (p->act_min == -128 && p->act_max == 127)
        dw3map_block(in, out, tab, p, 2, 1);
    else
        dw3map_block(in, out, tab, p, 2, 0);
}

/* ---- 6 x 6 maps at stride 1 with padding 1 (VWW's five 6x6x128 layers), the full output range: the padding's taps
 * skipped, as above ----
 * Per channel the rows' pairs of columns A0 A1 A2 = (0, 1) (2, 3) (4, 5), offset added, and an output row in two
 * halves of three pixels with its 2 or 3 rows of taps (weight row W01 W12): pixels 0..2 SMLAD(A0, W12),
 * SMLAD(A0, W01) + A1.bottom W12.top, A0.top W01.bottom + SMLAD(A1, W12); pixels 3..5 SMLAD(A1, W01) + A2.bottom
 * W12.top, A1.top W01.bottom + SMLAD(A2, W12), SMLAD(A2, W01): 160 multiplies per channel where the 2 x 2 path
 * has 216, no planes to stage, and a lighter call per channel than its frame's. */
EDGEC_INLINE int dw6map_applies(const edgec_conv2d_s8_params *p) {
    return p->stride_h == 1 && p->in_h == 6 && p->in_w == 6 && p->out_h == 6 && p->out_w == 6 && p->pad_top == 1 &&
           p->pad_left == 1 && p->act_min == -128 && p->act_max == 127;
}
typedef struct {
    int32_t w[6];      /* the channel's W01 W12 of rows 0..2 */
    int32_t b[3];      /* 2 * bias, three times (one LDM a half row) */
    int32_t m, rnd, r; /* multiplier, 2^(r-1) + zp 2^r, r */
    int32_t C;         /* bytes between output pixels */
    int8_t *o;         /* the channel's first output pixel */
    int32_t x[18];     /* A0 A1 A2 of rows 0..5 */
} dw6map_args;
typedef char dw6map_args_layout[offsetof(dw6map_args, b) == 24 && offsetof(dw6map_args, m) == 36 &&
                                        offsetof(dw6map_args, o) == 52 && offsetof(dw6map_args, x) == 56
                                    ? 1 : -1];
/* after a half row's taps: its three pixels requantised, saturated, stored; the output moved on; the weights back */
#define DW6_RQ(R)                                                \
    "add    r12, r8, " R ", asr #31\n\t"                          \
    "smmlar " R ", " R ", r7, r12\n\t"                            \
    "asr    " R ", " R ", r9\n\t"                                 \
    "ssat   " R ", #8, " R "\n\t"
#define DW6_STORE                                                \
    "add    r12, r0, #36\n\t"                                    \
    "ldm    r12, {r7-r10}\n\t"                                   \
    DW6_RQ("r1") DW6_RQ("r2") DW6_RQ("r3")                       \
    "strb   r1, [r6]\n\t"                                        \
    "strb   r2, [r6, r10]\n\t"                                   \
    "strb   r3, [r6, r10, lsl #1]\n\t"                           \
    "add    r6, r6, r10\n\t"                                     \
    "add    r6, r6, r10, lsl #1\n\t"                             \
    "ldm    r0, {r7-r12}\n\t"
/* one channel: r1-r3 the half row's accumulators, r4 r5 its pairs, r7-r12 the weights, lr the first tap row's
 * pairs, r6 the output. A half row starts from the bias words; each tap row adds its pairs at lr + OFF against the
 * row's weights WA (W01) and WB (W12): the left half (pixels 0..2, whose left tap is the padding) or the right
 * half (pixels 3..5, whose right tap is). The first and last output rows have two tap rows. */
#define DW6_BIAS "add    r4, r0, #24\n\t" "ldm    r4, {r1-r3}\n\t"
#define DW6_LEFT(OFF, WA, WB)                                                                                  \
    "ldrd   r4, r5, [lr, #" #OFF "]\n\t" "smlad  r1, r4, " WB ", r1\n\t" "smlad  r2, r4, " WA ", r2\n\t"       \
    "smlabt r2, r5, " WB ", r2\n\t" "smlatb r3, r4, " WA ", r3\n\t" "smlad  r3, r5, " WB ", r3\n\t"
#define DW6_RIGHT(OFF, WA, WB)                                                                                 \
    "ldrd   r4, r5, [lr, #" #OFF "]\n\t" "smlad  r1, r4, " WA ", r1\n\t" "smlabt r1, r5, " WB ", r1\n\t"       \
    "smlatb r2, r4, " WA ", r2\n\t" "smlad  r2, r5, " WB ", r2\n\t" "smlad  r3, r5, " WA ", r3\n\t"
__attribute__((naked, noinline)) static void dw6map_s1(dw6map_args *a) {
    (void)a;
    __asm__("push   {r4-r11, lr}\n\t"
            "ldm    r0, {r7-r12}\n\t"
            "ldr    r6, [r0, #52]\n\t"
            "add    lr, r0, #56\n\t"
            /* output row 0: tap rows 1 and 2 of the kernel */
            DW6_BIAS DW6_LEFT(0, "r9", "r10") DW6_LEFT(12, "r11", "r12") DW6_STORE
            DW6_BIAS DW6_RIGHT(4, "r9", "r10") DW6_RIGHT(16, "r11", "r12") DW6_STORE
            /* output rows 1..4: all three tap rows, lr one input row further each time */
            "1:\n\t"
            DW6_BIAS DW6_LEFT(0, "r7", "r8") DW6_LEFT(12, "r9", "r10") DW6_LEFT(24, "r11", "r12") DW6_STORE
            DW6_BIAS DW6_RIGHT(4, "r7", "r8") DW6_RIGHT(16, "r9", "r10") DW6_RIGHT(28, "r11", "r12") DW6_STORE
            "add    lr, lr, #12\n\t"
            "add    r1, r0, #104\n\t"
            "cmp    lr, r1\n\t"
            "bne    1b\n\t"
            /* output row 5: tap rows 0 and 1 */
            DW6_BIAS DW6_LEFT(0, "r7", "r8") DW6_LEFT(12, "r9", "r10") DW6_STORE
            DW6_BIAS DW6_RIGHT(4, "r7", "r8") DW6_RIGHT(16, "r9", "r10") DW6_STORE
            "pop    {r4-r11, pc}\n");
}
#undef DW6_BIAS
#undef DW6_LEFT
#undef DW6_RIGHT
#undef DW6_RQ
#undef DW6_STORE
/* The block of channels c..c+3 (in, out: the batch's input and output at channel c; tab: the block's table). */
__attribute__((noinline)) static void dw6map_block(const int8_t *in, int8_t *out, const int32_t *tab,
                                                   const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, off = p->input_offset;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) * 0x00010001u);
    dw6map_args a[4];
    const int8_t *px = in;
#pragma GCC unroll 2
    for (int32_t i = 0; i < 18; ++i, px += 2 * C)
        dw_pairs4(&a[0].x[i], &a[1].x[i], &a[2].x[i], &a[3].x[i], load_u32(px), load_u32(px + C), off2);
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t *const t = tab + 13 * j;
        a[j].w[0] = t[4], a[j].w[1] = t[5], a[j].w[2] = t[6], a[j].w[3] = t[7], a[j].w[4] = t[8], a[j].w[5] = t[9];
        a[j].b[0] = a[j].b[1] = a[j].b[2] = t[1]; /* 2 * bias (dwmap_all) */
        a[j].m = t[10], a[j].rnd = t[11], a[j].r = t[12];
        a[j].o = out + j;
        a[j].C = C;
        dw6map_s1(&a[j]);
    }
}

/* The maps the taps-inside kernels take (dw3map_applies, dw6map_applies), as dwh_all (same arguments, channels done
 * returned); apart from it, so that its band is not on the stack under them. Their tables' word 1 is 2 * bias
 * without the offset's share (the kernels add the offset to the input and skip the padding's taps): so the
 * compiler packs them (pack_depthwise_s8's map_bias), and so it is set here when the table is built here. */
__attribute__((noinline)) static int32_t dwmap_all(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                                   const int32_t *multiplier, const int32_t *shift, int8_t *output,
                                                   const edgec_conv2d_s8_params *p, const int32_t *tables) {
    void (*const fn)(const int8_t *, int8_t *, const int32_t *, const edgec_conv2d_s8_params *) =
        dw6map_applies(p) ? dw6map_block : p->stride_w == 1 ? dw3map_block_s1 : dw3map_block_s2;
    const int32_t C = p->in_c, blocks = C & ~3;
    const size_t in_batch = (size_t)p->in_h * p->in_w * C, out_batch = (size_t)p->out_h * p->out_w * C;
    for (int32_t c = 0; c < blocks; c += 4) {
        dwh_block k;
        if (!tables) {
            if (!dwh_block_prepare(&k, weights, bias, multiplier, shift, p, c)) {
                dw_general(input, weights, bias, multiplier, shift, output, p, c, c + 4);
                continue;
            }
            for (int32_t j = 0; j < 4; ++j) k.ch[j][1] = (int32_t)((uint32_t)(bias ? bias[c + j] : 0) << 1);
        }
        for (int32_t b = 0; b < p->batch; ++b)
            fn(input + b * in_batch + c, output + b * out_batch + c, tables ? tables + 13 * c : k.ch[0], p);
    }
    return blocks;
}

/* The 2 x 2 path for channels [0, in_c - in_c % 4), blocks outside its range by dw_general; returns the channels
 * done. `tables`: the blocks' tables built at compile time (edgec_depthwise_conv2d_s8_packed), or NULL to build them
 * here. Piece by piece, and in each piece block by block: a piece is planned and its padding written once for all
 * blocks (the copies of the inside overwrite the rest). Without compile-time tables a block's table is built again
 * in each piece, and a block outside the range goes to dw_general in the first piece only. (Not inlined: its band
 * stays out of the caller's frame.) */
__attribute__((noinline)) static int32_t dwh_all(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                                 const int32_t *multiplier, const int32_t *shift, int8_t *output,
                                                 const edgec_conv2d_s8_params *p, const int32_t *tables) {
    uint32_t band[DWH_LINES * DWH_LINE / 4];
    static void (*const full[2][2])(const dwh_run *) = {{dwh_run_full, dwh_run_full_odd},
                                                         {dws_run_full, dws_run_full_odd}};
    static void (*const clamp[2][2])(const dwh_run *) = {{dwh_run_clamp, dwh_run_clamp_odd},
                                                          {dws_run_clamp, dws_run_clamp_odd}};
    const int32_t S = p->stride_w;
    void (*const *fns)(const dwh_run *) = (p->act_min == -128 && p->act_max == 127 ? full : clamp)[S - 1];
    const uint32_t zp4 = (uint32_t)(uint8_t)(-p->input_offset) * 0x01010101u;
    const int32_t C = p->in_c, OH = p->out_h, OW = p->out_w, blocks = C & ~3;
    const size_t in_batch = (size_t)p->in_h * p->in_w * C, out_batch = (size_t)OH * OW * C;
    dwh_run r;
    r.C = C;
    r.OWC = OW * C;
    r.lo = p->act_min;
    r.hi = p->act_max;
    r.S = S;
    for (int32_t ox = 0, cols; ox < OW; ox += cols) {
        cols = dwh_piece_cols(S, OW, ox);
        dwh_run_cols(&r, cols);
        for (int32_t oy = 0, rows; oy < OH; oy += rows) {
            rows = dwh_piece_rows(S, OH, oy, cols);
            dwh_piece g;
            dwh_plan(&g, p, band, ox, oy, cols, rows);
            dwh_fill_outside(&g, zp4);
            for (int32_t c = 0; c < blocks; c += 4) {
                dwh_block k;
                const int32_t *tab = tables ? tables + 13 * c : k.ch[0];
                if (!tables && !dwh_block_prepare(&k, weights, bias, multiplier, shift, p, c)) {
                    if (ox == 0 && oy == 0) dw_general(input, weights, bias, multiplier, shift, output, p, c, c + 4);
                    continue;
                }
                for (int32_t b = 0; b < p->batch; ++b) {
                    dwh_copy_inside(&g, p, input + b * in_batch + c);
                    dwh_piece_runs(&g, &r, output + b * out_batch + c, tab, fns[cols & 1]);
                }
            }
        }
    }
    return blocks;
}

/* ---- general path, depth multiplier 1: pixel by pixel, four channels at a time with the input offset added to
 * each tap (SXTB16, SADD16, SMLABB / SMLATT), requantised DW_CHUNK channels at a time ---- */
#define DW_CHUNK 64 /* 256 bytes of stack */
/* First tap index k with 0 <= o + k * d < n, and one past the last (k < k_n). */
EDGEC_INLINE int32_t tap_lo(int32_t o, int32_t d) { return o >= 0 ? 0 : (-o + d - 1) / d; }
EDGEC_INLINE int32_t tap_hi(int32_t o, int32_t d, int32_t n, int32_t k_n) {
    if (o >= n) return 0;
    const int32_t hi = (n - o + d - 1) / d;
    return hi < k_n ? hi : k_n;
}
/* Channels [c0, c1); the reference loops unless in EDGEC_REQUANT_FIXED mode with no INT32_MIN multiplier (rq_apply
 * leaves out SRDHM's saturating case). */
static void dw_general(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                       const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p, int32_t c0,
                       int32_t c1) {
    int fast = p->requant == EDGEC_REQUANT_FIXED;
    for (int32_t c = c0; fast && c < c1; ++c)
        if (multiplier[c] == INT32_MIN) fast = 0;
    if (!fast) {
        dw_plain(input, weights, bias, multiplier, shift, output, p, c0, c1);
        return;
    }
    const int32_t C = p->in_c, off = p->input_offset, zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) | ((uint32_t)off << 16));
    const size_t in_step = (size_t)p->dil_w * C, in_row_step = (size_t)p->dil_h * p->in_w * C;
    const size_t w_row_step = (size_t)p->k_w * C;
    int32_t acc[DW_CHUNK];
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t ky0 = tap_lo(y0, p->dil_h), nky = tap_hi(y0, p->dil_h, p->in_h, p->k_h) - ky0;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t kx0 = tap_lo(x0, p->dil_w), nkx = tap_hi(x0, p->dil_w, p->in_w, p->k_w) - kx0;
                const int8_t *in0 = in_b + ((size_t)(y0 + ky0 * p->dil_h) * p->in_w + (x0 + kx0 * p->dil_w)) * C;
                const int8_t *w0 = weights + ((size_t)ky0 * p->k_w + kx0) * C;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
                for (int32_t cc = c0; cc < c1; cc += DW_CHUNK) {
                    const int32_t ce = c1 - cc < DW_CHUNK ? c1 : cc + DW_CHUNK;
                    int32_t c = cc;
                    for (; c + 4 <= ce; c += 4) {
                        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        const int8_t *in_row = in0 + c, *w_row = w0 + c;
                        for (int32_t ky = nky; ky > 0; --ky, in_row += in_row_step, w_row += w_row_step) {
                            const int8_t *ip = in_row, *wp = w_row;
                            for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C) {
                                const uint32_t a4 = load_u32(ip), w4 = load_u32(wp);
                                const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), off2);
                                const int16x2_t a13 = __sadd16(sxtb16_ror8(a4), off2);
                                const int16x2_t w02 = __sxtb16((int8x4_t)w4), w13 = sxtb16_ror8(w4);
                                a0 = __smlabb(a02, w02, a0);
                                a2 = __smlatt(a02, w02, a2);
                                a1 = __smlabb(a13, w13, a1);
                                a3 = __smlatt(a13, w13, a3);
                            }
                        }
                        acc[c - cc] = a0;
                        acc[c - cc + 1] = a1;
                        acc[c - cc + 2] = a2;
                        acc[c - cc + 3] = a3;
                    }
                    for (; c < ce; ++c) { /* the in_c % 4 tail */
                        int32_t a = 0;
                        const int8_t *in_row = in0 + c, *w_row = w0 + c;
                        for (int32_t ky = nky; ky > 0; --ky, in_row += in_row_step, w_row += w_row_step) {
                            const int8_t *ip = in_row, *wp = w_row;
                            for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C)
                                a += (int32_t)*wp * ((int32_t)*ip + off);
                        }
                        acc[c - cc] = a;
                    }
                    /* requantisation in a second pass: the tap loops above keep their registers */
                    for (c = cc; c < ce; ++c)
                        out[c] = (int8_t)rq_apply(acc[c - cc] + (bias ? bias[c] : 0),
                                                  rq_prepare(multiplier[c], shift[c]), zp, lo, hi);
                }
            }
        }
    }
}

/* ---- 5x5 and 7x7 (MCUNet), and 3x3 in float requantisation; dilation 1, depth multiplier 1: blocks of four
 * channels from band copies ----
 * The 3x3 path's arithmetic (input offset folded into the bias, doubled int16 weight pairs of two taps, SMLAD, the
 * three-instruction requantisation), in C over copies in the band: there the taps of a row are consecutive words
 * (one LDRD loads two) and the input zero point stands where the input ends, so no tap needs a bounds check.
 * Every output pixel reads the band: with k_h * k_w taps per pixel the copy costs little per MAC. */
#define DWK_MAX 7 /* taps a side */
typedef struct {
    int32_t bias[4];  /* 2 * (bias + input_offset * sum w) */
    int32_t rq[4][3]; /* per channel: multiplier, 2^(r-1) + zp 2^r, r; in float mode: the scale's bits */
    int32_t w[DWK_MAX * (DWK_MAX / 2 * 4 + 2)]; /* row by row: int16 pairs of 2 * weights of taps kx, kx + 1, one
                                                  * word per channel; then an odd last tap for channels 0|2, 1|3 */
} dwk_block;

/* Fills the table of channels c..c+3 (as dw_block_prepare); 0 when a channel is outside the fast path's range. */
static int dwk_block_prepare(dwk_block *k, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                             const int32_t *shift, const edgec_conv2d_s8_params *p, int32_t c) {
    const int32_t C = p->in_c, KH = p->k_h, KW = p->k_w, zp = p->output_offset;
    const uint32_t bound = (UINT32_C(1) << 29) - 32640u * (uint32_t)(KH * KW); /* |acc| <= |b| + 255 * 128 * taps */
    int32_t sum[4] = {0, 0, 0, 0};
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t r = -shift[c + j], m = multiplier[c + j], b = bias ? bias[c + j] : 0;
        const uint32_t b_abs = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
        if (b_abs >= bound) return 0;
        k->rq[j][0] = m;
        if (p->requant == EDGEC_REQUANT_FLOAT) continue;
        if (r < 1 || r > 22 || m < 0) return 0;
        k->rq[j][1] = (1 << (r - 1)) + (int32_t)((uint32_t)zp << r);
        k->rq[j][2] = r;
    }
    int32_t *w = k->w;
    for (int32_t ky = 0; ky < KH; ++ky) {
        const int8_t *row = weights + (size_t)ky * KW * C + c;
        int32_t kx = 0;
        for (; kx + 2 <= KW; kx += 2) {
            const uint32_t a = load_u32(row + kx * C), b = load_u32(row + (kx + 1) * C);
            const uint32_t x01 = pkhbt16(a, b), x23 = pkhtb16(b, a);
            const int16x2_t v[4] = {__sxtb16((int8x4_t)x01), sxtb16_ror8(x01), __sxtb16((int8x4_t)x23),
                                    sxtb16_ror8(x23)};
            for (int32_t j = 0; j < 4; ++j) {
                sum[j] = __smlad(v[j], 0x00010001, sum[j]);
                *w++ = (int32_t)__sadd16(v[j], v[j]);
            }
        }
        if (kx < KW) {
            const uint32_t t = load_u32(row + kx * C);
            const int16x2_t v02 = __sxtb16((int8x4_t)t), v13 = sxtb16_ror8(t);
            *w++ = (int32_t)__sadd16(v02, v02);
            *w++ = (int32_t)__sadd16(v13, v13);
            sum[0] = __smlad(v02, 0x00000001, sum[0]);
            sum[2] = __smlad(v02, 0x00010000, sum[2]);
            sum[1] = __smlad(v13, 0x00000001, sum[1]);
            sum[3] = __smlad(v13, 0x00010000, sum[3]);
        }
    }
    for (int32_t j = 0; j < 4; ++j)
        k->bias[j] = (int32_t)(((uint32_t)(bias ? bias[c + j] : 0) + (uint32_t)p->input_offset * (uint32_t)sum[j])
                               << 1);
    return 1;
}

typedef struct {
    const uint32_t *in; /* the band: the top-left tap of the first pixel */
    int32_t line;       /* words between band rows */
    int32_t step;       /* words between pixels of a row (stride_w) */
    int32_t row_step;   /* words between rows of pixels (stride_h * line) */
    int32_t cols, rows; /* output pixels */
    int8_t *out;
    int32_t out_step, out_row; /* bytes between output pixels, rows */
    int32_t lo, hi, zp;
    float flo, fhi;     /* float requantisation: the clamp, less the zero point */
} dwk_run;


/* edgec_requant_float with the clamp's floats computed once per run: the same operations, the same result */
EDGEC_INLINE int32_t dwk_requant_float(int32_t acc, int32_t scale_bits, const dwk_run *r) {
    union { int32_t bits; float value; } pun;
    pun.bits = scale_bits;
    float f = (float)acc * pun.value;
    f = f < r->flo ? r->flo : (f > r->fhi ? r->fhi : f);
    f = (f + 12582912.0f) - 12582912.0f;
    return (int32_t)f + r->zp;
}

/* One row of taps of four channels in assembly (GCC spills in the C loop): pairs of taps at OFF (bytes into the
 * band row) with four weight pairs each, and a single tap with two weight words; the weights walk on. */
#define DWK_PAIR(OFF)                                \
    "ldrd   %[a], %[b], [%[row], #" OFF "]\n\t"                  \
    "pkhbt  %[t], %[a], %[b], lsl #16\n\t"                       \
    "pkhtb  %[b], %[b], %[a], asr #16\n\t"                       \
    "ldrd   %[w0], %[w1], [%[wp]], #8\n\t"                       \
    "sxtb16 %[a], %[t]\n\t"                                      \
    "smlad  %[c0], %[a], %[w0], %[c0]\n\t"                       \
    "sxtb16 %[a], %[t], ror #8\n\t"                              \
    "smlad  %[c1], %[a], %[w1], %[c1]\n\t"                       \
    "ldrd   %[w0], %[w1], [%[wp]], #8\n\t"                       \
    "sxtb16 %[a], %[b]\n\t"                                      \
    "smlad  %[c2], %[a], %[w0], %[c2]\n\t"                       \
    "sxtb16 %[a], %[b], ror #8\n\t"                              \
    "smlad  %[c3], %[a], %[w1], %[c3]\n\t"
#define DWK_SINGLE(OFF)                              \
    "ldr    %[a], [%[row], #" OFF "]\n\t"                        \
    "ldrd   %[w0], %[w1], [%[wp]], #8\n\t"                       \
    "sxtb16 %[b], %[a]\n\t"                                      \
    "sxtb16 %[a], %[a], ror #8\n\t"                              \
    "smlabb %[c0], %[b], %[w0], %[c0]\n\t"                       \
    "smlatt %[c2], %[b], %[w0], %[c2]\n\t"                       \
    "smlabb %[c1], %[a], %[w1], %[c1]\n\t"                       \
    "smlatt %[c3], %[a], %[w1], %[c3]\n\t"
/* out = SMMLAR(X, multiplier, 2^(r-1) + zp 2^r - [X < 0]) >> r (see the top of this file), clamped to [lo, hi]
 * (within [-128, 127]) and stored: channel J of the table at RQ, accumulator A */
#define DWK_RQ(A, J, OFF)                            \
    "ldrd   %[m], %[t], [%[rq], #" OFF "]\n\t"                   \
    "ldr    %[s], [%[rq], #" OFF "+8]\n\t"                       \
    "add    %[t], %[t], %[" A "], asr #31\n\t"                   \
    "smmlar %[" A "], %[" A "], %[m], %[t]\n\t"                  \
    "asr    %[" A "], %[" A "], %[s]\n\t"                        \
    "cmp    %[" A "], %[lo]\n\t"                                 \
    "it     lt\n\t"                                              \
    "movlt  %[" A "], %[lo]\n\t"                                 \
    "cmp    %[" A "], %[hi]\n\t"                                 \
    "it     gt\n\t"                                              \
    "movgt  %[" A "], %[hi]\n\t"                                 \
    "strb   %[" A "], [%[o], #" J "]\n\t"
#define DWK_REQUANT_CLAMP_STORE(A0, A1, A2, A3)                                                                 \
    do {                                                                                                      \
        int32_t tm, tt, ts;                                                                                   \
        __asm__ volatile(DWK_RQ("c0", "0", "0") DWK_RQ("c1", "1", "12") DWK_RQ("c2", "2", "24")                \
                         DWK_RQ("c3", "3", "36")                                                              \
                         : [c0] "+r"(A0), [c1] "+r"(A1), [c2] "+r"(A2), [c3] "+r"(A3), [m] "=&r"(tm),          \
                           [t] "=&r"(tt), [s] "=&r"(ts)                                                       \
                         : [rq] "r"(k->rq), [o] "r"(o), [lo] "r"(lo), [hi] "r"(hi)                            \
                         : "cc", "memory");                                                                   \
    } while (0)
#define DWK_ROW(TAPS)                                                                                         \
    do {                                                                                                      \
        uint32_t ta, tb, tt, w0, w1;                                                                          \
        __asm__(TAPS                                                                                          \
                : [c0] "+r"(a0), [c1] "+r"(a1), [c2] "+r"(a2), [c3] "+r"(a3), [wp] "+r"(w), [a] "=&r"(ta),     \
                  [b] "=&r"(tb), [t] "=&r"(tt), [w0] "=&r"(w0), [w1] "=&r"(w1)                                \
                : [row] "r"(row)                                                                              \
                : "memory");                                                                                  \
    } while (0)

/* The pixels of one run of a K x K kernel; K and fl (float requantisation) are constants where this is inlined. */
EDGEC_INLINE void dwk_pixels(const dwk_block *k, const dwk_run *r, const int32_t K, const int fl) {
    const int32_t lo = r->lo, hi = r->hi;
    for (int32_t y = 0; y < r->rows; ++y) {
        const uint32_t *px = r->in + (size_t)y * r->row_step;
        int8_t *o = r->out + (size_t)y * r->out_row;
        for (int32_t x = 0; x < r->cols; ++x, px += r->step, o += r->out_step) {
            int32_t a0 = k->bias[0], a1 = k->bias[1], a2 = k->bias[2], a3 = k->bias[3];
            const int32_t *w = k->w;
            const uint32_t *row = px;
            for (int32_t ky = 0; ky < K; ++ky, row += r->line) {
                if (K == 3) DWK_ROW(DWK_PAIR("0") DWK_SINGLE("8"));
                if (K == 5) DWK_ROW(DWK_PAIR("0") DWK_PAIR("8") DWK_SINGLE("16"));
                if (K == 7) DWK_ROW(DWK_PAIR("0") DWK_PAIR("8") DWK_PAIR("16") DWK_SINGLE("24"));
            }
            if (fl) { /* the accumulators are twice the reference's, exactly */
                o[0] = (int8_t)dwk_requant_float(a0 >> 1, k->rq[0][0], r);
                o[1] = (int8_t)dwk_requant_float(a1 >> 1, k->rq[1][0], r);
                o[2] = (int8_t)dwk_requant_float(a2 >> 1, k->rq[2][0], r);
                o[3] = (int8_t)dwk_requant_float(a3 >> 1, k->rq[3][0], r);
                continue;
            }
            DWK_REQUANT_CLAMP_STORE(a0, a1, a2, a3);
        }
    }
}
#undef DWK_PAIR
#undef DWK_SINGLE
#undef DWK_ROW
#undef DWK_RQ
#undef DWK_REQUANT_CLAMP_STORE
typedef void (*dwk_fn)(const dwk_block *, const dwk_run *);
static void dwk3x3_float(const dwk_block *k, const dwk_run *r) { dwk_pixels(k, r, 3, 1); }
static void dwk5x5_clamp(const dwk_block *k, const dwk_run *r) { dwk_pixels(k, r, 5, 0); }
static void dwk5x5_float(const dwk_block *k, const dwk_run *r) { dwk_pixels(k, r, 5, 1); }
static void dwk7x7_clamp(const dwk_block *k, const dwk_run *r) { dwk_pixels(k, r, 7, 0); }
static void dwk7x7_float(const dwk_block *k, const dwk_run *r) { dwk_pixels(k, r, 7, 1); }

/* Every output pixel of the block of channels c..c+3, in pieces whose taps fit the band: as many output columns
 * as k_h band rows hold, then as many output rows as fit. */
static void dwk_block_run(const edgec_conv2d_s8_params *p, const int8_t *input, int8_t *output, const dwk_block *k,
                          int32_t c, uint32_t *band, uint32_t zp4, dwk_fn fn) {
    const int32_t C = p->in_c, KH = p->k_h, KW = p->k_w, sh = p->stride_h, sw = p->stride_w;
    const int32_t OH = p->out_h, OW = p->out_w;
    const int32_t max_cols = (DW_BAND / KH - KW) / sw + 1; /* >= 1: KH * KW <= DW_BAND */
    dwk_run r;
    r.step = sw;
    r.out_step = C;
    r.out_row = OW * C;
    r.lo = p->act_min;
    r.hi = p->act_max;
    r.zp = p->output_offset;
    r.flo = (float)(p->act_min - p->output_offset);
    r.fhi = (float)(p->act_max - p->output_offset);
    r.in = band;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C + c;
        for (int32_t ox0 = 0; ox0 < OW; ox0 += max_cols) {
            const int32_t cols = OW - ox0 < max_cols ? OW - ox0 : max_cols;
            const int32_t width = (cols - 1) * sw + KW;
            const int32_t max_rows = (DW_BAND / width - KH) / sh + 1;
            for (int32_t oy0 = 0; oy0 < OH; oy0 += max_rows) {
                const int32_t rows = OH - oy0 < max_rows ? OH - oy0 : max_rows;
                dw_stage(band, in_b, p, oy0 * sh - p->pad_top, (rows - 1) * sh + KH, ox0 * sw - p->pad_left, width,
                         zp4, 0, 0);
                r.line = width;
                r.row_step = sh * width;
                r.cols = cols;
                r.rows = rows;
                r.out = output + (((size_t)b * OH + oy0) * OW + ox0) * C + c;
                fn(k, &r);
            }
        }
    }
}

/* The k x k path for channels [0, in_c - in_c % 4), blocks outside its range by dw_general; returns the channels
 * done. */
static int32_t dwk_all(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                       const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p) {
    dwk_fn fn = 0; /* (no unclamped variants: code size, and these layers mostly have a ReLU6) */
    const int fl = p->requant == EDGEC_REQUANT_FLOAT;
    if (p->k_h == 3 && p->k_w == 3 && fl) fn = dwk3x3_float; /* fixed point: the assembly path */
    if (p->k_h == 5 && p->k_w == 5) fn = fl ? dwk5x5_float : dwk5x5_clamp;
    if (p->k_h == 7 && p->k_w == 7) fn = fl ? dwk7x7_float : dwk7x7_clamp;
    if (!fn) return 0; /* other sizes: dw_general (code size) */
    uint32_t band[DW_BAND];
    const uint32_t zp4 = (uint32_t)(uint8_t)(-p->input_offset) * 0x01010101u;
    int32_t c = 0;
    for (; c + 4 <= p->in_c; c += 4) {
        dwk_block k;
        if (dwk_block_prepare(&k, weights, bias, multiplier, shift, p, c))
            dwk_block_run(p, input, output, &k, c, band, zp4, fn);
        else
            dw_general(input, weights, bias, multiplier, shift, output, p, c, c + 4);
    }
    return c;
}
#endif

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    int32_t c = 0;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    if (p->depth_multiplier == 1) {
        if (dwh_applies(p))
            c = (dw3map_applies(p) || dw6map_applies(p) ? dwmap_all : dwh_all)(input, weights, bias, multiplier, shift,
                                                                                output, p, 0);
        else if (p->k_h == 3 && p->k_w == 3 && p->requant == EDGEC_REQUANT_FIXED &&
                 (2 * p->dil_w + 1) * (2 * p->dil_h + 1) <= DW_BAND) {
            uint32_t band[DW_BAND];
            dw_ctx x;
            x.p = p;
            x.run_fn = p->act_min == -128 && p->act_max == 127 ? dw3x3_run_full : dw3x3_run_clamp;
            x.run.out_step = p->out_c;
            x.run.out_jump = p->out_w * p->out_c;
            x.run.lo = p->act_min;
            x.run.hi = p->act_max;
            x.zp4 = (uint32_t)(uint8_t)(-p->input_offset) * 0x01010101u;
            x.band = band;
            x.band_kept = 0;
            for (; c + 4 <= p->in_c; c += 4) {
                dw_block k;
                if (dw_block_prepare(&k, weights, bias, multiplier, shift, p, c))
                    dw3x3_block(&x, input, output, &k, c);
                else
                    dw_general(input, weights, bias, multiplier, shift, output, p, c, c + 4);
            }
        } else if (p->dil_h == 1 && p->dil_w == 1)
            c = dwk_all(input, weights, bias, multiplier, shift, output, p);
        if (c < p->in_c) dw_general(input, weights, bias, multiplier, shift, output, p, c, p->in_c);
        return;
    }
#endif
    dw_plain(input, weights, bias, multiplier, shift, output, p, c, p->in_c);
}

/* The tables' arithmetic in portable C, any shape (edgec_depthwise_conv2d_s8_packed off the 2 x 2 path): X = 2 * acc
 * with the input offset in the bias and the zero point where the input ends, then
 * out = SMMLAR(X, multiplier, 2^(r-1) + zp 2^r - [X < 0]) >> r, clamped (see the top of this file). */
static void dw_tables_portable(const int8_t *input, const int32_t *tables, int8_t *output,
                               const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, zpin = -p->input_offset;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
                for (int32_t c = 0; c < C; ++c) {
                    const int32_t *t = tables + 13 * c; /* block c / 4 at 52 (c / 4), channel c % 4 at 13 (c % 4) */
                    uint32_t x = (uint32_t)t[0];
                    for (int32_t ky = 0; ky < 3; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                        const uint32_t w01 = (uint32_t)t[4 + 2 * ky], w12 = (uint32_t)t[5 + 2 * ky];
                        const int32_t w[3] = {(int16_t)(w01 & 0xFFFFu), (int16_t)(w01 >> 16), (int16_t)(w12 >> 16)};
                        for (int32_t kx = 0; kx < 3; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                            const int32_t v = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w
                                                  ? in_b[((size_t)iy * p->in_w + ix) * C + c] : zpin;
                            x += (uint32_t)(w[kx] * v);
                        }
                    }
                    const int32_t X = (int32_t)x;
                    const int64_t a = (int64_t)(t[11] - (X < 0)) * 4294967296LL + (int64_t)X * t[10] + 2147483648LL;
                    int32_t y = (int32_t)(a >> 32) >> t[12];
                    y = y < p->act_min ? p->act_min : (y > p->act_max ? p->act_max : y);
                    out[c] = (int8_t)y;
                }
            }
    }
}

void edgec_depthwise_conv2d_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT tables,
                                      int8_t *EDGEC_RESTRICT output, const edgec_conv2d_s8_params *p) {
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    if (dwh_applies(p)) {
        (dw3map_applies(p) || dw6map_applies(p) ? dwmap_all : dwh_all)(input, 0, 0, 0, 0, output, p, tables);
        return;
    }
#endif
    dw_tables_portable(input, tables, output, p);
}
