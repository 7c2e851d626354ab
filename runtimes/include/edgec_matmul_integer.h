/* ONNX MatMulInteger with a 2-D B, int32 output:
 *   y[b][i][j] = sum_k (a[b][i][k] - a_zero_point[i]) * (bm[k][j] - b_zero_point[j])
 * a is [batch][m][k] (A's leading axes folded into batch), bm is [k][n]. a and bm are int8 or uint8
 * (a_signed, b_signed); each zero point has the type of its tensor: a_zero_point one value, or m values (per row)
 * if a_zp_per_row; b_zero_point one value, or n values (per column) if b_zp_per_column. Exact int32 sums. */
#ifndef EDGEC_MATMUL_INTEGER_H
#define EDGEC_MATMUL_INTEGER_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, m, k, n;
    int32_t a_signed, b_signed;
    int32_t a_zp_per_row, b_zp_per_column;
} edgec_matmul_integer_params;

void edgec_matmul_integer(const void *EDGEC_RESTRICT a, const void *EDGEC_RESTRICT b,
                          const void *EDGEC_RESTRICT a_zero_point, const void *EDGEC_RESTRICT b_zero_point,
                          int32_t *EDGEC_RESTRICT y, const edgec_matmul_integer_params *p);

#endif
