/* 3-D transposed convolution, float32, NCDHW, with groups, dilations and output padding. */
#ifndef EDGEC_CONV_TRANSPOSE3D_F32_H
#define EDGEC_CONV_TRANSPOSE3D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_c, out_c, groups;
    int32_t in_size[3];   /* d, h, w */
    int32_t out_size[3];  /* includes ONNX's output_padding */
    int32_t kernel[3];
    int32_t stride[3];
    int32_t pad_begin[3]; /* padding at the end follows from the output size */
    int32_t dilation[3];
} edgec_conv_transpose3d_params;

/* Input voxel (iz, iy, ix) scatters tap (kz, ky, kx) to output (iz * stride - pad_begin + kz * dilation, ...).
 * weights: ONNX's [in_c][out_c / groups][k_d][k_h][k_w]. input, weights and output must not overlap. */
void edgec_conv_transpose3d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                float *EDGEC_RESTRICT output, const edgec_conv_transpose3d_params *p);

#endif
