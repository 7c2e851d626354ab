/* Cortex-M twin of reference/edgec_fully_connected_s8.c: the dot product on the DSP extension (SXTB16 +
 * SMLAD, four int8 MACs per step) when __ARM_FEATURE_DSP is set; bit-identical to the reference. */
#include "edgec_fully_connected_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

EDGEC_INLINE int16x2_t pack_offset(int32_t offset) {
    return (int16x2_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
}

/* sum over n of (a[i] + a_offset) * (b[i] + b_offset); both sides fit a halfword lane. */
EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t b_offset, int32_t n) {
    const int16x2_t a_off2 = pack_offset(a_offset), b_off2 = pack_offset(b_offset);
    int32_t acc = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, b4;
        __builtin_memcpy(&a4, a + i, 4);
        __builtin_memcpy(&b4, b + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), a_off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), a_off2);
        const int16x2_t b02 = __sadd16(__sxtb16((int8x4_t)b4), b_off2);
        const int16x2_t b13 = __sadd16(__sxtb16((int8x4_t)((b4 >> 8) | (b4 << 24))), b_off2);
        acc = __smlad(a02, b02, acc);
        acc = __smlad(a13, b13, acc);
    }
    for (; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * ((int32_t)b[i] + b_offset);
    return acc;
}
/* Two weight rows against one input: the input is loaded and widened once for both. */
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t b_offset,
                          int32_t n, int32_t *acc0, int32_t *acc1) {
    const int16x2_t a_off2 = pack_offset(a_offset), b_off2 = pack_offset(b_offset);
    int32_t s0 = 0, s1 = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a4, w4, v4;
        __builtin_memcpy(&a4, a + i, 4);
        __builtin_memcpy(&w4, b0 + i, 4);
        __builtin_memcpy(&v4, b1 + i, 4);
        const int16x2_t a02 = __sadd16(__sxtb16((int8x4_t)a4), a_off2);
        const int16x2_t a13 = __sadd16(__sxtb16((int8x4_t)((a4 >> 8) | (a4 << 24))), a_off2);
        s0 = __smlad(a02, __sadd16(__sxtb16((int8x4_t)w4), b_off2), s0);
        s0 = __smlad(a13, __sadd16(__sxtb16((int8x4_t)((w4 >> 8) | (w4 << 24))), b_off2), s0);
        s1 = __smlad(a02, __sadd16(__sxtb16((int8x4_t)v4), b_off2), s1);
        s1 = __smlad(a13, __sadd16(__sxtb16((int8x4_t)((v4 >> 8) | (v4 << 24))), b_off2), s1);
    }
    for (; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * ((int32_t)b0[i] + b_offset);
        s1 += x * ((int32_t)b1[i] + b_offset);
    }
    *acc0 = s0;
    *acc1 = s1;
}
/* Fast path (filter_offset 0, as TFLite's symmetric int8 weights always are): the input row is widened once into
 * int16 pairs with the input offset added, in the order SXTB16 / SXTB16 ROR #8 gives the weights; then each input
 * word pair feeds four weight rows. Integer sums only: bit-exact. */
#define EDGEC_FC_MAX_DEPTH 1024

EDGEC_INLINE uint32_t load_u32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
/* SXTB16 with its built-in ROR #8 (GCC does not fold the rotation into the instruction). */
EDGEC_INLINE int16x2_t sxtb16_ror8(uint32_t v) {
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

EDGEC_INLINE void fc_store(int32_t acc, int32_t u, const int32_t *bias, int8_t *out,
                           const edgec_fully_connected_s8_params *p) {
    if (bias) acc += bias[u];
    acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                              : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
    out[u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

static void fc_fast(const int8_t *in, const int8_t *weights, const int32_t *bias, int8_t *out,
                    const edgec_fully_connected_s8_params *p) {
    uint32_t col[EDGEC_FC_MAX_DEPTH / 2];
    const int32_t depth = p->depth, D4 = depth >> 2, off = p->input_offset;
    const int16x2_t off2 = pack_offset(off);
    for (int32_t g = 0; g < D4; ++g) {
        const uint32_t a4 = load_u32(in + 4 * g);
        col[2 * g] = (uint32_t)__sadd16(__sxtb16((int8x4_t)a4), off2);
        col[2 * g + 1] = (uint32_t)__sadd16(sxtb16_ror8(a4), off2);
    }
    int32_t u = 0;
    for (; u + 4 <= p->units; u += 4) {
        const int8_t *w0 = weights + (size_t)u * depth, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const uint32_t *x = col, *const x_end = col + 2 * D4;
        while (x != x_end) {
            const int16x2_t x02 = (int16x2_t)x[0], x13 = (int16x2_t)x[1];
            x += 2;
            uint32_t w = load_u32(w0);
            w0 += 4;
            s0 = __smlad(x02, __sxtb16((int8x4_t)w), s0);
            s0 = __smlad(x13, sxtb16_ror8(w), s0);
            w = load_u32(w1);
            w1 += 4;
            s1 = __smlad(x02, __sxtb16((int8x4_t)w), s1);
            s1 = __smlad(x13, sxtb16_ror8(w), s1);
            w = load_u32(w2);
            w2 += 4;
            s2 = __smlad(x02, __sxtb16((int8x4_t)w), s2);
            s2 = __smlad(x13, sxtb16_ror8(w), s2);
            w = load_u32(w3);
            w3 += 4;
            s3 = __smlad(x02, __sxtb16((int8x4_t)w), s3);
            s3 = __smlad(x13, sxtb16_ror8(w), s3);
        }
        for (int32_t d = D4 * 4; d < depth; ++d) {
            const int32_t xv = (int32_t)in[d] + off;
            s0 += xv * (int32_t)*w0++;
            s1 += xv * (int32_t)*w1++;
            s2 += xv * (int32_t)*w2++;
            s3 += xv * (int32_t)*w3++;
        }
        fc_store(s0, u, bias, out, p);
        fc_store(s1, u + 1, bias, out, p);
        fc_store(s2, u + 2, bias, out, p);
        fc_store(s3, u + 3, bias, out, p);
    }
    for (; u < p->units; ++u) {
        const int8_t *w0 = weights + (size_t)u * depth;
        int32_t s0 = 0;
        const uint32_t *x = col;
        for (int32_t g = D4; g > 0; --g) {
            const uint32_t w = load_u32(w0);
            w0 += 4;
            s0 = __smlad((int16x2_t)x[0], __sxtb16((int8x4_t)w), s0);
            s0 = __smlad((int16x2_t)x[1], sxtb16_ror8(w), s0);
            x += 2;
        }
        for (int32_t d = D4 * 4; d < depth; ++d) s0 += ((int32_t)in[d] + off) * (int32_t)*w0++;
        fc_store(s0, u, bias, out, p);
    }
}
#define EDGEC_FC_FAST 1
#else
#define EDGEC_FC_FAST 0
EDGEC_INLINE void dot2_s8(const int8_t *a, int32_t a_offset, const int8_t *b0, const int8_t *b1, int32_t b_offset,
                          int32_t n, int32_t *acc0, int32_t *acc1) {
    int32_t s0 = 0, s1 = 0;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = (int32_t)a[i] + a_offset;
        s0 += x * ((int32_t)b0[i] + b_offset);
        s1 += x * ((int32_t)b1[i] + b_offset);
    }
    *acc0 = s0;
    *acc1 = s1;
}

EDGEC_INLINE int32_t dot_s8(const int8_t *a, int32_t a_offset, const int8_t *b, int32_t b_offset, int32_t n) {
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) acc += ((int32_t)a[i] + a_offset) * ((int32_t)b[i] + b_offset);
    return acc;
}
#endif

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * p->depth;
#if EDGEC_FC_FAST
        if (p->filter_offset == 0 && p->depth <= EDGEC_FC_MAX_DEPTH) {
            fc_fast(in, weights, bias, output + (size_t)b * p->units, p);
            continue;
        }
#endif
        int32_t u = 0;
        for (; u + 2 <= p->units; u += 2) {
            int32_t acc[2];
            dot2_s8(in, p->input_offset, weights + (size_t)u * p->depth, weights + (size_t)(u + 1) * p->depth,
                    p->filter_offset, p->depth, &acc[0], &acc[1]);
            for (int32_t k = 0; k < 2; ++k) {
                int32_t v = acc[k] + (bias ? bias[u + k] : 0);
                v = (p->single_rounding ? edgec_mbqm_single(v, p->multiplier, p->shift)
                                        : edgec_mbqm(v, p->multiplier, p->shift)) + p->output_offset;
                output[(size_t)b * p->units + u + k] = (int8_t)edgec_clamp_i32(v, p->act_min, p->act_max);
            }
        }
        for (; u < p->units; ++u) { /* odd unit count: the last row alone */
            int32_t acc = dot_s8(in, p->input_offset, weights + (size_t)u * p->depth, p->filter_offset, p->depth);
            if (bias) acc += bias[u];
            acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                      : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
            output[(size_t)b * p->units + u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}
