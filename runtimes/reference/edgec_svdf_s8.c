/* Reference SVDF, int8 activations with an int8 or int16 state (TFLite Micro's integer SVDF, bit for bit). */
#include "edgec_svdf_s8.h"

/* weights_feature . (x - zero point) of one filter, requantised and clamped to [lo, hi] (the state type). */
static int32_t feature(const int8_t *x, const int8_t *w, const edgec_svdf_s8_params *p, int32_t lo, int32_t hi) {
    int32_t dot = 0;
    for (int32_t i = 0; i < p->input; ++i) dot += (int32_t)w[i] * ((int32_t)x[i] - p->input_zero_point);
    return edgec_clamp_i32(edgec_mbqm(dot, p->multiplier_1, p->shift_1), lo, hi);
}

static int8_t requantise_unit(int32_t acc, const edgec_svdf_s8_params *p) {
    return (int8_t)edgec_clamp_i32(edgec_mbqm(acc, p->multiplier_2, p->shift_2) + p->output_zero_point, -128, 127);
}

void edgec_svdf_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                   const int8_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p) {
    const int32_t filters = p->units * p->rank, m = p->memory;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * (size_t)p->input;
        for (int32_t u = 0; u < p->units; ++u) {
            int32_t acc = bias ? bias[u] : 0;
            for (int32_t f = u * p->rank; f < (u + 1) * p->rank; ++f) {
                int8_t *s = state + ((size_t)b * (size_t)filters + (size_t)f) * (size_t)m;
                for (int32_t k = 0; k + 1 < m; ++k) s[k] = s[k + 1];
                /* TFLite Micro adds the zero point after the clamp and stores the sum as int8 (it may wrap) */
                s[m - 1] = (int8_t)(p->state_zero_point +
                                    feature(xb, weights_feature + (size_t)f * (size_t)p->input, p, -128, 127));
                const int8_t *wt = weights_time + (size_t)f * (size_t)m;
                int32_t sum = 0;
                for (int32_t k = 0; k < m; ++k) sum += (int32_t)wt[k] * ((int32_t)s[k] - p->state_zero_point);
                acc += sum;
            }
            out[(size_t)b * (size_t)p->units + (size_t)u] = requantise_unit(acc, p);
        }
    }
}

void edgec_svdf_s8_s16(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                       const int16_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                       int16_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p) {
    const int32_t filters = p->units * p->rank, m = p->memory;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *xb = x + (size_t)b * (size_t)p->input;
        for (int32_t u = 0; u < p->units; ++u) {
            int32_t acc = bias ? bias[u] : 0;
            for (int32_t f = u * p->rank; f < (u + 1) * p->rank; ++f) {
                int16_t *s = state + ((size_t)b * (size_t)filters + (size_t)f) * (size_t)m;
                for (int32_t k = 0; k + 1 < m; ++k) s[k] = s[k + 1];
                s[m - 1] = (int16_t)(p->state_zero_point +
                                     feature(xb, weights_feature + (size_t)f * (size_t)p->input, p, -32768, 32767));
                const int16_t *wt = weights_time + (size_t)f * (size_t)m;
                int32_t sum = 0;
                for (int32_t k = 0; k < m; ++k) sum += (int32_t)wt[k] * ((int32_t)s[k] - p->state_zero_point);
                acc += sum;
            }
            out[(size_t)b * (size_t)p->units + (size_t)u] = requantise_unit(acc, p);
        }
    }
}
