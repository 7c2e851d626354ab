#include "edgec_max_pool_argmax_f32.h"

void edgec_max_pool_argmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output,
                               int64_t *EDGEC_RESTRICT indices, const edgec_max_pool_argmax_params *p) {
    const int64_t plane = (int64_t)p->in_h * (int64_t)p->in_w;
    for (int32_t c = 0; c < p->planes; ++c) {
        const float *x = input + (size_t)c * (size_t)plane;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            float best = 0.0f;
            int32_t best_y = -1, best_x = -1;
            for (int32_t ky = 0; ky < p->k_h; ++ky) {
                const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                if (iy < 0 || iy >= p->in_h) continue;
                for (int32_t kx = 0; kx < p->k_w; ++kx) {
                    const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                    if (ix < 0 || ix >= p->in_w) continue;
                    const float v = x[(size_t)iy * (size_t)p->in_w + (size_t)ix];
                    if (best_y < 0 || v > best) {
                        best = v;
                        best_y = iy;
                        best_x = ix;
                    }
                }
            }
            /* every window holds an input element: the output size keeps windows off the padding alone */
            const int64_t at = p->column_major ? (int64_t)best_x * p->in_h + best_y : (int64_t)best_y * p->in_w + best_x;
            *output++ = best;
            *indices++ = (int64_t)c * plane + at;
        }
    }
}
