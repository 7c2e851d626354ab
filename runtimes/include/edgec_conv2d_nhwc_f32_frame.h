/* The unpacked NHWC float convolution's frame, shared by the faster kernel sets (optimized, cortex-m, neon, x86):
 * which output pixels go to a set's 4-pixel tile (pointwise layers: every run of 4 pixels; others: runs of 4 whose
 * taps all lie inside the input) and which to its one-pixel path (borders, remainders), and the plain per-pixel
 * loop for grouped convolutions and channel remainders. Each set keeps only its tile and pixel arithmetic. */
#ifndef EDGEC_CONV2D_NHWC_F32_FRAME_H
#define EDGEC_CONV2D_NHWC_F32_FRAME_H

#include "edgec_conv2d_nhwc_f32.h"

/* Four output pixels whose taps all lie inside the input: in0..in3 point at each pixel's tap (0, 0), out0..out3 at
 * its first output channel (eleven arguments, not arrays: the Cortex-M sets pass them as they are, without storing
 * them for the call). */
typedef void (*edgec_conv2d_f32_tile4_fn)(const float *in0, const float *in1, const float *in2, const float *in3,
                                          float *out0, float *out1, float *out2, float *out3,
                                          const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                                          const edgec_conv2d_params *p);
/* One output pixel (n, oy, ox) of a groups-1 convolution, taps outside the input skipped. */
typedef void (*edgec_conv2d_f32_pixel_fn)(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                          const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox);

/* One output pixel, output channels from oc_begin, any groups, with bounds checks: the reference's loop with a
 * fused multiply-add. */
static inline void edgec_conv2d_f32_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                          const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox,
                                          int32_t oc_begin) {
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

/* A 4-pixel tile's channels from oc on, one channel at a time (the remainder of its channel blocks): in0..in3,
 * out0..out3 as edgec_conv2d_f32_tile4_fn's. */
static inline void edgec_conv2d_f32_tile4_rest(const float *in0, const float *in1, const float *in2, const float *in3,
                                               float *out0, float *out1, float *out2, float *out3,
                                               const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                                               const edgec_conv2d_params *p, int32_t oc) {
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C;
    const size_t row = (size_t)p->in_w * C;
    for (; oc < p->out_c; ++oc) {
        const float *w = weights + (size_t)oc * K;
        const float b = bias ? bias[oc] : 0.0f;
        float s0 = b, s1 = b, s2 = b, s3 = b;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
                const float *x0 = in0 + off, *x1 = in1 + off, *x2 = in2 + off, *x3 = in3 + off;
                for (int32_t ic = 0; ic < C; ++ic) {
                    const float k = w[ic];
                    s0 = EDGEC_FMA(s0, x0[ic], k); s1 = EDGEC_FMA(s1, x1[ic], k);
                    s2 = EDGEC_FMA(s2, x2[ic], k); s3 = EDGEC_FMA(s3, x3[ic], k);
                }
                w += C;
            }
        }
        out0[oc] = edgec_clampf(s0, p->act_min, p->act_max); out1[oc] = edgec_clampf(s1, p->act_min, p->act_max);
        out2[oc] = edgec_clampf(s2, p->act_min, p->act_max); out3[oc] = edgec_clampf(s3, p->act_min, p->act_max);
    }
}

/* Output x range [*lo, *hi) whose horizontal taps all fall inside the input. */
static inline void edgec_conv2d_f32_interior_x(const edgec_conv2d_params *p, int32_t *lo, int32_t *hi) {
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t a = (p->pad_left + p->stride_w - 1) / p->stride_w;
    int32_t b = p->in_w - 1 - span + p->pad_left; /* largest ox*stride allowed */
    b = b < 0 ? 0 : b / p->stride_w + 1;
    if (b > p->out_w) b = p->out_w;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

/* A 1x1, stride-1, unpadded convolution: a matrix product over all pixels of the image. */
static inline int edgec_conv2d_f32_is_pointwise(const edgec_conv2d_params *p) {
    return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
           p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

/* The whole convolution: grouped ones (rare) pixel by pixel through edgec_conv2d_f32_pixel; pointwise ones in tiles
 * of 4 pixels; others a row at a time, the interior in tiles, the borders through `pixel`. With `overlap`, 3
 * pixels left over take a tile that overlaps the previous one (the same values written again) instead of 3 pixels. */
static inline void edgec_conv2d_f32_frame(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                          const edgec_conv2d_params *p, edgec_conv2d_f32_tile4_fn tile4,
                                          edgec_conv2d_f32_pixel_fn pixel, int overlap) {
    if (p->groups != 1) {
        for (int32_t n = 0; n < p->batch; ++n)
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) edgec_conv2d_f32_pixel(input, weights, bias, output, p, n, oy, ox, 0);
        return;
    }
    const int32_t C = p->in_c, OC = p->out_c;
    if (edgec_conv2d_f32_is_pointwise(p)) {
        const size_t pixels = (size_t)p->batch * p->in_h * p->in_w;
        size_t px = 0;
        for (;;) {
            if (px + 4 > pixels) {
                if (!overlap || pixels - px != 3 || pixels < 4) break;
                px = pixels - 4;
            }
            const float *in = input + px * C;
            float *o = output + px * OC;
            tile4(in, in + C, in + 2 * C, in + 3 * C, o, o + OC, o + 2 * OC, o + 3 * OC, weights, bias, p);
            px += 4;
        }
        for (; px < pixels; ++px) {
            const int32_t n = (int32_t)(px / ((size_t)p->in_h * p->in_w));
            const size_t rem = px % ((size_t)p->in_h * p->in_w);
            pixel(input, weights, bias, output, p, n, (int32_t)(rem / p->in_w), (int32_t)(rem % p->in_w));
        }
        return;
    }
    int32_t x_lo, x_hi;
    edgec_conv2d_f32_interior_x(p, &x_lo, &x_hi);
    const size_t sx = (size_t)p->stride_w * C;
    for (int32_t n = 0; n < p->batch; ++n) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int rows_inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
            int32_t ox = 0;
            if (rows_inside) {
                for (; ox < x_lo; ++ox) pixel(input, weights, bias, output, p, n, oy, ox);
                while (ox + 4 <= x_hi || (overlap && x_hi - ox == 3 && x_hi - x_lo >= 4)) {
                    if (ox + 4 > x_hi) ox = x_hi - 4;
                    const float *in =
                        input + (((size_t)n * p->in_h + iy0) * p->in_w + (ox * p->stride_w - p->pad_left)) * C;
                    float *o = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * OC;
                    tile4(in, in + sx, in + 2 * sx, in + 3 * sx, o, o + OC, o + 2 * OC, o + 3 * OC, weights, bias, p);
                    ox += 4;
                }
            }
            for (; ox < p->out_w; ++ox) pixel(input, weights, bias, output, p, n, oy, ox);
        }
    }
}

#endif
