/* Arm NEON: int8 fully connected (TFLite reference_integer_ops::FullyConnected), bit-exact with
 * runtimes/reference/edgec_fully_connected_s8.c.
 *
 * sum (w + fo)(x + io) = sum w x + io * sum w + fo * sum x + depth * fo * io. Four weight rows per pass: each input
 * vector loaded feeds the four dot products (SDOT, or SMULL + SADALP) and, where io is not 0, the same weight
 * vectors feed the four rows' sums in that pass (SDOT by a vector of ones, or SADDLP + SADALP) instead of a second
 * read of the weights. sum x only where fo is not 0 (TFLite's weights are symmetric: fo = 0). All in wrapping
 * int32 lanes, the same bits as the reference's int32 sum; the four results requantised together
 * (edgec_neon_fixed4_apply is edgec_mbqm's arithmetic) unless the layer rounds once (single_rounding: scalar). */
#include "edgec_fully_connected_s8.h"
#include "edgec_neon.h"

/* acc += the sum of the 16 bytes of w, spread over the lanes. */
EDGEC_INLINE int32x4_t fc_sum16(int32x4_t acc, int8x16_t w) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, w, vdupq_n_s8(1));
#else
    return vpadalq_s16(acc, vpaddlq_s8(w));
#endif
}

/* The four rows w, w + depth, ... dotted with x, and (with_sums) each row's sum: dots and sums, lane j for row j. */
EDGEC_INLINE void fc_rows4(const int8_t *x, const int8_t *w, int32_t depth, int with_sums, int32x4_t *dots,
                           int32x4_t *sums) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t a0 = z, a1 = z, a2 = z, a3 = z, s0 = z, s1 = z, s2 = z, s3 = z;
    int32_t i = 0;
    for (; i + 16 <= depth; i += 16) {
        const int8x16_t v = vld1q_s8(x + i);
        const int8x16_t k0 = vld1q_s8(w0 + i), k1 = vld1q_s8(w1 + i), k2 = vld1q_s8(w2 + i), k3 = vld1q_s8(w3 + i);
        a0 = edgec_neon_dot16_s8(a0, v, k0); a1 = edgec_neon_dot16_s8(a1, v, k1);
        a2 = edgec_neon_dot16_s8(a2, v, k2); a3 = edgec_neon_dot16_s8(a3, v, k3);
        if (with_sums) {
            s0 = fc_sum16(s0, k0); s1 = fc_sum16(s1, k1); s2 = fc_sum16(s2, k2); s3 = fc_sum16(s3, k3);
        }
    }
    if (i + 8 <= depth) {
        const int8x8_t v = vld1_s8(x + i);
        const int8x8_t k0 = vld1_s8(w0 + i), k1 = vld1_s8(w1 + i), k2 = vld1_s8(w2 + i), k3 = vld1_s8(w3 + i);
        a0 = vpadalq_s16(a0, vmull_s8(v, k0)); a1 = vpadalq_s16(a1, vmull_s8(v, k1));
        a2 = vpadalq_s16(a2, vmull_s8(v, k2)); a3 = vpadalq_s16(a3, vmull_s8(v, k3));
        if (with_sums) {
            s0 = vaddw_s16(s0, vpaddl_s8(k0)); s1 = vaddw_s16(s1, vpaddl_s8(k1));
            s2 = vaddw_s16(s2, vpaddl_s8(k2)); s3 = vaddw_s16(s3, vpaddl_s8(k3));
        }
        i += 8;
    }
    int32x4_t d = edgec_neon_hsum4_s32(a0, a1, a2, a3), s = edgec_neon_hsum4_s32(s0, s1, s2, s3);
    if (i < depth) { /* the last few bytes */
        int32_t td[4] = {0, 0, 0, 0}, ts[4] = {0, 0, 0, 0};
        for (; i < depth; ++i) {
            const int32_t v = x[i];
            for (int32_t j = 0; j < 4; ++j) {
                td[j] += v * w[(size_t)j * depth + i];
                ts[j] += w[(size_t)j * depth + i];
            }
        }
        d = vaddq_s32(d, vld1q_s32(td));
        s = vaddq_s32(s, vld1q_s32(ts));
    }
    *dots = d;
    *sums = s;
}

/* Eight rows w, w + depth, ... dotted with x, without weight sums (input_offset 0: the compiler folds
 * input_offset * each row's weight sum into the bias for this set): lane j of d[0] row j, of d[1] row 4 + j. Each
 * input vector feeds eight rows, and a pass's reductions and requantisation cover eight outputs. */
EDGEC_INLINE void fc_rows8(const int8_t *x, const int8_t *w, int32_t depth, int32x4_t d[2]) {
    const int8_t *w0 = w, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    const int8_t *w4 = w3 + depth, *w5 = w4 + depth, *w6 = w5 + depth, *w7 = w6 + depth;
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    int32_t i = 0;
    for (; i + 16 <= depth; i += 16) {
        const int8x16_t v = vld1q_s8(x + i);
        a0 = edgec_neon_dot16_s8(a0, v, vld1q_s8(w0 + i)); a1 = edgec_neon_dot16_s8(a1, v, vld1q_s8(w1 + i));
        a2 = edgec_neon_dot16_s8(a2, v, vld1q_s8(w2 + i)); a3 = edgec_neon_dot16_s8(a3, v, vld1q_s8(w3 + i));
        a4 = edgec_neon_dot16_s8(a4, v, vld1q_s8(w4 + i)); a5 = edgec_neon_dot16_s8(a5, v, vld1q_s8(w5 + i));
        a6 = edgec_neon_dot16_s8(a6, v, vld1q_s8(w6 + i)); a7 = edgec_neon_dot16_s8(a7, v, vld1q_s8(w7 + i));
    }
    if (i + 8 <= depth) {
        const int8x8_t v = vld1_s8(x + i);
        a0 = vpadalq_s16(a0, vmull_s8(v, vld1_s8(w0 + i))); a1 = vpadalq_s16(a1, vmull_s8(v, vld1_s8(w1 + i)));
        a2 = vpadalq_s16(a2, vmull_s8(v, vld1_s8(w2 + i))); a3 = vpadalq_s16(a3, vmull_s8(v, vld1_s8(w3 + i)));
        a4 = vpadalq_s16(a4, vmull_s8(v, vld1_s8(w4 + i))); a5 = vpadalq_s16(a5, vmull_s8(v, vld1_s8(w5 + i)));
        a6 = vpadalq_s16(a6, vmull_s8(v, vld1_s8(w6 + i))); a7 = vpadalq_s16(a7, vmull_s8(v, vld1_s8(w7 + i)));
        i += 8;
    }
    d[0] = edgec_neon_hsum4_s32(a0, a1, a2, a3);
    d[1] = edgec_neon_hsum4_s32(a4, a5, a6, a7);
    if (i < depth) { /* the last few bytes */
        int32_t t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (; i < depth; ++i)
            for (int32_t j = 0; j < 8; ++j) t[j] += x[i] * w[(size_t)j * depth + i];
        d[0] = vaddq_s32(d[0], vld1q_s32(t));
        d[1] = vaddq_s32(d[1], vld1q_s32(t + 4));
    }
}

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    const size_t depth = (size_t)p->depth;
    const uint32_t io = (uint32_t)p->input_offset, fo = (uint32_t)p->filter_offset;
    edgec_neon_fixed4 q;
    q.multiplier = vdupq_n_s32(p->multiplier);
    q.left = vdupq_n_s32(p->shift > 0 ? p->shift : 0);
    q.right = vdupq_n_s32(p->shift > 0 ? 0 : p->shift);
    const int32x4_t zp = vdupq_n_s32(p->output_offset), lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * p->units;
        const uint32_t x_sum = fo ? (uint32_t)edgec_neon_sum_s8(in, p->depth) : 0u;
        const int32x4_t constant = vdupq_n_s32((int32_t)(fo * x_sum + (uint32_t)p->depth * fo * io));
        for (int32_t u = 0; u < p->units;) {
            if (p->units < 4) { /* one row at a time */
                const int8_t *w = weights + (size_t)u * depth;
                const uint32_t w_sum = io ? (uint32_t)edgec_neon_sum_s8(w, p->depth) : 0u;
                int32_t acc = (int32_t)((uint32_t)edgec_neon_dot1_s8(in, w, p->depth) + io * w_sum +
                                        (uint32_t)vgetq_lane_s32(constant, 0));
                if (bias) acc += bias[u];
                acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                          : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
                out[u++] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
                continue;
            }
            if (!io && !p->single_rounding && p->units >= 8) { /* eight rows a pass */
                if (u + 8 > p->units) u = p->units - 8; /* the last rows overlap the pass before: same bytes */
                int32x4_t d[2];
                fc_rows8(in, weights + (size_t)u * depth, p->depth, d);
                for (int32_t h = 0; h < 2; ++h) {
                    int32x4_t acc = vaddq_s32(d[h], constant);
                    if (bias) acc = vaddq_s32(acc, vld1q_s32(bias + u + 4 * h));
                    edgec_neon_store4_s8(out + u + 4 * h, edgec_neon_fixed4_apply(acc, q, zp, lo, hi));
                }
                u += 8;
                continue;
            }
            if (u + 4 > p->units) u = p->units - 4; /* the last rows overlap the pass before: same bytes again */
            int32x4_t dots, sums;
            if (io) fc_rows4(in, weights + (size_t)u * depth, p->depth, 1, &dots, &sums);
            else fc_rows4(in, weights + (size_t)u * depth, p->depth, 0, &dots, &sums);
            /* wrapping lane arithmetic: the same bits as the reference's int32 sum */
            int32x4_t acc = vaddq_s32(vaddq_s32(dots, constant), vreinterpretq_s32_u32(vmulq_n_u32(
                                                                     vreinterpretq_u32_s32(sums), io)));
            if (bias) acc = vaddq_s32(acc, vld1q_s32(bias + u));
            if (p->single_rounding) {
                int32_t a[4];
                vst1q_s32(a, acc);
                for (int32_t j = 0; j < 4; ++j)
                    out[u + j] = (int8_t)edgec_clamp_i32(edgec_mbqm_single(a[j], p->multiplier, p->shift) +
                                                             p->output_offset, p->act_min, p->act_max);
            } else {
                edgec_neon_store4_s8(out + u, edgec_neon_fixed4_apply(acc, q, zp, lo, hi));
            }
            u += 4;
        }
    }
}
