/* Backward passes of frozen layers, float32: dLoss/dinput from dLoss/doutput and the layer's constants only, plus
 * the one bit per output a fused clamp (ReLU, ReLU6) needs. Used by on-device adaptation (passes/ecotta.py): the
 * frozen layers between meta-networks keep no activations of their own, only these bits. */
#ifndef EDGEC_BACKWARD_F32_H
#define EDGEC_BACKWARD_F32_H

#include "edgec_common.h"
#include "edgec_conv2d_params.h"

/* Bit i of mask (LSB first) = act_min < y[i] < act_max: the clamp let the value through, so its gradient flows. */
void edgec_act_mask_f32(const float *EDGEC_RESTRICT y, uint8_t *EDGEC_RESTRICT mask, int32_t n, float act_min,
                        float act_max);

/* The same bit for an int8 output (an int8 frozen layer, its clamp in int8): act_min < y[i] < act_max. */
void edgec_act_mask_s8(const int8_t *EDGEC_RESTRICT y, uint8_t *EDGEC_RESTRICT mask, int32_t n, int32_t act_min,
                       int32_t act_max);

/* dx = d(conv(x))/dx^T dy for edgec_conv2d_nhwc_f32's layout (NHWC, OHWI weights, groups); dy masked by mask when
 * mask is not NULL. dx is overwritten. */
void edgec_conv2d_backward_input_f32(const float *EDGEC_RESTRICT dy, const uint8_t *EDGEC_RESTRICT mask,
                                     const float *EDGEC_RESTRICT weights, float *EDGEC_RESTRICT dx,
                                     const edgec_conv2d_params *p);

/* One row: y[n] = x[k] B[k, n] (+ bias), so dx[k] = sum_j B[k, j] dy[j] (dy masked when mask is not NULL). */
void edgec_matmul_backward_input_f32(const float *EDGEC_RESTRICT dy, const uint8_t *EDGEC_RESTRICT mask,
                                     const float *EDGEC_RESTRICT b, float *EDGEC_RESTRICT dx, int32_t k, int32_t n);

/* Global average over the pixels of an NHWC map: dx[px, c] = dy[c] / pixels. */
void edgec_mean_backward_f32(const float *EDGEC_RESTRICT dy, float *EDGEC_RESTRICT dx, int32_t pixels,
                             int32_t channels);

#endif
