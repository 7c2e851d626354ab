/* Arm NEON: int8 convolution (TFLite ConvPerChannel), bit-exact with runtimes/reference/edgec_conv2d_s8.c.
 *
 * sum w * (x + input_offset) = sum w * x + input_offset * sum w, over the taps inside the input. The first sum
 * runs on NEON (edgec_neon_dot4_s8: SDOT, or SMULL + SADALP), four output channels per pass so that each input
 * vector loaded feeds four rows; where a tap row lies wholly inside the input (and dil_w = 1) its k_w taps are one
 * contiguous run of k_w * in_c bytes in both the input and the OHWI weights. sum w is each channel's total, less
 * the taps outside the input (borders only). The integer sum is exact in any order, and the requantisation
 * (edgec_neon_requant4) gives the reference's bits, so the bytes match. */
#include "edgec_conv2d_s8.h"
#include "edgec_neon.h"

/* Output channels [oc, oc + rows) (rows 4, or 1 for the remainder) at one output pixel. Returns the 4 dot
 * products over the inside taps in lanes 0..rows-1 and adds the weight sums of the outside taps to outside[]. */
static int32x4_t pixel_dot(const int8_t *in_b, const int8_t *w_oc, size_t K, int32_t rows, int32_t y0, int32_t x0,
                           const edgec_conv2d_s8_params *p, int32_t outside[4]) {
    const int32_t C = p->in_c, run = p->k_w * C;
    int32x4_t acc = vdupq_n_s32(0);
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        const int8_t *w_row = w_oc + (size_t)ky * run;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t j = 0; j < rows; ++j) outside[j] += edgec_neon_sum_s8(w_row + j * K, run);
            continue;
        }
        const int8_t *in_row = in_b + (size_t)iy * p->in_w * C;
        if (p->dil_w == 1 && x0 >= 0 && x0 + p->k_w <= p->in_w) { /* the whole row inside: one run */
            if (rows == 4) acc = edgec_neon_dot4_s8(acc, in_row + (size_t)x0 * C, w_row, K, run);
            else acc = vsetq_lane_s32(vgetq_lane_s32(acc, 0) + edgec_neon_dot1_s8(in_row + (size_t)x0 * C, w_row, run),
                                      acc, 0);
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            const int8_t *w_tap = w_row + (size_t)kx * C;
            if (ix < 0 || ix >= p->in_w) {
                for (int32_t j = 0; j < rows; ++j) outside[j] += edgec_neon_sum_s8(w_tap + j * K, C);
                continue;
            }
            const int8_t *x = in_row + (size_t)ix * C;
            if (rows == 4) acc = edgec_neon_dot4_s8(acc, x, w_tap, K, C);
            else acc = vsetq_lane_s32(vgetq_lane_s32(acc, 0) + edgec_neon_dot1_s8(x, w_tap, C), acc, 0);
        }
    }
    return acc;
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
    const uint32_t in_off = (uint32_t)p->input_offset;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * p->out_c;
        for (int32_t oc = 0; oc < p->out_c;) {
            const int32_t rows = oc + 4 <= p->out_c ? 4 : 1;
            const int8_t *w_oc = weights + (size_t)oc * K;
            int32_t total[4] = {0, 0, 0, 0}; /* each channel's weight sum over all taps */
            for (int32_t j = 0; j < rows; ++j) total[j] = edgec_neon_sum_s8(w_oc + j * K, (int32_t)K);
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                for (int32_t ox = 0; ox < p->out_w; ++ox) {
                    const int32_t x0 = ox * p->stride_w - p->pad_left;
                    int32_t outside[4] = {0, 0, 0, 0};
                    int32x4_t acc = pixel_dot(in_b, w_oc, K, rows, y0, x0, p, outside);
                    int8_t *out = out_b + ((size_t)oy * p->out_w + ox) * p->out_c + oc;
                    /* wrapping lane arithmetic: the same bits as the reference's int32 sum */
                    acc = vaddq_s32(acc, vreinterpretq_s32_u32(vmulq_n_u32(
                                             vreinterpretq_u32_s32(vsubq_s32(vld1q_s32(total), vld1q_s32(outside))), in_off)));
                    if (bias) acc = vaddq_s32(acc, rows == 4 ? vld1q_s32(bias + oc) : vsetq_lane_s32(bias[oc], vdupq_n_s32(0), 0));
                    if (rows == 4) {
                        edgec_neon_store4_s8(out, edgec_neon_requant4(acc, multiplier + oc, shift + oc, p->requant,
                                                                     p->output_offset, p->act_min, p->act_max));
                    } else {
                        out[0] = (int8_t)edgec_requant(vgetq_lane_s32(acc, 0), multiplier[oc], shift[oc], p->requant,
                                                       p->output_offset, p->act_min, p->act_max);
                    }
                }
            }
            oc += rows;
        }
    }
}
