/* Cortex-M twin of reference/edgec_conv2d_s8.c: the same loops, with the inner dot product on the DSP
 * extension (four int8 MACs per two SMLADs) when __ARM_FEATURE_DSP is set. Integer sums are exact, so the
 * results are bit-identical to the reference on every path. */
#include "edgec_conv2d_s8.h"

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
    int8_t raw[2][EDGEC_CONV_MAX_K];
    uint32_t col[EDGEC_CONV_MAX_K]; /* (K / 4) groups of four words */
    const int32_t K = p->k_h * p->k_w * p->in_c, K4 = K >> 2, n_pix = p->out_h * p->out_w;
    const int32_t off = p->input_offset, out_c = p->out_c;
    /* local copies: the int8 output stores may alias *p as far as the compiler knows */
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) | ((uint32_t)off << 16));
    const int32_t direct = (p->in_c & 3) == 0;
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
