/* Cortex-M twin of reference/edgec_conv2d_s8.c, bit-identical to it on every path. Two entry points:
 *
 * edgec_conv2d_s8_packed (what the compiler calls for TFLite-style fixed-point layers): weights, bias and
 * requantisation constants packed at compile time (compiler/edgec/ops/quantized_s8.py, pack_conv_s8; the
 * arithmetic is in runtimes/include/edgec_packed_s8.h). The convolution is a matrix product
 *     out[pixel][oc] = requant(bias'[oc] - corr[pixel] + sum over k of act[pixel][k] . w[oc][k])
 * computed three pixels at a time. K runs over the kernel rows, each row's k_w * in_c values padded to whole
 * words, so a row of taps inside the input is read straight from it (a pointwise layer: the pixel itself); rows
 * at the border are gathered with the input zero point for padding. The three pixels' activation words form a
 * "panel" (per group of four k: A, Y of pixel 0, 1, 2: 3 K bytes, built by a small asm loop, in free arena space
 * when the compiler found some, else on the stack). Then, with __ARM_FEATURE_DSP, a hand-scheduled loop
 * (edgec_conv_gemm3x2 below) runs over all pairs of output channels: per group of four k, one LDRD of the two
 * channels' weight words, two SXTB16, three LDRDs of the panel and twelve SMLADs make 24 MACs in 18 instructions
 * (wide layers: one LDM of the weight words and their stored SXTB16 results, 16), with the six accumulators,
 * operands and pointers all in registers; unrolled 16 times, entered Duff-style for k4 % 16. The requantisation
 * follows in the same loop (SMMLAR, shifts, SSAT, byte-wise clamp with SSUB8/SEL, one STRH per pixel and pair).
 * Without the DSP extension the same arithmetic runs in C.
 *
 * edgec_conv2d_s8 (the reference's signature: onnxruntime's float requantisation, layers the packer declines):
 * im2col of two pixels widened to int16 pairs with the offset added, then a 2x2 SMLAD loop with the weights
 * widened by SXTB16; the plain loops otherwise. */
#include "edgec_conv2d_s8.h"
#include "edgec_packed_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

/* sum over n of (a[i] + a_offset) * b[i]; |a + a_offset| <= 255 fits a halfword lane. */
EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t n, int32_t acc) {
    const int16x2_t off2 = (int16x2_t)(((uint32_t)a_offset & 0xFFFFu) | ((uint32_t)a_offset << 16));
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, b4;
        __builtin_memcpy(&a4, a + i, 4); /* one unaligned LDR on v7E-M (memcpy is not a builtin under -ffreestanding) */
        __builtin_memcpy(&b4, b + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), off2);
        const int16x2_t b02 = __sxtb16((int8x4_t)b4);
        const int16x2_t b13 = __sxtb16((int8x4_t)((b4 >> 8) | (b4 << 24)));
        acc = __smlad(a02, b02, acc);
        acc = __smlad(a13, b13, acc);
    }
    for (; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * (int32_t)b[i];
    return acc;
}
/* Two output channels at once: each group of four inputs is loaded and widened once for both. */
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t n,
                          int32_t *acc0, int32_t *acc1) {
    const int16x2_t off2 = (int16x2_t)(((uint32_t)a_offset & 0xFFFFu) | ((uint32_t)a_offset << 16));
    int32_t s0 = *acc0, s1 = *acc1, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, w4, v4;
        __builtin_memcpy(&a4, a + i, 4);
        __builtin_memcpy(&w4, b0 + i, 4);
        __builtin_memcpy(&v4, b1 + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), off2);
        s0 = __smlad(a02, __sxtb16((int8x4_t)w4), s0);
        s0 = __smlad(a13, __sxtb16((int8x4_t)((w4 >> 8) | (w4 << 24))), s0);
        s1 = __smlad(a02, __sxtb16((int8x4_t)v4), s1);
        s1 = __smlad(a13, __sxtb16((int8x4_t)((v4 >> 8) | (v4 << 24))), s1);
    }
    for (; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * (int32_t)b0[i];
        s1 += x * (int32_t)b1[i];
    }
    *acc0 = s0;
    *acc1 = s1;
}
/* ---- im2col + 2x2 GEMM fast path (DSP only) ----
 * Two output pixels at a time: each pixel's receptive field is widened straight from the input when in_c % 4 == 0,
 * else first gathered into a contiguous int8 row (padding taps hold the input zero point, so that x + input_offset
 * is 0 there exactly as the reference skips them); both rows are widened once into int16 pairs with the input
 * offset added, interleaved per four taps as [a(0,2) a(1,3) b(0,2) b(1,3)]: the order SXTB16 / SXTB16 ROR #8 gives
 * the weights. Each weight word then feeds
 * four SMLADs (two pixels), and two output channels go together (2x2 block). Integer sums only: bit-exact. */
#define EDGEC_CONV_MAX_K 576 /* k_h * k_w * in_c handled by the fast path (3x3x64); larger ones take the loop above */

EDGEC_INLINE uint32_t load_u32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
EDGEC_INLINE uint32_t ror8(uint32_t v) { return (v >> 8) | (v << 24); }
/* SXTB16 with its built-in ROR #8 (GCC does not fold the rotation into the instruction). */
EDGEC_INLINE int16x2_t sxtb16_ror8(uint32_t v) {
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

/* The receptive field of output pixel (oy, ox) as one contiguous int8 row of k_h * k_w * in_c. */
static const int8_t *gather(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t oy, int32_t ox,
                            int8_t *dst) {
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    if (p->k_h == 1 && p->k_w == 1 && y0 >= 0 && y0 < p->in_h && x0 >= 0 && x0 < p->in_w)
        return in_b + ((size_t)y0 * p->in_w + x0) * p->in_c; /* pointwise: the pixel itself */
    const int8_t pad = (int8_t)(-p->input_offset);
    int8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < p->in_c; ++c) d[c] = pad;
            } else {
                const int8_t *s = in_b + ((size_t)iy * p->in_w + ix) * p->in_c;
                for (int32_t c = 0; c < p->in_c; ++c) d[c] = s[c];
            }
            d += p->in_c;
        }
    }
    return dst;
}

/* Both receptive fields widened straight from the input when in_c % 4 == 0 (a group of four never spans two taps):
 * a tap outside the input reads the zero-point word with stride 0, which widens to exactly 0 after the offset. */
static void im2col_pair(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t na, int32_t nb, uint32_t *c,
                        int16x2_t off2) {
    const uint32_t zp4 = (uint32_t)(uint8_t)(int8_t)(-p->input_offset) * 0x01010101u;
    const int32_t ya = (na / p->out_w) * p->stride_h - p->pad_top, xa = (na % p->out_w) * p->stride_w - p->pad_left;
    const int32_t yb = (nb / p->out_w) * p->stride_h - p->pad_top, xb = (nb % p->out_w) * p->stride_w - p->pad_left;
    const int32_t G = p->in_c >> 2;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iya = ya + ky * p->dil_h, iyb = yb + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ixa = xa + kx * p->dil_w, ixb = xb + kx * p->dil_w;
            const int8_t *pa = (const int8_t *)&zp4, *pb = (const int8_t *)&zp4;
            int32_t sa = 0, sb = 0;
            if (iya >= 0 && iya < p->in_h && ixa >= 0 && ixa < p->in_w) {
                pa = in_b + ((size_t)iya * p->in_w + ixa) * p->in_c;
                sa = 4;
            }
            if (iyb >= 0 && iyb < p->in_h && ixb >= 0 && ixb < p->in_w) {
                pb = in_b + ((size_t)iyb * p->in_w + ixb) * p->in_c;
                sb = 4;
            }
            for (int32_t g = G; g > 0; --g, c += 4, pa += sa, pb += sb) {
                const uint32_t a4 = load_u32(pa), b4 = load_u32(pb);
                c[0] = (uint32_t)__sadd16(__sxtb16((int8x4_t)a4), off2);
                c[1] = (uint32_t)__sadd16(sxtb16_ror8(a4), off2);
                c[2] = (uint32_t)__sadd16(__sxtb16((int8x4_t)b4), off2);
                c[3] = (uint32_t)__sadd16(sxtb16_ror8(b4), off2);
            }
        }
    }
}

static void conv_gemm(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                      const int32_t *shift, int8_t *out_b, const edgec_conv2d_s8_params *p) {
    const int32_t K = p->k_h * p->k_w * p->in_c, K4 = K >> 2, n_pix = p->out_h * p->out_w;
    const int32_t direct = (p->in_c & 3) == 0;
    int8_t raw[2][direct ? 4 : K]; /* scratch sized to the call */
    uint32_t col[K4 > 0 ? 4 * K4 : 1]; /* K4 groups of four words */
    const int32_t off = p->input_offset, out_c = p->out_c;
    /* local copies: the int8 output stores may alias *p as far as the compiler knows */
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) | ((uint32_t)off << 16));
    for (int32_t n = 0; n < n_pix; n += 2) {
        const int32_t has_b = n + 1 < n_pix;
        const int8_t *a = raw[0], *b = raw[1]; /* read only by the K % 4 tail, i.e. never when in_c % 4 == 0 */
        if (direct) {
            im2col_pair(in_b, p, n, has_b ? n + 1 : n, col, off2);
        } else {
            a = gather(in_b, p, n / p->out_w, n % p->out_w, raw[0]);
            b = has_b ? gather(in_b, p, (n + 1) / p->out_w, (n + 1) % p->out_w, raw[1]) : a;
        }
        uint32_t *c = col;
        for (int32_t g = direct ? K4 : 0; g < K4; ++g, c += 4) {
            const uint32_t a4 = load_u32(a + 4 * g), b4 = load_u32(b + 4 * g);
            c[0] = (uint32_t)__sadd16(__sxtb16((int8x4_t)a4), off2);
            c[1] = (uint32_t)__sadd16(sxtb16_ror8(a4), off2);
            c[2] = (uint32_t)__sadd16(__sxtb16((int8x4_t)b4), off2);
            c[3] = (uint32_t)__sadd16(sxtb16_ror8(b4), off2);
        }
        int8_t *out_a = out_b + (size_t)n * p->out_c, *out_bb = out_a + out_c;
        for (int32_t oc = 0; oc < out_c; oc += 2) {
            const int32_t has_1 = oc + 1 < out_c;
            const int8_t *w0 = weights + (size_t)oc * K, *w1 = has_1 ? w0 + K : w0;
            int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0; /* s<channel><pixel> */
            const uint32_t *x = col;
            for (int32_t g = K4; g > 0; --g) {
                uint64_t xa, xb; /* LDRD pairs: col is word aligned */
                __builtin_memcpy(&xa, x, 8);
                __builtin_memcpy(&xb, x + 2, 8);
                x += 4;
                const int16x2_t xa02 = (int16x2_t)(uint32_t)xa, xa13 = (int16x2_t)(uint32_t)(xa >> 32);
                const int16x2_t xb02 = (int16x2_t)(uint32_t)xb, xb13 = (int16x2_t)(uint32_t)(xb >> 32);
                uint32_t w = load_u32(w0);
                w0 += 4;
                int16x2_t w02 = __sxtb16((int8x4_t)w), w13 = sxtb16_ror8(w);
                s00 = __smlad(xa02, w02, s00);
                s01 = __smlad(xb02, w02, s01);
                s00 = __smlad(xa13, w13, s00);
                s01 = __smlad(xb13, w13, s01);
                w = load_u32(w1);
                w1 += 4;
                w02 = __sxtb16((int8x4_t)w);
                w13 = sxtb16_ror8(w);
                s10 = __smlad(xa02, w02, s10);
                s11 = __smlad(xb02, w02, s11);
                s10 = __smlad(xa13, w13, s10);
                s11 = __smlad(xb13, w13, s11);
            }
            for (int32_t k = K4 * 4; k < K; ++k, ++w0, ++w1) { /* K % 4 tail */
                const int32_t xa = (int32_t)a[k] + off, xb = (int32_t)b[k] + off;
                s00 += xa * (int32_t)*w0;
                s01 += xb * (int32_t)*w0;
                s10 += xa * (int32_t)*w1;
                s11 += xb * (int32_t)*w1;
            }
            const int32_t b0 = bias ? bias[oc] : 0;
            const rq_channel q0 = rq_prepare(multiplier[oc], shift[oc]);
            out_a[oc] = (int8_t)rq_apply(s00 + b0, q0, zp, lo, hi);
            if (has_b) out_bb[oc] = (int8_t)rq_apply(s01 + b0, q0, zp, lo, hi);
            if (has_1) {
                const int32_t b1 = bias ? bias[oc + 1] : 0;
                const rq_channel q1 = rq_prepare(multiplier[oc + 1], shift[oc + 1]);
                out_a[oc + 1] = (int8_t)rq_apply(s10 + b1, q1, zp, lo, hi);
                if (has_b) out_bb[oc + 1] = (int8_t)rq_apply(s11 + b1, q1, zp, lo, hi);
            }
        }
    }
}
/* The fast paths requantise in EDGEC_REQUANT_FIXED mode only, with no INT32_MIN multiplier (SRDHM's saturating
 * case); anything else takes the plain loop with edgec_requant. */
static int32_t fixed_multipliers(const int32_t *multiplier, const edgec_conv2d_s8_params *p) {
    if (p->requant != EDGEC_REQUANT_FIXED) return 0;
    for (int32_t c = 0; c < p->out_c; ++c)
        if (multiplier[c] == INT32_MIN) return 0;
    return 1;
}
#define EDGEC_CONV_GEMM 1
#else
#define EDGEC_CONV_GEMM 0
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t n,
                          int32_t *acc0, int32_t *acc1) {
    int32_t s0 = *acc0, s1 = *acc1;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * (int32_t)b0[i];
        s1 += x * (int32_t)b1[i];
    }
    *acc0 = s0;
    *acc1 = s1;
}

EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t n, int32_t acc) {
    for (int32_t i = 0; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * (int32_t)b[i];
    return acc;
}
#endif

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
#if EDGEC_CONV_GEMM
        if (p->k_h * p->k_w * p->in_c <= EDGEC_CONV_MAX_K && fixed_multipliers(multiplier, p)) {
            conv_gemm(in_b, weights, bias, multiplier, shift, output + (size_t)b * p->out_h * p->out_w * p->out_c, p);
            continue;
        }
#endif
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                const size_t w_stride = (size_t)p->k_h * p->k_w * p->in_c;
                int32_t oc = 0;
                for (; oc + 2 <= p->out_c; oc += 2) {
                    int32_t acc0 = 0, acc1 = 0;
                    const int8_t *w0 = weights + (size_t)oc * w_stride;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const size_t wo = ((size_t)ky * p->k_w + kx) * p->in_c;
                            dot2_s8(in_b + ((size_t)iy * p->in_w + ix) * p->in_c, p->input_offset, w0 + wo,
                                    w0 + w_stride + wo, p->in_c, &acc0, &acc1);
                        }
                    }
                    if (bias) {
                        acc0 += bias[oc];
                        acc1 += bias[oc + 1];
                    }
                    out[oc] = (int8_t)edgec_requant(acc0, multiplier[oc], shift[oc], p->requant, p->output_offset,
                                                    p->act_min, p->act_max);
                    out[oc + 1] = (int8_t)edgec_requant(acc1, multiplier[oc + 1], shift[oc + 1], p->requant,
                                                        p->output_offset, p->act_min, p->act_max);
                }
                for (; oc < p->out_c; ++oc) { /* odd channel count: the last one alone */
                    int32_t acc = 0;
                    const int8_t *w_oc = weights + (size_t)oc * p->k_h * p->k_w * p->in_c;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            acc = dot_s8(in_b + ((size_t)iy * p->in_w + ix) * p->in_c, p->input_offset,
                                         w_oc + ((size_t)ky * p->k_w + kx) * p->in_c, p->in_c, acc);
                        }
                    }
                    if (bias) acc += bias[oc];
                    out[oc] = (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset,
                                                       p->act_min, p->act_max);
                }
            }
        }
    }
}

/* ---- edgec_conv2d_s8_packed --------------------------------------------------------------------------------
 * packed: header [k4, l = left shift + 1, variant (1: sign_fix, 2: clamp, 8: wide), channel pairs], then per pair
 * of output channels: [bias'0, bias'1], k4 x [weight word ch0, weight word ch1] (wide: k4 x [W ch0, W ch1, O ch0,
 * O ch1], the SXTB16 ROR #8 of the words stored too, which the loop then loads instead of computing), [m0, c0, e0,
 * m1, c1, e1] (an odd last channel is paired with a zero one). Three output pixels at a time: the panel holds, per group of four k,
 * A, Y of pixel 0, A, Y of pixel 1, A, Y of pixel 2 (EDGEC_CONV_PX words per pixel and group). */
#define EDGEC_CONV_PX 3

/* n4 groups of activation words for the panel's three pixels, pixel i's from s[i], into dst[0..5], dst[6..11],
 * ...; corr[i] += 128 * the sum of pixel i's A halfwords. Returns dst past the words written. */
#if EDGEC_PACKED_DSP
uint32_t *edgec_conv_panel3(uint32_t *dst, const int8_t *const s[3], int32_t n4, int32_t corr[3]);
/* 16 instructions (18 estimated cycles) per group: GCC's loop took 24 and spilt a source pointer. */
__asm__(
    "   .pushsection .text.edgec_conv_panel3,\"ax\",%progbits\n"
    "   .syntax unified\n"
    "   .thumb\n"
    "   .balign 4\n"
    "   .global edgec_conv_panel3\n"
    "   .hidden edgec_conv_panel3\n"
    "   .type   edgec_conv_panel3, %function\n"
    "   .thumb_func\n"
    "edgec_conv_panel3:\n"               /* r0 dst, r1 s, r2 n4 (>= 1), r3 corr */
    "   push    {r3-r11, lr}\n"
    "   mov     lr, r2\n"
    "   ldm     r1, {r1-r3}\n"           /* the three sources (unaligned words: LDR only) */
    "   ldr     r4, [sp]\n"
    "   ldm     r4, {r8-r10}\n"          /* corr */
    "   mvn     r11, #0x007F007F\n"      /* 0xFF80FF80: Y = X ^ r11 */
    "   mov     r12, #0x00800080\n"
    ".Lcp_group:\n"
    "   ldr     r5, [r1], #4\n"
    "   ldr     r7, [r2], #4\n"
    "   sxtb16  r4, r5, ror #8\n"
    "   eor     r5, r5, r11\n"
    "   sxtb16  r6, r7, ror #8\n"
    "   eor     r7, r7, r11\n"
    "   smlad   r8, r4, r12, r8\n"
    "   smlad   r9, r6, r12, r9\n"
    "   stmia   r0!, {r4-r7}\n"
    "   ldr     r5, [r3], #4\n"
    "   sxtb16  r4, r5, ror #8\n"
    "   eor     r5, r5, r11\n"
    "   smlad   r10, r4, r12, r10\n"
    "   strd    r4, r5, [r0], #8\n"
    "   subs    lr, lr, #1\n"
    "   bne     .Lcp_group\n"
    "   ldr     r3, [sp]\n"
    "   stm     r3, {r8-r10}\n"
    "   pop     {r3-r11, pc}\n"
    "   .size   edgec_conv_panel3, . - edgec_conv_panel3\n"
    "   .popsection\n");
EDGEC_INLINE uint32_t *panel_words(uint32_t *dst, const int8_t *s0, const int8_t *s1, const int8_t *s2, int32_t n4,
                                   int32_t corr[3]) {
    const int8_t *const s[3] = {s0, s1, s2};
    return edgec_conv_panel3(dst, s, n4, corr);
}
#else
EDGEC_INLINE uint32_t *panel_words(uint32_t *dst, const int8_t *s0, const int8_t *s1, const int8_t *s2, int32_t n4,
                                   int32_t corr[3]) {
    int32_t c0 = corr[0], c1 = corr[1], c2 = corr[2];
    for (; n4 > 0; --n4, s0 += 4, s1 += 4, s2 += 4, dst += 6) {
        const uint32_t x0 = pk_load_u32(s0), x1 = pk_load_u32(s1), x2 = pk_load_u32(s2);
        const uint32_t a0 = pk_sxtb16_ror8(x0), a1 = pk_sxtb16_ror8(x1), a2 = pk_sxtb16_ror8(x2);
        dst[0] = a0;
        dst[1] = x0 ^ 0xFF80FF80u;
        dst[2] = a1;
        dst[3] = x1 ^ 0xFF80FF80u;
        dst[4] = a2;
        dst[5] = x2 ^ 0xFF80FF80u;
        c0 = pk_smlad(a0, 0x00800080u, c0);
        c1 = pk_smlad(a1, 0x00800080u, c1);
        c2 = pk_smlad(a2, 0x00800080u, c2);
    }
    corr[0] = c0;
    corr[1] = c1;
    corr[2] = c2;
    return dst;
}
#endif

/* Where a pixel's row of taps (k_w * in_c bytes, then up to 3 bytes the weights ignore) comes from: straight from
 * the input when the whole row is inside it (and reading the word-rounded row stays inside), pad (row4 words of
 * the input zero point) when the row is all padding, else gathered into buf. */
static const int8_t *tap_row(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t iy, int32_t x0,
                             int32_t row4, const int8_t *pad, int8_t *buf) {
    const int32_t in_c = p->in_c, in_w = p->in_w, k_w = p->k_w;
    if (iy < 0 || iy >= p->in_h) return pad;
    const int8_t *row = in_b + (size_t)iy * in_w * in_c;
    if (p->dil_w == 1 && x0 >= 0 && x0 + k_w <= in_w &&
        (x0 + k_w < in_w || iy + 1 < p->in_h || k_w * in_c == 4 * row4)) /* no read past the input */
        return row + (size_t)x0 * in_c;
    int8_t *d = buf;
    for (int32_t kx = 0; kx < k_w; ++kx, d += in_c) {
        const int32_t ix = x0 + kx * p->dil_w;
        const int8_t *s = ix >= 0 && ix < in_w ? row + (size_t)ix * in_c : pad; /* pad: at least in_c bytes */
        for (int32_t c = 0; c < in_c; ++c) d[c] = s[c];
    }
    return buf;
}

/* 1 if every row of taps of the pixel whose top-left tap is (y0, x0) can be read straight from the input. */
EDGEC_INLINE int32_t interior(const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0, int32_t row4) {
    const int32_t y_last = y0 + (p->k_h - 1) * p->dil_h, x_end = x0 + p->k_w;
    return p->dil_w == 1 && y0 >= 0 && y_last < p->in_h && x0 >= 0 && x_end <= p->in_w &&
           (x_end < p->in_w || y_last + 1 < p->in_h || p->k_w * p->in_c == 4 * row4);
}

/* The panel for output pixels n[0..2] and their corr: per kernel row, row4 words of each. buf: 3 x 4 * row4
 * bytes of scratch for rows that must be gathered, then 4 * row4 bytes of the input zero point. */
static void conv_panel(uint32_t *panel, const int8_t *in_b, const edgec_conv2d_s8_params *p, const int32_t n[3],
                       int32_t row4, int8_t *buf, int32_t corr[3]) {
    int32_t y[EDGEC_CONV_PX], x[EDGEC_CONV_PX], inside = 1;
    for (int32_t i = 0; i < EDGEC_CONV_PX; ++i) {
        y[i] = (n[i] / p->out_w) * p->stride_h - p->pad_top;
        x[i] = (n[i] % p->out_w) * p->stride_w - p->pad_left;
        inside &= interior(p, y[i], x[i], row4);
    }
    corr[0] = corr[1] = corr[2] = 0;
    if (inside) {
        const size_t line = (size_t)p->in_w * p->in_c, step = line * p->dil_h;
        const int8_t *r0 = in_b + (size_t)y[0] * line + (size_t)x[0] * p->in_c;
        const int8_t *r1 = in_b + (size_t)y[1] * line + (size_t)x[1] * p->in_c;
        const int8_t *r2 = in_b + (size_t)y[2] * line + (size_t)x[2] * p->in_c;
        for (int32_t ky = p->k_h; ky > 0; --ky, r0 += step, r1 += step, r2 += step)
            panel = panel_words(panel, r0, r1, r2, row4, corr);
        return;
    }
    const int8_t *pad = buf + 12 * row4; /* a row of padding taps: the input zero point */
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int8_t *r0 = tap_row(in_b, p, y[0] + ky * p->dil_h, x[0], row4, pad, buf);
        const int8_t *r1 = tap_row(in_b, p, y[1] + ky * p->dil_h, x[1], row4, pad, buf + 4 * row4);
        const int8_t *r2 = tap_row(in_b, p, y[2] + ky * p->dil_h, x[2], row4, pad, buf + 8 * row4);
        panel = panel_words(panel, r0, r1, r2, row4, corr);
    }
}

#define EDGEC_CONV_WIDE 8 /* the packed stream's variant bit: O words stored beside the W words */

/* One pair of output channels (nch = 1: only the first is real) for the panel's three pixels, in C. gw: words per
 * group of four k in the stream (2, or 4 when wide: the O words are recomputed from W here). */
static void conv_pair_c(const uint32_t *panel, const int32_t *ws, int32_t k4, int32_t gw, const int32_t corr[3],
                        int8_t *out[3], int32_t nch, int32_t l, int32_t variant, int32_t lo, int32_t hi) {
    for (int32_t ch = 0; ch < nch; ++ch) {
        const int32_t *tab = ws + 2 + gw * k4 + 3 * ch;
        for (int32_t px = 0; px < EDGEC_CONV_PX; ++px) {
            const int32_t acc = pk_dot(panel + 2 * px, 2 * EDGEC_CONV_PX, ws + 2 + ch, gw, k4, ws[ch] - corr[px]);
            const int32_t v = pk_requant(acc, l, tab[0], tab[1], tab[2], variant & PK_SIGN_FIX);
            out[px][ch] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
        }
    }
}

#if EDGEC_PACKED_DSP
/* The register-blocked loop over all channel pairs of one pixel triple. The frame is copied onto the loop's own
 * stack, which it addresses as [sp, #offset] (all 14 usable registers are busy in the inner loop). */
typedef struct {
    const uint32_t *panel;       /* 0 */
    const uint32_t *panel_end;   /* 4 */
    int8_t *out0, *out1, *out2;  /* 8, 12, 16: where the next pair's two bytes go, for pixels 0, 1, 2 */
    int32_t corr0, corr1, corr2; /* 20, 24, 28 */
    const int32_t *w_end;        /* 32: the packed stream after the last pair this call computes */
    uint32_t entry;              /* 36: where the unrolled k loop (wide or not) starts for k4 % 16 (..._prepare) */
    uint32_t epilogue;           /* 40: the requantisation variant (set by ..._prepare) */
    int32_t l;                   /* 44 */
    uint32_t lo4, hi4;           /* 48, 52: act_min, act_max in each byte */
    const int32_t *w;            /* 56: the first pair's stream */
} conv_gemm_frame;

void edgec_conv_gemm3x2(const conv_gemm_frame *f);
void edgec_conv_gemm3x2_prepare(conv_gemm_frame *f, int32_t k4, int32_t variant);

/* Registers in the k loop: r0 panel, r1 packed stream, r2/r3 one pixel's A, Y at a time, r4/r5 the two channels'
 * weight words W (read as halfwords they pair with A), r6/r7 their SXTB16 ROR #8 (O, paired with Y), r8-r10
 * channel 0's accumulators for pixels 0-2, r11 r12 lr channel 1's. Per group of four k: one LDRD of weights and
 * three of the panel, two SXTB16, twelve SMLADs: 24 MACs in 18 instructions and 18 estimated cycles (2x2 blocks
 * took 12 and 13 per 16). Every step is the same 72 bytes of 32-bit instructions, so _prepare can point the first
 * pass into the middle of the unrolled body. */
__asm__(
    "   .pushsection .text.edgec_conv_gemm3x2,\"ax\",%progbits\n"
    "   .syntax unified\n"
    "   .thumb\n"
    "   .macro CG_PX acc0, acc1\n"
    "   ldrd    r2, r3, [r0], #8\n"
    "   smlad   \\acc0, r2, r4, \\acc0\n"
    "   smlad   \\acc0, r3, r6, \\acc0\n"
    "   smlad   \\acc1, r2, r5, \\acc1\n"
    "   smlad   \\acc1, r3, r7, \\acc1\n"
    "   .endm\n"
    "   .macro CG_STEP\n"
    "   ldrd    r4, r5, [r1], #8\n"
    "   sxtb16  r6, r4, ror #8\n"
    "   sxtb16  r7, r5, ror #8\n"
    "   CG_PX   r8, r11\n"
    "   CG_PX   r9, r12\n"
    "   CG_PX   r10, lr\n"
    "   .endm\n"
    /* wide: W0 W1 O0 O1 in one LDM (2 cycles, where LDRD + 2 SXTB16 take 3): 16 instructions, 17 cycles */
    "   .macro CG_STEP_WIDE\n"
    "   ldmia.w r1!, {r4-r7}\n"
    "   CG_PX   r8, r11\n"
    "   CG_PX   r9, r12\n"
    "   CG_PX   r10, lr\n"
    "   .endm\n"
    /* acc -> int8 (edgec_packed_s8.h, pk_requant); r2 m, r3 c, r4 e, r5 l, r0 scratch */
    "   .macro CG_RQ acc, sign\n"
    "   lsl     \\acc, \\acc, r5\n"
    "   .if \\sign\n"
    "   smmlar  r0, \\acc, r2, r3\n"
    "   sub     \\acc, r0, \\acc, lsr #31\n"
    "   asr     \\acc, \\acc, r4\n"
    "   .else\n"
    "   smmlar  \\acc, \\acc, r2, r3\n"
    "   asr     \\acc, \\acc, r4\n"
    "   .endif\n"
    "   ssat    \\acc, #8, \\acc\n"
    "   .endm\n"
    /* max(v, lo), min(v, hi) byte-wise: r6 lo4, r7 hi4 */
    "   .macro CG_CLAMP v\n"
    "   ssub8   r0, \\v, r6\n"
    "   sel     \\v, \\v, r6\n"
    "   ssub8   r0, r7, \\v\n"
    "   sel     \\v, \\v, r7\n"
    "   .endm\n"
    "   .macro CG_EPI sign, clamp\n"
    "   ldmia   r1!, {r2-r4}\n"          /* m0 c0 e0 */
    "   ldr     r5, [sp, #44]\n"
    "   CG_RQ   r8, \\sign\n"
    "   CG_RQ   r9, \\sign\n"
    "   CG_RQ   r10, \\sign\n"
    "   ldmia   r1!, {r2-r4}\n"          /* m1 c1 e1 */
    "   CG_RQ   r11, \\sign\n"
    "   CG_RQ   r12, \\sign\n"
    "   CG_RQ   lr, \\sign\n"
    "   bfi     r8, r11, #8, #8\n"        /* pixel 0: bytes ch0, ch1 */
    "   bfi     r9, r12, #8, #8\n"        /* pixel 1 */
    "   bfi     r10, lr, #8, #8\n"        /* pixel 2 */
    "   .if \\clamp\n"
    "   ldrd    r6, r7, [sp, #48]\n"
    "   CG_CLAMP r8\n"
    "   CG_CLAMP r9\n"
    "   CG_CLAMP r10\n"
    "   .endif\n"
    "   ldrd    r2, r3, [sp, #8]\n"
    "   ldr     r4, [sp, #16]\n"
    "   strh    r8, [r2], #2\n"
    "   strh    r9, [r3], #2\n"
    "   strh    r10, [r4], #2\n"
    "   strd    r2, r3, [sp, #8]\n"
    "   str     r4, [sp, #16]\n"
    "   ldr     r2, [sp, #32]\n"
    "   cmp     r1, r2\n"
    "   bne     .Lcg_pair\n"
    "   b       .Lcg_done\n"
    "   .endm\n"
    "   .balign 4\n"
    "   .global edgec_conv_gemm3x2\n"
    "   .hidden edgec_conv_gemm3x2\n"
    "   .type   edgec_conv_gemm3x2, %function\n"
    "   .thumb_func\n"
    "edgec_conv_gemm3x2:\n"
    "   push    {r4-r11, lr}\n"
    "   ldrd    r1, r2, [r0, #52]\n"     /* the frame's last two words first */
    "   push    {r1, r2}\n"
    "   ldm     r0, {r0-r12}\n"
    "   push    {r0-r12}\n"              /* the frame, at [sp] */
    "   ldr     r1, [sp, #56]\n"          /* the first pair's stream */
    ".Lcg_pair:\n"
    "   ldrd    r2, r3, [r1], #8\n"      /* bias'0, bias'1 */
    "   ldrd    r4, r5, [sp, #20]\n"     /* corr0, corr1 */
    "   ldr     r6, [sp, #28]\n"         /* corr2 */
    "   sub     r8, r2, r4\n"
    "   sub     r9, r2, r5\n"
    "   sub     r10, r2, r6\n"
    "   sub     r11, r3, r4\n"
    "   sub     r12, r3, r5\n"
    "   sub     lr, r3, r6\n"
    "   ldr     r0, [sp]\n"
    "   ldr     pc, [sp, #36]\n"         /* into the k loop */
    ".Lcg_k:\n"
    "   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n"
    "   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n   CG_STEP\n"
    "   ldr     r2, [sp, #4]\n"
    "   cmp     r0, r2\n"
    "   bne     .Lcg_k\n"
    "   ldr     pc, [sp, #40]\n"         /* into the requantisation variant */
    ".Lcg_kw:\n"
    "   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n"
    "   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n"
    "   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n"
    "   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n   CG_STEP_WIDE\n"
    "   ldr     r2, [sp, #4]\n"
    "   cmp     r0, r2\n"
    "   bne     .Lcg_kw\n"
    "   ldr     pc, [sp, #40]\n"
    ".Lcg_epi0:\n"
    "   CG_EPI  0, 0\n"
    ".Lcg_epi1:\n"
    "   CG_EPI  1, 0\n"
    ".Lcg_epi2:\n"
    "   CG_EPI  0, 1\n"
    ".Lcg_epi3:\n"
    "   CG_EPI  1, 1\n"
    ".Lcg_done:\n"
    "   add     sp, sp, #60\n"
    "   pop     {r4-r11, pc}\n"
    "   .size   edgec_conv_gemm3x2, . - edgec_conv_gemm3x2\n"
    "   .balign 4\n"
    "   .global edgec_conv_gemm3x2_prepare\n"
    "   .hidden edgec_conv_gemm3x2_prepare\n"
    "   .type   edgec_conv_gemm3x2_prepare, %function\n"
    "   .thumb_func\n"
    "edgec_conv_gemm3x2_prepare:\n"      /* r0 frame, r1 k4, r2 variant (bit 8: wide) */
    "   and     r1, r1, #15\n"
    "   rsb     r1, r1, #16\n"
    "   and     r1, r1, #15\n"           /* steps the first pass skips */
    "   tst     r2, #8\n"
    "   beq     1f\n"
    "   adr.w   r3, .Lcg_kw\n"
    "   mov     r12, #64\n"
    "   b       2f\n"
    "1: adr.w   r3, .Lcg_k\n"
    "   mov     r12, #72\n"
    "2: and     r2, r2, #3\n"
    "   mla     r3, r1, r12, r3\n"
    "   orr     r3, r3, #1\n"
    "   str     r3, [r0, #36]\n"
    "   adr     r3, .Lcg_epis\n"
    "   ldr     r3, [r3, r2, lsl #2]\n"
    "   str     r3, [r0, #40]\n"
    "   bx      lr\n"
    "   .balign 4\n"
    ".Lcg_epis:\n"
    "   .word   .Lcg_epi0 + 1, .Lcg_epi1 + 1, .Lcg_epi2 + 1, .Lcg_epi3 + 1\n"
    "   .size   edgec_conv_gemm3x2_prepare, . - edgec_conv_gemm3x2_prepare\n"
    "   .purgem CG_PX\n"
    "   .purgem CG_STEP\n"
    "   .purgem CG_STEP_WIDE\n"
    "   .purgem CG_RQ\n"
    "   .purgem CG_CLAMP\n"
    "   .purgem CG_EPI\n"
    "   .popsection\n");
#endif

/* The pixel loop, apart from the entry point's variable-length buffers (which cost a frame pointer). */
static __attribute__((noinline)) void conv_packed(const int8_t *input, const int32_t *packed, int8_t *output,
                                                  const edgec_conv2d_s8_params *p, uint32_t *panel, int8_t *raw) {
    const int32_t k4 = packed[0], l = packed[1], variant = packed[2], pairs = packed[3];
    const int32_t *w = packed + 4;
    const int32_t gw = variant & EDGEC_CONV_WIDE ? 4 : 2, pair_words = 8 + gw * k4, out_c = p->out_c, n_pix = p->out_h * p->out_w, in_c = p->in_c;
    const int32_t lo = p->act_min, hi = p->act_max, row4 = k4 / p->k_h;
    /* pointwise without padding: pixel n reads input pixel (oy * stride_h, ox * stride_w), whole */
    const int32_t pointwise = p->k_h == 1 && p->k_w == 1 && p->pad_top == 0 && p->pad_left == 0 && (in_c & 3) == 0 &&
                              (p->out_h - 1) * p->stride_h < p->in_h && (p->out_w - 1) * p->stride_w < p->in_w;
#if EDGEC_PACKED_DSP
    const int32_t asm_pairs = out_c >> 1; /* an odd last channel is left to C: its pair's second byte is not ours */
    conv_gemm_frame f;
    f.panel = panel;
    f.panel_end = panel + 2 * EDGEC_CONV_PX * k4;
    f.w_end = w + asm_pairs * pair_words;
    f.l = l;
    f.lo4 = (uint32_t)(uint8_t)lo * 0x01010101u;
    f.hi4 = (uint32_t)(uint8_t)hi * 0x01010101u;
    f.w = w;
    edgec_conv_gemm3x2_prepare(&f, k4, variant & (EDGEC_CONV_WIDE | 3));
#else
    const int32_t asm_pairs = 0;
#endif
    for (int32_t i = 0; i < 4 * row4; ++i) raw[12 * row4 + i] = (int8_t)(-p->input_offset); /* conv_panel's pad */
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * in_c;
        int8_t *out_b = output + (size_t)b * n_pix * out_c;
        for (int32_t n = 0; n < n_pix; n += EDGEC_CONV_PX) {
            /* the last pixel stands in for the missing ones of a partial last triple (computed twice, same bytes) */
            const int32_t px[EDGEC_CONV_PX] = {n, n + 1 < n_pix ? n + 1 : n_pix - 1, n + 2 < n_pix ? n + 2 : n_pix - 1};
            int32_t corr[EDGEC_CONV_PX] = {0, 0, 0};
            int8_t *out[EDGEC_CONV_PX];
            if (pointwise) {
                const int8_t *s[EDGEC_CONV_PX];
                for (int32_t i = 0; i < EDGEC_CONV_PX; ++i)
                    s[i] = in_b + ((size_t)(px[i] / p->out_w) * p->stride_h * p->in_w +
                                   (size_t)(px[i] % p->out_w) * p->stride_w) * in_c;
                panel_words(panel, s[0], s[1], s[2], k4, corr);
            } else {
                conv_panel(panel, in_b, p, px, row4, raw, corr);
            }
            for (int32_t i = 0; i < EDGEC_CONV_PX; ++i) out[i] = out_b + (size_t)px[i] * out_c;
#if EDGEC_PACKED_DSP
            if (asm_pairs > 0) {
                f.out0 = out[0];
                f.out1 = out[1];
                f.out2 = out[2];
                f.corr0 = corr[0];
                f.corr1 = corr[1];
                f.corr2 = corr[2];
                edgec_conv_gemm3x2(&f);
            }
#endif
            for (int32_t pr = asm_pairs; pr < pairs; ++pr) {
                int8_t *o[EDGEC_CONV_PX] = {out[0] + 2 * pr, out[1] + 2 * pr, out[2] + 2 * pr};
                conv_pair_c(panel, w + pr * pair_words, k4, gw, corr, o, 2 * pr + 1 < out_c ? 2 : 1, l, variant, lo,
                            hi);
            }
        }
    }
}

void edgec_conv2d_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT packed,
                            int8_t *EDGEC_RESTRICT output, const edgec_conv2d_s8_params *p, void *scratch) {
    const int32_t k4 = packed[0], row4 = k4 / p->k_h;
    if (scratch != 0) { /* free arena space the compiler found */
        conv_packed(input, packed, output, p, (uint32_t *)scratch, (int8_t *)scratch + 8 * EDGEC_CONV_PX * k4);
        return;
    }
    uint32_t panel[2 * EDGEC_CONV_PX * k4];     /* three pixels' activation words: 3 K bytes */
    int8_t raw[4 * (EDGEC_CONV_PX + 1) * row4]; /* three gathered rows of taps, a row of padding */
    conv_packed(input, packed, output, p, panel, raw);
}
