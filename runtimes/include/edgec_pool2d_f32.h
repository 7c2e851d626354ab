/* 2-D max and average pooling, float32, NCHW or NHWC. */
#ifndef EDGEC_POOL2D_F32_H
#define EDGEC_POOL2D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, channels, in_h, in_w, out_h, out_w;
    int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t channels_last;      /* 1 = NHWC, 0 = NCHW */
    int32_t count_include_pad;  /* average: divide by the window clipped to the padded input, not the real one */
    float act_min, act_max;
} edgec_pool2d_params;

void edgec_max_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p);
void edgec_avg_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p);

#endif
