/* gemmlowp's fixed-point functions that TFLite's int8 softmax and log-softmax use (exp on negative values,
 * the Newton-Raphson reciprocal, log(x) for x >= 1), in the raw int32 form the kernels call them, bit for bit.
 * A FixedPoint<int32_t, N> is its raw value: real = raw / 2^(31 - N). */
#ifndef EDGEC_GEMMLOWP_H
#define EDGEC_GEMMLOWP_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

/* SaturatingRoundingMultiplyByPOT for a positive exponent: a saturating left shift. */
EDGEC_INLINE int32_t edgec_gl_sat_shift_left(int32_t x, int32_t e) {
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - e)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out. */
EDGEC_INLINE int32_t edgec_gl_exp_on_interval(int32_t a) {
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
EDGEC_INLINE int32_t edgec_gl_exp_on_negative_values(int32_t a) {
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t one_quarter = 1 << 24;
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = edgec_gl_exp_on_interval(edgec_gl_sat_shift_left(a_mod_quarter_minus_one_quarter, 5));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    for (int32_t k = 0; k < 7; ++k) { /* exponents -2 .. +4 */
        if (remainder & (1 << (26 - 2 + k))) result = edgec_srdhm(result, multipliers[k]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out (Newton-Raphson, three steps). */
EDGEC_INLINE int32_t edgec_gl_one_over_one_plus_x(int32_t a) {
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    int32_t x = constant_48_over_17 + edgec_srdhm(half_denominator, constant_neg_32_over_17);
    for (int32_t i = 0; i < 3; ++i) {
        const int32_t one_minus = (1 << 29) - edgec_srdhm(half_denominator, x);
        x = x + edgec_gl_sat_shift_left(edgec_srdhm(x, one_minus), 2);
    }
    return edgec_gl_sat_shift_left(x, 1);
}

EDGEC_INLINE int32_t edgec_gl_count_leading_zeros(uint32_t x) {
    int32_t n = 0;
    if (x == 0) return 32;
    while (!(x & UINT32_C(0x80000000))) {
        x <<= 1;
        ++n;
    }
    return n;
}

/* SaturatingRoundingMultiplyByPOTParam: x * 2^e, saturating for e > 0, rounding (half away from zero) for e < 0. */
EDGEC_INLINE int32_t edgec_gl_mul_pot(int32_t x, int32_t e) {
    return e > 0 ? edgec_gl_sat_shift_left(x, e) : (e < 0 ? edgec_rdbpot(x, -e) : x);
}

EDGEC_INLINE int32_t edgec_gl_saturating_add(int32_t a, int32_t b) {
    const int64_t s = (int64_t)a + b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/* Plain (wrapping) add and subtract of raw values, as gemmlowp's FixedPoint operators; no signed overflow in C. */
EDGEC_INLINE int32_t edgec_gl_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

EDGEC_INLINE int32_t edgec_gl_sub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* RoundingHalfSum: (a + b) / 2 rounded half away from zero. */
EDGEC_INLINE int32_t edgec_gl_rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* log(x) for x >= 1 given with `input_integer_bits` (Q12.19 for the log-softmax's sum of exps), result with
 * `output_integer_bits` (TFLite's log_x_for_x_greater_than_or_equal_to_1_impl: a rational approximation after
 * taking the power of two out). */
EDGEC_INLINE int32_t edgec_gl_log_x_ge_1(int32_t x, int32_t input_integer_bits, int32_t output_integer_bits) {
    const int32_t accum_bits = output_integer_bits + 1;
    const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
    const int32_t one_quarter = 536870912;
    const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
    const int32_t shifted_quarter = edgec_gl_mul_pot(one_quarter, -accum_bits);

    const int32_t z_a = x;
    const int32_t z_a_headroom_plus_1 = edgec_gl_count_leading_zeros((uint32_t)z_a);
    const int32_t r_a_tmp = edgec_gl_mul_pot(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = edgec_gl_mul_pot(edgec_srdhm(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj = edgec_gl_saturating_add(
        edgec_gl_mul_pot(input_integer_bits - z_a_headroom_plus_1, 31 - accum_bits), shifted_quarter);

    const int32_t z_b = edgec_srdhm(z_a, sqrt_half);
    const int32_t z_b_headroom = edgec_gl_count_leading_zeros((uint32_t)z_b) - 1;
    const int32_t r_b_raw = edgec_gl_mul_pot(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj = edgec_gl_saturating_add(
        edgec_gl_mul_pot(input_integer_bits - z_b_headroom, 31 - accum_bits), -shifted_quarter);

    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;

    const int32_t p = edgec_gl_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = edgec_gl_sub(r, sqrt_sqrt_half);
    q = edgec_gl_add(q, q);

    const int32_t common_sq = edgec_srdhm(q, q);
    const int32_t num = edgec_gl_add(edgec_srdhm(q, r), edgec_srdhm(edgec_srdhm(q, common_sq), alpha_n));
    const int32_t denom_minus_one_0 = edgec_gl_add(
        edgec_srdhm(p, edgec_gl_add(edgec_gl_add(alpha_i, q), edgec_srdhm(alpha_d, common_sq))),
        edgec_srdhm(alpha_f, q));
    const int32_t recip_denom = edgec_gl_one_over_one_plus_x(denom_minus_one_0);

    const int32_t num_scaled = edgec_gl_mul_pot(num, -accum_bits);
    const int32_t sum = edgec_gl_add(edgec_srdhm(z_pow_2_adj, log_2), edgec_srdhm(num_scaled, recip_denom));
    return edgec_gl_mul_pot(sum, accum_bits - output_integer_bits);
}

#endif /* EDGEC_GEMMLOWP_H */
