#include "edgec_binary_f32.h"

static float apply(int32_t op, float x, float y) {
    switch (op) {
    case EDGEC_ADD: return x + y;
    case EDGEC_SUB: return x - y;
    case EDGEC_MUL: return x * y;
    case EDGEC_DIV: return x / y;
    case EDGEC_MAX: return x < y ? y : x;
    default: return y < x ? y : x;
    }
}

void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t *as = p->a_strides, *bs = p->b_strides;
    /* The innermost dimension is the hot loop; the outer five walk the broadcast strides. */
    for (int32_t i0 = 0; i0 < s[0]; ++i0)
    for (int32_t i1 = 0; i1 < s[1]; ++i1)
    for (int32_t i2 = 0; i2 < s[2]; ++i2)
    for (int32_t i3 = 0; i3 < s[3]; ++i3)
    for (int32_t i4 = 0; i4 < s[4]; ++i4) {
        const size_t ao = (size_t)i0 * as[0] + (size_t)i1 * as[1] + (size_t)i2 * as[2] + (size_t)i3 * as[3] + (size_t)i4 * as[4];
        const size_t bo = (size_t)i0 * bs[0] + (size_t)i1 * bs[1] + (size_t)i2 * bs[2] + (size_t)i3 * bs[3] + (size_t)i4 * bs[4];
        const size_t oo = ((((size_t)i0 * s[1] + i1) * s[2] + i2) * s[3] + i3) * s[4] * s[5] + (size_t)i4 * s[5];
        for (int32_t i5 = 0; i5 < s[5]; ++i5)
            out[oo + i5] = edgec_clampf(apply(p->op, a[ao + (size_t)i5 * as[5]], b[bo + (size_t)i5 * bs[5]]),
                                        p->act_min, p->act_max);
    }
}
