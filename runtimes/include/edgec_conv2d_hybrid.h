/* Hybrid (dynamic-range quantized) 2-D convolution: float input and output, int8 weights in flash.
 *
 * LiteRT's semantics (tensorflow/lite/kernels/conv.cc), per batch of the input:
 *   per_channel == 0 (EvalHybrid): symmetric input quantization over the whole batch,
 *       range = max|x|; x_q = clamp(round(x * (127 / range)), -127, 127); in_scale = range / 127
 *       (x_q = 0 and in_scale = 1 when range is 0); acc = sum x_q * w_q (padding adds 0);
 *       y = acc * (in_scale * w_scale[0]) + bias[oc], clamped to [act_min, act_max].
 *   per_channel == 1 (EvalHybridPerChannel): asymmetric input quantization to [-128, 127] with a nudged
 *       zero point z (AsymmetricQuantizeFloats); acc = sum (x_q - z) * w_q over the in-bounds window;
 *       y = acc * w_scale[oc] * in_scale + bias[oc], clamped.
 * NHWC input and output; weights OHWI int8 (zero point 0); bias has out_c entries.
 * qinput is scratch for one batch of quantized input: in_h * in_w * in_c bytes. */
#ifndef EDGEC_CONV2D_HYBRID_H
#define EDGEC_CONV2D_HYBRID_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t per_channel;
    float act_min, act_max;
} edgec_conv2d_hybrid_params;

void edgec_conv2d_hybrid_nhwc(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                              float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput,
                              const edgec_conv2d_hybrid_params *p);

#endif
