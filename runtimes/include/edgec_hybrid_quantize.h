/* On-the-fly input quantization for hybrid (dynamic-range quantized) kernels: LiteRT's
 * (tensor_utils::SymmetricQuantizeFloats / AsymmetricQuantizeFloats) and ONNX's DynamicQuantizeLinear. */
#ifndef EDGEC_HYBRID_QUANTIZE_H
#define EDGEC_HYBRID_QUANTIZE_H

#include "edgec_common.h"

/* How a hybrid kernel quantizes its float input (the `quant` field of the hybrid kernels' parameters). */
#define EDGEC_HYBRID_TFLITE_SYMMETRIC 0  /* LiteRT: symmetric int8, scale max|x| / 127 */
#define EDGEC_HYBRID_TFLITE_ASYMMETRIC 1 /* LiteRT: asymmetric int8 with a nudged zero point */
#define EDGEC_HYBRID_ONNX_U8 2           /* ONNX DynamicQuantizeLinear: uint8, whole tensor, ties to even */

/* range = max|x|; q = clamp(round(x * (127 / range)), -127, 127); returns range / 127.
 * All-zero x: q = 0 and returns 1. */
float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q);

/* [min(x, 0), max(x, 0)] onto [-128, 127] with a nudged zero point (*zero_point); returns the scale.
 * All-zero x: q = 0, *zero_point = 0 and returns 1. */
float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point);

/* ONNX DynamicQuantizeLinear's scale and zero point, computed as onnxruntime does (float arithmetic):
 *   lo = min(min(x), 0), hi = max(max(x), 0); scale = hi == lo ? 1 : (hi - lo) / 255;
 *   zero_point = round_half_even(clamp(0 - lo / scale, 0, 255)).
 * (For an all-zero x the ONNX reference implementation gives scale 1/255 and onnxruntime 1; q and the zero
 * point are 0 either way.) Returns the scale. */
float edgec_dynamic_quantize_params_u8(const float *EDGEC_RESTRICT x, int32_t n, int32_t *zero_point);

/* One element: clamp(round_half_even(x / scale) + zero_point, 0, 255) (NaN gives 0, as in onnxruntime). */
EDGEC_INLINE int32_t edgec_dynamic_quantize_one_u8(float x, float scale, int32_t zero_point) {
    float v = x / scale;
    const float lo = (float)(0 - zero_point), hi = (float)(255 - zero_point);
    if (!(v >= lo)) v = lo;
    if (v > hi) v = hi;
    return edgec_round_half_even(v) + zero_point;
}

/* The DynamicQuantizeLinear operator: y = uint8 quantization of x (n elements), with its scale and zero point. */
void edgec_dynamic_quantize_linear(const float *EDGEC_RESTRICT x, int32_t n, uint8_t *EDGEC_RESTRICT y,
                                   float *EDGEC_RESTRICT y_scale, uint8_t *EDGEC_RESTRICT y_zero_point);

/* For the hybrid kernels: DynamicQuantizeLinear of x (n elements), stored as int8 q - 128 with
 * *zero_point = zp - 128, so that q - zp is unchanged. If nchw_hw > 0, x is [n / (c * nchw_hw), c, nchw_hw]
 * and q is written channels-last ([.., nchw_hw, c]). Returns the scale. */
float edgec_dynamic_quantize_s8_shifted(const float *EDGEC_RESTRICT x, int32_t n, int32_t c, int32_t nchw_hw,
                                        int8_t *EDGEC_RESTRICT q, int32_t *zero_point);

/* acc + sum of (q[i] - zp) * (w[i] - wz) over n: the hybrid kernels' dot product. Weights without a zero point
 * (TFLite's, always) take the loop without the extra subtraction. */
EDGEC_INLINE int32_t edgec_hybrid_dot(const int8_t *q, const int8_t *w, int32_t n, int32_t zp, int32_t wz,
                                      int32_t acc) {
    if (wz == 0) {
        for (int32_t i = 0; i < n; ++i) acc += ((int32_t)q[i] - zp) * (int32_t)w[i];
    } else {
        for (int32_t i = 0; i < n; ++i) acc += ((int32_t)q[i] - zp) * ((int32_t)w[i] - wz);
    }
    return acc;
}

#endif
