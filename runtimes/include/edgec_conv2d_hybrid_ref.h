/* The reference hybrid 2-D convolution (edgec_conv2d_hybrid.h), as static functions:
 * runtimes/reference/edgec_conv2d_hybrid.c is these, and the cortex-m and neon twins run them for what they do not
 * speed up, so the reference's loops are written once. EDGEC_HYBRID_REF_DOT, defined before this header by a set
 * with its own, is the sum over a run of taps: acc plus the sum of (q[i] - zp)(w[i] - wz) over i < n
 * (edgec_hybrid_dot by default). A name, not a function pointer: no copy of it is left behind. */
#ifndef EDGEC_CONV2D_HYBRID_REF_H
#define EDGEC_CONV2D_HYBRID_REF_H

#include "edgec_conv2d_hybrid.h"
#include "edgec_hybrid_quantize.h"

#ifndef EDGEC_HYBRID_REF_DOT
#define EDGEC_HYBRID_REF_DOT edgec_hybrid_dot
#endif

/* Batch n's quantized input: ONNX's whole tensor quantized at batch 0 (DynamicQuantizeLinear quantizes the whole
 * tensor at once), LiteRT's each batch into qinput; *zp and *in_scale its zero point and scale. */
static inline const int8_t *edgec_conv2d_hybrid_ref_quantize(const float *input, int8_t *qinput,
                                                             const edgec_conv2d_hybrid_params *p, int32_t n,
                                                             int32_t *zp, float *in_scale) {
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    if (p->quant == EDGEC_HYBRID_ONNX_U8) {
        if (n == 0)
            *in_scale = edgec_dynamic_quantize_s8_shifted(input, p->batch * in_size, p->in_c,
                                                          p->nchw ? p->in_h * p->in_w : 0, qinput, zp);
        return qinput + (size_t)n * in_size;
    }
    const float *x = input + (size_t)n * in_size;
    *in_scale = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC ? edgec_quantize_asymmetric_s8(x, in_size, qinput, zp)
                                                           : edgec_quantize_symmetric_s8(x, in_size, qinput);
    return qinput;
}

/* Batch n of the convolution, channels oc0 .. out_c - 1 of every pixel (a set does those before oc0 its own way),
 * q the batch's quantized input (zero point zp, scale in_scale). Not inlined: within a set's function, register
 * pressure from around it spilled the dot product's zero points in its inner loop (cortex-m7, armv7). */
static EDGEC_NOINLINE void edgec_conv2d_hybrid_ref_batch(
    const int8_t *EDGEC_RESTRICT q, int32_t zp, float in_scale, int32_t n, const int8_t *EDGEC_RESTRICT weights,
    const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point, const float *EDGEC_RESTRICT bias,
    float *EDGEC_RESTRICT output, const edgec_conv2d_hybrid_params *p, int32_t oc0) {
    const int32_t out_hw = p->out_h * p->out_w;
    const int32_t in_per_group = p->in_c / p->groups, out_per_group = p->out_c / p->groups;
    const int onnx = p->quant == EDGEC_HYBRID_ONNX_U8;
    const float tensor_scale = in_scale * w_scale[0];
    /* With groups == 1 and no horizontal dilation, a kernel row's taps inside the input are one contiguous run of
     * input and of weights (NHWC, OHWI): one dot product per kernel row. */
    const int rows_contiguous = p->groups == 1 && p->dil_w == 1;
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->in_w - x0 < p->k_w ? p->in_w - x0 : p->k_w;
            for (int32_t oc = oc0; oc < p->out_c; ++oc) {
                const int32_t wz = w_zero_point ? w_zero_point[oc] : 0;
                const int32_t ic0 = oc / out_per_group * in_per_group;
                int32_t acc = 0;
                for (int32_t ky = 0; ky < p->k_h; ++ky) {
                    const int32_t iy = y0 + ky * p->dil_h;
                    if (iy < 0 || iy >= p->in_h) continue;
                    const int8_t *w_row = weights + ((size_t)oc * p->k_h + ky) * p->k_w * in_per_group;
                    const int8_t *q_row = q + (size_t)iy * p->in_w * p->in_c + ic0;
                    if (rows_contiguous) {
                        if (kx0 < kx1)
                            acc = EDGEC_HYBRID_REF_DOT(q_row + (size_t)(x0 + kx0) * p->in_c,
                                                       w_row + (size_t)kx0 * p->in_c, (kx1 - kx0) * p->in_c, zp, wz,
                                                       acc);
                        continue;
                    }
                    for (int32_t kx = 0; kx < p->k_w; ++kx) {
                        const int32_t ix = x0 + kx * p->dil_w;
                        if (ix < 0 || ix >= p->in_w) continue;
                        acc = EDGEC_HYBRID_REF_DOT(q_row + (size_t)ix * p->in_c, w_row + (size_t)kx * in_per_group,
                                                   in_per_group, zp, wz, acc);
                    }
                }
                float y;
                if (onnx) {
                    const float scale = in_scale * w_scale[p->scale_per_channel ? oc : 0];
                    y = (float)acc * scale;
                    y = y + bias[oc];
                } else if (p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC) {
                    y = (float)acc * w_scale[oc] * in_scale + bias[oc];
                } else {
                    y = (float)acc * tensor_scale + bias[oc];
                }
                const size_t o = p->nchw ? ((size_t)n * p->out_c + oc) * out_hw + (size_t)oy * p->out_w + ox
                                         : (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c + oc;
                output[o] = edgec_clampf(y, p->act_min, p->act_max);
            }
        }
    }
}

/* edgec_conv2d_hybrid with the set's EDGEC_HYBRID_REF_DOT. */
static inline void edgec_conv2d_hybrid_ref(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                                           const float *EDGEC_RESTRICT w_scale,
                                           const int32_t *EDGEC_RESTRICT w_zero_point,
                                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                           int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    int32_t zp = 0;
    float in_scale = 1.0f;
    for (int32_t n = 0; n < p->batch; ++n) {
        const int8_t *q = edgec_conv2d_hybrid_ref_quantize(input, qinput, p, n, &zp, &in_scale);
        edgec_conv2d_hybrid_ref_batch(q, zp, in_scale, n, weights, w_scale, w_zero_point, bias, output, p, 0);
    }
}

#endif
