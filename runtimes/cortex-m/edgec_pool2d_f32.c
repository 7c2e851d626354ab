/* Cortex-M twin of reference/edgec_pool2d_f32.c, bit-identical to it. Channels-last pooling (KWS's 25x5 average
 * over 64 channels) walks each output pixel's window once with the channels innermost, summing into the output row
 * in the reference's tap order: one load, one add and one store per input value, where the reference recomputed
 * the window and both layouts' indices for every channel. Channels-first keeps the reference's loops. */
#include <math.h>

#include "edgec_pool2d_f32_ref.h"

/* NHWC: per output pixel, acc[c] (the output row) over the taps in the reference's order, then the average. */
static void pool_nhwc(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p,
                      int is_max) {
    const int32_t C = p->channels;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oy = 0; oy < p->out_h; ++oy)
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
        const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
        float *acc = output + edgec_pool2d_f32_at(p, n, 0, oy, ox, p->out_h, p->out_w);
        for (int32_t c = 0; c < C; ++c) acc[c] = is_max ? -INFINITY : 0.0f;
        int32_t real = 0, padded = 0;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            if (iy >= p->in_h + p->pad_bottom) break; /* past the padded input (ceil mode) */
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (ix >= p->in_w + p->pad_right) break;
                ++padded;
                if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) continue;
                const float *v = input + edgec_pool2d_f32_at(p, n, 0, iy, ix, p->in_h, p->in_w);
                if (is_max) {
                    for (int32_t c = 0; c < C; ++c) acc[c] = v[c] > acc[c] ? v[c] : acc[c];
                } else {
                    int32_t c = 0;
                    for (; c + 4 <= C; c += 4) {
                        acc[c] += v[c]; acc[c + 1] += v[c + 1]; acc[c + 2] += v[c + 2]; acc[c + 3] += v[c + 3];
                    }
                    for (; c < C; ++c) acc[c] += v[c];
                }
                ++real;
            }
        }
        const int32_t count = p->count_include_pad ? padded : real;
        for (int32_t c = 0; c < C; ++c) {
            float a = acc[c];
            if (!is_max) a = count > 0 ? a / (float)count : 0.0f;
            acc[c] = edgec_clampf(a, p->act_min, p->act_max);
        }
    }
}

static void pool(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p, int is_max) {
    if (p->channels_last) {
        pool_nhwc(input, output, p, is_max);
        return;
    }
    edgec_pool2d_f32_reference(input, output, p, is_max);
}

void edgec_max_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p) {
    pool(input, output, p, 1);
}

void edgec_avg_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p) {
    pool(input, output, p, 0);
}
