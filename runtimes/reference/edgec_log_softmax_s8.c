/* Portable reference: int8 log-softmax as TFLite's LogSoftmaxQuantized (Q5.26 differences, Q12.19 sum of exps,
 * output Q4 rounded from Q5.26). */
#include "edgec_gemmlowp.h"
#include "edgec_log_softmax_s8.h"

void edgec_log_softmax_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                          const edgec_log_softmax_s8_params *p) {
    for (int32_t i = 0; i < p->outer; ++i) {
        const int8_t *in = input + (size_t)i * p->depth;
        int8_t *out = output + (size_t)i * p->depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < p->depth; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;

        int32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled = edgec_mbqm(diff, p->input_multiplier, p->input_left_shift);
                sum_of_exps = edgec_gl_add(sum_of_exps, edgec_rdbpot(edgec_gl_exp_on_negative_values(scaled), 12));
            }
        }
        const int32_t log_sum = edgec_gl_log_x_ge_1(sum_of_exps, 12, 5); /* Q5.26 */
        const int32_t shifted_log_sum = edgec_gl_add(log_sum, INT32_MIN);
        const int32_t reversed = edgec_mbqm(shifted_log_sum, p->reverse_scaling_divisor, p->reverse_scaling_shift);
        const int32_t adjusted_diff_min = p->diff_min - 1 > reversed ? p->diff_min - 1 : reversed;

        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff > adjusted_diff_min) { /* > here, >= above: as TFLite */
                const int32_t scaled = edgec_mbqm(diff, p->input_multiplier, p->input_left_shift);
                const int32_t q = edgec_rdbpot(edgec_gl_sub(scaled, log_sum), 31 - 5 - 4) + 127;
                out[c] = (int8_t)edgec_clamp_i32(q, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
}
