/* int8 convolution (TFLite ConvPerChannel) for desktop / server hosts, on 8 x int32 GNU C vectors (one AVX2
 * register, two SSE ones). Where the dot product is short (K = k_h * k_w * in_c <= PACK_K: pointwise layers and
 * the first ones of most small networks), sixteen output channels' weights are widened to int32 and packed
 * tap-major into a stack buffer [K][16]; each input value (plus the input offset) is broadcast against two weight
 * vectors, 4 pixels x 16 channels per tile. Longer dot products, border pixels and the rest take scalar loops.
 * Integer arithmetic with the same terms: bit-exact with runtimes/reference/edgec_conv2d_s8.c. */
#include "edgec_conv2d_s8.h"
#include "edgec_x86_requant.h"

typedef int32_t v8i __attribute__((vector_size(32)));
/* An unaligned view of 8 int32 (macros, not functions: a 256-bit vector by value changes the ABI without AVX). */
typedef int32_t v8i_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8i_unaligned *)(const void *)(ptr))

#define PACK_K 512
#define OCB 16

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

static void pack_block(const int8_t *EDGEC_RESTRICT weights, int32_t oc0, int32_t K, int32_t OC, int32_t *packed) {
    for (int32_t j = 0; j < OCB; ++j) {
        const int32_t oc = oc0 + j;
        for (int32_t k = 0; k < K; ++k) packed[(size_t)k * OCB + j] = oc < OC ? weights[(size_t)oc * K + k] : 0;
    }
}

/* The requantisation of one block of channels: vector (two edgec_rq8) where it can, else per channel. */
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
    for (int32_t j = 0; j < nb; ++j) {
        const int32_t oc = oc0 + j;
        out[oc] = (int8_t)edgec_requant(acc[j] + (bias ? bias[oc] : 0), multiplier[oc], shift[oc], p->requant,
                                        p->output_offset, p->act_min, p->act_max);
    }
}

/* One pixel against a packed block, taps outside the input skipped. */
static void packed_pixel(const int8_t *EDGEC_RESTRICT input, const int32_t *packed, int8_t *output,
                         const edgec_conv2d_s8_params *p, int32_t b, int32_t oy, int32_t ox, int32_t oc0, int32_t nb,
                         const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                         const block_rq *brq) {
    const int32_t C = p->in_c, off = p->input_offset;
    v8i a0 = {0}, a1 = {0};
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) continue;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const int8_t *x = input + (((size_t)b * p->in_h + iy) * p->in_w + ix) * C;
            const int32_t *w = packed + ((size_t)ky * p->k_w + kx) * C * OCB;
            for (int32_t ic = 0; ic < C; ++ic, w += OCB) {
                const int32_t v = x[ic] + off;
                a0 += v * LOAD8(w);
                a1 += v * LOAD8(w + 8);
            }
        }
    }
    int32_t acc[OCB];
    __builtin_memcpy(acc, &a0, sizeof a0);
    __builtin_memcpy(acc + 8, &a1, sizeof a1);
    store_block(output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c, acc, oc0, nb, bias, multiplier,
                shift, p, brq);
}

/* Four pixels whose taps are all inside the input (in[i]: pixel i's tap (0, 0)) against a packed block. */
static void packed_tile4(const int8_t *const in[4], int8_t *const out[4], const int32_t *packed,
                         const edgec_conv2d_s8_params *p, int32_t oc0, int32_t nb, const int32_t *bias,
                         const int32_t *multiplier, const int32_t *shift, const block_rq *brq) {
    const int32_t C = p->in_c, off = p->input_offset;
    const size_t row = (size_t)p->in_w * C;
    v8i a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    const int32_t *w = packed;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const size_t o = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
            const int8_t *x0 = in[0] + o, *x1 = in[1] + o, *x2 = in[2] + o, *x3 = in[3] + o;
            for (int32_t ic = 0; ic < C; ++ic, w += OCB) {
                const v8i k0 = LOAD8(w), k1 = LOAD8(w + 8);
                const int32_t v0 = x0[ic] + off, v1 = x1[ic] + off, v2 = x2[ic] + off, v3 = x3[ic] + off;
                a00 += v0 * k0; a01 += v0 * k1; a10 += v1 * k0; a11 += v1 * k1;
                a20 += v2 * k0; a21 += v2 * k1; a30 += v3 * k0; a31 += v3 * k1;
            }
        }
    }
    int32_t acc[4][OCB];
    __builtin_memcpy(acc[0], &a00, sizeof a00); __builtin_memcpy(acc[0] + 8, &a01, sizeof a01);
    __builtin_memcpy(acc[1], &a10, sizeof a10); __builtin_memcpy(acc[1] + 8, &a11, sizeof a11);
    __builtin_memcpy(acc[2], &a20, sizeof a20); __builtin_memcpy(acc[2] + 8, &a21, sizeof a21);
    __builtin_memcpy(acc[3], &a30, sizeof a30); __builtin_memcpy(acc[3] + 8, &a31, sizeof a31);
    for (int i = 0; i < 4; ++i) store_block(out[i], acc[i], oc0, nb, bias, multiplier, shift, p, brq);
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, K = p->k_h * p->k_w * C;
    if (K > PACK_K) {
        for (int32_t b = 0; b < p->batch; ++b)
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox)
                    conv_pixel(input, weights, bias, multiplier, shift, output, p, b, oy, ox);
        return;
    }
    /* output x range whose horizontal taps all fall inside the input */
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t x_lo = (p->pad_left + p->stride_w - 1) / p->stride_w, x_hi = p->in_w - 1 - span + p->pad_left;
    x_hi = x_hi < 0 ? 0 : x_hi / p->stride_w + 1;
    if (x_hi > p->out_w) x_hi = p->out_w;
    if (x_lo > x_hi) x_lo = x_hi;
    const size_t sx = (size_t)p->stride_w * C;
    int32_t packed[PACK_K * OCB];
    for (int32_t oc0 = 0; oc0 < OC; oc0 += OCB) {
        const int32_t nb = OC - oc0 < OCB ? OC - oc0 : OCB;
        pack_block(weights, oc0, K, OC, packed);
        block_rq brq;
        brq.vector = edgec_rq8_usable(multiplier + oc0, p->requant, nb);
        if (brq.vector) {
            edgec_rq8_prepare(&brq.rq[0], multiplier + oc0, shift + oc0, nb < 8 ? nb : 8);
            edgec_rq8_prepare(&brq.rq[1], multiplier + oc0 + 8, shift + oc0 + 8, nb - 8);
        }
        for (int32_t b = 0; b < p->batch; ++b) {
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int rows_inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
                int32_t ox = 0;
                if (rows_inside) {
                    for (; ox < x_lo; ++ox)
                        packed_pixel(input, packed, output, p, b, oy, ox, oc0, nb, bias, multiplier, shift, &brq);
                    for (; ox + 4 <= x_hi; ox += 4) {
                        const int8_t *in = input + (((size_t)b * p->in_h + iy0) * p->in_w + (ox * p->stride_w - p->pad_left)) * C;
                        int8_t *o = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * OC;
                        const int8_t *const ins[4] = {in, in + sx, in + 2 * sx, in + 3 * sx};
                        int8_t *const outs[4] = {o, o + OC, o + 2 * OC, o + 3 * OC};
                        packed_tile4(ins, outs, packed, p, oc0, nb, bias, multiplier, shift, &brq);
                    }
                }
                for (; ox < p->out_w; ++ox)
                    packed_pixel(input, packed, output, p, b, oy, ox, oc0, nb, bias, multiplier, shift, &brq);
            }
        }
    }
}
