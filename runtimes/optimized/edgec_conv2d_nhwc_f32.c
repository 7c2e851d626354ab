/* 2-D convolution, NHWC, register-blocked: 4 output pixels x 4 output channels per tile, so each loaded input
 * and weight feeds four multiply-adds. Border pixels (taps outside the input) take the simple per-pixel path.
 * Same signature and results as runtimes/reference/edgec_conv2d_nhwc_f32.c, up to float summation order. */
#include "edgec_conv2d_nhwc_f32_frame.h"

/* Four output pixels whose taps are all inside the input (edgec_conv2d_f32_tile4_fn). */
static void conv_tile4(const float *in0, const float *in1, const float *in2, const float *in3,
                       float *out0, float *out1, float *out2, float *out3,
                       const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                       const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C;
    const size_t row = (size_t)p->in_w * C;
    int32_t oc = 0;
    for (; oc + 4 <= p->out_c; oc += 4) {
        const float *w0 = weights + (size_t)oc * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        float b0 = 0.0f, b1 = 0.0f, b2 = 0.0f, b3 = 0.0f;
        if (bias) { b0 = bias[oc]; b1 = bias[oc + 1]; b2 = bias[oc + 2]; b3 = bias[oc + 3]; }
        float a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        float a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        float a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        float a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
                const float *x0 = in0 + off, *x1 = in1 + off, *x2 = in2 + off, *x3 = in3 + off;
                for (int32_t ic = 0; ic < C; ++ic) {
                    const float v0 = x0[ic], v1 = x1[ic], v2 = x2[ic], v3 = x3[ic];
                    const float k0 = w0[ic], k1 = w1[ic], k2 = w2[ic], k3 = w3[ic];
                    a00 = EDGEC_FMA(a00, v0, k0); a01 = EDGEC_FMA(a01, v0, k1); a02 = EDGEC_FMA(a02, v0, k2); a03 = EDGEC_FMA(a03, v0, k3);
                    a10 = EDGEC_FMA(a10, v1, k0); a11 = EDGEC_FMA(a11, v1, k1); a12 = EDGEC_FMA(a12, v1, k2); a13 = EDGEC_FMA(a13, v1, k3);
                    a20 = EDGEC_FMA(a20, v2, k0); a21 = EDGEC_FMA(a21, v2, k1); a22 = EDGEC_FMA(a22, v2, k2); a23 = EDGEC_FMA(a23, v2, k3);
                    a30 = EDGEC_FMA(a30, v3, k0); a31 = EDGEC_FMA(a31, v3, k1); a32 = EDGEC_FMA(a32, v3, k2); a33 = EDGEC_FMA(a33, v3, k3);
                }
                w0 += C; w1 += C; w2 += C; w3 += C;
            }
        }
        const float lo = p->act_min, hi = p->act_max;
        out0[oc] = edgec_clampf(a00, lo, hi); out0[oc + 1] = edgec_clampf(a01, lo, hi);
        out0[oc + 2] = edgec_clampf(a02, lo, hi); out0[oc + 3] = edgec_clampf(a03, lo, hi);
        out1[oc] = edgec_clampf(a10, lo, hi); out1[oc + 1] = edgec_clampf(a11, lo, hi);
        out1[oc + 2] = edgec_clampf(a12, lo, hi); out1[oc + 3] = edgec_clampf(a13, lo, hi);
        out2[oc] = edgec_clampf(a20, lo, hi); out2[oc + 1] = edgec_clampf(a21, lo, hi);
        out2[oc + 2] = edgec_clampf(a22, lo, hi); out2[oc + 3] = edgec_clampf(a23, lo, hi);
        out3[oc] = edgec_clampf(a30, lo, hi); out3[oc + 1] = edgec_clampf(a31, lo, hi);
        out3[oc + 2] = edgec_clampf(a32, lo, hi); out3[oc + 3] = edgec_clampf(a33, lo, hi);
    }
    edgec_conv2d_f32_tile4_rest(in0, in1, in2, in3, out0, out1, out2, out3, weights, bias, p, oc); /* the channel remainder */
}

/* A border or leftover pixel (edgec_conv2d_f32_pixel_fn). */
static void border_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv2d_params *p,
                         int32_t n, int32_t oy, int32_t ox) {
    edgec_conv2d_f32_pixel(input, weights, bias, output, p, n, oy, ox, 0);
}

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    edgec_conv2d_f32_frame(input, weights, bias, output, p, conv_tile4, border_pixel, 0);
}
