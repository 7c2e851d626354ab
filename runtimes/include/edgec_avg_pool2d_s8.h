/* 2-D average pooling, int8, NHWC (TFLite reference_integer_ops::AveragePool: padding not counted,
 * rounding half away from zero). Input and output share scale and zero point. */
#ifndef EDGEC_AVG_POOL2D_S8_H
#define EDGEC_AVG_POOL2D_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t batch, in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} edgec_avg_pool2d_s8_params;

void edgec_avg_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_avg_pool2d_s8_params *p);

#endif /* EDGEC_AVG_POOL2D_S8_H */
