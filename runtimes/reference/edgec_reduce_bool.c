/* Reference all / any: the float reduction's walk over each output's window, on bytes. */
#include "edgec_reduce_bool.h"

void edgec_reduce_bool(const uint8_t *EDGEC_RESTRICT in, uint8_t *EDGEC_RESTRICT out, const edgec_reduce_params *p) {
    const edgec_mean_params *s = &p->shape;
    const int32_t n = s->red_shape[EDGEC_MAX_RANK - 1], step = s->red_strides[EDGEC_MAX_RANK - 1];
    const uint8_t all = p->op == EDGEC_REDUCE_MIN;
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        uint8_t acc = all; /* all of nothing is true, any of nothing false */
        edgec_strided_iter r = {{0}, 0};
        do {
            const uint8_t *src = in + o.offset + r.offset;
            for (int32_t i = 0; i < n; ++i) {
                const uint8_t x = src[(size_t)i * step] != 0;
                acc = all ? (uint8_t)(acc & x) : (uint8_t)(acc | x);
            }
        } while (edgec_strided_next_outer(&r, s->red_shape, s->red_strides));
        out[k++] = acc;
    } while (edgec_strided_next(&o, s->out_shape, s->out_strides));
}
