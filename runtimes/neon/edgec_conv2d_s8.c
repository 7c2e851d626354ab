/* Arm NEON: int8 convolution (TFLite ConvPerChannel), bit-exact with runtimes/reference/edgec_conv2d_s8.c.
 *
 * sum w * (x + input_offset) = sum w * x + input_offset * sum w, over the taps inside the input. The first sum
 * runs on NEON (edgec_neon_dot4_s8: SDOT, or SMULL + SADALP), four output channels per pass so that each input
 * vector loaded feeds four rows; where a tap row lies wholly inside the input (and dil_w = 1) its k_w taps are one
 * contiguous run of k_w * in_c bytes in both the input and the OHWI weights. Pointwise layers go four pixels x four
 * channels per tile (pointwise_tile). sum w is each channel's total, less
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

/* Output pixels px (a flat index over the batch's out_h * out_w), channels [oc, oc + rows): the general path. */
static void one_pixel(const int8_t *in_b, const int8_t *w_oc, size_t K, int32_t rows, int32_t oc, int32_t px,
                      const int32_t total[4], const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                      int8_t *out_b, const edgec_conv2d_s8_params *p) {
    const int32_t oy = px / p->out_w, ox = px % p->out_w;
    int32_t outside[4] = {0, 0, 0, 0};
    int32x4_t acc = pixel_dot(in_b, w_oc, K, rows, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, p,
                              outside);
    int8_t *out = out_b + (size_t)px * p->out_c + oc;
    /* wrapping lane arithmetic: the same bits as the reference's int32 sum */
    acc = vaddq_s32(acc, vreinterpretq_s32_u32(vmulq_n_u32(
                             vreinterpretq_u32_s32(vsubq_s32(vld1q_s32(total), vld1q_s32(outside))),
                             (uint32_t)p->input_offset)));
    if (bias) acc = vaddq_s32(acc, rows == 4 ? vld1q_s32(bias + oc) : vsetq_lane_s32(bias[oc], vdupq_n_s32(0), 0));
    if (rows == 4) {
        edgec_neon_store4_s8(out, edgec_neon_requant4(acc, multiplier + oc, shift + oc, p->requant, p->output_offset,
                                                      p->act_min, p->act_max));
    } else {
        out[0] = (int8_t)edgec_requant(vgetq_lane_s32(acc, 0), multiplier[oc], shift[oc], p->requant,
                                       p->output_offset, p->act_min, p->act_max);
    }
}

/* Four output pixels x four channels per tile, 16 accumulators, so that each 16-byte load of input or weights
 * feeds four dot products: pointwise layers (every pixel) and the interior pixels of the others (all taps inside,
 * dil_w = 1). x[i]: pixel i's tap (0, 0); per kernel row one run of `run` = k_w * in_c bytes, `row` bytes apart
 * in the input. base: input_offset * (each channel's weight sum) + bias. */
static void window_tile(const int8_t *const x[4], const int8_t *w_oc, size_t K, int32_t k_h, int32_t run, size_t row,
                        int32x4_t base, const edgec_neon_fixed4 *fixed, const int32_t *multiplier,
                        const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
    int32x4_t a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
    int32x4_t t0 = z, t1 = z, t2 = z, t3 = z; /* each row's last run % 16 bytes */
    for (int32_t ky = 0; ky < k_h; ++ky) {
        const size_t off = (size_t)ky * row;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
        const int8_t *w0 = w_oc + (size_t)ky * run, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        int32_t c = 0;
        for (; c + 16 <= run; c += 16) {
            const int8x16_t v0 = vld1q_s8(x0 + c), v1 = vld1q_s8(x1 + c), v2 = vld1q_s8(x2 + c), v3 = vld1q_s8(x3 + c);
            const int8x16_t k0 = vld1q_s8(w0 + c), k1 = vld1q_s8(w1 + c), k2 = vld1q_s8(w2 + c), k3 = vld1q_s8(w3 + c);
            a00 = edgec_neon_dot16_s8(a00, v0, k0); a01 = edgec_neon_dot16_s8(a01, v0, k1);
            a02 = edgec_neon_dot16_s8(a02, v0, k2); a03 = edgec_neon_dot16_s8(a03, v0, k3);
            a10 = edgec_neon_dot16_s8(a10, v1, k0); a11 = edgec_neon_dot16_s8(a11, v1, k1);
            a12 = edgec_neon_dot16_s8(a12, v1, k2); a13 = edgec_neon_dot16_s8(a13, v1, k3);
            a20 = edgec_neon_dot16_s8(a20, v2, k0); a21 = edgec_neon_dot16_s8(a21, v2, k1);
            a22 = edgec_neon_dot16_s8(a22, v2, k2); a23 = edgec_neon_dot16_s8(a23, v2, k3);
            a30 = edgec_neon_dot16_s8(a30, v3, k0); a31 = edgec_neon_dot16_s8(a31, v3, k1);
            a32 = edgec_neon_dot16_s8(a32, v3, k2); a33 = edgec_neon_dot16_s8(a33, v3, k3);
        }
        if (c < run) {
            t0 = edgec_neon_dot4_s8(t0, x0 + c, w0 + c, K, run - c);
            t1 = edgec_neon_dot4_s8(t1, x1 + c, w0 + c, K, run - c);
            t2 = edgec_neon_dot4_s8(t2, x2 + c, w0 + c, K, run - c);
            t3 = edgec_neon_dot4_s8(t3, x3 + c, w0 + c, K, run - c);
        }
    }
    const int32x4_t sums[4] = {vaddq_s32(edgec_neon_hsum4_s32(a00, a01, a02, a03), t0),
                               vaddq_s32(edgec_neon_hsum4_s32(a10, a11, a12, a13), t1),
                               vaddq_s32(edgec_neon_hsum4_s32(a20, a21, a22, a23), t2),
                               vaddq_s32(edgec_neon_hsum4_s32(a30, a31, a32, a33), t3)};
    const int32x4_t zp = vdupq_n_s32(p->output_offset), lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t i = 0; i < 4; ++i) {
        const int32x4_t acc = vaddq_s32(sums[i], base);
        edgec_neon_store4_s8(out + (size_t)i * p->out_c,
                             fixed ? edgec_neon_fixed4_apply(acc, *fixed, zp, lo, hi)
                                   : edgec_neon_requant4(acc, multiplier, shift, p->requant, p->output_offset,
                                                         p->act_min, p->act_max));
    }
}

/* Output x range [*lo, *hi) whose horizontal taps all fall inside the input. */
static void interior_x(const edgec_conv2d_s8_params *p, int32_t *lo, int32_t *hi) {
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t a = (p->pad_left + p->stride_w - 1) / p->stride_w;
    int32_t b = p->in_w - 1 - span + p->pad_left; /* largest ox*stride allowed */
    b = b < 0 ? 0 : b / p->stride_w + 1;
    if (b > p->out_w) b = p->out_w;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
    const int32_t pixels = p->out_h * p->out_w;
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
                          p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
    int32_t x_lo, x_hi;
    interior_x(p, &x_lo, &x_hi);
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * pixels * p->out_c;
        for (int32_t oc = 0; oc < p->out_c;) {
            const int32_t rows = oc + 4 <= p->out_c ? 4 : 1;
            const int8_t *w_oc = weights + (size_t)oc * K;
            int32_t total[4] = {0, 0, 0, 0}; /* each channel's weight sum over all taps */
            for (int32_t j = 0; j < rows; ++j) total[j] = edgec_neon_sum_s8(w_oc + j * K, (int32_t)K);
            if (rows == 4) {
                int32x4_t base = vreinterpretq_s32_u32(vmulq_n_u32(vreinterpretq_u32_s32(vld1q_s32(total)),
                                                                   (uint32_t)p->input_offset));
                if (bias) base = vaddq_s32(base, vld1q_s32(bias + oc));
                edgec_neon_fixed4 fixed;
                if (p->requant == EDGEC_REQUANT_FIXED) fixed = edgec_neon_fixed4_load(multiplier + oc, shift + oc);
                const edgec_neon_fixed4 *fx = p->requant == EDGEC_REQUANT_FIXED ? &fixed : NULL;
                if (pointwise) {
                    int32_t px = 0;
                    for (; pixels >= 4 && pixels - px >= 2; px += 4) { /* a last single pixel: one_pixel */
                        if (px + 4 > pixels) px = pixels - 4; /* overlapping the tile before: same bytes again */
                        const int8_t *x0 = in_b + (size_t)px * p->in_c;
                        const int8_t *x[4] = {x0, x0 + p->in_c, x0 + 2 * p->in_c, x0 + 3 * p->in_c};
                        window_tile(x, w_oc, K, 1, p->in_c, 0, base, fx, multiplier + oc, shift + oc,
                                    out_b + (size_t)px * p->out_c + oc, p);
                    }
                    for (; px < pixels; ++px)
                        one_pixel(in_b, w_oc, K, rows, oc, px, total, bias, multiplier, shift, out_b, p);
                } else {
                    for (int32_t oy = 0; oy < p->out_h; ++oy) {
                        const int32_t iy0 = oy * p->stride_h - p->pad_top;
                        const int inside = p->dil_w == 1 && iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
                        int32_t ox = 0;
                        if (inside) {
                            for (; ox < x_lo; ++ox)
                                one_pixel(in_b, w_oc, K, rows, oc, oy * p->out_w + ox, total, bias, multiplier, shift,
                                          out_b, p);
                            const size_t sx = (size_t)p->stride_w * p->in_c;
                            for (; x_hi - x_lo >= 4 && x_hi - ox >= 2; ox += 4) { /* a last single pixel: one_pixel */
                                if (ox + 4 > x_hi) ox = x_hi - 4; /* overlapping the tile before: same bytes */
                                const int8_t *x0 = in_b + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * p->in_c;
                                const int8_t *x[4] = {x0, x0 + sx, x0 + 2 * sx, x0 + 3 * sx};
                                window_tile(x, w_oc, K, p->k_h, p->k_w * p->in_c, (size_t)p->dil_h * p->in_w * p->in_c,
                                            base, fx, multiplier + oc, shift + oc,
                                            out_b + ((size_t)oy * p->out_w + ox) * p->out_c + oc, p);
                            }
                        }
                        for (; ox < p->out_w; ++ox)
                            one_pixel(in_b, w_oc, K, rows, oc, oy * p->out_w + ox, total, bias, multiplier, shift,
                                      out_b, p);
                    }
                }
            } else {
                for (int32_t px = 0; px < pixels; ++px)
                    one_pixel(in_b, w_oc, K, rows, oc, px, total, bias, multiplier, shift, out_b, p);
            }
            oc += rows;
        }
    }
}
