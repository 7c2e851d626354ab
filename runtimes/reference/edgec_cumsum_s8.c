#include "edgec_cumsum_s8.h"
#include "edgec_fixedpoint_s8.h"

static int32_t rescaled(int32_t x, const edgec_cumsum_s8_params *p) {
    return edgec_mbqm((int32_t)((uint32_t)x << p->left_shift), p->input_multiplier, p->input_shift);
}

void edgec_cumsum_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                     const edgec_cumsum_s8_params *p) {
    const int32_t start = rescaled(p->input_offset, p); /* TFLite Micro's accumulator = input1_offset */
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t i = 0; i < p->inner; ++i) {
            int32_t sum = start;
            for (int32_t k = 0; k < p->axis; ++k) {
                const int32_t a = p->reverse ? p->axis - 1 - k : k;
                const size_t at = ((size_t)o * (size_t)p->axis + (size_t)a) * (size_t)p->inner + (size_t)i;
                const int32_t y = rescaled(p->input_offset + input[at], p);
                const int32_t before = sum;
                sum += y;
                const int32_t q = edgec_mbqm(p->exclusive ? before : sum, p->output_multiplier, p->output_shift);
                output[at] = (int8_t)edgec_clamp_i32(q + p->output_offset, p->act_min, p->act_max);
            }
        }
    }
}
