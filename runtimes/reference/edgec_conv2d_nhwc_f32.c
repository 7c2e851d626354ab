/* Reference 2-D convolution, NHWC: direct loops, clear over fast. */
#include "edgec_conv2d_nhwc_f32.h"

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    for (int32_t n = 0; n < p->batch; ++n) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int32_t g = oc / cout_g;
                    float acc = bias ? bias[oc] : 0.0f;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const float *in_px = input + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c + (size_t)g * cin_g;
                            const float *w = weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * cin_g;
                            for (int32_t ic = 0; ic < cin_g; ++ic) acc += in_px[ic] * w[ic];
                        }
                    }
                    out_px[oc] = edgec_clampf(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
