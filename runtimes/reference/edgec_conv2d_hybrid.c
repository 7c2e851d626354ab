/* Reference hybrid 2-D convolution: on-the-fly input quantization, int8 x int8 -> int32, float rescale.
 * Direct loops over the quantized input (no im2col buffer): padded positions contribute 0 exactly as
 * LiteRT's zero-filled im2col (symmetric) or skipped taps (asymmetric) do. */
#include "edgec_conv2d_hybrid.h"
#include "edgec_hybrid_quantize.h"

void edgec_conv2d_hybrid_nhwc(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                              float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput,
                              const edgec_conv2d_hybrid_params *p) {
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    for (int32_t n = 0; n < p->batch; ++n) {
        int32_t zp = 0;
        const float *x = input + (size_t)n * in_size;
        const float in_scale = p->per_channel ? edgec_quantize_asymmetric_s8(x, in_size, qinput, &zp)
                                              : edgec_quantize_symmetric_s8(x, in_size, qinput);
        const float tensor_scale = in_scale * w_scale[0];
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    int32_t acc = 0;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const int8_t *q = qinput + ((size_t)iy * p->in_w + ix) * p->in_c;
                            const int8_t *w = weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ++ic) acc += ((int32_t)q[ic] - zp) * (int32_t)w[ic];
                        }
                    }
                    const float y = p->per_channel ? (float)acc * w_scale[oc] * in_scale + bias[oc]
                                                   : (float)acc * tensor_scale + bias[oc];
                    out_px[oc] = edgec_clampf(y, p->act_min, p->act_max);
                }
            }
        }
    }
}
