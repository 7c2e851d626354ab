/* Arm NEON: 2-D max and average pooling, float32. Channels-last (NHWC: KWS's 25 x 5 global average over 64
 * channels) walks each output pixel's window once, sixteen channels at a time in four vectors, then four, then
 * one, each channel's taps in the reference's order (the max by compare-and-select, as `v > acc`; the average's
 * division correctly rounded, FDIV, lane by lane on Armv7-A): bit-identical to
 * runtimes/reference/edgec_pool2d_f32.c, which recomputes the window and the indices for every channel.
 * Channels-first keeps the reference's loops. */
#include <math.h>

#include "edgec_neon.h"
#include "edgec_pool2d_f32_ref.h"

EDGEC_INLINE float32x4_t tap(float32x4_t acc, float32x4_t v, int is_max) {
    return is_max ? vbslq_f32(vcgtq_f32(v, acc), v, acc) : vaddq_f32(acc, v);
}

/* acc / count as the scalar division rounds it (count > 0), then edgec_clampf. */
EDGEC_INLINE float32x4_t finish(float32x4_t acc, int is_max, int32_t count, float32x4_t lo, float32x4_t hi) {
    if (!is_max) {
        if (count == 0) {
            acc = vdupq_n_f32(0.0f);
        } else {
#if defined(__aarch64__)
            acc = vdivq_f32(acc, vdupq_n_f32((float)count));
#else
            float a[4];
            vst1q_f32(a, acc);
            for (int32_t j = 0; j < 4; ++j) a[j] = a[j] / (float)count;
            acc = vld1q_f32(a);
#endif
        }
    }
    acc = vbslq_f32(vcltq_f32(acc, lo), lo, acc);
    return vbslq_f32(vcgtq_f32(acc, hi), hi, acc);
}

/* One output pixel's channels [c0, c0 + 4 * nv) over its window (rows y0.., columns x0.. of the taps), nv vectors. */
#define POOL_WINDOW(NV)                                                                                        \
    do {                                                                                                       \
        float32x4_t a[NV];                                                                                     \
        for (int32_t j = 0; j < (NV); ++j) a[j] = vdupq_n_f32(is_max ? -INFINITY : 0.0f);                      \
        for (int32_t ky = 0; ky < ky_end; ++ky) {                                                              \
            const int32_t iy = y0 + ky * p->dil_h;                                                             \
            if (iy < 0 || iy >= p->in_h) continue;                                                             \
            for (int32_t kx = 0; kx < kx_end; ++kx) {                                                          \
                const int32_t ix = x0 + kx * p->dil_w;                                                         \
                if (ix < 0 || ix >= p->in_w) continue;                                                         \
                const float *s = in + ((size_t)iy * p->in_w + ix) * C + c;                                     \
                for (int32_t j = 0; j < (NV); ++j) a[j] = tap(a[j], vld1q_f32(s + 4 * j), is_max);            \
            }                                                                                                  \
        }                                                                                                      \
        for (int32_t j = 0; j < (NV); ++j) vst1q_f32(out + c + 4 * j, finish(a[j], is_max, count, lo, hi));    \
    } while (0)

static void pool_nhwc(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p,
                      int is_max) {
    const int32_t C = p->channels;
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *in = input + (size_t)n * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                /* the taps within the padded input (ceil mode's overhang cut off), and those inside the input */
                int32_t ky_end = 0, kx_end = 0, ky_in = 0, kx_in = 0;
                while (ky_end < p->k_h && y0 + ky_end * p->dil_h < p->in_h + p->pad_bottom) {
                    const int32_t iy = y0 + ky_end * p->dil_h;
                    ky_in += iy >= 0 && iy < p->in_h;
                    ++ky_end;
                }
                while (kx_end < p->k_w && x0 + kx_end * p->dil_w < p->in_w + p->pad_right) {
                    const int32_t ix = x0 + kx_end * p->dil_w;
                    kx_in += ix >= 0 && ix < p->in_w;
                    ++kx_end;
                }
                const int32_t count = p->count_include_pad ? ky_end * kx_end : ky_in * kx_in;
                float *out = output + edgec_pool2d_f32_at(p, n, 0, oy, ox, p->out_h, p->out_w);
                int32_t c = 0;
                for (; c + 16 <= C; c += 16) POOL_WINDOW(4);
                for (; c + 4 <= C; c += 4) POOL_WINDOW(1);
                for (; c < C; ++c) {
                    float acc = is_max ? -INFINITY : 0.0f;
                    for (int32_t ky = 0; ky < ky_end; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < kx_end; ++kx) {
                            const int32_t ix = x0 + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const float v = in[((size_t)iy * p->in_w + ix) * C + c];
                            acc = is_max ? (v > acc ? v : acc) : acc + v;
                        }
                    }
                    if (!is_max) acc = count > 0 ? acc / (float)count : 0.0f;
                    out[c] = edgec_clampf(acc, p->act_min, p->act_max);
                }
            }
    }
}

static void pool(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p,
                 int is_max) {
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
