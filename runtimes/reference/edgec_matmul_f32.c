#include "edgec_matmul_f32.h"

static void matmul_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT B, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    for (int32_t i = 0; i < p->m; ++i) {
        for (int32_t j = 0; j < p->n; ++j) {
            float acc = bias ? bias[j] : 0.0f;
            for (int32_t kk = 0; kk < p->k; ++kk) acc += A[(size_t)i * p->k + kk] * B[(size_t)kk * p->n + j];
            C[(size_t)i * p->n + j] = edgec_clampf(acc, p->act_min, p->act_max);
        }
    }
}

void edgec_matmul_f32(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, const float *EDGEC_RESTRICT bias,
                      float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    const int32_t *s = p->batch_shape;
    const size_t mn = (size_t)p->m * p->n;
    size_t o = 0;
    for (int32_t i0 = 0; i0 < s[0]; ++i0)
    for (int32_t i1 = 0; i1 < s[1]; ++i1)
    for (int32_t i2 = 0; i2 < s[2]; ++i2)
    for (int32_t i3 = 0; i3 < s[3]; ++i3) {
        const size_t ao = (size_t)i0 * p->a_strides[0] + (size_t)i1 * p->a_strides[1] + (size_t)i2 * p->a_strides[2] + (size_t)i3 * p->a_strides[3];
        const size_t bo = (size_t)i0 * p->b_strides[0] + (size_t)i1 * p->b_strides[1] + (size_t)i2 * p->b_strides[2] + (size_t)i3 * p->b_strides[3];
        matmul_one(a + ao, b + bo, bias, out + o, p);
        o += mn;
    }
}
