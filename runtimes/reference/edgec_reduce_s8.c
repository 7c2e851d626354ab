/* Reference int8 REDUCE_MAX / REDUCE_MIN and ARG_MAX / ARG_MIN. */
#include "edgec_reduce_s8.h"

void edgec_reduce_max_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_reduce_s8_params *p) {
    const edgec_mean_params *s = &p->shape;
    const int32_t n = s->red_shape[EDGEC_MAX_RANK - 1], step = s->red_strides[EDGEC_MAX_RANK - 1];
    /* MIN as the MAX of the bitwise complement (~v = -1 - v reverses the order of int8 values) */
    const int32_t flip = p->minimum ? -1 : 0;
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        int32_t best = -128;
        edgec_strided_iter r = {{0}, 0};
        do {
            const int8_t *src = in + o.offset + r.offset;
            for (int32_t i = 0; i < n; ++i) {
                const int32_t v = src[(size_t)i * step] ^ flip;
                best = v > best ? v : best;
            }
        } while (edgec_strided_next_outer(&r, s->red_shape, s->red_strides));
        out[k++] = (int8_t)(best ^ flip);
    } while (edgec_strided_next(&o, s->out_shape, s->out_strides));
}

void edgec_arg_max_s8(const int8_t *EDGEC_RESTRICT in, int32_t *EDGEC_RESTRICT out, const edgec_reduce_s8_params *p) {
    const edgec_mean_params *s = &p->shape;
    const int32_t n = s->red_shape[EDGEC_MAX_RANK - 1], step = s->red_strides[EDGEC_MAX_RANK - 1];
    const int32_t flip = p->minimum ? -1 : 0;
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        const int8_t *src = in + o.offset;
        int32_t best = src[0] ^ flip, index = 0;
        for (int32_t i = 1; i < n; ++i) { /* strictly greater: the first of equal values wins, as in TFLite */
            const int32_t v = src[(size_t)i * step] ^ flip;
            if (v > best) {
                best = v;
                index = i;
            }
        }
        out[k++] = index;
    } while (edgec_strided_next(&o, s->out_shape, s->out_strides));
}
