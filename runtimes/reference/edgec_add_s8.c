/* Portable reference: int8 add with rescaling, following TFLite's reference_integer_ops exactly. */
#include "edgec_add_s8.h"

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p) {
    for (int32_t i = 0; i < p->count; ++i) {
        const int32_t x1 = (int32_t)((uint32_t)(p->input1_offset + a[i]) << p->left_shift);
        const int32_t x2 = (int32_t)((uint32_t)(p->input2_offset + b[i]) << p->left_shift);
        const int32_t s1 = edgec_mbqm(x1, p->input1_multiplier, p->input1_shift);
        const int32_t s2 = edgec_mbqm(x2, p->input2_multiplier, p->input2_shift);
        const int32_t y = edgec_mbqm(s1 + s2, p->output_multiplier, p->output_shift) + p->output_offset;
        output[i] = (int8_t)edgec_clamp_i32(y, p->act_min, p->act_max);
    }
}
