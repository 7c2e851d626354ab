/* Reference hybrid 2-D convolution: on-the-fly input quantization, int8 x int8 -> int32, float rescale.
 * Direct loops over the quantized input (no im2col buffer): padded positions contribute 0 exactly as
 * LiteRT's zero-filled im2col (symmetric) or skipped taps (asymmetric) and ONNX's zero-point padding do. */
#include "edgec_conv2d_hybrid_ref.h"

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    edgec_conv2d_hybrid_ref(input, weights, w_scale, w_zero_point, bias, output, qinput, p);
}
