/* Reference mean: for each output element, sum its reduction window, then divide by the count. */
#include "edgec_mean_f32.h"

static float window_sum(const float *in, const edgec_mean_params *p) {
    const int32_t *s = p->red_shape, *st = p->red_strides;
    float acc = 0.0f;
    for (int32_t i0 = 0; i0 < s[0]; ++i0)
    for (int32_t i1 = 0; i1 < s[1]; ++i1)
    for (int32_t i2 = 0; i2 < s[2]; ++i2)
    for (int32_t i3 = 0; i3 < s[3]; ++i3)
    for (int32_t i4 = 0; i4 < s[4]; ++i4) {
        const float *src = in + (size_t)i0 * st[0] + (size_t)i1 * st[1] + (size_t)i2 * st[2] + (size_t)i3 * st[3]
                              + (size_t)i4 * st[4];
        for (int32_t i5 = 0; i5 < s[5]; ++i5) acc += src[(size_t)i5 * st[5]];
    }
    return acc;
}

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    const int32_t *s = p->out_shape, *st = p->out_strides;
    size_t o = 0;
    for (int32_t i0 = 0; i0 < s[0]; ++i0)
    for (int32_t i1 = 0; i1 < s[1]; ++i1)
    for (int32_t i2 = 0; i2 < s[2]; ++i2)
    for (int32_t i3 = 0; i3 < s[3]; ++i3)
    for (int32_t i4 = 0; i4 < s[4]; ++i4)
    for (int32_t i5 = 0; i5 < s[5]; ++i5) {
        const float *base = in + (size_t)i0 * st[0] + (size_t)i1 * st[1] + (size_t)i2 * st[2] + (size_t)i3 * st[3]
                               + (size_t)i4 * st[4] + (size_t)i5 * st[5];
        out[o++] = window_sum(base, p) / (float)p->count;
    }
}
