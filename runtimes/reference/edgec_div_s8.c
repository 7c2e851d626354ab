/* Reference int8 DIV (TFLite's DivElementwise, double rounding). */
#include "edgec_div_s8.h"
#include "edgec_gemmlowp.h"

/* CountLeadingSignBits of an int32 (31 for 0 and -1). */
static int32_t leading_sign_bits(int32_t x) {
    return edgec_gl_count_leading_zeros((uint32_t)(x >= 0 ? x : ~x)) - 1;
}

static void div_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    const edgec_div_s8_params *p = (const edgec_div_s8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        int32_t x = p->input1_offset + a[(size_t)i * a_step];
        int32_t y = p->input2_offset + b[(size_t)i * b_step];
        if (y == 0) {
            out[i] = (int8_t)edgec_clamp_i32(p->output_offset, p->act_min, p->act_max);
            continue;
        }
        if (y < 0) { /* the reciprocal must be positive */
            x = -x;
            y = -y;
        }
        /* GetReciprocal(y, 31): y = 2^k * (1 + f) with f in [0, 1), 1 / (1 + f) in Q0.31 */
        const int32_t headroom_plus_one = edgec_gl_count_leading_zeros((uint32_t)y);
        const int32_t recip_shift = 31 - headroom_plus_one;
        const int32_t inverse =
            edgec_gl_one_over_one_plus_x((int32_t)(((uint32_t)y << headroom_plus_one) - (UINT32_C(1) << 31)));
        const int32_t headroom = leading_sign_bits(x);
        const int32_t quotient = edgec_srdhm((int32_t)((uint32_t)x << headroom), inverse);
        const int32_t right = recip_shift + headroom - p->output_shift; /* >= 0: the compiler checks */
        /* a shift beyond 31 leaves less than 1/2 of a value that is below 2^31: it rounds to 0 */
        const int32_t scaled = right > 31 ? 0 : edgec_rdbpot(edgec_srdhm(quotient, p->output_multiplier), right);
        const int32_t q = scaled + p->output_offset;
        out[i] = (int8_t)edgec_clamp_i32(q, p->act_min, p->act_max);
    }
}

void edgec_div_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_div_s8_params *p) {
    edgec_broadcast_rows_s8(a, b, output, &p->shape, div_row, p);
}
