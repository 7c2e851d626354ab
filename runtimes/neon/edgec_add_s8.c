/* Arm NEON: int8 add with rescaling (TFLite reference_integer_ops::Add), eight elements a step. Each input's
 * rescaling and the output's requantisation are edgec_mbqm on four lanes: the left shift (wrapping, as the
 * reference's uint32 shift), SQRDMULH (exactly edgec_srdhm, saturation included) and the rounding right shift
 * (RSHL rounds ties up; subtracting 1 from negative values first makes them round away from zero, as
 * edgec_rdbpot does), as edgec_neon_requant4 does it. The sum is narrowed with saturation before the zero point
 * and the clamp (the clamp is within int8: the same results). Rows whose inputs step by other than 0 or 1
 * (broadcasting inside a row), each row's last elements and the other kinds (SUB, SQUARED_DIFFERENCE,
 * comparisons) take the reference's row. Bit-exact with runtimes/reference/edgec_add_s8.c. */
#include "edgec_add_s8.h"
#include "edgec_neon.h"

typedef struct {
    const edgec_add_s8_params *p;
    int32x4_t offset1, offset2, left_shift;
    int32x4_t multiplier1, left1, right1, multiplier2, left2, right2, multiplier_out, left_out, right_out;
    int16x8_t zero_point;
    int8x8_t lo, hi;
    /* add16's: offsets and left_shift - 16 in int16 lanes, the clamp in 16 lanes; fast: add16's mode + 1 (9 to 12:
     * b halved), or 0 */
    int16x8_t offset1_16, offset2_16, pre_shift;
    int8x16_t lo16, hi16;
    int fast;
} add_plan;

static inline int32x4_t mbqm4(int32x4_t x, int32x4_t multiplier, int32x4_t left, int32x4_t right) {
    x = vqrdmulhq_s32(vshlq_s32(x, left), multiplier);
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31));
    return vrshlq_s32(x, right);
}

/* (v + offset) << left_shift, rescaled: lanes of one input's half. */
static inline int32x4_t rescale4(int16x4_t v, int32x4_t offset, int32x4_t left_shift, int32x4_t multiplier,
                                 int32x4_t left, int32x4_t right) {
    return mbqm4(vshlq_s32(vaddq_s32(vmovl_s16(v), offset), left_shift), multiplier, left, right);
}

static inline int8x8_t add8(int8x8_t a, int8x8_t b, const add_plan *q) {
    const int16x8_t a16 = vmovl_s8(a), b16 = vmovl_s8(b);
    int32x4_t s[2];
    for (int32_t h = 0; h < 2; ++h) {
        const int16x4_t ah = h ? vget_high_s16(a16) : vget_low_s16(a16), bh = h ? vget_high_s16(b16) : vget_low_s16(b16);
        const int32x4_t s1 = rescale4(ah, q->offset1, q->left_shift, q->multiplier1, q->left1, q->right1);
        const int32x4_t s2 = rescale4(bh, q->offset2, q->left_shift, q->multiplier2, q->left2, q->right2);
        s[h] = mbqm4(vaddq_s32(s1, s2), q->multiplier_out, q->left_out, q->right_out);
    }
    const int16x8_t y = vqaddq_s16(vcombine_s16(vqmovn_s32(s[0]), vqmovn_s32(s[1])), q->zero_point);
    return vmin_s8(vmax_s8(vqmovn_s16(y), q->lo), q->hi);
}

/* The usual case, 16 elements a step: TFLite's left_shift is 20 and no rescaling shifts left. (v + offset) <<
 * left_shift is (v + offset) << (left_shift - 16) in int16 lanes (|v + offset| <= 255, shifted by 7 at most: within
 * int16), widened by SHLL #16; each rescaling is SQRDMULH, then when its shift is negative SSRA (x + (x >> 31): 1
 * taken from negative values, so that SRSHL's ties round away from zero) and SRSHL; SQRDMULH never returns
 * INT32_MIN, so the SSRA cannot overflow. r1, r2, ro: the input and output shifts are negative (else zero); r2 == 2:
 * b's rescaling is the exact halving. */
EDGEC_INLINE int32x4_t rescale_right(int32x4_t x, int32x4_t multiplier, int32x4_t right, int shifts) {
    x = vqrdmulhq_s32(x, multiplier);
    return shifts ? vrshlq_s32(vsraq_n_s32(x, x, 31), right) : x;
}

EDGEC_INLINE int16x8_t add16_half(int16x8_t a, int16x8_t b, const add_plan *q, int r1, int r2, int ro) {
    int32x4_t s[2];
    for (int32_t h = 0; h < 2; ++h) {
        const int32x4_t x1 = vshll_n_s16(h ? vget_high_s16(a) : vget_low_s16(a), 16);
        const int16x4_t bh = h ? vget_high_s16(b) : vget_low_s16(b);
        const int32x4_t s1 = rescale_right(x1, q->multiplier1, q->right1, r1);
        /* r2 == 2: b's rescaling halves exactly, (bh << 16) / 2 = bh * 2^15, one SMLSL by -2^15 */
        const int32x4_t sum =
            r2 == 2 ? vmlsl_n_s16(s1, bh, INT16_MIN)
                    : vaddq_s32(s1, rescale_right(vshll_n_s16(bh, 16), q->multiplier2, q->right2, r2));
        s[h] = rescale_right(sum, q->multiplier_out, q->right_out, ro);
    }
    return vqaddq_s16(vcombine_s16(vqmovn_s32(s[0]), vqmovn_s32(s[1])), q->zero_point);
}

EDGEC_INLINE int8x16_t add16(int8x16_t a, int8x16_t b, const add_plan *q, int r1, int r2, int ro) {
    const int16x8_t a_lo = vshlq_s16(vaddw_s8(q->offset1_16, vget_low_s8(a)), q->pre_shift);
    const int16x8_t a_hi = vshlq_s16(vaddw_s8(q->offset1_16, vget_high_s8(a)), q->pre_shift);
    const int16x8_t b_lo = vshlq_s16(vaddw_s8(q->offset2_16, vget_low_s8(b)), q->pre_shift);
    const int16x8_t b_hi = vshlq_s16(vaddw_s8(q->offset2_16, vget_high_s8(b)), q->pre_shift);
    const int8x16_t y = vcombine_s8(vqmovn_s16(add16_half(a_lo, b_lo, q, r1, r2, ro)),
                                    vqmovn_s16(add16_half(a_hi, b_hi, q, r1, r2, ro)));
    return vminq_s8(vmaxq_s8(y, q->lo16), q->hi16);
}

/* add16 over [0, n / 16 * 16) with constant shift kinds; returns the elements done. */
EDGEC_INLINE int32_t add16_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                               int32_t n, const add_plan *plan, int r1, int r2, int ro) {
    /* the constants in a local copy: the byte stores to out could alias *plan, which made the loop reload
     * them every step */
    const add_plan local = *plan, *q = &local;
    const int8x16_t a0 = vdupq_n_s8(a[0]), b0 = vdupq_n_s8(b[0]);
    int32_t i = 0;
    for (; i + 16 <= n; i += 16)
        vst1q_s8(out + i, add16(a_step ? vld1q_s8(a + i) : a0, b_step ? vld1q_s8(b + i) : b0, q, r1, r2, ro));
    return i;
}

static void add_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    const add_plan *q = (const add_plan *)params;
    int32_t i = 0;
    if (a_step <= 1 && b_step <= 1) { /* contiguous, or one value along the row */
        switch (q->fast) {
        case 0: break;
        case 1: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 0, 0); break;
        case 2: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 0, 0); break;
        case 3: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 1, 0); break;
        case 4: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 1, 0); break;
        case 5: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 0, 1); break;
        case 6: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 0, 1); break;
        case 7: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 1, 1); break;
        case 8: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 1, 1); break;
        case 9: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 2, 0); break;
        case 10: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 2, 0); break;
        case 11: i = add16_row(a, a_step, b, b_step, out, n, q, 0, 2, 1); break;
        default: i = add16_row(a, a_step, b, b_step, out, n, q, 1, 2, 1); break;
        }
        const int8x8_t a0 = vdup_n_s8(a[0]), b0 = vdup_n_s8(b[0]);
        for (; i + 8 <= n; i += 8) /* the rest, or all when add16 does not apply */
            vst1_s8(out + i, add8(a_step ? vld1_s8(a + i) : a0, b_step ? vld1_s8(b + i) : b0, q));
    }
    if (i < n) edgec_add_s8_row(a + (size_t)i * a_step, a_step, b + (size_t)i * b_step, b_step, out + i, n - i, q->p);
}

static void shifts(int32_t shift, int32x4_t *left, int32x4_t *right) {
    *left = vdupq_n_s32(shift > 0 ? shift : 0);
    *right = vdupq_n_s32(shift < 0 ? shift : 0);
}

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch) {
    (void)scratch;
    if (p->kind != EDGEC_ADD_S8_ADD) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape, edgec_add_s8_row_combine, p);
        return;
    }
    add_plan q;
    q.p = p;
    q.offset1 = vdupq_n_s32(p->input1_offset);
    q.offset2 = vdupq_n_s32(p->input2_offset);
    q.left_shift = vdupq_n_s32(p->left_shift);
    q.multiplier1 = vdupq_n_s32(p->input1_multiplier);
    q.multiplier2 = vdupq_n_s32(p->input2_multiplier);
    q.multiplier_out = vdupq_n_s32(p->output_multiplier);
    shifts(p->input1_shift, &q.left1, &q.right1);
    shifts(p->input2_shift, &q.left2, &q.right2);
    shifts(p->output_shift, &q.left_out, &q.right_out);
    q.zero_point = vdupq_n_s16((int16_t)p->output_offset);
    q.lo = vdup_n_s8((int8_t)p->act_min);
    q.hi = vdup_n_s8((int8_t)p->act_max);
    q.offset1_16 = vdupq_n_s16((int16_t)p->input1_offset);
    q.offset2_16 = vdupq_n_s16((int16_t)p->input2_offset);
    q.pre_shift = vdupq_n_s16((int16_t)(p->left_shift - 16));
    q.lo16 = vdupq_n_s8((int8_t)p->act_min);
    q.hi16 = vdupq_n_s8((int8_t)p->act_max);
    /* add16: left_shift within [16, 23], offsets of int8 zero points (|v + offset| <= 255), no rescaling shifting
     * left */
    const int offsets = p->input1_offset >= -127 && p->input1_offset <= 128 && p->input2_offset >= -127 &&
                        p->input2_offset <= 128;
    q.fast = p->left_shift >= 16 && p->left_shift <= 23 && offsets && p->input1_shift <= 0 &&
                     p->input2_shift <= 0 && p->output_shift <= 0
                 ? 1 + (p->input1_shift < 0) + 2 * (p->input2_shift < 0) + 4 * (p->output_shift < 0)
                 : 0;
    /* TFLite's ADD rescales the input of the larger scale by exactly 1/2 (multiplier 2^30, shift 0): SQRDMULH of an
     * even value by 2^30 halves it exactly (ResNet's residual adds: b) */
    if (q.fast && p->input2_multiplier == 1 << 30 && p->input2_shift == 0)
        q.fast = 9 + (p->input1_shift < 0) + 2 * (p->output_shift < 0);
    edgec_broadcast_rows_or_dense_s8(a, b, output, &p->shape, add_row, &q);
}
