#include "edgec_conv_transpose2d_f32.h"

/* The input row (or column) whose tap k lands on output o, or -1: o + pad - k * dil must be a multiple of the
 * stride inside the input. */
static int32_t source(int32_t o, int32_t pad, int32_t k, int32_t dil, int32_t stride, int32_t n) {
    const int32_t t = o + pad - k * dil;
    if (t < 0 || t % stride != 0) return -1;
    return t / stride < n ? t / stride : -1;
}

void edgec_conv_transpose2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                float *EDGEC_RESTRICT output, const edgec_conv_transpose2d_params *p) {
    const int32_t in_g = p->in_c / p->groups, out_g = p->out_c / p->groups;
    /* Element strides of a step along c, y and x, in either layout. */
    const size_t in_cs = p->channels_last ? 1 : (size_t)p->in_h * (size_t)p->in_w;
    const size_t in_xs = p->channels_last ? (size_t)p->in_c : 1, in_ys = in_xs * (size_t)p->in_w;
    const size_t out_cs = p->channels_last ? 1 : (size_t)p->out_h * (size_t)p->out_w;
    const size_t out_xs = p->channels_last ? (size_t)p->out_c : 1, out_ys = out_xs * (size_t)p->out_w;
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *src = input + (size_t)n * (size_t)p->in_c * (size_t)p->in_h * (size_t)p->in_w;
        float *dst = output + (size_t)n * (size_t)p->out_c * (size_t)p->out_h * (size_t)p->out_w;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
        for (int32_t ox = 0; ox < p->out_w; ++ox)
        for (int32_t oc = 0; oc < p->out_c; ++oc) {
            const int32_t g = oc / out_g;
            const float *cin = src + (size_t)g * (size_t)in_g * in_cs;
            /* weights of (input channel g * in_g + i, output channel oc % out_g, ky, kx); i steps by w_is */
            const float *wg = weights + ((size_t)g * (size_t)in_g * (size_t)out_g + (size_t)(oc % out_g)) * (size_t)p->k_h * (size_t)p->k_w;
            const size_t w_is = (size_t)out_g * (size_t)p->k_h * (size_t)p->k_w;
            float acc = 0.0f;
            for (int32_t ky = 0; ky < p->k_h; ++ky) {
                const int32_t iy = source(oy, p->pad_top, ky, p->dil_h, p->stride_h, p->in_h);
                if (iy < 0) continue;
                for (int32_t kx = 0; kx < p->k_w; ++kx) {
                    const int32_t ix = source(ox, p->pad_left, kx, p->dil_w, p->stride_w, p->in_w);
                    if (ix < 0) continue;
                    const float *px = cin + (size_t)iy * in_ys + (size_t)ix * in_xs;
                    const float *w = wg + (size_t)ky * (size_t)p->k_w + (size_t)kx;
                    for (int32_t i = 0; i < in_g; ++i) acc = EDGEC_FMA(acc, px[(size_t)i * in_cs], w[(size_t)i * w_is]);
                }
            }
            dst[(size_t)oy * out_ys + (size_t)ox * out_xs + (size_t)oc * out_cs] = acc;
        }
    }
}
