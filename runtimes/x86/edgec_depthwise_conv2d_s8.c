/* int8 depthwise convolution (TFLite DepthwiseConvPerChannel) for desktop / server hosts: eight channels at a time
 * on 8 x int32 GNU C vectors. NHWC input and [kh][kw][C] weights are contiguous along the channels, so each tap is
 * one widened vector multiply-add; taps outside the input are skipped by clipping the tap range per pixel.
 * Depth multipliers other than 1 and the channel remainder take the reference's loop. Integer arithmetic with the
 * same terms: bit-exact with runtimes/reference/edgec_depthwise_conv2d_s8.c. */
#include "edgec_depthwise_conv2d_s8.h"

typedef int32_t v8i __attribute__((vector_size(32)));
typedef int8_t v8c_unaligned __attribute__((vector_size(8), aligned(1)));
/* 8 int8 widened to 8 int32 (a macro: a 256-bit vector by value changes the ABI without AVX) */
#define WIDEN8(ptr) __builtin_convertvector(*(const v8c_unaligned *)(const void *)(ptr), v8i)

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

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, C8 = p->depth_multiplier == 1 ? C & ~7 : 0;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t ky_lo = ceil_div(-y0, p->dil_h);
            int32_t ky_hi = p->k_h;
            while (ky_hi > ky_lo && y0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t kx_lo = ceil_div(-x0, p->dil_w);
                int32_t kx_hi = p->k_w;
                while (kx_hi > kx_lo && x0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t c = 0; c < C8; c += 8) {
                    v8i acc = {0};
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
                            const int32_t ix = x0 + kx * p->dil_w;
                            const v8i x = WIDEN8(in_b + ((size_t)iy * p->in_w + ix) * C + c) + p->input_offset;
                            acc += x * WIDEN8(weights + ((size_t)ky * p->k_w + kx) * C + c);
                        }
                    }
                    int32_t a[8];
                    __builtin_memcpy(a, &acc, sizeof a);
                    for (int32_t j = 0; j < 8; ++j)
                        out[c + j] = (int8_t)edgec_requant(a[j] + (bias ? bias[c + j] : 0), multiplier[c + j],
                                                           shift[c + j], p->requant, p->output_offset, p->act_min,
                                                           p->act_max);
                }
                for (int32_t ic = C8; ic < C; ++ic) dw_channel(in_b, weights, bias, multiplier, shift, out, p, y0, x0, ic);
            }
        }
    }
}
