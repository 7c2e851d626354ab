/* Reference int8 batched matmul: exact int32 sums, TFLite's double-rounding requantisation. */
#include "edgec_batch_matmul_s8.h"
#include "edgec_fixedpoint_s8.h"

void edgec_batch_matmul_s8(const int8_t *lhs, const int8_t *rhs, int8_t *EDGEC_RESTRICT out,
                           const edgec_batch_matmul_s8_params *p) {
    for (int32_t b0 = 0; b0 < p->batch_shape[0]; ++b0) {
        for (int32_t b1 = 0; b1 < p->batch_shape[1]; ++b1) {
            for (int32_t b2 = 0; b2 < p->batch_shape[2]; ++b2) {
                const int8_t *l = lhs + (size_t)b0 * p->lhs_batch_strides[0] + (size_t)b1 * p->lhs_batch_strides[1] +
                                  (size_t)b2 * p->lhs_batch_strides[2];
                const int8_t *r = rhs + (size_t)b0 * p->rhs_batch_strides[0] + (size_t)b1 * p->rhs_batch_strides[1] +
                                  (size_t)b2 * p->rhs_batch_strides[2];
                for (int32_t i = 0; i < p->rows; ++i) {
                    const int8_t *row = l + (size_t)i * p->lhs_row_stride;
                    for (int32_t j = 0; j < p->cols; ++j) {
                        const int8_t *col = r + (size_t)j * p->rhs_col_stride;
                        int32_t acc = 0;
                        for (int32_t k = 0; k < p->depth; ++k)
                            acc += (row[(size_t)k * p->lhs_depth_stride] + p->lhs_offset) *
                                   (col[(size_t)k * p->rhs_depth_stride] + p->rhs_offset);
                        const int32_t q = edgec_mbqm(acc, p->multiplier, p->shift) + p->output_offset;
                        *out++ = (int8_t)edgec_clamp_i32(q, -128, 127);
                    }
                }
            }
        }
    }
}
