#include <math.h>

#include "edgec_softmax_f32.h"

void edgec_softmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_softmax_params *p) {
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t i = 0; i < p->inner; ++i) {
            const float *x = input + (size_t)o * p->axis * p->inner + i;
            float *y = output + (size_t)o * p->axis * p->inner + i;
            float max = x[0];
            for (int32_t a = 1; a < p->axis; ++a) max = x[(size_t)a * p->inner] > max ? x[(size_t)a * p->inner] : max;
            float sum = 0.0f;
            for (int32_t a = 0; a < p->axis; ++a) {
                const float e = expf(p->beta * (x[(size_t)a * p->inner] - max));
                y[(size_t)a * p->inner] = e;
                sum += e;
            }
            const float inv = 1.0f / sum;
            for (int32_t a = 0; a < p->axis; ++a) y[(size_t)a * p->inner] *= inv;
        }
    }
}

void edgec_log_softmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output,
                           const edgec_softmax_params *p) {
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t i = 0; i < p->inner; ++i) {
            const float *x = input + (size_t)o * p->axis * p->inner + i;
            float *y = output + (size_t)o * p->axis * p->inner + i;
            float max = x[0];
            for (int32_t a = 1; a < p->axis; ++a) max = x[(size_t)a * p->inner] > max ? x[(size_t)a * p->inner] : max;
            float sum = 0.0f;
            for (int32_t a = 0; a < p->axis; ++a) sum += expf(p->beta * (x[(size_t)a * p->inner] - max));
            const float log_sum = logf(sum);
            for (int32_t a = 0; a < p->axis; ++a) y[(size_t)a * p->inner] = p->beta * (x[(size_t)a * p->inner] - max) - log_sum;
        }
    }
}
