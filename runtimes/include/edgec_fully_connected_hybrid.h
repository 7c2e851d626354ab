/* Hybrid (dynamic-range quantized) fully connected layer: float input and output, int8 weights in flash.
 *
 * quant == EDGEC_HYBRID_TFLITE_SYMMETRIC or _ASYMMETRIC: LiteRT's semantics (tensorflow/lite/kernels/
 * fully_connected.cc, EvalHybridDense, per-tensor filter scale): y = bias; if the whole input is zero,
 * y = clamp(bias). Otherwise each of the `batch` input rows is quantized on its own (edgec_hybrid_quantize.h:
 * symmetric, or asymmetric with zero point z) and y[b][u] = bias[u] + (sum_i (x_q[i] - z) * w[u][i]) *
 * (in_scale * w_scale[0]), clamped to [act_min, act_max].
 * quant == EDGEC_HYBRID_ONNX_U8: onnxruntime's quantize_dynamic graph (DynamicQuantizeLinear -> MatMulInteger
 * -> Cast -> Mul -> Add): the whole input (all rows) is quantized by DynamicQuantizeLinear to uint8 with zero
 * point z, acc = sum_i (x_q[i] - z) * (w[u][i] - w_zero_point[u]) and
 * y[b][u] = (float)acc * (in_scale * w_scale[u]) + bias[u] (two roundings), clamped; w_scale has `units`
 * entries if scale_per_channel, else 1.
 * Weights [units][input_size] int8; w_zero_point (`units` entries) may be NULL (all 0); uint8 ONNX weights are
 * stored as w - 128 with w_zero_point - 128. bias has `units` entries.
 * qinput is scratch for the quantized input: input_size bytes (LiteRT: one row at a time), or
 * batch * input_size (ONNX). */
#ifndef EDGEC_FULLY_CONNECTED_HYBRID_H
#define EDGEC_FULLY_CONNECTED_HYBRID_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, input_size, units;
    int32_t quant;             /* EDGEC_HYBRID_* (edgec_hybrid_quantize.h) */
    int32_t scale_per_channel; /* EDGEC_HYBRID_ONNX_U8: w_scale has `units` entries */
    float act_min, act_max;
} edgec_fully_connected_hybrid_params;

void edgec_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                                  const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  int8_t *EDGEC_RESTRICT qinput, const edgec_fully_connected_hybrid_params *p);

#endif
