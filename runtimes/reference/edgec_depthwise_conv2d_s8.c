/* Portable reference: int8 depthwise convolution, following TFLite's reference_integer_ops exactly. */
#include "edgec_depthwise_conv2d_s8.h"

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
                for (int32_t ic = 0; ic < p->in_c; ++ic) {
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
