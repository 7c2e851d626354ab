/* Reference reduction: for each output element, fold its reduction window starting from the window's first
 * element. The window's innermost reduced dim is a plain loop; the odometer walks the others. */
#include "edgec_reduce_f32.h"

static float combine(int32_t op, float acc, float x) {
    switch (op) {
    case EDGEC_REDUCE_SUM: return acc + x;
    case EDGEC_REDUCE_MAX: return (x > acc || x != x) ? x : acc;
    case EDGEC_REDUCE_MIN: return (x < acc || x != x) ? x : acc;
    default: return acc * x;
    }
}

void edgec_reduce_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_reduce_params *p) {
    const edgec_mean_params *s = &p->shape;
    const int32_t n = s->red_shape[EDGEC_MAX_RANK - 1], step = s->red_strides[EDGEC_MAX_RANK - 1];
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        float acc = in[o.offset];
        int32_t first = 1; /* the window's first element is the start value */
        edgec_strided_iter r = {{0}, 0};
        do {
            const float *src = in + o.offset + r.offset;
            for (int32_t i = first; i < n; ++i) acc = combine(p->op, acc, src[(size_t)i * step]);
            first = 0;
        } while (edgec_strided_next_outer(&r, s->red_shape, s->red_strides));
        out[k++] = acc;
    } while (edgec_strided_next(&o, s->out_shape, s->out_strides));
}
