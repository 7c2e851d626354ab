#include "edgec_bitshift.h"

/* Element i of a tensor of `bytes`-wide integers, widened to 64 bits (sign-extended when signed). */
static uint64_t load(const void *base, size_t i, int32_t bytes, int32_t is_signed) {
    switch (bytes) {
    case 1: return is_signed ? (uint64_t)(int64_t)((const int8_t *)base)[i] : (uint64_t)((const uint8_t *)base)[i];
    case 2: return is_signed ? (uint64_t)(int64_t)((const int16_t *)base)[i] : (uint64_t)((const uint16_t *)base)[i];
    case 4: return is_signed ? (uint64_t)(int64_t)((const int32_t *)base)[i] : (uint64_t)((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

/* Keeps the low `bytes` bytes (the bit pattern of the narrow result, signed or not). */
static void store(void *base, size_t i, int32_t bytes, uint64_t v) {
    switch (bytes) {
    case 1: ((uint8_t *)base)[i] = (uint8_t)v; break;
    case 2: ((uint16_t *)base)[i] = (uint16_t)v; break;
    case 4: ((uint32_t *)base)[i] = (uint32_t)v; break;
    default: ((uint64_t *)base)[i] = v; break;
    }
}

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
        store(out, o++, p->element_bytes,
              shift(load(x, ix.offset, p->element_bytes, p->is_signed), load(y, iy.offset, p->element_bytes, p->is_signed), p));
        more = edgec_strided_next(&ix, s, p->x_strides);
        (void)edgec_strided_next(&iy, s, p->y_strides);
    } while (more);
}
