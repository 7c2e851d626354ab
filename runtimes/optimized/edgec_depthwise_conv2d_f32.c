/* Depthwise convolution, NHWC, blocked over 4 channels: the weights [kh][kw][C] and the input pixels are
 * contiguous along channels, so each tap is a short vector multiply-add. Taps outside the input are skipped by
 * clipping the tap range per pixel, not by a test in the inner loop. */
#include "edgec_depthwise_conv2d_f32.h"

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, mult = OC / C;
    const float lo = p->act_min, hi = p->act_max;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int32_t ky_lo = ceil_div(-iy0, p->dil_h);
        int32_t ky_hi = p->k_h;
        while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            const int32_t kx_lo = ceil_div(-ix0, p->dil_w);
            int32_t kx_hi = p->k_w;
            while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
            float *out = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * OC;
            /* Index of tap (0, 0), which may lie in the padding; only in-bounds taps are read. */
            const ptrdiff_t base = (((ptrdiff_t)n * p->in_h + iy0) * p->in_w + ix0) * C;
            if (mult != 1) { /* depth multiplier > 1: rare, simple loop */
                for (int32_t oc = 0; oc < OC; ++oc) {
                    float acc = bias ? bias[oc] : 0.0f;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                            acc = EDGEC_FMA(acc, input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + oc / mult],
                                   weights[((size_t)ky * p->k_w + kx) * OC + oc]);
                    out[oc] = edgec_clampf(acc, lo, hi);
                }
                continue;
            }
            int32_t c = 0;
            for (; c + 4 <= C; c += 4) {
                float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
                if (bias) { a0 = bias[c]; a1 = bias[c + 1]; a2 = bias[c + 2]; a3 = bias[c + 3]; }
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                    const float *in_row = input + base + (ptrdiff_t)ky * p->dil_h * p->in_w * C + c + (ptrdiff_t)kx_lo * p->dil_w * C;
                    const float *w_row = weights + ((size_t)ky * p->k_w + kx_lo) * C + c;
                    for (int32_t kx = 0; kx < kx_hi - kx_lo; ++kx) {
                        const float *x = in_row + (size_t)kx * p->dil_w * C;
                        const float *w = w_row + (size_t)kx * C;
                        a0 = EDGEC_FMA(a0, x[0], w[0]); a1 = EDGEC_FMA(a1, x[1], w[1]); a2 = EDGEC_FMA(a2, x[2], w[2]); a3 = EDGEC_FMA(a3, x[3], w[3]);
                    }
                }
                out[c] = edgec_clampf(a0, lo, hi); out[c + 1] = edgec_clampf(a1, lo, hi);
                out[c + 2] = edgec_clampf(a2, lo, hi); out[c + 3] = edgec_clampf(a3, lo, hi);
            }
            for (; c < C; ++c) {
                float acc = bias ? bias[c] : 0.0f;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                        acc = EDGEC_FMA(acc, input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + c],
                               weights[((size_t)ky * p->k_w + kx) * C + c]);
                out[c] = edgec_clampf(acc, lo, hi);
            }
        }
    }
}
