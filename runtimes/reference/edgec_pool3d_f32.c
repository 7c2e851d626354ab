/* Reference 3-D pooling: direct loops over each output's window. */
#include <math.h>

#include "edgec_pool3d_f32.h"

/* Index of element (n, c, z, y, x) in either layout, for a volume of size s. */
static size_t at(const edgec_pool3d_params *p, const int32_t *s, int32_t n, int32_t c, int32_t z, int32_t y, int32_t x) {
    if (p->channels_last) return ((((size_t)n * s[0] + z) * s[1] + y) * s[2] + x) * p->channels + c;
    return ((((size_t)n * p->channels + c) * s[0] + z) * s[1] + y) * s[2] + x;
}

static void pool(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool3d_params *p, int is_max) {
    const int32_t *in = p->in_size, *out = p->out_size;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t c = 0; c < p->channels; ++c)
    for (int32_t oz = 0; oz < out[0]; ++oz)
    for (int32_t oy = 0; oy < out[1]; ++oy)
    for (int32_t ox = 0; ox < out[2]; ++ox) {
        const int32_t z0 = oz * p->stride[0] - p->pad_begin[0];
        const int32_t y0 = oy * p->stride[1] - p->pad_begin[1];
        const int32_t x0 = ox * p->stride[2] - p->pad_begin[2];
        float acc = is_max ? -INFINITY : 0.0f;
        int32_t real = 0, padded = 0;
        for (int32_t kz = 0; kz < p->kernel[0]; ++kz) {
            const int32_t iz = z0 + kz * p->dilation[0];
            if (iz >= in[0] + p->pad_end[0]) break;
            for (int32_t ky = 0; ky < p->kernel[1]; ++ky) {
                const int32_t iy = y0 + ky * p->dilation[1];
                if (iy >= in[1] + p->pad_end[1]) break;
                for (int32_t kx = 0; kx < p->kernel[2]; ++kx) {
                    const int32_t ix = x0 + kx * p->dilation[2];
                    if (ix >= in[2] + p->pad_end[2]) break;
                    ++padded;
                    if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                    const float v = input[at(p, in, n, c, iz, iy, ix)];
                    if (is_max) acc = v > acc ? v : acc;
                    else acc += v;
                    ++real;
                }
            }
        }
        if (!is_max) {
            const int32_t count = p->count_include_pad ? padded : real;
            acc = count > 0 ? acc / (float)count : 0.0f;
        }
        output[at(p, out, n, c, oz, oy, ox)] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

void edgec_max_pool3d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool3d_params *p) {
    pool(input, output, p, 1);
}

void edgec_avg_pool3d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool3d_params *p) {
    pool(input, output, p, 0);
}
