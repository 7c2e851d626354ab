/* Arm NEON: int8 depthwise convolution (TFLite DepthwiseConvPerChannel), bit-exact with
 * runtimes/reference/edgec_depthwise_conv2d_s8.c. With depth multiplier 1 eight channels go at once: input
 * widened to int16 with the offset added (|x + offset| <= 255, exact), weights widened, SMLAL into int32. Other
 * multipliers (rare) take the reference's loop. The requantisation (edgec_neon_requant4) gives the reference's
 * bits. */
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_neon.h"

static void depthwise_scalar(const int8_t *in_b, const int8_t *weights, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, int8_t *out, int32_t y0, int32_t x0,
                             int32_t oc_begin, const edgec_conv2d_s8_params *p) {
    for (int32_t oc = oc_begin; oc < p->out_c; ++oc) {
        const int32_t ic = oc / p->depth_multiplier;
        int32_t acc = 0;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                const int32_t v = in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic];
                acc += weights[((size_t)ky * p->k_w + kx) * p->out_c + oc] * (v + p->input_offset);
            }
        }
        if (bias) acc += bias[oc];
        out[oc] = (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset, p->act_min,
                                        p->act_max);
    }
}

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    /* int16 lanes hold x + offset only for an int8 zero point (offset in [-127, 128]) */
    const int vector = p->depth_multiplier == 1 && p->input_offset >= -127 && p->input_offset <= 128;
    const int16x8_t off = vdupq_n_s16((int16_t)(vector ? p->input_offset : 0));
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                /* the taps inside the input: [ky_lo, ky_hi) x [kx_lo, kx_hi) */
                const int32_t ky_lo = y0 < 0 ? (-y0 + p->dil_h - 1) / p->dil_h : 0;
                const int32_t kx_lo = x0 < 0 ? (-x0 + p->dil_w - 1) / p->dil_w : 0;
                int32_t ky_hi = p->k_h, kx_hi = p->k_w;
                while (ky_hi > ky_lo && y0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
                while (kx_hi > kx_lo && x0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
                int32_t c = 0;
                for (; vector && c + 8 <= p->out_c; c += 8) {
                    int32x4_t lo = vdupq_n_s32(0), hi = lo;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        const int8_t *x = in_b + ((size_t)(y0 + ky * p->dil_h) * p->in_w + x0 + kx_lo * p->dil_w) * p->in_c + c;
                        const int8_t *w = weights + ((size_t)ky * p->k_w + kx_lo) * p->out_c + c;
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * p->in_c, w += p->out_c) {
                            const int16x8_t xv = vaddq_s16(vmovl_s8(vld1_s8(x)), off);
                            const int16x8_t wv = vmovl_s8(vld1_s8(w));
                            lo = vmlal_s16(lo, vget_low_s16(xv), vget_low_s16(wv));
                            hi = vmlal_s16(hi, vget_high_s16(xv), vget_high_s16(wv));
                        }
                    }
                    if (bias) {
                        lo = vaddq_s32(lo, vld1q_s32(bias + c));
                        hi = vaddq_s32(hi, vld1q_s32(bias + c + 4));
                    }
                    edgec_neon_store4_s8(out + c, edgec_neon_requant4(lo, multiplier + c, shift + c, p->requant,
                                                                      p->output_offset, p->act_min, p->act_max));
                    edgec_neon_store4_s8(out + c + 4, edgec_neon_requant4(hi, multiplier + c + 4, shift + c + 4,
                                                                          p->requant, p->output_offset, p->act_min,
                                                                          p->act_max));
                }
                depthwise_scalar(in_b, weights, bias, multiplier, shift, out, y0, x0, c, p);
            }
        }
    }
}
