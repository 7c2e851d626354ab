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

/* The pixels whose 3x3 window lies inside the input: rows [y_lo, y_hi), columns [x_lo, x_hi). */
typedef struct {
    int32_t x_lo, x_hi, y_lo, y_hi;
} interior_box;

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

#define DW_TAP(t, w)                                                                                                \
    do {                                                                                                            \
        const int16x8_t v = vsubl_s8(vld1_s8(x + tap[t]), neg_off); /* x + input_offset, exact in int16 */           \
        lo = vmlal_s16(lo, vget_low_s16(v), vget_low_s16(w));                                                       \
        hi = vmlal_s16(hi, vget_high_s16(v), vget_high_s16(w));                                                     \
    } while (0)

/* 3x3, depth multiplier 1, EDGEC_REQUANT_FIXED: channels [c, c + 8) of every interior pixel of one image. The nine
 * weight vectors (widened to int16) and the requantisation constants stay in registers; per tap one load, one
 * widening subtract (x - (-offset)) and two SMLAL. */
static void group_3x3(const int8_t *in_b, int8_t *out_b, const int8_t *weights, const int32_t *bias,
                      const int32_t *multiplier, const int32_t *shift, int32_t c, const interior_box *box,
                      const edgec_conv2d_s8_params *p) {
    if (box->x_lo >= box->x_hi) return;
    const int32_t C = p->in_c;
    const int8_t *wc = weights + c;
    const int16x8_t w0 = vmovl_s8(vld1_s8(wc)), w1 = vmovl_s8(vld1_s8(wc + C)), w2 = vmovl_s8(vld1_s8(wc + 2 * C));
    const int16x8_t w3 = vmovl_s8(vld1_s8(wc + 3 * C)), w4 = vmovl_s8(vld1_s8(wc + 4 * C));
    const int16x8_t w5 = vmovl_s8(vld1_s8(wc + 5 * C)), w6 = vmovl_s8(vld1_s8(wc + 6 * C));
    const int16x8_t w7 = vmovl_s8(vld1_s8(wc + 7 * C)), w8 = vmovl_s8(vld1_s8(wc + 8 * C));
    const int32x4_t b_lo = bias ? vld1q_s32(bias + c) : vdupq_n_s32(0);
    const int32x4_t b_hi = bias ? vld1q_s32(bias + c + 4) : vdupq_n_s32(0);
    const edgec_neon_fixed4 q_lo = edgec_neon_fixed4_load(multiplier + c, shift + c);
    const edgec_neon_fixed4 q_hi = edgec_neon_fixed4_load(multiplier + c + 4, shift + c + 4);
    const int32x4_t zp = vdupq_n_s32(p->output_offset), vmin = vdupq_n_s32(p->act_min), vmax = vdupq_n_s32(p->act_max);
    const int8x8_t neg_off = vdup_n_s8((int8_t)-p->input_offset);
    const size_t row = (size_t)p->in_w * C;
    const size_t tap[9] = {0, (size_t)C, 2 * (size_t)C, row, row + C, row + 2 * (size_t)C, 2 * row,
                           2 * row + C, 2 * row + 2 * (size_t)C};
    for (int32_t oy = box->y_lo; oy < box->y_hi; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int8_t *x = in_b + ((size_t)iy0 * p->in_w + (size_t)(box->x_lo * p->stride_w - p->pad_left)) * C + c;
        int8_t *o = out_b + ((size_t)oy * p->out_w + box->x_lo) * C + c;
        for (int32_t ox = box->x_lo; ox < box->x_hi; ++ox, x += (size_t)p->stride_w * C, o += C) {
            int32x4_t lo = b_lo, hi = b_hi;
            DW_TAP(0, w0); DW_TAP(1, w1); DW_TAP(2, w2); DW_TAP(3, w3); DW_TAP(4, w4);
            DW_TAP(5, w5); DW_TAP(6, w6); DW_TAP(7, w7); DW_TAP(8, w8);
            lo = edgec_neon_fixed4_apply(lo, q_lo, zp, vmin, vmax);
            hi = edgec_neon_fixed4_apply(hi, q_hi, zp, vmin, vmax);
            vst1_s8(o, vmovn_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi))));
        }
    }
}

static void depthwise_general(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                              const edgec_conv2d_s8_params *p, int32_t c_fast, const interior_box *box);

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int fast = p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 && p->depth_multiplier == 1 &&
                     p->requant == EDGEC_REQUANT_FIXED && p->input_offset >= -127 && p->input_offset <= 128;
    const int32_t C = p->in_c, fast_c = fast ? C / 8 * 8 : 0;
    if (!fast_c) {
        depthwise_general(input, weights, bias, multiplier, shift, output, p, 0, NULL);
        return;
    }
    /* group_3x3 on the interior's first fast_c channels, the general loop on the rest */
    interior_box box;
    box.x_lo = ceil_div(p->pad_left, p->stride_w);
    box.y_lo = ceil_div(p->pad_top, p->stride_h);
    box.x_hi = p->in_w - 3 + p->pad_left < 0 ? 0 : (p->in_w - 3 + p->pad_left) / p->stride_w + 1;
    box.y_hi = p->in_h - 3 + p->pad_top < 0 ? 0 : (p->in_h - 3 + p->pad_top) / p->stride_h + 1;
    if (box.x_hi > p->out_w) box.x_hi = p->out_w;
    if (box.y_hi > p->out_h) box.y_hi = p->out_h;
    if (box.x_lo > box.x_hi) box.x_lo = box.x_hi;
    for (int32_t b = 0; b < p->batch; ++b)
        for (int32_t c = 0; c < fast_c; c += 8)
            group_3x3(input + (size_t)b * p->in_h * p->in_w * C, output + (size_t)b * p->out_h * p->out_w * C, weights,
                      bias, multiplier, shift, c, &box, p);
    depthwise_general(input, weights, bias, multiplier, shift, output, p, fast_c, &box);
}

/* Every pixel, all channels (8 at a time, then one by one); with a box, its interior pixels only from channel
 * c_fast on (group_3x3 did the others). */
static void depthwise_general(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                              const edgec_conv2d_s8_params *p, int32_t c_fast, const interior_box *box) {
    /* int16 lanes hold x + offset only for an int8 zero point (offset in [-127, 128]) */
    const int vector = p->depth_multiplier == 1 && p->input_offset >= -127 && p->input_offset <= 128;
    const int16x8_t off = vdupq_n_s16((int16_t)(vector ? p->input_offset : 0));
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int in_rows = box && oy >= box->y_lo && oy < box->y_hi;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                if (in_rows && c_fast == p->in_c && ox == box->x_lo && ox < box->x_hi) {
                    ox = box->x_hi - 1; /* the interior: all of it done by group_3x3 */
                    continue;
                }
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                /* the taps inside the input: [ky_lo, ky_hi) x [kx_lo, kx_hi) */
                const int32_t ky_lo = y0 < 0 ? (-y0 + p->dil_h - 1) / p->dil_h : 0;
                const int32_t kx_lo = x0 < 0 ? (-x0 + p->dil_w - 1) / p->dil_w : 0;
                int32_t ky_hi = p->k_h, kx_hi = p->k_w;
                while (ky_hi > ky_lo && y0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
                while (kx_hi > kx_lo && x0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
                int32_t c = in_rows && ox >= box->x_lo && ox < box->x_hi ? c_fast : 0;
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
