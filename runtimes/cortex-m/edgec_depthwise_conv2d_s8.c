/* Cortex-M twin of reference/edgec_depthwise_conv2d_s8.c. With __ARM_FEATURE_DSP and depth multiplier 1, four
 * channels go at once: one 32-bit load of inputs and one of weights, widened with SXTB16, then SMLABB/SMLATT
 * (one multiply-accumulate per channel and tap). Integer sums are exact: bit-identical to the reference. */
#include "edgec_depthwise_conv2d_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

EDGEC_INLINE uint32_t load_u32(const int8_t *q) {
    uint32_t v;
    __builtin_memcpy(&v, q, 4);
    return v;
}
/* SXTB16 with its built-in ROR #8 (GCC does not fold the rotation into the instruction). */
EDGEC_INLINE int16x2_t sxtb16_ror8(uint32_t v) {
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
/* First tap index k with 0 <= o + k * d < n, and one past the last (k < k_n). */
EDGEC_INLINE int32_t tap_lo(int32_t o, int32_t d) { return o >= 0 ? 0 : (-o + d - 1) / d; }
EDGEC_INLINE int32_t tap_hi(int32_t o, int32_t d, int32_t n, int32_t k_n) {
    if (o >= n) return 0;
    const int32_t hi = (n - o + d - 1) / d;
    return hi < k_n ? hi : k_n;
}

/* One output pixel, depth multiplier 1: the valid tap window is found once, then four channels at a time walk it
 * by pointer (one 32-bit load of inputs and one of weights per tap, SXTB16 widening, SMLABB/SMLATT). */
#define EDGEC_DW_MAX_C 512 /* channels of the accumulator row on the stack */
static void dw_pixel(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                     const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0,
                     int32_t *acc) {
    const int32_t C = p->in_c, off = p->input_offset;
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int16x2_t off2 = (int16x2_t)(((uint32_t)off & 0xFFFFu) | ((uint32_t)off << 16));
    const int32_t ky0 = tap_lo(y0, p->dil_h), ky1 = tap_hi(y0, p->dil_h, p->in_h, p->k_h);
    const int32_t kx0 = tap_lo(x0, p->dil_w), kx1 = tap_hi(x0, p->dil_w, p->in_w, p->k_w);
    const int32_t nky = ky1 - ky0, nkx = kx1 - kx0;
    const size_t in_step = (size_t)p->dil_w * C, in_row_step = (size_t)p->dil_h * p->in_w * C;
    const size_t w_row_step = (size_t)p->k_w * C;
    const int8_t *in0 = in_b + ((size_t)(y0 + ky0 * p->dil_h) * p->in_w + (x0 + kx0 * p->dil_w)) * C;
    const int8_t *w0 = weights + ((size_t)ky0 * p->k_w + kx0) * C;
    int32_t c = 0;
    for (; c + 4 <= C; c += 4) {
        int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        const int8_t *in_row = in0 + c, *w_row = w0 + c;
        for (int32_t ky = nky; ky > 0; --ky, in_row += in_row_step, w_row += w_row_step) {
            const int8_t *ip = in_row, *wp = w_row;
#define EDGEC_DW_TAP(I, W)                                                  \
    do {                                                                    \
        const uint32_t a4 = load_u32(I), w4 = load_u32(W);                  \
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), off2);       \
        const int16x2_t a13 = __sadd16(sxtb16_ror8(a4), off2);              \
        const int16x2_t w02 = __sxtb16((int8x4_t)w4), w13 = sxtb16_ror8(w4); \
        acc0 = __smlabb(a02, w02, acc0);                                    \
        acc2 = __smlatt(a02, w02, acc2);                                    \
        acc1 = __smlabb(a13, w13, acc1);                                    \
        acc3 = __smlatt(a13, w13, acc3);                                    \
    } while (0)
            if (nkx == 3) { /* the common full 3-wide row, unrolled */
                EDGEC_DW_TAP(ip, wp);
                EDGEC_DW_TAP(ip + in_step, wp + C);
                EDGEC_DW_TAP(ip + 2 * in_step, wp + 2 * C);
            } else {
                for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C) EDGEC_DW_TAP(ip, wp);
            }
#undef EDGEC_DW_TAP
        }
        acc[c] = acc0;
        acc[c + 1] = acc1;
        acc[c + 2] = acc2;
        acc[c + 3] = acc3;
    }
    for (; c < C; ++c) { /* C % 4 tail */
        int32_t a = 0;
        const int8_t *in_row = in0 + c, *w_row = w0 + c;
        for (int32_t ky = nky; ky > 0; --ky, in_row += in_row_step, w_row += w_row_step) {
            const int8_t *ip = in_row, *wp = w_row;
            for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C) a += (int32_t)*wp * ((int32_t)*ip + off);
        }
        acc[c] = a;
    }
    /* requantisation in a second pass: the tap loops above keep their registers */
    for (c = 0; c < C; ++c)
        out[c] = (int8_t)rq_apply(acc[c] + (bias ? bias[c] : 0), rq_prepare(multiplier[c], shift[c]), zp, lo, hi);
}
#define EDGEC_DW_LANES 4
#else
#define EDGEC_DW_LANES 0
#endif

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
#if EDGEC_DW_LANES
    /* The fast path requantises in EDGEC_REQUANT_FIXED mode only, with no INT32_MIN multiplier (SRDHM's saturating
     * case); anything else takes the plain loop with edgec_requant. */
    int32_t acc_row[EDGEC_DW_MAX_C];
    int32_t fast = p->depth_multiplier == 1 && p->requant == EDGEC_REQUANT_FIXED && p->in_c <= EDGEC_DW_MAX_C;
    for (int32_t c = 0; fast && c < p->out_c; ++c)
        if (multiplier[c] == INT32_MIN) fast = 0;
#endif
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                int32_t ic = 0;
#if EDGEC_DW_LANES
                if (fast) {
                    dw_pixel(in_b, weights, bias, multiplier, shift, out, p, y0, x0, acc_row);
                    continue;
                }
#endif
                for (; ic < p->in_c; ++ic) {
                    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc = 0;
                        for (int32_t ky = 0; ky < p->k_h; ++ky) {
                            const int32_t iy = y0 + ky * p->dil_h;
                            if (iy < 0 || iy >= p->in_h) continue;
                            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                                const int32_t ix = x0 + kx * p->dil_w;
                                if (ix < 0 || ix >= p->in_w) continue;
                                const int32_t v = in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic];
                                const int32_t w = weights[((size_t)ky * p->k_w + kx) * p->out_c + oc];
                                acc += w * (v + p->input_offset);
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
}
