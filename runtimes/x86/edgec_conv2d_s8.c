/* int8 convolution (TFLite ConvPerChannel) for x86 hosts: the integer core as 16-bit multiply-add pairs, 4 output
 * pixels x 16 output channels per tile (edgec_x86_madd16.h: weights packed per call on the stack, as many blocks
 * of 16 channels at once as fit; each pixel's window copied once per chunk as int16 input + input_offset, 0
 * outside the input, which adds exactly 0 as the reference's skipped taps do). The requantisation takes eight
 * channels at a time where it can (edgec_x86_requant.h). Windows longer than EDGEC_X86_PACK_K take the
 * reference's loop. Integer arithmetic with the same terms: bit-exact with runtimes/reference/edgec_conv2d_s8.c. */
#include "edgec_conv2d_s8.h"
#include "edgec_x86_madd16.h"
#include "edgec_x86_requant.h"

#define OCB EDGEC_X86_OCB
#define TILE EDGEC_X86_TILE
#define PACK_K EDGEC_X86_PACK_K
#define MAX_BLOCKS 16 /* blocks of 16 channels packed at once (their requantisation is prepared at once) */

/* The reference's loop for one pixel, output channels [oc_begin, oc_end). */
static void conv_pixel(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                       const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                       const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                       const edgec_conv2d_s8_params *p, int32_t b, int32_t oy, int32_t ox) {
    const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        int32_t acc = 0;
        const int8_t *w_oc = weights + (size_t)oc * p->k_h * p->k_w * p->in_c;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                const int8_t *in = in_b + ((size_t)iy * p->in_w + ix) * p->in_c;
                const int8_t *w = w_oc + ((size_t)ky * p->k_w + kx) * p->in_c;
                for (int32_t ic = 0; ic < p->in_c; ++ic) acc += (int32_t)w[ic] * ((int32_t)in[ic] + p->input_offset);
            }
        }
        if (bias) acc += bias[oc];
        out[oc] = (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset, p->act_min,
                                        p->act_max);
    }
}

/* The requantisation of one block of channels: vector (two edgec_rq8, or edgec_rqf8_apply in float mode) where it
 * can, else per channel. */
typedef struct {
    edgec_rq8 rq[2];
    int vector;
} block_rq;

static void store_block(int8_t *out, const int32_t *acc, int32_t oc0, int32_t nb, const int32_t *bias,
                        const int32_t *multiplier, const int32_t *shift, const edgec_conv2d_s8_params *p,
                        const block_rq *brq) {
    if (brq->vector) {
        int32_t add[OCB] = {0};
        if (bias) for (int32_t j = 0; j < nb; ++j) add[j] = bias[oc0 + j];
        edgec_rq8_apply(&brq->rq[0], acc, add, p->output_offset, p->act_min, p->act_max, out + oc0, nb < 8 ? nb : 8);
        if (nb > 8)
            edgec_rq8_apply(&brq->rq[1], acc + 8, add + 8, p->output_offset, p->act_min, p->act_max, out + oc0 + 8,
                            nb - 8);
        return;
    }
    if (p->requant == EDGEC_REQUANT_FLOAT) {
        for (int32_t j = 0; j < nb; j += 8)
            edgec_rqf8_apply(multiplier + oc0 + j, acc + j, bias ? bias + oc0 + j : NULL, p->output_offset, p->act_min,
                             p->act_max, out + oc0 + j, nb - j < 8 ? nb - j : 8);
        return;
    }
    for (int32_t j = 0; j < nb; ++j) {
        const int32_t oc = oc0 + j;
        out[oc] = (int8_t)edgec_requant(acc[j] + (bias ? bias[oc] : 0), multiplier[oc], shift[oc], p->requant,
                                        p->output_offset, p->act_min, p->act_max);
    }
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, K = p->k_h * p->k_w * C, Kp = (K + 1) & ~1;
    if (K > PACK_K) {
        for (int32_t b = 0; b < p->batch; ++b)
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox)
                    conv_pixel(input, weights, bias, multiplier, shift, output, p, b, oy, ox);
        return;
    }
    const edgec_x86_window win = {p->in_h, p->in_w, C, p->k_h, p->k_w, p->stride_h, p->stride_w,
                                  p->pad_top, p->pad_left, p->dil_h, p->dil_w};
    const int32_t pixels = p->out_h * p->out_w;
    int32_t chunk = EDGEC_X86_PACK_ELEMS / (Kp * OCB);
    if (chunk > MAX_BLOCKS) chunk = MAX_BLOCKS;
    int16_t packed[EDGEC_X86_PACK_ELEMS];
    int16_t xs[TILE][PACK_K];
    int32_t acc[TILE][OCB];
    block_rq brq[MAX_BLOCKS];
    for (int32_t c0 = 0; c0 < OC; c0 += chunk * OCB) {
        int32_t blocks = 0;
        for (int32_t oc0 = c0; oc0 < OC && blocks < chunk; oc0 += OCB, ++blocks) {
            const int32_t nb = OC - oc0 < OCB ? OC - oc0 : OCB;
            edgec_x86_pack16(weights, NULL, oc0, OC, K, packed + (size_t)blocks * Kp * OCB);
            block_rq *r = &brq[blocks];
            r->vector = edgec_rq8_usable(multiplier + oc0, p->requant, nb);
            if (r->vector) {
                edgec_rq8_prepare(&r->rq[0], multiplier + oc0, shift + oc0, nb < 8 ? nb : 8);
                edgec_rq8_prepare(&r->rq[1], multiplier + oc0 + 8, shift + oc0 + 8, nb - 8);
            }
        }
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *q = input + (size_t)b * p->in_h * p->in_w * C;
            int8_t *out_b = output + (size_t)b * pixels * OC;
            for (int32_t px = 0; px < pixels; px += TILE) {
                const int32_t n = pixels - px < TILE ? pixels - px : TILE;
                for (int32_t i = 0; i < TILE; ++i) {
                    if (i < n)
                        edgec_x86_im2col16(q, &win, (px + i) / p->out_w, (px + i) % p->out_w, 0, C, p->input_offset,
                                           Kp, xs[i]);
                    else
                        for (int32_t k = 0; k < Kp; ++k) xs[i][k] = 0;
                }
                for (int32_t bl = 0; bl < blocks; ++bl) {
                    const int32_t oc0 = c0 + bl * OCB, nb = OC - oc0 < OCB ? OC - oc0 : OCB;
                    edgec_x86_tile16((const int16_t (*)[PACK_K])xs, packed + (size_t)bl * Kp * OCB, Kp, acc);
                    for (int32_t i = 0; i < n; ++i)
                        store_block(out_b + (size_t)(px + i) * OC, acc[i], oc0, nb, bias, multiplier, shift, p, &brq[bl]);
                }
            }
        }
    }
}
