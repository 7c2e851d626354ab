#include "edgec_cumsum_f32.h"

void edgec_cumsum_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_cumsum_params *p) {
    for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i) {
        const size_t base = (size_t)o * (size_t)p->axis * (size_t)p->inner + (size_t)i;
        float sum = 0.0f;
        for (int32_t step = 0; step < p->axis; ++step) {
            const int32_t k = p->reverse ? p->axis - 1 - step : step;
            const size_t at = base + (size_t)k * (size_t)p->inner;
            const float x = input[at];
            if (p->exclusive) {
                output[at] = sum;
                sum += x;
            } else {
                sum += x;
                output[at] = sum;
            }
        }
    }
}
