#include "edgec_where_s8.h"

void edgec_where_s8(const uint8_t *cond, const int8_t *x, const int8_t *y, int8_t *out, const edgec_where_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t c_step = (size_t)p->c_strides[EDGEC_MAX_RANK - 1];
    const size_t x_step = (size_t)p->x_strides[EDGEC_MAX_RANK - 1], y_step = (size_t)p->y_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ic = {{0}, 0}, ix = {{0}, 0}, iy = {{0}, 0};
    int8_t *o = out;
    int more;
    do {
        const uint8_t *c = cond + ic.offset;
        const int8_t *a = x + ix.offset, *b = y + iy.offset;
        for (int32_t i = 0; i < n; ++i) o[i] = c[(size_t)i * c_step] ? a[(size_t)i * x_step] : b[(size_t)i * y_step];
        o += n;
        more = edgec_strided_next_outer(&ic, s, p->c_strides);
        (void)edgec_strided_next_outer(&ix, s, p->x_strides);
        (void)edgec_strided_next_outer(&iy, s, p->y_strides);
    } while (more);
}
