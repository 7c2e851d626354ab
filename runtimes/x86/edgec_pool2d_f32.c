/* 2-D max and average pooling, float32, for x86 hosts. Channels-last (NHWC: KWS's 25 x 5 global average over 64
 * channels) walks each output pixel's window once with eight channels to a vector, the sums in registers, in the
 * reference's tap order per channel: bit-identical to runtimes/reference/edgec_pool2d_f32.c, which recomputes
 * the window and both layouts' indices for every channel. Channels-first keeps the reference's loops. */
#include <math.h>

#include "edgec_pool2d_f32_ref.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define STORE8(ptr, v) (*(v8f_unaligned *)(void *)(ptr) = (v))
#define SELECT8(mask, a, b) ((v8f)(((v8i)(a) & (mask)) | ((v8i)(b) & ~(mask))))

/* The taps of output pixel (oy, ox) inside the input, in the reference's order: input offsets (pixel index *
 * channels) to taps[], their count returned; *padded: the window clipped to the padded input. */
static int32_t window(const edgec_pool2d_params *p, int32_t oy, int32_t ox, size_t *taps, int32_t *padded) {
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    int32_t real = 0;
    *padded = 0;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy >= p->in_h + p->pad_bottom) break; /* past the padded input (ceil mode) */
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (ix >= p->in_w + p->pad_right) break;
            ++*padded;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) continue;
            taps[real++] = ((size_t)iy * p->in_w + ix) * p->channels;
        }
    }
    return real;
}

#define MAX_TAPS 4096 /* windows with more taps take the reference's loops */

static void pool_nhwc(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p,
                      int is_max) {
    const int32_t C = p->channels;
    size_t taps[MAX_TAPS];
    const v8f lo8 = (v8f){0} + p->act_min, hi8 = (v8f){0} + p->act_max;
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *in = input + (size_t)n * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int32_t padded;
                const int32_t real = window(p, oy, ox, taps, &padded);
                const int32_t count = p->count_include_pad ? padded : real;
                float *out = output + edgec_pool2d_f32_at(p, n, 0, oy, ox, p->out_h, p->out_w);
                int32_t c = 0;
                for (; c + 8 <= C; c += 8) {
                    v8f acc = (v8f){0} + (is_max ? -INFINITY : 0.0f);
                    for (int32_t t = 0; t < real; ++t) {
                        const v8f v = LOAD8(in + taps[t] + c);
                        acc = is_max ? SELECT8(v > acc, v, acc) : acc + v;
                    }
                    if (!is_max) acc = count > 0 ? acc / (float)count : (v8f){0};
                    acc = SELECT8(acc < lo8, lo8, acc); /* edgec_clampf */
                    acc = SELECT8(acc > hi8, hi8, acc);
                    STORE8(out + c, acc);
                }
                for (; c < C; ++c) {
                    float acc = is_max ? -INFINITY : 0.0f;
                    for (int32_t t = 0; t < real; ++t) {
                        const float v = in[taps[t] + c];
                        acc = is_max ? (v > acc ? v : acc) : acc + v;
                    }
                    if (!is_max) acc = count > 0 ? acc / (float)count : 0.0f;
                    out[c] = edgec_clampf(acc, p->act_min, p->act_max);
                }
            }
    }
}

static void pool(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p, int is_max) {
    if (p->channels_last && (int64_t)p->k_h * p->k_w <= MAX_TAPS) {
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
