/* Parameters shared by the float convolution kernels (regular, depthwise; NCHW and NHWC). */
#ifndef EDGEC_CONV2D_PARAMS_H
#define EDGEC_CONV2D_PARAMS_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t groups;          /* depthwise kernels: out_c / in_c is the depth multiplier */
    float act_min, act_max;  /* fused activation: ReLU = [0, inf), ReLU6 = [0, 6] */
} edgec_conv2d_params;

#endif
