#include "edgec_bitshift.h"
#include "edgec_int_elements.h"

static uint64_t shift(uint64_t v, uint64_t amount, const edgec_bitshift_params *p) {
    const uint64_t width = (uint64_t)p->element_bytes * 8u;
    const int negative_amount = p->is_signed && (int64_t)amount < 0;
    const int negative_value = p->is_signed && (int64_t)v < 0; /* v is sign-extended */
    if (negative_amount || amount >= width) /* only the fill is left */
        return !p->left && negative_value ? ~(uint64_t)0 : 0u;
    if (p->left) return v << amount;
    /* arithmetic right shift written with unsigned operations only: the complement shifted, complemented back */
    return negative_value ? ~((~v) >> amount) : v >> amount;
}

void edgec_bitshift(const void *x, const void *y, void *out, const edgec_bitshift_params *p) {
    const int32_t *s = p->out_shape;
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ix = {{0}, 0}, iy = {{0}, 0};
    size_t o = 0;
    int more;
    do {
        edgec_int_store(out, o++, p->element_bytes,
              shift(edgec_int_load(x, ix.offset, p->element_bytes, p->is_signed), edgec_int_load(y, iy.offset, p->element_bytes, p->is_signed), p));
        more = edgec_strided_next(&ix, s, p->x_strides);
        (void)edgec_strided_next(&iy, s, p->y_strides);
    } while (more);
}
