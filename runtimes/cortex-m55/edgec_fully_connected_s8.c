/* Cortex-M55 twin of reference/edgec_fully_connected_s8.c: int8 dot products on Helium (MVE).
 *
 * The offsets leave the inner loop: sum_d (w + fo) * (x + io) = sum w * x + io * sum w + fo * sum x
 * + depth * io * fo. Four weight rows go against one input row per step: 16 depths of the input loaded once,
 * then per row one load, one VMLADAV (int8 dot product into int32) and one VADDVA (the row's weight sum); the
 * depth % 16 tail is tail-predicated. The sum of the input row is taken once per batch. Integer sums are exact
 * and the requantisation is the reference's own (edgec_fixedpoint_s8.h): bit-identical on every path. Without
 * MVE the same loops run on scalar code. */
#include "edgec_fully_connected_s8.h"
#include "edgec_helium_s8.h"

/* s[2j] += sum x * w_j, s[2j + 1] += sum w_j over n depths, for the R (1 or 4) rows w_j = w + j * stride. */
EDGEC_INLINE void dot_rows(const int8_t *x, const int8_t *w, size_t stride, int32_t n, int32_t R, int32_t *s) {
#if EDGEC_HELIUM
    const int8_t *w0 = w, *w1 = w + stride, *w2 = w1 + stride, *w3 = w2 + stride;
    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int32_t g = n >> 4; g > 0; --g) {
        const int8x16_t xv = vld1q_s8(x);
        x += 16;
        int8x16_t v = vld1q_s8(w0);
        w0 += 16;
        d0 = vmladavaq_s8(d0, xv, v), t0 = vaddvaq_s8(t0, v);
        if (R == 4) {
            v = vld1q_s8(w1), w1 += 16;
            d1 = vmladavaq_s8(d1, xv, v), t1 = vaddvaq_s8(t1, v);
            v = vld1q_s8(w2), w2 += 16;
            d2 = vmladavaq_s8(d2, xv, v), t2 = vaddvaq_s8(t2, v);
            v = vld1q_s8(w3), w3 += 16;
            d3 = vmladavaq_s8(d3, xv, v), t3 = vaddvaq_s8(t3, v);
        }
    }
    if (n & 15) { /* zeroing loads: inactive lanes read nothing and add 0 */
        const mve_pred16_t pr = vctp8q((uint32_t)(n & 15));
        const int8x16_t xv = vld1q_z_s8(x, pr);
        int8x16_t v = vld1q_z_s8(w0, pr);
        d0 = vmladavaq_s8(d0, xv, v), t0 = vaddvaq_s8(t0, v);
        if (R == 4) {
            v = vld1q_z_s8(w1, pr);
            d1 = vmladavaq_s8(d1, xv, v), t1 = vaddvaq_s8(t1, v);
            v = vld1q_z_s8(w2, pr);
            d2 = vmladavaq_s8(d2, xv, v), t2 = vaddvaq_s8(t2, v);
            v = vld1q_z_s8(w3, pr);
            d3 = vmladavaq_s8(d3, xv, v), t3 = vaddvaq_s8(t3, v);
        }
    }
    s[0] = d0, s[1] = t0;
    if (R == 4) s[2] = d1, s[3] = t1, s[4] = d2, s[5] = t2, s[6] = d3, s[7] = t3;
#else
    for (int32_t j = 0; j < R; ++j) {
        int32_t d = 0, t = 0;
        for (int32_t k = 0; k < n; ++k) d += (int32_t)x[k] * w[(size_t)j * stride + k], t += w[(size_t)j * stride + k];
        s[2 * j] = d, s[2 * j + 1] = t;
    }
#endif
}

EDGEC_INLINE int32_t sum_s8(const int8_t *x, int32_t n) {
    int32_t s = 0;
#if EDGEC_HELIUM
    for (; n >= 16; n -= 16, x += 16) s = vaddvaq_s8(s, vld1q_s8(x));
    if (n > 0) s = vaddvaq_s8(s, vld1q_z_s8(x, vctp8q((uint32_t)n)));
#else
    for (int32_t k = 0; k < n; ++k) s += x[k];
#endif
    return s;
}

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    const int32_t depth = p->depth, units = p->units, io = p->input_offset, fo = p->filter_offset;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * units;
        const int32_t base = fo * sum_s8(in, depth) + depth * io * fo;
        for (int32_t u = 0; u < units;) {
            const int32_t R = units - u >= 4 ? 4 : 1;
            int32_t s[8];
            if (R == 4)
                dot_rows(in, weights + (size_t)u * depth, (size_t)depth, depth, 4, s);
            else
                dot_rows(in, weights + (size_t)u * depth, (size_t)depth, depth, 1, s);
            for (int32_t j = 0; j < R; ++j, ++u) {
                int32_t acc = s[2 * j] + io * s[2 * j + 1] + base + (bias ? bias[u] : 0);
                acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                          : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
                out[u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
            }
        }
    }
}
