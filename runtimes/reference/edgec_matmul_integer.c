/* Reference ONNX MatMulInteger: exact int32 accumulation. */
#include "edgec_matmul_integer.h"

void edgec_matmul_integer(const void *EDGEC_RESTRICT a, const void *EDGEC_RESTRICT b,
                          const void *EDGEC_RESTRICT a_zero_point, const void *EDGEC_RESTRICT b_zero_point,
                          int32_t *EDGEC_RESTRICT y, const edgec_matmul_integer_params *p) {
    for (int32_t t = 0; t < p->batch; ++t)
        for (int32_t i = 0; i < p->m; ++i) {
            const int32_t az = edgec_load_q8(a_zero_point, p->a_zp_per_row ? (size_t)i : 0, p->a_signed);
            const size_t row = ((size_t)t * p->m + i) * p->k;
            for (int32_t j = 0; j < p->n; ++j) {
                const int32_t bz = edgec_load_q8(b_zero_point, p->b_zp_per_column ? (size_t)j : 0, p->b_signed);
                int32_t acc = 0;
                for (int32_t kk = 0; kk < p->k; ++kk)
                    acc += (edgec_load_q8(a, row + kk, p->a_signed) - az) *
                           (edgec_load_q8(b, (size_t)kk * p->n + j, p->b_signed) - bz);
                y[((size_t)t * p->m + i) * p->n + j] = acc;
            }
        }
}
