#include "edgec_arg_reduce_f32.h"

void edgec_arg_reduce_f32(const float *EDGEC_RESTRICT input, int64_t *EDGEC_RESTRICT output, const edgec_arg_reduce_params *p) {
    for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i) {
        const float *x = input + (size_t)o * (size_t)p->axis * (size_t)p->inner + (size_t)i;
        int32_t best = 0;
        float value = x[0];
        for (int32_t k = 1; k < p->axis; ++k) {
            const float v = x[(size_t)k * (size_t)p->inner];
            const int better = p->is_min ? (p->select_last ? v <= value : v < value)
                                         : (p->select_last ? v >= value : v > value);
            if (better) {
                best = k;
                value = v;
            }
        }
        output[(size_t)o * (size_t)p->inner + (size_t)i] = best;
    }
}
