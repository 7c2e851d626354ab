#include "edgec_conv_transpose3d_f32.h"

/* The input index whose tap k lands on output o along one axis, or -1: o + pad - k * dil must be a multiple of
 * the stride inside the input. */
static int32_t source(int32_t o, int32_t pad, int32_t k, int32_t dil, int32_t stride, int32_t n) {
    const int32_t t = o + pad - k * dil;
    if (t < 0 || t % stride != 0) return -1;
    return t / stride < n ? t / stride : -1;
}

/* Gathers, as the 2-D kernel does: each output voxel sums the input voxels whose taps land on it, so the output
 * is written once and needs no zeroing pass. */
void edgec_conv_transpose3d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                float *EDGEC_RESTRICT output, const edgec_conv_transpose3d_params *p) {
    const int32_t *in = p->in_size, *out = p->out_size, *k = p->kernel;
    const int32_t in_g = p->in_c / p->groups, out_g = p->out_c / p->groups;
    const size_t in_vol = (size_t)in[0] * (size_t)in[1] * (size_t)in[2];
    const size_t k_vol = (size_t)k[0] * (size_t)k[1] * (size_t)k[2];
    const size_t w_is = (size_t)out_g * k_vol; /* weight step from one input channel to the next */
    float *y = output;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int32_t g = oc / out_g;
        const float *cin = input + ((size_t)n * (size_t)p->in_c + (size_t)g * (size_t)in_g) * in_vol;
        const float *wg = weights + ((size_t)g * (size_t)in_g * (size_t)out_g + (size_t)(oc % out_g)) * k_vol;
        for (int32_t oz = 0; oz < out[0]; ++oz)
        for (int32_t oy = 0; oy < out[1]; ++oy)
        for (int32_t ox = 0; ox < out[2]; ++ox) {
            float acc = 0.0f;
            for (int32_t kz = 0; kz < k[0]; ++kz) {
                const int32_t iz = source(oz, p->pad_begin[0], kz, p->dilation[0], p->stride[0], in[0]);
                if (iz < 0) continue;
                for (int32_t ky = 0; ky < k[1]; ++ky) {
                    const int32_t iy = source(oy, p->pad_begin[1], ky, p->dilation[1], p->stride[1], in[1]);
                    if (iy < 0) continue;
                    for (int32_t kx = 0; kx < k[2]; ++kx) {
                        const int32_t ix = source(ox, p->pad_begin[2], kx, p->dilation[2], p->stride[2], in[2]);
                        if (ix < 0) continue;
                        const float *px = cin + ((size_t)iz * (size_t)in[1] + (size_t)iy) * (size_t)in[2] + (size_t)ix;
                        const float *w = wg + ((size_t)kz * (size_t)k[1] + (size_t)ky) * (size_t)k[2] + (size_t)kx;
                        for (int32_t i = 0; i < in_g; ++i) acc = EDGEC_FMA(acc, px[(size_t)i * in_vol], w[(size_t)i * w_is]);
                    }
                }
            }
            *y++ = acc;
        }
    }
}
