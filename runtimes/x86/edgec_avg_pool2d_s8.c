/* int8 average pooling for desktop / server hosts: the window summed sixteen channels at a time (each tap one
 * sign-extending load and one add of int32 lanes; KWS's global pooling over 125 pixels took 4 us lane by lane),
 * then each channel's rounded division as the reference does it; channels past the last block of 16 one by one.
 * Bit-exact with runtimes/reference/edgec_avg_pool2d_s8.c. */
#include "edgec_avg_pool2d_s8.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

typedef int32_t v16i __attribute__((vector_size(64)));
#define LANES 16

/* acc += the 16 int8 at ptr: one vpmovsxbd where the build has AVX-512, else through an array of int32. */
#if defined(__AVX512F__)
#define ADD_X(acc, ptr) ((acc) += (v16i)_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(ptr))))
#else
#define ADD_X(acc, ptr)                                                   \
    do {                                                                  \
        int32_t lanes_[LANES];                                            \
        v16i x_;                                                          \
        for (int32_t j_ = 0; j_ < LANES; ++j_) lanes_[j_] = (ptr)[j_];    \
        __builtin_memcpy(&x_, lanes_, sizeof x_);                         \
        (acc) += x_;                                                      \
    } while (0)
#endif

/* TFLite's average of a window of count > 0 values: rounding half away from zero, then the activation's clamp. */
static int8_t average(int32_t acc, int32_t count, const edgec_avg_pool2d_s8_params *p) {
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

void edgec_avg_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_avg_pool2d_s8_params *p) {
    const int32_t C = p->channels;
    for (int32_t b = 0; b < p->batch; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t ky0 = y0 < 0 ? -y0 : 0;
                const int32_t kx0 = x0 < 0 ? -x0 : 0;
                const int32_t ky1 = p->k_h < p->in_h - y0 ? p->k_h : p->in_h - y0;
                const int32_t kx1 = p->k_w < p->in_w - x0 ? p->k_w : p->in_w - x0;
                const int32_t rows = ky1 - ky0, cols = kx1 - kx0, count = rows > 0 && cols > 0 ? rows * cols : 0;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
                if (count == 0) {
                    for (int32_t c = 0; c < C; ++c) out[c] = (int8_t)p->act_min;
                    continue;
                }
                /* the window's first pixel inside the input */
                const int8_t *window = input + (((size_t)b * p->in_h + y0 + ky0) * p->in_w + x0 + kx0) * C;
                const ptrdiff_t row = (ptrdiff_t)p->in_w * C;
                int32_t c = 0;
                for (; c + LANES <= C; c += LANES) {
                    v16i acc = {0};
                    for (int32_t ky = 0; ky < rows; ++ky)
                        for (int32_t kx = 0; kx < cols; ++kx) ADD_X(acc, window + ky * row + (ptrdiff_t)kx * C + c);
                    int32_t sums[LANES];
                    __builtin_memcpy(sums, &acc, sizeof sums);
                    for (int32_t j = 0; j < LANES; ++j) out[c + j] = average(sums[j], count, p);
                }
                for (; c < C; ++c) {
                    int32_t acc = 0;
                    for (int32_t ky = 0; ky < rows; ++ky)
                        for (int32_t kx = 0; kx < cols; ++kx) acc += window[ky * row + (ptrdiff_t)kx * C + c];
                    out[c] = average(acc, count, p);
                }
            }
        }
    }
}
