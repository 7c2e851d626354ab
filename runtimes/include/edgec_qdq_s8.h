/* int8 helpers for ONNX QDQ models (onnxruntime semantics): QuantizeLinear / DequantizeLinear at the graph's
 * float boundary (with the NCHW <-> NHWC change of layout; TFLite's QUANTIZE / DEQUANTIZE use them too), max
 * pooling, global average pooling with requantisation, and softmax computed in float between an int8 input and
 * an int8 output. */
#ifndef EDGEC_QDQ_S8_H
#define EDGEC_QDQ_S8_H

#include "edgec_broadcast_s8.h"
#include "edgec_common.h"

typedef struct {
    int32_t n, c, hw;      /* hw = H * W; 1 for tensors without spatial axes */
    int32_t nchw_to_nhwc;  /* 1: input NCHW, output NHWC (quantize) or the reverse (dequantize) */
    float scale;
    int32_t zero_point;
    int32_t round_half_away; /* quantize: 1 rounds half away from zero (TFLite QUANTIZE), 0 half to even (ONNX) */
} edgec_qdq_s8_params;

/* q = saturate(round(x / scale) + zero_point), rounding as `round_half_away` says */
void edgec_quantize_s8(const float *EDGEC_RESTRICT x, int8_t *EDGEC_RESTRICT q, const edgec_qdq_s8_params *p);
/* x = (q - zero_point) * scale */
void edgec_dequantize_s8(const int8_t *EDGEC_RESTRICT q, float *EDGEC_RESTRICT x, const edgec_qdq_s8_params *p);

typedef struct {
    int32_t batch, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h, stride_w, pad_top, pad_left;
} edgec_max_pool2d_s8_params;

/* NHWC max pooling; input and output share quantisation (max commutes with it). */
void edgec_max_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_max_pool2d_s8_params *p);

typedef struct {
    int32_t batch, hw, channels;
    int32_t input_zero_point, output_zero_point;
    float scale; /* input_scale / (hw * output_scale) */
} edgec_global_avg_pool_s8_params;

/* NHWC [batch, hw, channels] -> [batch, channels]: mean over hw, requantised with a float scale. */
void edgec_global_avg_pool_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                              const edgec_global_avg_pool_s8_params *p);

typedef struct {
    int32_t outer, depth;
    float output_scale_inv; /* floor(1 / output_scale) */
    int32_t output_zero_point;
} edgec_softmax_q8_params;

/* softmax over the last axis as onnxruntime's QLinearSoftmax (int8): `table` holds exp((i - 255 + shift) *
 * input_scale) for the int8 index i - 128 (built by the compiler); float sums, round half to even. */
void edgec_softmax_q8(const int8_t *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT table,
                      int8_t *EDGEC_RESTRICT output, const edgec_softmax_q8_params *p);

typedef struct {
    int32_t count;
    int32_t a_zero_point, b_zero_point, output_zero_point;
    float a_ratio, b_ratio; /* a_scale / output_scale, b_scale / output_scale */
} edgec_add_q8_params;

/* onnxruntime's QLinearAdd: round_half_even(a_ratio * (a - za) + b_ratio * (b - zb)) + zc, saturated. */
void edgec_add_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_q8_params *p);

typedef struct {
    edgec_broadcast_params shape;
    int32_t mul; /* 0: a + b, 1: a * b */
    int32_t a_zero_point, b_zero_point, output_zero_point;
    float a_scale, b_scale, output_scale;
} edgec_binary_q8_params;

/* DequantizeLinear -> Add / Mul -> QuantizeLinear with broadcasting, step by step in float32 as onnxruntime
 * runs it: round_half_even(((a - za) * sa  op  (b - zb) * sb) / sc) + zc, saturated. */
void edgec_binary_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_binary_q8_params *p);

#endif /* EDGEC_QDQ_S8_H */
