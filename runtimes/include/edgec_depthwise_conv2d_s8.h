/* Depthwise 2-D convolution, int8 (TFLite DepthwiseConvPerChannel). NHWC; parameters as for conv2d_s8. */
#ifndef EDGEC_DEPTHWISE_CONV2D_S8_H
#define EDGEC_DEPTHWISE_CONV2D_S8_H

#include "edgec_common.h"
#include "edgec_conv2d_s8.h"
#include "edgec_fixedpoint_s8.h"

/* weights 1HWO with O = in_c * depth_multiplier. */
void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p);

#endif /* EDGEC_DEPTHWISE_CONV2D_S8_H */
