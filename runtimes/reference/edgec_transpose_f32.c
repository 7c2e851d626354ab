/* Reference transpose: walk the output in order, gather from the input through permuted strides. */
#include "edgec_transpose_f32.h"

void edgec_transpose_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_transpose_params *p) {
    const int32_t *s = p->out_shape, *st = p->in_strides;
    const int32_t n = s[EDGEC_MAX_RANK - 1], step = st[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter it = {{0}, 0};
    size_t o = 0;
    do {
        const float *src = in + it.offset;
        for (int32_t i = 0; i < n; ++i) out[o++] = src[(size_t)i * step];
    } while (edgec_strided_next_outer(&it, s, st));
}
