/* int8 helpers for ONNX QDQ models (see edgec_qdq_s8.h) for x86 hosts: the reference's file with QuantizeLinear
 * (half to even) and QLinearAdd eight values at a time on GNU C vectors, the same float steps lane by lane
 * (division, clamp to +-1e6 with NaN low, round half to even as (v + 1.5 * 2^23) - 1.5 * 2^23, exact there in
 * the default rounding mode), so the same bytes as runtimes/reference/edgec_qdq_s8.c. */
#include <math.h>

#include "edgec_qdq_s8.h"

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

/* round half to even (std::nearbyint in the default rounding mode), saturated to int8 after adding zp. */
static int8_t quantize_one(float v, int32_t zero_point) {
    if (!(v > -1.0e6f)) v = -1.0e6f; /* also catches NaN */
    if (v > 1.0e6f) v = 1.0e6f;
    const int32_t t = edgec_round_half_even(v) + zero_point;
    return (int8_t)(t < -128 ? -128 : (t > 127 ? 127 : t));
}

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
                    dst0[(size_t)i * step] = quantize_one(v, p->zero_point);
                }
            }
        }
}

void edgec_dequantize_s8(const int8_t *EDGEC_RESTRICT q, float *EDGEC_RESTRICT x, const edgec_qdq_s8_params *p) {
    for (int32_t n = 0; n < p->n; ++n)
        for (int32_t c = 0; c < p->c; ++c)
            for (int32_t i = 0; i < p->hw; ++i) {
                const size_t dst = ((size_t)n * p->c + c) * p->hw + i;
                const size_t src = p->nchw_to_nhwc ? ((size_t)n * p->hw + i) * p->c + c : dst;
                x[dst] = (float)((int32_t)q[src] - p->zero_point) * p->scale;
            }
}

void edgec_max_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_max_pool2d_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b)
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox)
                for (int32_t c = 0; c < p->channels; ++c) {
                    int32_t m = -128;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const int32_t v = input[(((size_t)b * p->in_h + iy) * p->in_w + ix) * p->channels + c];
                            m = v > m ? v : m;
                        }
                    }
                    output[(((size_t)b * p->out_h + oy) * p->out_w + ox) * p->channels + c] = (int8_t)m;
                }
}

void edgec_global_avg_pool_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                              const edgec_global_avg_pool_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b)
        for (int32_t c = 0; c < p->channels; ++c) {
            int32_t sum = 0;
            for (int32_t i = 0; i < p->hw; ++i) sum += input[((size_t)b * p->hw + i) * p->channels + c];
            sum -= p->hw * p->input_zero_point;
            output[(size_t)b * p->channels + c] = quantize_one((float)sum * p->scale, p->output_zero_point);
        }
}

void edgec_softmax_q8(const int8_t *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT table,
                      int8_t *EDGEC_RESTRICT output, const edgec_softmax_q8_params *p) {
    for (int32_t i = 0; i < p->outer; ++i) {
        const int8_t *in = input + (size_t)i * p->depth;
        int8_t *out = output + (size_t)i * p->depth;
        int32_t max = -128;
        for (int32_t c = 0; c < p->depth; ++c) max = in[c] > max ? in[c] : max;
        const int32_t adjustment = 127 - max;
        float sum = 0.0f;
        for (int32_t c = 0; c < p->depth; ++c) sum += table[(uint8_t)(adjustment + in[c])];
        if (sum == 0.0f) return;
        for (int32_t c = 0; c < p->depth; ++c) {
            float v = (table[(uint8_t)(adjustment + in[c])] * p->output_scale_inv) / sum;
            v = (v + 12582912.0f) - 12582912.0f; /* nearbyintf for 0 <= v < 2^22 */
            const int32_t q = (int32_t)v + p->output_zero_point;
            out[c] = (int8_t)(q > 127 ? 127 : q);
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
        output[i] = quantize_one(v, p->output_zero_point);
    }
}

static void binary_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                       const void *params) {
    const edgec_binary_q8_params *p = (const edgec_binary_q8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const float x = (float)((int32_t)a[(size_t)i * a_step] - p->a_zero_point) * p->a_scale;
        const float y = (float)((int32_t)b[(size_t)i * b_step] - p->b_zero_point) * p->b_scale;
        const float v = p->mul ? x * y : x + y;
        out[i] = quantize_one(v / p->output_scale, p->output_zero_point);
    }
}

void edgec_binary_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_binary_q8_params *p) {
    edgec_broadcast_rows_s8(a, b, output, &p->shape, binary_row, p);
}
