/* Reference int8 PRELU (TFLite's double-rounding requantisation). */
#include "edgec_fixedpoint_s8.h"
#include "edgec_prelu_s8.h"

static void prelu_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                      const void *params) {
    const edgec_prelu_s8_params *p = (const edgec_prelu_s8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = p->input_offset + a[(size_t)i * a_step];
        const int32_t y = x >= 0 ? edgec_mbqm(x, p->multiplier_positive, p->shift_positive)
                                 : edgec_mbqm(x * (p->alpha_offset + b[(size_t)i * b_step]), p->multiplier_negative,
                                              p->shift_negative);
        out[i] = (int8_t)edgec_clamp_i32(y + p->output_offset, -128, 127);
    }
}

void edgec_prelu_s8(const int8_t *x, const int8_t *alpha, int8_t *output, const edgec_prelu_s8_params *p) {
    edgec_broadcast_rows_s8(x, alpha, output, &p->shape, prelu_row, p);
}
