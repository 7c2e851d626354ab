/* Cortex-M twin of reference/edgec_depthwise_conv2d_s8.c. With __ARM_FEATURE_DSP and depth multiplier 1, four
 * channels go at once: one 32-bit load of inputs and one of weights, widened with SXTB16, then SMLABB/SMLATT
 * (one multiply-accumulate per channel and tap). Integer sums are exact: bit-identical to the reference. */
#include "edgec_depthwise_conv2d_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

/* Channels [c, c + 4) of one output pixel (depth multiplier 1). */
static void four_channels(const int8_t *in_b, const int8_t *weights, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, int8_t *out,
                             const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0, int32_t c) {
    const int16x2_t off2 = (int16x2_t)(((uint32_t)p->input_offset & 0xFFFFu) | ((uint32_t)p->input_offset << 16));
    int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) continue;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            uint32_t a4, w4;
            __builtin_memcpy(&a4, in_b + ((size_t)iy * p->in_w + ix) * p->in_c + c, 4);
            __builtin_memcpy(&w4, weights + ((size_t)ky * p->k_w + kx) * p->out_c + c, 4);
            const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), off2);
            const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), off2);
            const int16x2_t w02 = __sxtb16((int8x4_t)w4);
            const int16x2_t w13 = __sxtb16((int8x4_t)((w4 >> 8) | (w4 << 24)));
            acc0 = __smlabb(a02, w02, acc0);
            acc2 = __smlatt(a02, w02, acc2);
            acc1 = __smlabb(a13, w13, acc1);
            acc3 = __smlatt(a13, w13, acc3);
        }
    }
    int32_t acc[4] = {acc0, acc1, acc2, acc3};
    for (int32_t k = 0; k < 4; ++k) {
        if (bias) acc[k] += bias[c + k];
        out[c + k] = (int8_t)edgec_requant(acc[k], multiplier[c + k], shift[c + k], p->requant, p->output_offset,
                                           p->act_min, p->act_max);
    }
}
#define EDGEC_DW_LANES 4
#else
#define EDGEC_DW_LANES 0
#endif

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
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
                int32_t ic = 0;
#if EDGEC_DW_LANES
                if (p->depth_multiplier == 1) {
                    for (; ic + EDGEC_DW_LANES <= p->in_c; ic += EDGEC_DW_LANES) {
                        four_channels(in_b, weights, bias, multiplier, shift, out, p, y0, x0, ic);
                    }
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
