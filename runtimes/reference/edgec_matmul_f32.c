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
    edgec_matmul_batches(a, b, bias, out, p, matmul_one);
}
