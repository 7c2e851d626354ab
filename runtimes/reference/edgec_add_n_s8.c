#include "edgec_add_n_s8.h"
#include "edgec_fixedpoint_s8.h"

static int32_t rescaled(int32_t x, const edgec_add_n_s8_params *p) {
    return edgec_mbqm((int32_t)((uint32_t)x << p->left_shift), p->input_multiplier, p->input_shift);
}

void edgec_add_n_s8(const int8_t *const *inputs, int8_t *output, const edgec_add_n_s8_params *p) {
    const int32_t start = rescaled(p->input_offset, p); /* TFLite Micro's x = input1_offset */
    for (int32_t i = 0; i < p->size; ++i) {
        int32_t sum = start;
        for (int32_t j = 0; j < p->count; ++j) sum += rescaled(p->input_offset + inputs[j][i], p);
        const int32_t y = edgec_mbqm(sum, p->output_multiplier, p->output_shift) + p->output_offset;
        output[i] = (int8_t)edgec_clamp_i32(y, p->act_min, p->act_max);
    }
}
