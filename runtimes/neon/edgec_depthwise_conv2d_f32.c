/* Arm NEON: depthwise convolution, NHWC, 8 channels per pass (two FMLA per tap), then 4, then single channels.
 * The weights [kh][kw][C] and the input pixels are contiguous along channels; taps outside the input are skipped
 * by clipping the tap range per pixel. Same results as the reference up to float summation order. */
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_neon.h"

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, mult = OC / C;
    const float lo = p->act_min, hi = p->act_max;
    const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi), z = vdupq_n_f32(0.0f);
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
            for (; c + 8 <= C; c += 8) {
                float32x4_t a0 = bias ? vld1q_f32(bias + c) : z, a1 = bias ? vld1q_f32(bias + c + 4) : z;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                    const float *x = input + base + (ptrdiff_t)ky * p->dil_h * p->in_w * C + c + (ptrdiff_t)kx_lo * p->dil_w * C;
                    const float *w = weights + ((size_t)ky * p->k_w + kx_lo) * C + c;
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * C, w += C) {
                        a0 = edgec_neon_fma_f32(a0, vld1q_f32(x), vld1q_f32(w));
                        a1 = edgec_neon_fma_f32(a1, vld1q_f32(x + 4), vld1q_f32(w + 4));
                    }
                }
                vst1q_f32(out + c, vminq_f32(vmaxq_f32(a0, vlo), vhi));
                vst1q_f32(out + c + 4, vminq_f32(vmaxq_f32(a1, vlo), vhi));
            }
            for (; c + 4 <= C; c += 4) {
                float32x4_t a0 = bias ? vld1q_f32(bias + c) : z;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                    const float *x = input + base + (ptrdiff_t)ky * p->dil_h * p->in_w * C + c + (ptrdiff_t)kx_lo * p->dil_w * C;
                    const float *w = weights + ((size_t)ky * p->k_w + kx_lo) * C + c;
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * C, w += C)
                        a0 = edgec_neon_fma_f32(a0, vld1q_f32(x), vld1q_f32(w));
                }
                vst1q_f32(out + c, vminq_f32(vmaxq_f32(a0, vlo), vhi));
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
