/* Portable reference: int8 softmax in gemmlowp fixed point (Q5.26 input differences, Q12.19 sum of exps),
 * following TFLite's reference_ops::Softmax<int8_t, int8_t> exactly. */
#include "edgec_softmax_s8.h"

/* SaturatingRoundingMultiplyByPOT for a positive exponent: a saturating left shift. */
static int32_t sat_shift_left(int32_t x, int32_t e) {
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - e)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out. */
static int32_t exp_on_interval(int32_t a) {
    const int32_t constant_term = 1895147668;   /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = a + (1 << 28);            /* a + 1/8 */
    const int32_t x2 = edgec_srdhm(x, x);
    const int32_t x3 = edgec_srdhm(x2, x);
    const int32_t x4 = edgec_srdhm(x2, x2);
    const int32_t x4_over_4 = edgec_rdbpot(x4, 2);
    const int32_t poly = edgec_rdbpot(edgec_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, 1);
    return constant_term + edgec_srdhm(constant_term, x + poly);
}

/* exp(a) for a <= 0 given in Q5.26; result Q0.31. */
static int32_t exp_on_negative_values(int32_t a) {
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t one_quarter = 1 << 24;
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = exp_on_interval(sat_shift_left(a_mod_quarter_minus_one_quarter, 5));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    for (int32_t k = 0; k < 7; ++k) { /* exponents -2 .. +4 */
        if (remainder & (1 << (26 - 2 + k))) result = edgec_srdhm(result, multipliers[k]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out (Newton-Raphson, three steps). */
static int32_t one_over_one_plus_x(int32_t a) {
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    int32_t x = constant_48_over_17 + edgec_srdhm(half_denominator, constant_neg_32_over_17);
    for (int32_t i = 0; i < 3; ++i) {
        const int32_t one_minus = (1 << 29) - edgec_srdhm(half_denominator, x);
        x = x + sat_shift_left(edgec_srdhm(x, one_minus), 2);
    }
    return sat_shift_left(x, 1);
}

static int32_t count_leading_zeros(uint32_t x) {
    int32_t n = 0;
    if (x == 0) return 32;
    while (!(x & UINT32_C(0x80000000))) {
        x <<= 1;
        ++n;
    }
    return n;
}

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
                sum_of_exps += edgec_rdbpot(exp_on_negative_values(scaled), 12);
            }
        }

        const int32_t headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
        const int32_t num_bits_over_unit = 12 - headroom_plus_one;
        const int32_t shifted_sum_minus_one =
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - (UINT32_C(1) << 31));
        const int32_t shifted_scale = one_over_one_plus_x(shifted_sum_minus_one);
        const int32_t exponent = num_bits_over_unit + 31 - 8;

        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled = edgec_srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
                const int32_t e = exp_on_negative_values(scaled);
                const int32_t unsat = edgec_rdbpot(edgec_srdhm(shifted_scale, e), exponent);
                out[c] = (int8_t)edgec_clamp_i32(unsat - 128, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
}
