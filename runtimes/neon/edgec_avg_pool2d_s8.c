/* Arm NEON: int8 average pooling (TFLite reference_integer_ops::AveragePool), bit-exact with
 * runtimes/reference/edgec_avg_pool2d_s8.c. The window sums go 16 channels at a time: int16 lanes (SADDW) for up
 * to 256 taps (|sum| <= 256 * 128, within int16), then into int32 lanes; the rounding division and the clamp are the
 * reference's, channel by channel. KWS ends with one 25 x 5 window over 64 channels. */
#include "edgec_avg_pool2d_s8.h"
#include "edgec_neon.h"

/* acc = round_half_away(sum / count) clamped, as the reference. */
static int8_t pool_divide(int32_t acc, int32_t count, const edgec_avg_pool2d_s8_params *p) {
    if (count == 0) return (int8_t)p->act_min;
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

void edgec_avg_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_avg_pool2d_s8_params *p) {
    const int32_t C = p->channels;
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
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
                int32_t c = 0;
                for (; c + 16 <= C && count > 0; c += 16) {
                    const int32x4_t z = vdupq_n_s32(0);
                    int32x4_t s0 = z, s1 = z, s2 = z, s3 = z;
                    int16x8_t lo = vdupq_n_s16(0), hi = lo;
                    int32_t taps = 0;
                    for (int32_t ky = ky0; ky < ky1; ++ky) {
                        const int8_t *x = in_b + ((size_t)(y0 + ky) * p->in_w + (size_t)(x0 + kx0)) * C + c;
                        for (int32_t kx = kx0; kx < kx1; ++kx, x += C) {
                            const int8x16_t v = vld1q_s8(x);
                            lo = vaddw_s8(lo, vget_low_s8(v));
                            hi = vaddw_s8(hi, vget_high_s8(v));
                            if (++taps == 256) { /* int16 lanes full: into the int32 sums */
                                s0 = vaddw_s16(s0, vget_low_s16(lo)); s1 = vaddw_s16(s1, vget_high_s16(lo));
                                s2 = vaddw_s16(s2, vget_low_s16(hi)); s3 = vaddw_s16(s3, vget_high_s16(hi));
                                lo = hi = vdupq_n_s16(0);
                                taps = 0;
                            }
                        }
                    }
                    int32_t sums[16];
                    vst1q_s32(sums, vaddw_s16(s0, vget_low_s16(lo)));
                    vst1q_s32(sums + 4, vaddw_s16(s1, vget_high_s16(lo)));
                    vst1q_s32(sums + 8, vaddw_s16(s2, vget_low_s16(hi)));
                    vst1q_s32(sums + 12, vaddw_s16(s3, vget_high_s16(hi)));
                    for (int32_t j = 0; j < 16; ++j) out[c + j] = pool_divide(sums[j], count, p);
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
