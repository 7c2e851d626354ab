/* 2-D convolution, float32, with fused bias and clamp activation (ReLU, ReLU6, Clip). */
#ifndef EDGEC_CONV2D_F32_H
#define EDGEC_CONV2D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t groups;
    float act_min, act_max;
} edgec_conv2d_params;

/* NCHW input and output; weights OIHW (I = in_c / groups); bias may be NULL. */
void edgec_conv2d_nchw_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

/* NHWC input and output; weights OHWI (I = in_c / groups); bias may be NULL. */
void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p);

#endif
