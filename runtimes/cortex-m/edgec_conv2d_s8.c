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
#else
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
