/* Resize / Upsample of the H and W axes, float32, NCHW or NHWC: nearest, linear, cubic (separable taps). */
#ifndef EDGEC_RESIZE2D_F32_H
#define EDGEC_RESIZE2D_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, channels, in_h, in_w, out_h, out_w;
    int32_t taps_h, taps_w;     /* source rows / columns per output row / column (1 nearest, 2 linear, 4 cubic) */
    int32_t channels_last;      /* 1 = NHWC, 0 = NCHW */
    float extrapolation_value;  /* for an output whose first tap index is -1 (outside the input) */
} edgec_resize2d_params;

/* out[y][x] = sum_i w_h[y][i] * sum_j w_w[x][j] * in[idx_h[y][i]][idx_w[x][j]], per batch and channel.
 * idx_h / w_h are [out_h][taps_h], idx_w / w_w [out_w][taps_w]; the compiler computes them (ops/resize.py). */
void edgec_resize2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const int32_t *idx_h,
                        const float *w_h, const int32_t *idx_w, const float *w_w, const edgec_resize2d_params *p);

#endif
