/* What both kernel sets' edgec_qdq_s8.c share (runtimes/reference, and its x86 twin, which only speeds up
 * QuantizeLinear and QLinearAdd): the rounding to int8, DequantizeLinear, the pooling, the softmax and the broadcast
 * binary operation, which have no faster twin. The functions are defined here, not declared: include this header
 * from one .c file, the kernel set's edgec_qdq_s8.c. */
#ifndef EDGEC_QDQ_S8_SHARED_H
#define EDGEC_QDQ_S8_SHARED_H

#include <math.h>

#include "edgec_qdq_s8.h"

/* round half to even (std::nearbyint in the default rounding mode), saturated to int8 after adding zp. */
static int8_t edgec_qdq_quantize_one(float v, int32_t zero_point) {
    if (!(v > -1.0e6f)) v = -1.0e6f; /* also catches NaN */
    if (v > 1.0e6f) v = 1.0e6f;
    const int32_t t = edgec_round_half_even(v) + zero_point;
    return (int8_t)(t < -128 ? -128 : (t > 127 ? 127 : t));
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
            output[(size_t)b * p->channels + c] = edgec_qdq_quantize_one((float)sum * p->scale, p->output_zero_point);
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

static void edgec_qdq_binary_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                                 const void *params) {
    const edgec_binary_q8_params *p = (const edgec_binary_q8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const float x = (float)((int32_t)a[(size_t)i * a_step] - p->a_zero_point) * p->a_scale;
        const float y = (float)((int32_t)b[(size_t)i * b_step] - p->b_zero_point) * p->b_scale;
        const float v = p->mul ? x * y : x + y;
        out[i] = edgec_qdq_quantize_one(v / p->output_scale, p->output_zero_point);
    }
}

void edgec_binary_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_binary_q8_params *p) {
    edgec_broadcast_rows_s8(a, b, output, &p->shape, edgec_qdq_binary_row, p);
}

#endif
