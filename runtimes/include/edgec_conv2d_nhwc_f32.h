/* 2-D convolution, float32, NHWC activations, OHWI weights (I = in_c / groups), optional bias, fused clamp. */
#ifndef EDGEC_CONV2D_NHWC_F32_H
#define EDGEC_CONV2D_NHWC_F32_H

#include "edgec_conv2d_params.h"

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

/* The same convolution (groups = 1) with the weights packed at compile time for the x86 kernels: blocks of 16
 * output channels, each [K = k_h * k_w * in_c][16] floats, zeros past out_c (compiler/edgec/ops/conv.py,
 * pack_conv_f32_x86). Only runtimes/x86/ implements it; the compiler calls it only when it ships that file. */
void edgec_conv2d_nhwc_f32_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT packed,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  const edgec_conv2d_params *p);

#endif
