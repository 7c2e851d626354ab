/* The int8 depthwise's plain per-channel sum, as the reference computes it, for what the faster sets (cortex-m,
 * cortex-m55, neon, x86) leave to it: other shapes, depth multipliers, channel remainders. */
#ifndef EDGEC_DEPTHWISE_S8_TAP_SUM_H
#define EDGEC_DEPTHWISE_S8_TAP_SUM_H

#include "edgec_depthwise_conv2d_s8.h"

/* Output channel oc (input channel ic) of the pixel whose tap (0, 0) is input pixel (y0, x0) of batch in_b:
 * sum over the taps inside the input of w * (v + input_offset), plus the bias, requantized. */
EDGEC_INLINE int8_t edgec_depthwise_s8_channel(const int8_t *in_b, const int8_t *weights, const int32_t *bias,
                                               const int32_t *multiplier, const int32_t *shift, int32_t y0,
                                               int32_t x0, int32_t ic, int32_t oc, const edgec_conv2d_s8_params *p) {
    int32_t acc = 0;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) continue;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const int32_t v = in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic];
            acc += weights[((size_t)ky * p->k_w + kx) * p->out_c + oc] * (v + p->input_offset);
        }
    }
    if (bias) acc += bias[oc];
    return (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset, p->act_min,
                                 p->act_max);
}

#endif
