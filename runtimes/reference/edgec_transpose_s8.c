/* Reference int8 transpose: walk the output in order, gather from the input through permuted strides. */
#include "edgec_transpose_s8.h"

void edgec_transpose_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_transpose_params *p) {
    const int32_t *s = p->out_shape, *st = p->in_strides;
    const int32_t n = s[EDGEC_MAX_RANK - 1], step = st[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter it = {{0}, 0};
    size_t o = 0;
    do {
        const int8_t *src = in + it.offset;
        for (int32_t i = 0; i < n; ++i) out[o++] = src[(size_t)i * step];
    } while (edgec_strided_next_outer(&it, s, st));
}
