/* Cortex-M twin of reference/edgec_svdf_s8.c, bit-identical to it. The input row minus its zero point is widened
 * once into int16 pairs (edgec_matvec_s8.h); the feature products then run four filters at a time on SXTB16 +
 * SMLAD, each new feature shifted into its filter's state row as the reference does. The time products take the
 * state and the time weights two (int16) or four (int8) at a time on SMLAD, as sum(w * s) - zero point * sum(w)
 * (the same int32 value as sum(w * (s - zero point))). */
#include "edgec_svdf_s8.h"
#include "edgec_matvec_s8.h"

/* The feature products of every filter of one batch row into acc[filters] (before requantisation). */
static void features(const int8_t *x, const int8_t *weights_feature, int32_t *acc, uint32_t *xw,
                     const edgec_svdf_s8_params *p) {
    const int32_t filters = p->units * p->rank, n = p->input, off = -p->input_zero_point;
    mv_widen(xw, x, n, off);
    int32_t f = 0;
    for (; f + 4 <= filters; f += 4) {
        acc[f] = acc[f + 1] = acc[f + 2] = acc[f + 3] = 0;
        mv_dot4(xw, x, off, n, weights_feature + (size_t)f * (size_t)n, (size_t)n, acc + f);
    }
    for (; f < filters; ++f) acc[f] = mv_dot1(xw, x, off, n, weights_feature + (size_t)f * (size_t)n);
}

EDGEC_INLINE int32_t requantise_feature(int32_t dot, const edgec_svdf_s8_params *p, int32_t lo, int32_t hi) {
    return edgec_clamp_i32(edgec_mbqm(dot, p->multiplier_1, p->shift_1), lo, hi);
}

EDGEC_INLINE int8_t requantise_unit(int32_t acc, const edgec_svdf_s8_params *p) {
    return (int8_t)edgec_clamp_i32(edgec_mbqm(acc, p->multiplier_2, p->shift_2) + p->output_zero_point, -128, 127);
}

/* sum over k < m of w[k] * (s[k] - zp), int8. */
EDGEC_INLINE int32_t time_s8(const int8_t *s, const int8_t *w, int32_t m, int32_t zp) {
    int32_t sw = 0, ws = 0, k = 0;
    for (; k + 4 <= m; k += 4) {
        const uint32_t s4 = pk_load_u32(s + k), w4 = pk_load_u32(w + k);
        const uint32_t w02 = pk_sxtb16(w4), w13 = pk_sxtb16_ror8(w4);
        sw = pk_smlad(pk_sxtb16(s4), w02, sw);
        sw = pk_smlad(pk_sxtb16_ror8(s4), w13, sw);
        ws = pk_smlad(w02, 0x00010001u, ws);
        ws = pk_smlad(w13, 0x00010001u, ws);
    }
    for (; k < m; ++k) {
        sw += (int32_t)w[k] * (int32_t)s[k];
        ws += (int32_t)w[k];
    }
    return (int32_t)((uint32_t)sw - (uint32_t)zp * (uint32_t)ws);
}

/* The same with int16 state and weights: two at a time. */
EDGEC_INLINE int32_t time_s16(const int16_t *s, const int16_t *w, int32_t m, int32_t zp) {
    int32_t sw = 0, ws = 0, k = 0;
    for (; k + 2 <= m; k += 2) {
        uint32_t s2, w2;
        __builtin_memcpy(&s2, s + k, 4);
        __builtin_memcpy(&w2, w + k, 4);
        sw = pk_smlad(s2, w2, sw);
        ws = pk_smlad(w2, 0x00010001u, ws);
    }
    if (k < m) {
        sw += (int32_t)w[k] * (int32_t)s[k];
        ws += (int32_t)w[k];
    }
    return (int32_t)((uint32_t)sw - (uint32_t)zp * (uint32_t)ws);
}

void edgec_svdf_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                   const int8_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p) {
    const int32_t filters = p->units * p->rank, m = p->memory;
    uint32_t xw[MV_WORDS(p->input)];
    int32_t acc[filters];
    for (int32_t b = 0; b < p->batch; ++b) {
        features(x + (size_t)b * (size_t)p->input, weights_feature, acc, xw, p);
        for (int32_t u = 0; u < p->units; ++u) {
            int32_t sum = bias ? bias[u] : 0;
            for (int32_t f = u * p->rank; f < (u + 1) * p->rank; ++f) {
                int8_t *s = state + ((size_t)b * (size_t)filters + (size_t)f) * (size_t)m;
                for (int32_t k = 0; k + 1 < m; ++k) s[k] = s[k + 1];
                /* TFLite Micro adds the zero point after the clamp and stores the sum as int8 (it may wrap) */
                s[m - 1] = (int8_t)(p->state_zero_point + requantise_feature(acc[f], p, -128, 127));
                sum += time_s8(s, weights_time + (size_t)f * (size_t)m, m, p->state_zero_point);
            }
            out[(size_t)b * (size_t)p->units + (size_t)u] = requantise_unit(sum, p);
        }
    }
}

void edgec_svdf_s8_s16(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                       const int16_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                       int16_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p) {
    const int32_t filters = p->units * p->rank, m = p->memory;
    uint32_t xw[MV_WORDS(p->input)];
    int32_t acc[filters];
    for (int32_t b = 0; b < p->batch; ++b) {
        features(x + (size_t)b * (size_t)p->input, weights_feature, acc, xw, p);
        for (int32_t u = 0; u < p->units; ++u) {
            int32_t sum = bias ? bias[u] : 0;
            for (int32_t f = u * p->rank; f < (u + 1) * p->rank; ++f) {
                int16_t *s = state + ((size_t)b * (size_t)filters + (size_t)f) * (size_t)m;
                for (int32_t k = 0; k + 1 < m; ++k) s[k] = s[k + 1];
                s[m - 1] = (int16_t)(p->state_zero_point + requantise_feature(acc[f], p, -32768, 32767));
                sum += time_s16(s, weights_time + (size_t)f * (size_t)m, m, p->state_zero_point);
            }
            out[(size_t)b * (size_t)p->units + (size_t)u] = requantise_unit(sum, p);
        }
    }
}
