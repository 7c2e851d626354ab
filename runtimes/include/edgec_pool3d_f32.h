/* 3-D max and average pooling, float32, NCDHW or NDHWC. Same window rules as edgec_pool2d_f32. */
#ifndef EDGEC_POOL3D_F32_H
#define EDGEC_POOL3D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, channels;
    int32_t in_size[3];     /* d, h, w */
    int32_t out_size[3];
    int32_t kernel[3];
    int32_t stride[3];
    int32_t dilation[3];
    int32_t pad_begin[3];
    int32_t pad_end[3];     /* windows stop at the end of the padded input (ceil mode may reach past it) */
    int32_t channels_last;  /* 1 = NDHWC, 0 = NCDHW */
    int32_t count_include_pad; /* average: divide by the window clipped to the padded input, not the real one */
    float act_min, act_max;
} edgec_pool3d_params;

void edgec_max_pool3d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool3d_params *p);
void edgec_avg_pool3d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool3d_params *p);

#endif
