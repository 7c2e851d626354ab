/* int8 convolution (TFLite ConvPerChannel) for x86 hosts: the integer core as 16-bit multiply-add pairs, 4 output
 * pixels x 16 output channels per tile (edgec_x86_madd16.h: weights packed per call on the stack, as many blocks
 * of 16 channels at once as fit; each pixel's window copied once per chunk as int16 input + input_offset, 0
 * outside the input, which adds exactly 0 as the reference's skipped taps do). The requantisation takes eight
 * channels at a time where it can (edgec_x86_requant.h). Windows longer than EDGEC_X86_PACK_K take the
 * reference's loop. Integer arithmetic with the same terms: bit-exact with runtimes/reference/edgec_conv2d_s8.c. */
#include "edgec_conv2d_s8.h"
#include "edgec_x86_dot4.h"
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

/* The requantisation of one block of channels: sixteen lanes at once with the constants and the bias prepared once
 * (edgec_rq16) where it can, edgec_rqf8_apply in float mode, else per channel. */
typedef struct {
    edgec_rq16 rq;
    edgec_v16i bias;
    int vector;
} block_rq;

static void prepare_block(block_rq *r, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                          int32_t oc0, int32_t nb, const edgec_conv2d_s8_params *p) {
    for (int32_t j = 0; j < OCB; ++j) r->bias[j] = bias && j < nb ? bias[oc0 + j] : 0;
    r->vector = edgec_rq8_usable(multiplier + oc0, p->requant, nb);
    if (r->vector)
        edgec_rq16_prepare(&r->rq, multiplier + oc0, shift + oc0, nb, p->output_offset, p->act_min, p->act_max);
}

static inline __attribute__((always_inline)) void store_block(int8_t *out, const int32_t *acc, int32_t oc0,
                                                              int32_t nb, const int32_t *multiplier,
                                                              const int32_t *shift, const edgec_conv2d_s8_params *p,
                                                              const block_rq *brq) {
    if (brq->vector) {
        edgec_v16i a;
        __builtin_memcpy(&a, acc, sizeof a);
        a += brq->bias;
        edgec_rq16_apply(&brq->rq, &a, out + oc0, nb);
        return;
    }
    if (p->requant == EDGEC_REQUANT_FLOAT) {
        for (int32_t j = 0; j < nb; j += 8)
            edgec_rqf8_apply(multiplier + oc0 + j, acc + j, (const int32_t *)&brq->bias + j, p->output_offset,
                             p->act_min, p->act_max, out + oc0 + j, nb - j < 8 ? nb - j : 8);
        return;
    }
    for (int32_t j = 0; j < nb; ++j) {
        const int32_t oc = oc0 + j;
        out[oc] = (int8_t)edgec_requant(acc[j] + brq->bias[j], multiplier[oc], shift[oc], p->requant,
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
            prepare_block(&brq[blocks], bias, multiplier, shift, oc0, nb, p);
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
                        store_block(out_b + (size_t)(px + i) * OC, acc[i], oc0, nb, multiplier, shift, p, &brq[bl]);
                }
            }
        }
    }
}

/* ---- edgec_conv2d_s8_dot4: weights packed at compile time as bytes ------------------------------------------
 * The byte dot products of edgec_x86_dot4.h: the window as unsigned bytes x + 128, the compiler folding
 * (input_offset - 128) * sum(w) into the bias (ops/quantized_s8.py, pack_conv_s8_dot4), so the accumulator equals
 * the reference's exactly. */
#define DOT4_TILE EDGEC_X86_DOT4_TILE
#define DOT4_MAX_K EDGEC_CONV2D_S8_DOT4_MAX_K
#define ROW16 16 /* window rows (k_w * in_c bytes) up to this long take window_rows16 */

typedef int8_t v16b __attribute__((vector_size(16)));
typedef int8_t v16b_unaligned __attribute__((vector_size(16), aligned(1)));

/* edgec_x86_window_u8 for a window whose rows (k_w * C <= 16 bytes, dil_w 1) lie inside the input's width: each
 * row one 16-byte load flipped to x ^ 0x80 and one store, the next row's store overwriting the excess (dst has 16
 * bytes of slack; past K the bytes meet zero weights). A row whose 16 bytes would read past the input's end, and
 * windows crossing the left or right border, take edgec_x86_window_u8. The small-channel first layers (1 to 4
 * input channels) copy most of their time away otherwise. */
static inline void window_rows16(const int8_t *q, const int8_t *q_end, const edgec_x86_window *p, int32_t oy,
                                 int32_t ox, uint8_t pad, int32_t K4, uint8_t *dst) {
    const int32_t C = p->in_c, row_len = p->k_w * C;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    if (x0 < 0 || x0 + p->k_w > p->in_w) {
        edgec_x86_window_u8(q, p, oy, ox, pad, K4, dst);
        return;
    }
    const v16b flip = (v16b){0} - (int8_t)0x80, pads = (v16b){0} + (int8_t)pad;
    uint8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky, d += row_len) {
        const int32_t iy = y0 + ky * p->dil_h;
        v16b row = pads;
        if (iy >= 0 && iy < p->in_h) {
            const int8_t *src = q + ((size_t)iy * p->in_w + x0) * C;
            if (q_end - src < ROW16) {
                for (int32_t k = 0; k < row_len; ++k) d[k] = (uint8_t)(src[k] ^ 0x80);
                continue;
            }
            row = *(const v16b_unaligned *)(const void *)src ^ flip;
        }
        *(v16b_unaligned *)(void *)d = row;
    }
    for (int32_t k = (int32_t)(d - dst); k < K4 * 4; ++k) dst[k] = pad;
}

/* Channels [0, 8) of two pixels' accumulators (the whole output row of each when OC is 8) requantised as one
 * vector of sixteen: brq16 holds the block's constants twice. */
static inline void store_pair8(int8_t *out, const int32_t *acc0, const int32_t *acc1, const block_rq *brq16) {
    edgec_v16i a;
    __builtin_memcpy(&a, acc0, 8 * sizeof(int32_t));
    __builtin_memcpy((int32_t *)&a + 8, acc1, 8 * sizeof(int32_t));
    a += brq16->bias;
    edgec_rq16_apply(&brq16->rq, &a, out, 16);
}

void edgec_conv2d_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                          const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                          const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                          const edgec_conv2d_s8_params *p) {
    const int32_t OC = p->out_c, K4 = (p->k_h * p->k_w * p->in_c + 3) / 4;
    const int32_t pixels = p->out_h * p->out_w;
    const uint8_t pad = (uint8_t)(128 - p->input_offset);
    const edgec_x86_window win = {p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
                                  p->pad_top, p->pad_left, p->dil_h, p->dil_w};
    /* a 1x1 window of whole words over the input as it is (no padding, stride 1): the pixel's bytes are its
     * window, read in place and flipped to x ^ 0x80 as they are loaded */
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0
                          && p->pad_left == 0 && p->in_c % 4 == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
    const uint32_t flip = pointwise ? 0x80808080u : 0u;
    const int rows16 = !pointwise && p->dil_w == 1 && p->k_w * p->in_c <= ROW16;
    const int8_t *q_end = input + (size_t)p->batch * p->in_h * p->in_w * p->in_c;
    /* OC 8: two pixels' outputs are one run of 16 bytes, requantised at once */
    block_rq pair;
    int pairs = 0;
    if (OC == 8) {
        int32_t m16[16], s16[16];
        for (int32_t j = 0; j < 16; ++j) {
            m16[j] = multiplier[j & 7];
            s16[j] = shift[j & 7];
        }
        prepare_block(&pair, NULL, m16, s16, 0, 16, p);
        for (int32_t j = 0; j < 16; ++j) pair.bias[j] = bias ? bias[j & 7] : 0;
        pairs = pair.vector;
    }
    uint8_t xs[DOT4_TILE][DOT4_MAX_K + ROW16];
    int32_t acc[DOT4_TILE][OCB];
    block_rq brq[MAX_BLOCKS];
    for (int32_t c0 = 0; c0 < OC; c0 += MAX_BLOCKS * OCB) {
        int32_t blocks = 0;
        for (int32_t oc0 = c0; oc0 < OC && blocks < MAX_BLOCKS; oc0 += OCB, ++blocks) {
            const int32_t nb = OC - oc0 < OCB ? OC - oc0 : OCB;
            prepare_block(&brq[blocks], bias, multiplier, shift, oc0, nb, p);
        }
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *q = input + (size_t)b * p->in_h * p->in_w * p->in_c;
            int8_t *out_b = output + (size_t)b * pixels * OC;
            for (int32_t px = 0; px < pixels; px += DOT4_TILE) {
                const int32_t n = pixels - px < DOT4_TILE ? pixels - px : DOT4_TILE;
                const uint8_t *rows[DOT4_TILE];
                for (int32_t i = 0; i < DOT4_TILE; ++i) {
                    const int32_t pi = px + (i < n ? i : 0);
                    if (pointwise) {
                        rows[i] = (const uint8_t *)(q + (size_t)pi * p->in_c);
                    } else if (rows16) {
                        window_rows16(q, q_end, &win, pi / p->out_w, pi % p->out_w, pad, K4, xs[i]);
                        rows[i] = xs[i];
                    } else {
                        edgec_x86_window_u8(q, &win, pi / p->out_w, pi % p->out_w, pad, K4, xs[i]);
                        rows[i] = xs[i];
                    }
                }
                for (int32_t bl = 0; bl < blocks; ++bl) {
                    const int32_t oc0 = c0 + bl * OCB, nb = OC - oc0 < OCB ? OC - oc0 : OCB;
                    edgec_x86_dot4_tile(rows, flip, packed + (size_t)oc0 * K4 * 4, K4, acc);
                    int32_t i = 0;
                    if (pairs)
                        for (; i + 2 <= n; i += 2) store_pair8(out_b + (size_t)(px + i) * OC, acc[i], acc[i + 1], &pair);
                    for (; i < n; ++i)
                        store_block(out_b + (size_t)(px + i) * OC, acc[i], oc0, nb, multiplier, shift, p, &brq[bl]);
                }
            }
        }
    }
}
