/* Reference SVDF, float32. */
#include "edgec_svdf_f32.h"

void edgec_svdf_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT weights_feature,
                    const float *EDGEC_RESTRICT weights_time, const float *EDGEC_RESTRICT bias,
                    float *EDGEC_RESTRICT state, float *EDGEC_RESTRICT out, const edgec_svdf_params *p) {
    const int32_t filters = p->units * p->rank, m = p->memory;
    for (int32_t b = 0; b < p->batch; ++b) {
        const float *xb = x + (size_t)b * (size_t)p->input;
        float *yb = out + (size_t)b * (size_t)p->units;
        for (int32_t u = 0; u < p->units; ++u) yb[u] = bias ? bias[u] : 0.0f;
        for (int32_t f = 0; f < filters; ++f) {
            float *s = state + ((size_t)b * (size_t)filters + (size_t)f) * (size_t)m;
            for (int32_t k = 0; k + 1 < m; ++k) s[k] = s[k + 1];
            const float *wf = weights_feature + (size_t)f * (size_t)p->input;
            float feature = 0.0f;
            for (int32_t i = 0; i < p->input; ++i) feature += wf[i] * xb[i];
            s[m - 1] = feature;
            const float *wt = weights_time + (size_t)f * (size_t)m;
            float acc = 0.0f;
            for (int32_t k = 0; k < m; ++k) acc += s[k] * wt[k];
            yb[f / p->rank] += acc;
        }
        for (int32_t u = 0; u < p->units; ++u) {
            const float v = yb[u];
            yb[u] = v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v;
        }
    }
}
