/* 2-D convolution, float32, NHWC activations, OHWI weights (I = in_c / groups), optional bias, fused clamp. */
#ifndef EDGEC_CONV2D_NHWC_F32_H
#define EDGEC_CONV2D_NHWC_F32_H

#include "edgec_conv2d_params.h"

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

/* The same convolution (groups = 1) with the weights packed at compile time for the kernel set that defines it:
 * runtimes/neon/ (pack_conv_f32_neon: blocks of 16 output channels while 16 remain, then of 4, each [K][width])
 * and runtimes/x86/ (pack_conv_f32_x86: blocks of 16, [K][16], zeros past out_c); compiler/edgec/ops/conv.py
 * calls it only when it ships one of those files. */
void edgec_conv2d_nhwc_f32_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT packed,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  const edgec_conv2d_params *p);

#endif
