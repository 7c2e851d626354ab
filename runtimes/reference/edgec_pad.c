/* Reference pad: for every output element, map its index in each dim back into the input. */
#include "edgec_pad.h"

/* The input index for output index `o` along a dim of size n, or -1 for "use the constant". */
static int32_t source_index(int32_t mode, int32_t o, int32_t before, int32_t n) {
    int32_t i = o - before;
    if (i >= 0 && i < n) return i;
    switch (mode) {
    case EDGEC_PAD_REFLECT: {
        if (n == 1) return 0;
        const int32_t period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }
    case EDGEC_PAD_EDGE:
        return i < 0 ? 0 : n - 1;
    case EDGEC_PAD_WRAP:
        i %= n;
        return i < 0 ? i + n : i;
    default:
        return -1;
    }
}

/* The input element that output index `idx` reads, or -1 for the constant. */
static ptrdiff_t source_offset(const int32_t *idx, const edgec_pad_params *p) {
    size_t src = 0;
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) {
        const int32_t i = source_index(p->mode, idx[d], p->before[d], p->in_shape[d]);
        if (i < 0) return -1;
        src = src * (size_t)p->in_shape[d] + (size_t)i;
    }
    return (ptrdiff_t)src;
}

/* The output is written densely in row-major order; the odometer's offset is unused (zero strides). */
#define EDGEC_PAD_FILL(value)                                                           \
    static const int32_t no_strides[EDGEC_MAX_RANK] = {0};                              \
    edgec_strided_iter it = {{0}, 0};                                                   \
    size_t o = 0;                                                                       \
    if (edgec_shape_is_empty(p->out_shape)) return;                                                 \
    do {                                                                                \
        const ptrdiff_t s = source_offset(it.index, p);                                 \
        out[o++] = s < 0 ? (value) : in[s];                                             \
    } while (edgec_strided_next(&it, p->out_shape, no_strides))

void edgec_pad_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_pad_params *p) {
    EDGEC_PAD_FILL(p->value);
}

void edgec_pad_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_pad_params *p) {
    EDGEC_PAD_FILL((int8_t)(int32_t)p->value);
}
