/* Reference edgec_matmul_f32_packed: reference/edgec_matmul_f32.c's loops, each weight read from its place in the
 * packed column blocks (edgec_matmul_f32_packed.h); the same sums in the same order. The compiler emits the packed
 * call only for a kernel set with its own version (runtimes/x86/); this one is its portable twin. */
#include "edgec_matmul_f32_packed.h"

/* Blocks of 64 columns while 64 remain, then of 16 (the last padded). */
static void matmul_packed_one(const float *EDGEC_RESTRICT A, const float *EDGEC_RESTRICT packed,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT C, const edgec_matmul_params *p) {
    const float *blk = packed;
    for (int32_t j0 = 0; j0 < p->n;) {
        const int32_t width = p->n - j0 >= 64 ? 64 : 16;
        for (int32_t i = 0; i < p->m; ++i)
            for (int32_t j = j0; j < j0 + width && j < p->n; ++j) {
                float acc = bias ? bias[j] : 0.0f;
                for (int32_t kk = 0; kk < p->k; ++kk) acc += A[(size_t)i * p->k + kk] * blk[(size_t)kk * width + (j - j0)];
                C[(size_t)i * p->n + j] = edgec_clampf(acc, p->act_min, p->act_max);
            }
        blk += (size_t)p->k * width;
        j0 += width;
    }
}

void edgec_matmul_f32_packed(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT packed,
                             const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_matmul_params *p) {
    edgec_matmul_batches(a, packed, bias, out, p, matmul_packed_one);
}
