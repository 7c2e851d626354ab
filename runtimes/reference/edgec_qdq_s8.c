/* Portable reference: int8 helpers for ONNX QDQ models (see edgec_qdq_s8.h). */
#include <math.h>

#include "edgec_qdq_s8_shared.h"

void edgec_quantize_s8(const float *EDGEC_RESTRICT x, int8_t *EDGEC_RESTRICT q, const edgec_qdq_s8_params *p) {
    for (int32_t n = 0; n < p->n; ++n)
        for (int32_t c = 0; c < p->c; ++c)
            for (int32_t i = 0; i < p->hw; ++i) {
                const size_t src = ((size_t)n * p->c + c) * p->hw + i;
                const size_t dst = p->nchw_to_nhwc ? ((size_t)n * p->hw + i) * p->c + c : src;
                const float v = x[src] / p->scale;
                if (p->round_half_away) {
                    const float r = edgec_round_half_away(v) + (float)p->zero_point;
                    q[dst] = (int8_t)(int32_t)(r > 127.0f ? 127.0f : (r < -128.0f ? -128.0f : r));
                } else {
                    q[dst] = edgec_qdq_quantize_one(v, p->zero_point);
                }
            }
}

void edgec_add_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_q8_params *p) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = p->a_ratio * (float)((int32_t)a[i] - p->a_zero_point) +
                        p->b_ratio * (float)((int32_t)b[i] - p->b_zero_point);
        output[i] = edgec_qdq_quantize_one(v, p->output_zero_point);
    }
}
