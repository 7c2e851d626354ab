/* Reference int8 mean: integer window sums, then TFLite's fixed-point requantisation. */
#include "edgec_mean_s8.h"

void edgec_mean_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_mean_s8_params *p) {
    const edgec_mean_params *s = &p->shape;
    const int32_t offset = s->count * p->input_zero_point;
    const int32_t n = s->red_shape[EDGEC_MAX_RANK - 1], step = s->red_strides[EDGEC_MAX_RANK - 1]; /* a plain loop */
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        int32_t sum = 0;
        edgec_strided_iter r = {{0}, 0};
        do {
            const int8_t *src = in + o.offset + r.offset;
            for (int32_t i = 0; i < n; ++i) sum += src[(size_t)i * step];
        } while (edgec_strided_next_outer(&r, s->red_shape, s->red_strides));
        const int32_t q = edgec_mbqm(sum - offset, p->multiplier, p->shift) + p->output_zero_point;
        out[k++] = (int8_t)edgec_clamp_i32(q, -128, 127);
    } while (edgec_strided_next(&o, s->out_shape, s->out_strides));
}
