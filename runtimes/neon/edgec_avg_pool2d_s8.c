/* Arm NEON: int8 average pooling (TFLite reference_integer_ops::AveragePool), bit-exact with
 * runtimes/reference/edgec_avg_pool2d_s8.c. The window sums go 64 channels a pass (then 16): int16 lanes (SADDW)
 * for up to 256 taps (|sum| <= 256 * 128, within int16), then into int32 lanes; a window of whole rows (a global
 * pool: VWW's 3 x 3 x 256, KWS's 25 x 5 x 64) is one run of pixels. The rounding division is a multiply, 4 lanes
 * at a time (divide4); the last channels (C % 16) and the windows the multiply does not cover are the
 * reference's, channel by channel. */
#include "edgec_avg_pool2d_s8.h"
#include "edgec_neon.h"

/* acc = round_half_away(sum / count) clamped, as the reference. */
static int8_t pool_divide(int32_t acc, int32_t count, const edgec_avg_pool2d_s8_params *p) {
    if (count == 0) return (int8_t)p->act_min;
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

/* The reference's division as sign(acc) * floor((|acc| + d / 2) / d), the floor by SQDMULH (floor(n m / 2^31))
 * and a right shift by t: with 2^t < d <= 2^(t + 1) and m = ceil(2^(31 + t) / d) <= 2^31 - 1, m d = 2^(31 + t) + e
 * with 0 <= e < d, and floor(n m / 2^(31 + t)) = floor(n / d) while n e < 2^(31 + t); n = |acc| + d / 2 < 129 d
 * (|acc| <= 128 d), so 129 d^2 <= 2^30 d, i.e. d <= 2^30 / 129, suffices. d = 1 (t would be -1) and larger d take
 * pool_divide. */
typedef struct {
    int32_t count; /* d */
    int fast;
    int32x4_t half, multiplier, shift;
} pool_divisor;

static void divisor_for(pool_divisor *q, int32_t d) {
    q->count = d;
    q->fast = d >= 2 && d <= (1 << 30) / 129;
    int32_t t = 0;
    while (q->fast && (2 << t) < d) ++t;
    q->half = vdupq_n_s32(d / 2);
    q->multiplier = vdupq_n_s32(q->fast ? (int32_t)(((1ull << (31 + t)) + (uint64_t)d - 1) / (uint64_t)d) : 0);
    q->shift = vdupq_n_s32(-t);
}

EDGEC_INLINE int16x4_t divide4(int32x4_t acc, const pool_divisor *q) {
    const int32x4_t n = vaddq_s32(vabsq_s32(acc), q->half);
    const int32x4_t quotient = vshlq_s32(vqdmulhq_s32(n, q->multiplier), q->shift);
    const int32x4_t sign = vshrq_n_s32(acc, 31); /* -quotient = (quotient ^ -1) + 1 */
    return vmovn_s32(vsubq_s32(veorq_s32(quotient, sign), sign)); /* |quotient| <= 128 */
}

/* One pixel's 16 * G channels into the int16 sums. */
EDGEC_INLINE void add_tap(const int8_t *px, int16x8_t *lo, int16x8_t *hi, const int32_t G) {
#pragma GCC unroll 4
    for (int32_t g = 0; g < G; ++g) {
        const int8x16_t v = vld1q_s8(px + 16 * g);
        lo[g] = vaddw_s8(lo[g], vget_low_s8(v));
        hi[g] = vaddw_s8(hi[g], vget_high_s8(v));
    }
}

/* Sums of 16 * G channels (G = 4 or 1, a constant where inlined) over `rows` runs of `run` pixels, pixels `step`
 * bytes apart, runs `row_step` apart: 64 channels and two taps share the loop's steps (about 3 instructions per
 * tap and 16 channels). */
EDGEC_INLINE void window_sums(const int8_t *x, int32_t rows, int32_t run, size_t step, size_t row_step,
                              int32x4_t *s, const int32_t G) {
    int16x8_t lo[4], hi[4];
#pragma GCC unroll 4
    for (int32_t g = 0; g < G; ++g) {
        lo[g] = hi[g] = vdupq_n_s16(0);
        s[4 * g] = s[4 * g + 1] = s[4 * g + 2] = s[4 * g + 3] = vdupq_n_s32(0);
    }
    int32_t room = 256; /* taps the int16 lanes still take */
    for (int32_t r = 0; r < rows; ++r, x += row_step) {
        const int8_t *px = x;
        for (int32_t left = run; left > 0;) {
            const int32_t n = left < room ? left : room;
            int32_t i = 0;
            for (; i + 2 <= n; i += 2, px += 2 * step) { /* two taps a step: half the loop's own instructions */
                add_tap(px, lo, hi, G);
                add_tap(px + step, lo, hi, G);
            }
            if (i < n) {
                add_tap(px, lo, hi, G);
                px += step;
            }
            left -= n;
            room -= n;
            if (room == 0 || (left == 0 && r + 1 == rows)) { /* int16 lanes full, or the window done */
#pragma GCC unroll 4
                for (int32_t g = 0; g < G; ++g) {
                    int32x4_t *t = s + 4 * g;
                    t[0] = vaddw_s16(t[0], vget_low_s16(lo[g])); t[1] = vaddw_s16(t[1], vget_high_s16(lo[g]));
                    t[2] = vaddw_s16(t[2], vget_low_s16(hi[g])); t[3] = vaddw_s16(t[3], vget_high_s16(hi[g]));
                    lo[g] = hi[g] = vdupq_n_s16(0);
                }
                room = 256;
            }
        }
    }
}

/* The outputs of 16 * G channels from their sums. */
EDGEC_INLINE void pool_outputs(const int32x4_t *s, int8_t *out, const pool_divisor *q,
                               const edgec_avg_pool2d_s8_params *p, const int32_t G) {
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
    for (int32_t g = 0; g < G; ++g, s += 4, out += 16) {
        if (q->fast) {
            const int8x16_t y = vcombine_s8(vqmovn_s16(vcombine_s16(divide4(s[0], q), divide4(s[1], q))),
                                            vqmovn_s16(vcombine_s16(divide4(s[2], q), divide4(s[3], q))));
            vst1q_s8(out, vminq_s8(vmaxq_s8(y, lo), hi));
            continue;
        }
        int32_t sums[16];
        for (int32_t j = 0; j < 4; ++j) vst1q_s32(sums + 4 * j, s[j]);
        for (int32_t j = 0; j < 16; ++j) out[j] = pool_divide(sums[j], q->count, p);
    }
}

void edgec_avg_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_avg_pool2d_s8_params *p) {
    const int32_t C = p->channels;
    pool_divisor q;
    divisor_for(&q, 0);
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t ky0 = y0 < 0 ? -y0 : 0;
                const int32_t kx0 = x0 < 0 ? -x0 : 0;
                const int32_t ky1 = p->k_h < p->in_h - y0 ? p->k_h : p->in_h - y0;
                const int32_t kx1 = p->k_w < p->in_w - x0 ? p->k_w : p->in_w - x0;
                const int32_t count = ky1 > ky0 && kx1 > kx0 ? (ky1 - ky0) * (kx1 - kx0) : 0;
                if (count != q.count) divisor_for(&q, count);
                /* whole rows are one run */
                const int whole = kx1 - kx0 == p->in_w;
                const int32_t rows = whole ? 1 : ky1 - ky0, run = whole ? count : kx1 - kx0;
                const int8_t *first = in_b + ((size_t)(y0 + ky0) * p->in_w + (size_t)(x0 + kx0)) * C;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
                int32_t c = 0;
                int32x4_t s[16];
                for (; c + 64 <= C && count > 0; c += 64) {
                    window_sums(first + c, rows, run, (size_t)C, (size_t)p->in_w * C, s, 4);
                    pool_outputs(s, out + c, &q, p, 4);
                }
                for (; c + 16 <= C && count > 0; c += 16) {
                    window_sums(first + c, rows, run, (size_t)C, (size_t)p->in_w * C, s, 1);
                    pool_outputs(s, out + c, &q, p, 1);
                }
                for (; c < C; ++c) { /* the last channels (or an empty window) one by one */
                    int32_t acc = 0;
                    for (int32_t ky = ky0; ky < ky1; ++ky)
                        for (int32_t kx = kx0; kx < kx1; ++kx)
                            acc += in_b[((size_t)(y0 + ky) * p->in_w + (size_t)(x0 + kx)) * C + c];
                    out[c] = pool_divide(acc, count, p);
                }
            }
        }
    }
}
