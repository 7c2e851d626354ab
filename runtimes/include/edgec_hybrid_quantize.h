/* On-the-fly input quantization for hybrid (dynamic-range quantized) kernels, as LiteRT does it
 * (tensor_utils::SymmetricQuantizeFloats / AsymmetricQuantizeFloats). */
#ifndef EDGEC_HYBRID_QUANTIZE_H
#define EDGEC_HYBRID_QUANTIZE_H

#include "edgec_common.h"

/* range = max|x|; q = clamp(round(x * (127 / range)), -127, 127); returns range / 127.
 * All-zero x: q = 0 and returns 1. */
float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q);

/* [min(x, 0), max(x, 0)] onto [-128, 127] with a nudged zero point (*zero_point); returns the scale.
 * All-zero x: q = 0, *zero_point = 0 and returns 1. */
float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point);

#endif
