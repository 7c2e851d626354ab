/* Transposed 2-D convolution, int8 (TFLite's reference_integer_ops::TransposeConv): NHWC, per-output-channel
 * symmetric int8 weights OHWI, int32 bias, per-channel fixed-point requantisation. Computed output by output
 * (the input positions each output gathers from) instead of TFLite's scatter into an int32 scratch buffer: the
 * same integer sums, so the same bits, and no scratch. The convolution's parameter struct: out_* is the larger
 * (upsampled) tensor, pad_* the padding TFLite computes for the equivalent convolution; dil_*, depth_multiplier
 * and requant are unused. */
#ifndef EDGEC_TRANSPOSE_CONV_S8_H
#define EDGEC_TRANSPOSE_CONV_S8_H

#include "edgec_conv2d_s8.h"

void edgec_transpose_conv_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                             const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                             const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                             const edgec_conv2d_s8_params *p);

#endif
