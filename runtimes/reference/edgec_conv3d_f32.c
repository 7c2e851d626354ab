/* Reference 3-D convolution: direct loops, clear over fast. */
#include "edgec_conv3d_f32.h"

void edgec_conv3d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                      const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv3d_params *p) {
    const int32_t *in = p->in_size, *out = p->out_size, *k = p->kernel;
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    const size_t in_vol = (size_t)in[0] * in[1] * in[2], k_vol = (size_t)k[0] * k[1] * k[2];
    float *y = output;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int32_t g = oc / cout_g;
        for (int32_t oz = 0; oz < out[0]; ++oz)
        for (int32_t oy = 0; oy < out[1]; ++oy)
        for (int32_t ox = 0; ox < out[2]; ++ox) {
            float acc = bias ? bias[oc] : 0.0f;
            for (int32_t ic = 0; ic < cin_g; ++ic) {
                const float *x = input + ((size_t)n * p->in_c + (size_t)g * cin_g + ic) * in_vol;
                const float *w = weights + ((size_t)oc * cin_g + ic) * k_vol;
                for (int32_t kz = 0; kz < k[0]; ++kz) {
                    const int32_t iz = oz * p->stride[0] - p->pad_begin[0] + kz * p->dilation[0];
                    if (iz < 0 || iz >= in[0]) continue;
                    for (int32_t ky = 0; ky < k[1]; ++ky) {
                        const int32_t iy = oy * p->stride[1] - p->pad_begin[1] + ky * p->dilation[1];
                        if (iy < 0 || iy >= in[1]) continue;
                        for (int32_t kx = 0; kx < k[2]; ++kx) {
                            const int32_t ix = ox * p->stride[2] - p->pad_begin[2] + kx * p->dilation[2];
                            if (ix < 0 || ix >= in[2]) continue;
                            acc += x[((size_t)iz * in[1] + iy) * in[2] + ix] * w[((size_t)kz * k[1] + ky) * k[2] + kx];
                        }
                    }
                }
            }
            *y++ = edgec_clampf(acc, p->act_min, p->act_max);
        }
    }
}
