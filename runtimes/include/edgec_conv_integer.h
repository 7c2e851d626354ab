/* ONNX ConvInteger, 2-D, NCHW, int32 output:
 *   y[n][m][oy][ox] = sum over the group's input channels c and the kernel window of
 *                     (x[n][c][iy][ix] - x_zero_point) * (w[m][c'][ky][kx] - w_zero_point[m])
 * with iy = oy * stride_h - pad_top + ky * dil_h (likewise ix); positions in the padding are x = x_zero_point and
 * add 0. Output channel m belongs to group g = m / (out_c / groups), which reads input channels
 * [g * in_c / groups, (g + 1) * in_c / groups). x and w are int8 or uint8 (x_signed, w_signed); each zero point
 * has the type of its tensor; x_zero_point is one value; w_zero_point is one value, or out_c values if
 * w_zp_per_channel. Weights OIHW: [out_c][in_c / groups][k_h][k_w]. The accumulation is exact int32 (no
 * saturation of partial sums). */
#ifndef EDGEC_CONV_INTEGER_H
#define EDGEC_CONV_INTEGER_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_c, in_h, in_w;
    int32_t out_c, out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t groups;
    int32_t x_signed, w_signed, w_zp_per_channel;
} edgec_conv_integer_params;

void edgec_conv_integer(const void *EDGEC_RESTRICT x, const void *EDGEC_RESTRICT w,
                        const void *EDGEC_RESTRICT x_zero_point, const void *EDGEC_RESTRICT w_zero_point,
                        int32_t *EDGEC_RESTRICT y, const edgec_conv_integer_params *p);

#endif
