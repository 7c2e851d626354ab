/* 2-D convolution, float32, NHWC activations, OHWI weights (I = in_c / groups), optional bias, fused clamp. */
#ifndef EDGEC_CONV2D_NHWC_F32_H
#define EDGEC_CONV2D_NHWC_F32_H

#include "edgec_conv2d_params.h"

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

/* The same convolution (groups = 1) with the weights packed at compile time for the NEON kernel set
 * (compiler/edgec/ops/conv.py, pack_conv_f32_neon; the layout is described in runtimes/neon/edgec_conv2d_nhwc_f32.c).
 * Only runtimes/neon/ defines it. */
void edgec_conv2d_nhwc_f32_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT packed,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  const edgec_conv2d_params *p);

#endif
