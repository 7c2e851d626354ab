#include "edgec_where_int.h"

/* Copies element `from` of src to element `to` of dst, `bytes` wide. */
static void copy_element(void *dst, size_t to, const void *src, size_t from, int32_t bytes) {
    switch (bytes) {
    case 1: ((uint8_t *)dst)[to] = ((const uint8_t *)src)[from]; break;
    case 2: ((uint16_t *)dst)[to] = ((const uint16_t *)src)[from]; break;
    case 4: ((uint32_t *)dst)[to] = ((const uint32_t *)src)[from]; break;
    default: ((uint64_t *)dst)[to] = ((const uint64_t *)src)[from]; break;
    }
}

void edgec_where_int(const uint8_t *cond, const void *x, const void *y, void *out, int32_t element_bytes,
                     const edgec_where_params *p) {
    const int32_t *s = p->out_shape;
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ic = {{0}, 0}, ix = {{0}, 0}, iy = {{0}, 0};
    size_t o = 0;
    int more;
    do {
        if (cond[ic.offset]) copy_element(out, o, x, ix.offset, element_bytes);
        else copy_element(out, o, y, iy.offset, element_bytes);
        ++o;
        more = edgec_strided_next(&ic, s, p->c_strides);
        (void)edgec_strided_next(&ix, s, p->x_strides);
        (void)edgec_strided_next(&iy, s, p->y_strides);
    } while (more);
}
