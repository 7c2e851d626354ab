/* int8 depthwise convolution (TFLite DepthwiseConvPerChannel) for desktop / server hosts: eight channels at a
 * time (one vector of eight int32 sums; the block's weights widened once), the block of channels outermost so
 * that its requantisation is prepared once (edgec_x86_requant.h). NHWC input and [kh][kw][C] weights are
 * contiguous along the channels, so each tap is one widened vector multiply-add; taps outside the input are
 * skipped by clipping the tap range. Depth multipliers other than 1, kernels above 64 taps and the channel
 * remainder take the reference's loop. Integer arithmetic with the same terms: bit-exact with
 * runtimes/reference/edgec_depthwise_conv2d_s8.c. */
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_x86_requant.h"

typedef int32_t v8i __attribute__((vector_size(32)));
#define MAX_TAPS 64 /* kernels up to 8 x 8 take the vector path */

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

static void dw_channel(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                       const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0,
                       int32_t ic) {
    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
        const int32_t oc = ic * p->depth_multiplier + m;
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

/* Output pixels' tap ranges: [lo, hi) of the taps inside the input along one axis. */
static void tap_range(int32_t o, int32_t stride, int32_t pad, int32_t dil, int32_t k, int32_t in, int32_t *origin,
                      int32_t *lo, int32_t *hi) {
    *origin = o * stride - pad;
    *lo = ceil_div(-*origin, dil);
    *hi = k;
    while (*hi > *lo && *origin + (*hi - 1) * dil >= in) --*hi;
}

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, taps = p->k_h * p->k_w;
    const int32_t C8 = p->depth_multiplier == 1 && taps <= MAX_TAPS ? C & ~7 : 0;
    const v8i offset = (v8i){0} + p->input_offset;
    for (int32_t c = 0; c < C8; c += 8) {
        edgec_rq8 rq;
        const int vector = edgec_rq8_usable(multiplier + c, p->requant, 8);
        if (vector) edgec_rq8_prepare(&rq, multiplier + c, shift + c, 8);
        int32_t add[8] = {0};
        if (bias) __builtin_memcpy(add, bias + c, sizeof add);
        /* this block's weights widened once: [tap][8] */
        int32_t wide[MAX_TAPS][8];
        for (int32_t t = 0; t < taps; ++t)
            for (int32_t j = 0; j < 8; ++j) wide[t][j] = weights[(size_t)t * C + c + j];
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C + c;
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                int32_t y0, ky_lo, ky_hi;
                tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &y0, &ky_lo, &ky_hi);
                for (int32_t ox = 0; ox < p->out_w; ++ox) {
                    int32_t x0, kx_lo, kx_hi;
                    tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &x0, &kx_lo, &kx_hi);
                    v8i acc = {0};
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        const int8_t *row = in_b + ((ptrdiff_t)(y0 + ky * p->dil_h) * p->in_w + x0) * C;
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
                            /* widened through an array: compilers load it as one sign-extending move */
                            const int8_t *x = row + (size_t)kx * p->dil_w * C;
                            int32_t xi[8];
                            for (int32_t j = 0; j < 8; ++j) xi[j] = x[j];
                            v8i xv, w;
                            __builtin_memcpy(&xv, xi, sizeof xv);
                            __builtin_memcpy(&w, wide[ky * p->k_w + kx], sizeof w);
                            acc += (xv + offset) * w;
                        }
                    }
                    int32_t a[8];
                    __builtin_memcpy(a, &acc, sizeof a);
                    int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c + c;
                    if (vector) {
                        edgec_rq8_apply(&rq, a, add, p->output_offset, p->act_min, p->act_max, out, 8);
                        continue;
                    }
                    if (p->requant == EDGEC_REQUANT_FLOAT) {
                        edgec_rqf8_apply(multiplier + c, a, add, p->output_offset, p->act_min, p->act_max, out, 8);
                        continue;
                    }
                    for (int32_t j = 0; j < 8; ++j)
                        out[j] = (int8_t)edgec_requant(a[j] + add[j], multiplier[c + j], shift[c + j], p->requant,
                                                       p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
    if (C8 == C) return;
    for (int32_t b = 0; b < p->batch; ++b) { /* depth multipliers other than 1, channels past the last 8 */
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                for (int32_t ic = C8; ic < C; ++ic) dw_channel(in_b, weights, bias, multiplier, shift, out, p, y0, x0, ic);
            }
    }
}
