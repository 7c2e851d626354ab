/* int8 helpers for ONNX QDQ models (see edgec_qdq_s8.h) for x86 hosts: the reference's file with QuantizeLinear
 * (half to even) and QLinearAdd eight values at a time on GNU C vectors, the same float steps lane by lane
 * (division, clamp to +-1e6 with NaN low, round half to even as (v + 1.5 * 2^23) - 1.5 * 2^23, exact there in
 * the default rounding mode), so the same bytes as runtimes/reference/edgec_qdq_s8.c. */
#include <math.h>

#include "edgec_qdq_s8_shared.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int8_t v8b __attribute__((vector_size(8)));

/* quantize_one on eight lanes: the bytes to out[0..7] */
#define QUANTIZE8(v_in, zero_point, out)                                                            \
    do {                                                                                            \
        v8f v_ = (v_in);                                                                            \
        const v8f lo_ = (v8f){0} - 1.0e6f, hi_ = (v8f){0} + 1.0e6f;                                 \
        const v8i keep_ = v_ > lo_; /* false for NaN too */                                          \
        v_ = (v8f)(((v8i)v_ & keep_) | ((v8i)lo_ & ~keep_));                                         \
        const v8i over_ = v_ > hi_;                                                                  \
        v_ = (v8f)(((v8i)v_ & ~over_) | ((v8i)hi_ & over_));                                         \
        v_ = (v_ + 12582912.0f) - 12582912.0f;                                                       \
        v8i t_ = __builtin_convertvector(v_, v8i) + (zero_point);                                    \
        const v8i below_ = t_ < -128, above_ = t_ > 127;                                             \
        t_ = (t_ & ~below_) | (-128 & below_);                                                       \
        t_ = (t_ & ~above_) | (127 & above_);                                                        \
        const v8b b_ = __builtin_convertvector(t_, v8b);                                             \
        __builtin_memcpy((out), &b_, 8);                                                             \
    } while (0)

void edgec_quantize_s8(const float *EDGEC_RESTRICT x, int8_t *EDGEC_RESTRICT q, const edgec_qdq_s8_params *p) {
    for (int32_t n = 0; n < p->n; ++n)
        for (int32_t c = 0; c < p->c; ++c) {
            int32_t i = 0;
            const size_t row = ((size_t)n * p->c + c) * p->hw;
            const size_t step = p->nchw_to_nhwc ? (size_t)p->c : 1;
            int8_t *dst0 = p->nchw_to_nhwc ? q + (size_t)n * p->hw * p->c + c : q + row;
            if (!p->round_half_away)
                for (; i + 8 <= p->hw; i += 8) {
                    v8f v;
                    __builtin_memcpy(&v, x + row + i, sizeof v);
                    int8_t bytes[8];
                    QUANTIZE8(v / p->scale, p->zero_point, bytes);
                    for (int32_t j = 0; j < 8; ++j) dst0[(size_t)(i + j) * step] = bytes[j];
                }
            for (; i < p->hw; ++i) {
                const float v = x[row + i] / p->scale;
                if (p->round_half_away) {
                    const float r = edgec_round_half_away(v) + (float)p->zero_point;
                    dst0[(size_t)i * step] = (int8_t)(int32_t)(r > 127.0f ? 127.0f : (r < -128.0f ? -128.0f : r));
                } else {
                    dst0[(size_t)i * step] = edgec_qdq_quantize_one(v, p->zero_point);
                }
            }
        }
}

void edgec_add_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_q8_params *p) {
    int32_t i = 0;
    for (; i + 8 <= p->count; i += 8) {
        v8b ab, bb;
        __builtin_memcpy(&ab, a + i, 8);
        __builtin_memcpy(&bb, b + i, 8);
        const v8f x = __builtin_convertvector(__builtin_convertvector(ab, v8i) - p->a_zero_point, v8f);
        const v8f y = __builtin_convertvector(__builtin_convertvector(bb, v8i) - p->b_zero_point, v8f);
        const v8f ax = p->a_ratio * x, by = p->b_ratio * y;
        int8_t bytes[8];
        QUANTIZE8(ax + by, p->output_zero_point, bytes);
        __builtin_memcpy(output + i, bytes, 8);
    }
    for (; i < p->count; ++i) {
        const float v = p->a_ratio * (float)((int32_t)a[i] - p->a_zero_point) +
                        p->b_ratio * (float)((int32_t)b[i] - p->b_zero_point);
        output[i] = edgec_qdq_quantize_one(v, p->output_zero_point);
    }
}
