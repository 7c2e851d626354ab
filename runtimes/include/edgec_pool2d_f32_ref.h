/* The reference 2-D float pooling, as static inline functions: runtimes/reference/edgec_pool2d_f32.c is these, and
 * each faster twin (cortex-m, x86, neon) calls them for what it does not speed up (channels-first layouts), so the
 * reference's loop is written once. */
#ifndef EDGEC_POOL2D_F32_REF_H
#define EDGEC_POOL2D_F32_REF_H

#include <math.h>

#include "edgec_pool2d_f32.h"

/* Index of element (n, c, y, x) in either layout. */
static inline size_t edgec_pool2d_f32_at(const edgec_pool2d_params *p, int32_t n, int32_t c, int32_t y, int32_t x,
                                         int32_t h, int32_t w) {
    if (p->channels_last) return (((size_t)n * h + y) * w + x) * p->channels + c;
    return (((size_t)n * p->channels + c) * h + y) * w + x;
}

/* Max (is_max) or average pooling, one output element at a time, each window's taps in order. */
static inline void edgec_pool2d_f32_reference(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output,
                                              const edgec_pool2d_params *p, int is_max) {
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t c = 0; c < p->channels; ++c)
    for (int32_t oy = 0; oy < p->out_h; ++oy)
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
        const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
        float acc = is_max ? -INFINITY : 0.0f;
        int32_t real = 0, padded = 0;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            if (iy >= p->in_h + p->pad_bottom) break; /* past the padded input (ceil mode) */
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (ix >= p->in_w + p->pad_right) break;
                ++padded;
                if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) continue;
                const float v = input[edgec_pool2d_f32_at(p, n, c, iy, ix, p->in_h, p->in_w)];
                if (is_max) acc = v > acc ? v : acc;
                else acc += v;
                ++real;
            }
        }
        if (!is_max) {
            const int32_t count = p->count_include_pad ? padded : real;
            acc = count > 0 ? acc / (float)count : 0.0f;
        }
        output[edgec_pool2d_f32_at(p, n, c, oy, ox, p->out_h, p->out_w)] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

#endif
