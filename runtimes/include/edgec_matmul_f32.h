/* Batched matrix multiply, float32: out[b] = a[b] (M x K) * b[b] (K x N) + bias (N), clamped.
 * Batch dimensions broadcast NumPy-style through strides (0 repeats the same matrix). Gemm, MatMul and
 * fully connected layers all lower to this. */
#ifndef EDGEC_MATMUL_F32_H
#define EDGEC_MATMUL_F32_H

#include "edgec_common.h"

#define EDGEC_MATMUL_MAX_BATCH_RANK 4

typedef struct {
    int32_t batch_shape[EDGEC_MATMUL_MAX_BATCH_RANK]; /* right-aligned; leading dims are 1 */
    int32_t a_strides[EDGEC_MATMUL_MAX_BATCH_RANK];   /* element stride of a's matrices per batch dim */
    int32_t b_strides[EDGEC_MATMUL_MAX_BATCH_RANK];
    int32_t m, k, n;
    float act_min, act_max;
} edgec_matmul_params;

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p);

#endif
