/* Portable reference: int8 add with rescaling, following TFLite's reference_integer_ops exactly. */
#include "edgec_add_s8.h"

static void add_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    const edgec_add_s8_params *p = (const edgec_add_s8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x1 = (int32_t)((uint32_t)(p->input1_offset + a[(size_t)i * a_step]) << p->left_shift);
        const int32_t x2 = (int32_t)((uint32_t)(p->input2_offset + b[(size_t)i * b_step]) << p->left_shift);
        const int32_t s1 = edgec_mbqm(x1, p->input1_multiplier, p->input1_shift);
        const int32_t s2 = edgec_mbqm(x2, p->input2_multiplier, p->input2_shift);
        const int32_t y = edgec_mbqm(s1 + s2, p->output_multiplier, p->output_shift) + p->output_offset;
        out[i] = (int8_t)edgec_clamp_i32(y, p->act_min, p->act_max);
    }
}

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p) {
    edgec_broadcast_rows_s8(a, b, output, &p->shape, add_row, p);
}
