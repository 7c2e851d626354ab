/* Portable reference: int8 softmax in gemmlowp fixed point (Q5.26 input differences, Q12.19 sum of exps),
 * following TFLite's reference_ops::Softmax<int8_t, int8_t> exactly. */
#include "edgec_gemmlowp.h"
#include "edgec_softmax_s8.h"

void edgec_softmax_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                      const edgec_softmax_s8_params *p) {
    for (int32_t i = 0; i < p->outer; ++i) {
        const int8_t *in = input + (size_t)i * p->depth;
        int8_t *out = output + (size_t)i * p->depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < p->depth; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;

        int32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled = edgec_srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
                sum_of_exps += edgec_rdbpot(edgec_gl_exp_on_negative_values(scaled), 12);
            }
        }

        const int32_t headroom_plus_one = edgec_gl_count_leading_zeros((uint32_t)sum_of_exps);
        const int32_t num_bits_over_unit = 12 - headroom_plus_one;
        const int32_t shifted_sum_minus_one =
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - (UINT32_C(1) << 31));
        const int32_t shifted_scale = edgec_gl_one_over_one_plus_x(shifted_sum_minus_one);
        const int32_t exponent = num_bits_over_unit + 31 - 8;

        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled = edgec_srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
                const int32_t e = edgec_gl_exp_on_negative_values(scaled);
                const int32_t unsat = edgec_rdbpot(edgec_srdhm(shifted_scale, e), exponent);
                out[c] = (int8_t)edgec_clamp_i32(unsat - 128, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
}
