/* Ternary fully connected layer with float input and output (BitLinear as in the MatMul-free LM): the input is
 * quantized at run time, per call (one token of a step model: per token), then the ternary kernel adds and
 * subtracts, then the float rescale. It is the hybrid layer of edgec_fully_connected_hybrid.h in its ONNX mode
 * (onnxruntime's quantize_dynamic chain DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul -> Add) whose int8
 * weights are a_u * T[u][i], T in {-1, 0, 1}, bit for bit:
 *     q, zp    = DynamicQuantizeLinear(input) (stored shifted, q - 128 and zp - 128: edgec_hybrid_quantize.h)
 *     acc_t[u] = edgec_ternary_sums_s8 of q (edgec_ternary_s8.h: u = q + 128 added or complemented)
 *     acc[u]   = a_u * (acc_t[u] - offset[u] - zp * tsum[u])  = sum_i (q[i] - zp) * w[u][i], exactly
 *     y[b][u]  = clamp((float)acc * (in_scale * w_scale[u]) + bias[u])
 * with tsum[u] = sum_i T[u][i] and offset[u] = 255 * (the -1 weights of row u) + 128 * tsum[u], folded at compile
 * time (compiler/edgec/passes/ternary_kernels.py). */
#ifndef EDGEC_TERNARY_HYBRID_H
#define EDGEC_TERNARY_HYBRID_H

#include "edgec_common.h"
#include "edgec_ternary_s8.h"

typedef struct {
    int32_t batch, input_size, units;
    int32_t scale_per_channel; /* w_scale has `units` entries, else 1 */
    float act_min, act_max;
    edgec_ternary_s8_params t; /* the ternary layer: batch x 1 x 1 x input_size -> units, 1x1 */
} edgec_ternary_hybrid_params;

/* packed, scale (a_u, or NULL: p->t.scale_all): as edgec_ternary_conv_s8's. consts: offset [units] then tsum
 * [units]. qinput: batch * input_size bytes. scratch: batch * units int32 sums, then the ternary kernel's scratch
 * (word-aligned). */
void edgec_ternary_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                                          const int32_t *scale, const int32_t *EDGEC_RESTRICT consts,
                                          const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                                          float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput, void *scratch,
                                          const edgec_ternary_hybrid_params *p);

#endif
