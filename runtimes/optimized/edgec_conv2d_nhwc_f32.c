/* 2-D convolution, NHWC, register-blocked: 4 output pixels x 4 output channels per tile, so each loaded input
 * and weight feeds four multiply-adds. Border pixels (taps outside the input) take the simple per-pixel path.
 * Same signature and results as runtimes/reference/edgec_conv2d_nhwc_f32.c, up to float summation order. */
#include "edgec_conv2d_nhwc_f32.h"

/* One output pixel, all output channels, with bounds checks: borders and the channel/pixel remainders. */
static void conv_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                       const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                       const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox, int32_t oc_begin) {
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
    for (int32_t oc = oc_begin; oc < p->out_c; ++oc) {
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
                for (int32_t ic = 0; ic < cin_g; ++ic) acc = EDGEC_FMA(acc, in_px[ic], w[ic]);
            }
        }
        out_px[oc] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

/* Four output pixels whose taps are all inside the input. in0..in3 point at each pixel's tap (0, 0);
 * out0..out3 at each pixel's first output channel. */
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
    for (; oc < p->out_c; ++oc) { /* channel remainder: one channel, four pixels */
        const float *w = weights + (size_t)oc * K;
        const float b = bias ? bias[oc] : 0.0f;
        float s0 = b, s1 = b, s2 = b, s3 = b;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
                for (int32_t ic = 0; ic < C; ++ic) {
                    const float k = w[ic];
                    s0 = EDGEC_FMA(s0, in0[off + ic], k); s1 = EDGEC_FMA(s1, in1[off + ic], k); s2 = EDGEC_FMA(s2, in2[off + ic], k); s3 = EDGEC_FMA(s3, in3[off + ic], k);
                }
                w += C;
            }
        }
        out0[oc] = edgec_clampf(s0, p->act_min, p->act_max); out1[oc] = edgec_clampf(s1, p->act_min, p->act_max);
        out2[oc] = edgec_clampf(s2, p->act_min, p->act_max); out3[oc] = edgec_clampf(s3, p->act_min, p->act_max);
    }
}

/* Output x range [*lo, *hi) whose horizontal taps all fall inside the input. */
static void interior_x(const edgec_conv2d_params *p, int32_t *lo, int32_t *hi) {
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t a = (p->pad_left + p->stride_w - 1) / p->stride_w;
    int32_t b = p->in_w - 1 - span + p->pad_left; /* largest ox*stride allowed */
    b = b < 0 ? 0 : b / p->stride_w + 1;
    if (b > p->out_w) b = p->out_w;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    if (p->groups != 1) { /* grouped (not depthwise) convolutions are rare: the simple path */
        for (int32_t n = 0; n < p->batch; ++n)
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) conv_pixel(input, weights, bias, output, p, n, oy, ox, 0);
        return;
    }
    const int32_t C = p->in_c, OC = p->out_c;
    if (p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
        p->out_h == p->in_h && p->out_w == p->in_w) {
        /* Pointwise: a matrix product over all pixels of the image, tiled 4 x 4. */
        const size_t pixels = (size_t)p->batch * p->in_h * p->in_w;
        size_t px = 0;
        for (; px + 4 <= pixels; px += 4) {
            const float *in = input + px * C;
            float *out = output + px * OC;
            conv_tile4(in, in + C, in + 2 * C, in + 3 * C, out, out + OC, out + 2 * OC, out + 3 * OC, weights, bias, p);
        }
        for (; px < pixels; ++px) {
            const int32_t n = (int32_t)(px / ((size_t)p->in_h * p->in_w));
            const size_t rem = px % ((size_t)p->in_h * p->in_w);
            conv_pixel(input, weights, bias, output, p, n, (int32_t)(rem / p->in_w), (int32_t)(rem % p->in_w), 0);
        }
        return;
    }
    int32_t x_lo, x_hi;
    interior_x(p, &x_lo, &x_hi);
    const size_t sx = (size_t)p->stride_w * C;
    for (int32_t n = 0; n < p->batch; ++n) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int rows_inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
            int32_t ox = 0;
            if (rows_inside) {
                for (; ox < x_lo; ++ox) conv_pixel(input, weights, bias, output, p, n, oy, ox, 0);
                for (; ox + 4 <= x_hi; ox += 4) {
                    const float *in = input + (((size_t)n * p->in_h + iy0) * p->in_w + (ox * p->stride_w - p->pad_left)) * C;
                    float *out = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * OC;
                    conv_tile4(in, in + sx, in + 2 * sx, in + 3 * sx, out, out + OC, out + 2 * OC, out + 3 * OC,
                               weights, bias, p);
                }
            }
            for (; ox < p->out_w; ++ox) conv_pixel(input, weights, bias, output, p, n, oy, ox, 0);
        }
    }
}
