/* Reference pad: for every output element, map its index in each dim back into the input. */
#include "edgec_pad_f32.h"

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

void edgec_pad_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_pad_params *p) {
    const int32_t *s = p->out_shape, *n = p->in_shape, *b = p->before;
    int32_t idx[EDGEC_MAX_RANK];
    size_t o = 0;
    for (idx[0] = 0; idx[0] < s[0]; ++idx[0])
    for (idx[1] = 0; idx[1] < s[1]; ++idx[1])
    for (idx[2] = 0; idx[2] < s[2]; ++idx[2])
    for (idx[3] = 0; idx[3] < s[3]; ++idx[3])
    for (idx[4] = 0; idx[4] < s[4]; ++idx[4])
    for (idx[5] = 0; idx[5] < s[5]; ++idx[5]) {
        size_t src = 0;
        int inside = 1;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) {
            const int32_t i = source_index(p->mode, idx[d], b[d], n[d]);
            if (i < 0) {
                inside = 0;
                break;
            }
            src = src * (size_t)n[d] + (size_t)i;
        }
        out[o++] = inside ? in[src] : p->value;
    }
}
