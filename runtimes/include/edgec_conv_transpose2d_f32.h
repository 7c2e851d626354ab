/* 2-D transposed convolution, float32, NCHW or NHWC, with groups, dilations and output padding. */
#ifndef EDGEC_CONV_TRANSPOSE2D_F32_H
#define EDGEC_CONV_TRANSPOSE2D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w;
    int32_t stride_h, stride_w, pad_top, pad_left, dil_h, dil_w, groups;
    int32_t channels_last; /* 1 = NHWC, 0 = NCHW */
} edgec_conv_transpose2d_params;

/* Input pixel (iy, ix) scatters tap (ky, kx) to output (iy * stride_h - pad_top + ky * dil_h, ...); out_h / out_w
 * include ONNX's output_padding. weights: ONNX's [in_c][out_c / groups][k_h][k_w]. */
void edgec_conv_transpose2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                float *EDGEC_RESTRICT output, const edgec_conv_transpose2d_params *p);

#endif
