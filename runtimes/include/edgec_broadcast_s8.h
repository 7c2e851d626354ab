/* NumPy-style broadcasting for the int8 binary kernels (add, mul): the output is walked densely row by row
 * (its innermost dim), each input through its own strides (0 along a broadcast dim). */
#ifndef EDGEC_BROADCAST_S8_H
#define EDGEC_BROADCAST_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK]; /* right-aligned; leading dims are 1 */
    int32_t a_strides[EDGEC_MAX_RANK]; /* element strides of each input along out_shape */
    int32_t b_strides[EDGEC_MAX_RANK];
} edgec_broadcast_params;

/* One output row: out[i] = f(a[i * a_step], b[i * b_step]) for i < n. */
typedef void (*edgec_row_s8_fn)(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                                int32_t n, const void *params);

EDGEC_INLINE void edgec_broadcast_rows_s8(const int8_t *a, const int8_t *b, int8_t *out,
                                          const edgec_broadcast_params *bp, edgec_row_s8_fn row, const void *params) {
    const int32_t n = bp->out_shape[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)bp->a_strides[EDGEC_MAX_RANK - 1];
    const size_t b_step = (size_t)bp->b_strides[EDGEC_MAX_RANK - 1];
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    int more;
    if (edgec_shape_is_empty(bp->out_shape)) return;
    do {
        row(a + ia.offset, a_step, b + ib.offset, b_step, out, n, params);
        out += n;
        more = edgec_strided_next_outer(&ia, bp->out_shape, bp->a_strides);
        (void)edgec_strided_next_outer(&ib, bp->out_shape, bp->b_strides);
    } while (more);
}

/* The same, but when neither input broadcasts (each one's strides are the dense output's) the whole tensor is one
 * row: a vectorized row function runs once, not once per innermost row. */
EDGEC_INLINE void edgec_broadcast_rows_or_dense_s8(const int8_t *a, const int8_t *b, int8_t *out,
                                                   const edgec_broadcast_params *bp, edgec_row_s8_fn row,
                                                   const void *params) {
    int32_t dense = 1, total = 1;
    for (int32_t d = EDGEC_MAX_RANK - 1; d >= 0; --d) {
        const int32_t dim = bp->out_shape[d];
        if (dim != 1 && (bp->a_strides[d] != total || bp->b_strides[d] != total)) dense = 0;
        total *= dim;
    }
    if (dense) {
        if (total > 0) row(a, 1, b, 1, out, total, params);
        return;
    }
    edgec_broadcast_rows_s8(a, b, out, bp, row, params);
}

#endif /* EDGEC_BROADCAST_S8_H */
