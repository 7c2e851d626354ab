#include "edgec_binary_apply_f32.h"

void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    /* The innermost dimension is the hot loop; the odometers walk the broadcast strides of the outer five. */
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    float *o = out;
    int more;
    do {
        const float *x = a + ia.offset, *y = b + ib.offset;
        for (int32_t i = 0; i < n; ++i)
            o[i] = edgec_clampf(edgec_binary_apply_f32(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]), p->act_min,
                                p->act_max);
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}
