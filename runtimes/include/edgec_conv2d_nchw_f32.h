/* 2-D convolution, float32, NCHW activations, OIHW weights (I = in_c / groups), optional bias, fused clamp. */
#ifndef EDGEC_CONV2D_NCHW_F32_H
#define EDGEC_CONV2D_NCHW_F32_H

#include "edgec_conv2d_params.h"

void edgec_conv2d_nchw_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

#endif
