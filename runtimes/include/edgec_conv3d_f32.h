/* 3-D convolution, float32, NCDHW with OIDHW weights (I = in_c / groups), with fused bias and clamp. */
#ifndef EDGEC_CONV3D_F32_H
#define EDGEC_CONV3D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_c, out_c, groups;
    int32_t in_size[3];   /* d, h, w */
    int32_t out_size[3];
    int32_t kernel[3];
    int32_t stride[3];
    int32_t pad_begin[3]; /* padding at the end follows from the output size */
    int32_t dilation[3];
    float act_min, act_max;
} edgec_conv3d_params;

/* bias may be NULL; input, weights and output must not overlap. */
void edgec_conv3d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                      const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv3d_params *p);

#endif
