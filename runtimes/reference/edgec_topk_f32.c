#include "edgec_topk_f32.h"

/* Whether (va, a) comes before (vb, b) in the output order: the better value first, then the smaller index. */
static int before(float va, int32_t a, float vb, int32_t b, int32_t largest) {
    if (va != vb) return largest ? va > vb : va < vb;
    return a < b;
}

void edgec_topk_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT values, int64_t *EDGEC_RESTRICT indices,
                    const edgec_topk_params *p) {
    for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i) {
        const float *x = input + (size_t)o * (size_t)p->axis * (size_t)p->inner + (size_t)i;
        const size_t out_base = (size_t)o * (size_t)p->k * (size_t)p->inner + (size_t)i;
        /* The j-th pick is the first element, in output order, that comes after the (j-1)-th. */
        int32_t prev = -1;
        float prev_v = 0.0f;
        for (int32_t j = 0; j < p->k; ++j) {
            int32_t best = -1;
            float best_v = 0.0f;
            for (int32_t a = 0; a < p->axis; ++a) {
                const float v = x[(size_t)a * (size_t)p->inner];
                if (prev >= 0 && !before(prev_v, prev, v, a, p->largest)) continue;
                if (best < 0 || before(v, a, best_v, best, p->largest)) {
                    best = a;
                    best_v = v;
                }
            }
            values[out_base + (size_t)j * (size_t)p->inner] = best_v;
            indices[out_base + (size_t)j * (size_t)p->inner] = best;
            prev = best;
            prev_v = best_v;
        }
    }
}
