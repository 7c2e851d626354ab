/* Batched matrix multiply, float32: out[b] = a[b] (M x K) * b[b] (K x N) + bias (N), clamped.
 * Batch dimensions broadcast NumPy-style through strides (0 repeats the same matrix). Gemm, MatMul and
 * fully connected layers all lower to this. */
#ifndef EDGEC_MATMUL_F32_H
#define EDGEC_MATMUL_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch_shape[EDGEC_MAX_RANK]; /* right-aligned; leading dims are 1 */
    int32_t a_strides[EDGEC_MAX_RANK];   /* element stride of a's matrices per batch dim */
    int32_t b_strides[EDGEC_MAX_RANK];
    int32_t m, k, n;
    float act_min, act_max;
} edgec_matmul_params;

/* One M x K by K x N product; each implementation has its own. */
typedef void (*edgec_matmul_one_fn)(const float *a, const float *b, const float *bias, float *out,
                                    const edgec_matmul_params *p);

/* The batch walk the implementations share: `one` for every broadcast pair of matrices, outputs dense. */
EDGEC_INLINE void edgec_matmul_batches(const float *a, const float *b, const float *bias, float *out,
                                       const edgec_matmul_params *p, edgec_matmul_one_fn one) {
    const size_t mn = (size_t)p->m * p->n;
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    int more;
    if (edgec_shape_is_empty(p->batch_shape)) return;
    do {
        one(a + ia.offset, b + ib.offset, bias, out, p);
        out += mn;
        more = edgec_strided_next(&ia, p->batch_shape, p->a_strides);
        (void)edgec_strided_next(&ib, p->batch_shape, p->b_strides);
    } while (more);
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p);

#endif
