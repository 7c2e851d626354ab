/* Depthwise 2-D convolution, float32, NHWC activations, weights [1][k_h][k_w][out_c] (TFLite's layout:
 * output channel oc = ic * multiplier + m), optional bias, fused clamp. */
#ifndef EDGEC_DEPTHWISE_CONV2D_F32_H
#define EDGEC_DEPTHWISE_CONV2D_F32_H

#include "edgec_conv2d_params.h"

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p);

#endif
