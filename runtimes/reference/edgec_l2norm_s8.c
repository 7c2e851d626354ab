/* Portable reference: int8 L2 normalisation as TFLite's (depth * 255^2 < 2^31: the compiler checks). */
#include "edgec_gemmlowp.h"
#include "edgec_l2norm_s8.h"

/* GetInvSqrtQuantizedMultiplierExp with reverse_shift -1: 1 / sqrt(input) as a multiplier and a (left) shift. */
static void inv_sqrt(int32_t input, int32_t *multiplier, int32_t *shift) {
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t right = 11;
    while (input >= (1 << 29)) {
        input /= 4;
        ++right;
    }
    const int32_t pairs = (edgec_gl_count_leading_zeros((uint32_t)input) - 1) / 2 - 1;
    right -= pairs;
    input = (int32_t)((uint32_t)input << (2 * pairs));
    const int32_t fp_input = input >> 1;                   /* Q3.28 */
    const int32_t half_input = edgec_rdbpot(fp_input, 1);
    const int32_t half_three = (1 << 28) + (1 << 27);      /* 1.5 */
    int32_t x = 1 << 28;                                   /* 1.0 */
    for (int32_t i = 0; i < 5; ++i) {                      /* Newton-Raphson, five steps */
        const int32_t x3 = edgec_gl_sat_shift_left(edgec_srdhm(edgec_srdhm(x, x), x), 6);
        x = edgec_gl_sat_shift_left(edgec_gl_sub(edgec_srdhm(half_three, x), edgec_srdhm(half_input, x3)), 3);
    }
    x = edgec_srdhm(x, 1518500250); /* * sqrt(2) / 2 */
    if (right < 0) {
        x = (int32_t)((uint32_t)x << -right);
        right = 0;
    }
    *multiplier = x;
    *shift = -right;
}

void edgec_l2norm_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                     const edgec_l2norm_s8_params *p) {
    for (int32_t i = 0; i < p->outer; ++i) {
        const int8_t *in = input + (size_t)i * p->depth;
        int8_t *out = output + (size_t)i * p->depth;
        int32_t acc = 0;
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t v = in[c] - p->input_zero_point;
            acc += v * v;
        }
        int32_t multiplier, shift;
        inv_sqrt(acc, &multiplier, &shift);
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t q = edgec_mbqm(in[c] - p->input_zero_point, multiplier, shift + 7);
            out[c] = (int8_t)edgec_clamp_i32(q, -128, 127);
        }
    }
}
