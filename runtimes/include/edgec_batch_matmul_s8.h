/* BATCH_MATMUL, int8 (TFLite's reference BatchMatMul<int8_t, int32_t>): out[b][i][j] = requantised
 * sum_k (lhs[b][i][k] + lhs_offset) * (rhs[b][k][j] + rhs_offset), up to three batch dims with broadcasting.
 * Both operands are read through strides, so adj_x / adj_y (transposed operands) need no copy. */
#ifndef EDGEC_BATCH_MATMUL_S8_H
#define EDGEC_BATCH_MATMUL_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t batch_shape[3];                          /* the output's batch dims, right-aligned */
    int32_t lhs_batch_strides[3], rhs_batch_strides[3]; /* 0 along a broadcast dim */
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride, rhs_depth_stride, rhs_col_stride;
    int32_t lhs_offset, rhs_offset, output_offset;
    int32_t multiplier, shift;
} edgec_batch_matmul_s8_params;

void edgec_batch_matmul_s8(const int8_t *lhs, const int8_t *rhs, int8_t *EDGEC_RESTRICT out,
                           const edgec_batch_matmul_s8_params *p);

#endif
