/* Reference int8 transposed convolution: out[oy][ox][oc] sums input (iy, ix) with weight (ky, kx) wherever
 * iy * stride_h - pad_top + ky == oy (and the same along x), as TFLite's scatter does. */
#include "edgec_transpose_conv_s8.h"

void edgec_transpose_conv_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                             const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                             const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                             const edgec_conv2d_s8_params *p) {
    const int32_t ic = p->in_c, oc = p->out_c;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *image = input + (size_t)b * p->in_h * p->in_w * ic;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                for (int32_t o = 0; o < oc; ++o) {
                    int32_t acc = 0;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t ty = oy + p->pad_top - ky; /* iy * stride_h */
                        if (ty < 0 || ty % p->stride_h) continue;
                        const int32_t iy = ty / p->stride_h;
                        if (iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t tx = ox + p->pad_left - kx;
                            if (tx < 0 || tx % p->stride_w) continue;
                            const int32_t ix = tx / p->stride_w;
                            if (ix >= p->in_w) continue;
                            const int8_t *x = image + ((size_t)iy * p->in_w + ix) * ic;
                            const int8_t *w = weights + (((size_t)o * p->k_h + ky) * p->k_w + kx) * ic;
                            for (int32_t c = 0; c < ic; ++c) acc += (x[c] + p->input_offset) * w[c];
                        }
                    }
                    acc += bias[o];
                    const int32_t q = edgec_mbqm(acc, multiplier[o], shift[o]) + p->output_offset;
                    *output++ = (int8_t)edgec_clamp_i32(q, p->act_min, p->act_max);
                }
            }
        }
    }
}
