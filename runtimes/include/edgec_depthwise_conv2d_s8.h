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

/* The same convolution (3x3, depth multiplier 1, EDGEC_REQUANT_FIXED, in_c % 4 == 0) with weights, bias and
 * requantisation built at compile time into the Cortex-M kernel's tables (compiler/edgec/ops/quantized_s8.py,
 * pack_depthwise_s8): per block of four channels, per channel 13 words: 2 * (bias + input_offset * sum w) four
 * times, the int16 pairs (2 w0, 2 w1) and (2 w1, 2 w2) of each kernel row, multiplier, 2^(r-1) + zp 2^r, r (the
 * right shift, 1..22); on the small maps whose taps-inside kernels add the offset to the input (3 x 3 outputs, 6 x 6
 * at stride 1: dw_map_path there) the second of those four words is 2 * bias. Only runtimes/cortex-m/ implements it;
 * the compiler calls it only when it ships that file. */
void edgec_depthwise_conv2d_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT tables,
                                      int8_t *EDGEC_RESTRICT output, const edgec_conv2d_s8_params *p);

#endif /* EDGEC_DEPTHWISE_CONV2D_S8_H */
