/* Ternary convolution / fully connected layer (MatMul-free): int8 activations, weights per output channel in
 * {-a_c, 0, +a_c}, packed 2 bits or 1.6 bits (base 3) per weight. Freestanding C99.
 *
 * The layer is an int8 layer whose int8 weights are a_c * T[c][k] with T in {-1, 0, 1}: the compiler
 * (compiler/edgec/passes/ternary_kernels.py) finds such layers and packs T (compiler/edgec/quantize/ternary_pack.py
 * defines the two layouts, edgec_ternary_trit below reads them). Per output pixel the kernel gathers the im2col
 * column u[k] = x[k] + 128 (uint8; a padding tap holds the input zero point, as its x), then per channel
 *     acc_t = sum over k with T = +1 of u[k] + sum over k with T = -1 of (255 - u[k])   (additions only)
 *           = sum_k T[c][k] u[k] + 255 * minus_c
 *     acc   = scale[c] * acc_t + bias[c]            (one multiply per output)
 * with bias[c] = int8 bias + a_c * ((input_offset - 128) * sum_k T[c][k] - 255 * minus_c) folded at compile time
 * (minus_c: the channel's -1 weights), so that acc is the int8 kernel's accumulator sum_k w (x + input_offset) +
 * bias exactly (a padding tap holds zp + 128, and zp + input_offset = 0). 255 - u = ~u is what the Cortex-M
 * kernel adds with one USADA8 per four weights. The requantisation is then the int8 layer's own, bit for bit. */
#ifndef EDGEC_TERNARY_S8_H
#define EDGEC_TERNARY_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

#define EDGEC_TERNARY_2BIT 0  /* byte = plus mask (bits 0-3) | minus mask (bits 4-7) of 4 weights */
#define EDGEC_TERNARY_BASE3 1 /* byte = sum (T[i] + 1) * 3^i over 5 weights, 0..242 */

#define EDGEC_TERNARY_ADDSUB 0 /* add or subtract each activation (both kernel sets) */
#define EDGEC_TERNARY_LUT 1    /* look up per-byte partial sums built once per pixel (runtimes/cortex-m/ only) */

/* requant: EDGEC_REQUANT_FIXED (TFLite, double rounding), EDGEC_REQUANT_FLOAT (onnxruntime), or this one: */
#define EDGEC_TERNARY_REQUANT_SINGLE 2 /* TFLite fully connected with LiteRT's single rounding */

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t input_offset; /* -input zero point */
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t requant;
    int32_t format;     /* EDGEC_TERNARY_2BIT or EDGEC_TERNARY_BASE3 */
    int32_t method;     /* EDGEC_TERNARY_ADDSUB or EDGEC_TERNARY_LUT (the reference always adds and subtracts) */
    int32_t row_bytes;  /* packed bytes per output channel: ceil(K / 4) or ceil(K / 5), K = k_h * k_w * in_c */
    int32_t scale_all; /* every channel's a_c when the kernel is given no scale array (NULL) */
} edgec_ternary_s8_params;

/* input NHWC int8; packed [out_c * row_bytes]; scale [out_c], or NULL (then a_c = p->scale_all); bias,
 * multiplier, shift [out_c]; output NHWC int8.
 * scratch: edgec_ternary_scratch_bytes(p) bytes, word-aligned. */
void edgec_ternary_conv_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           const int32_t *scale, const int32_t *EDGEC_RESTRICT bias,
                           const int32_t *EDGEC_RESTRICT multiplier, const int32_t *EDGEC_RESTRICT shift,
                           int8_t *EDGEC_RESTRICT output, const edgec_ternary_s8_params *p, void *scratch);

/* The same layer's per-channel sums acc_t (the header comment), before the bias and the requantisation:
 * sums [pixels][out_c] int32, pixels = batch * out_h * out_w. For layers whose accumulator is rescaled in float
 * (edgec_ternary_hybrid.h). scratch: as edgec_ternary_conv_s8's. */
void edgec_ternary_sums_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           int32_t *EDGEC_RESTRICT sums, const edgec_ternary_s8_params *p, void *scratch);

/* Weights per packed byte, and the im2col column's bytes: K padded to whole bytes' groups, plus a word of slack
 * for the kernels' word loads (compiler/edgec/passes/ternary_kernels.py, scratch_bytes, mirrors this). */
EDGEC_INLINE int32_t edgec_ternary_group(int32_t format) { return format == EDGEC_TERNARY_2BIT ? 4 : 5; }
EDGEC_INLINE int32_t edgec_ternary_col_bytes(const edgec_ternary_s8_params *p) {
    return (p->row_bytes * edgec_ternary_group(p->format) + 7) / 4 * 4;
}

/* Trit k of a packed row (the layouts above), decoded without multiply or divide. */
EDGEC_INLINE int32_t edgec_ternary_trit(const uint8_t *row, int32_t k, int32_t format) {
    if (format == EDGEC_TERNARY_2BIT) {
        const uint32_t b = row[k >> 2], i = (uint32_t)k & 3u;
        return (int32_t)((b >> i) & 1u) - (int32_t)((b >> (4u + i)) & 1u);
    }
    int32_t j = 0, i = k;
    while (i >= 5) { /* k / 5 and k % 5 by subtraction: the byte, then the digit */
        i -= 5;
        ++j;
    }
    int32_t b = row[j];
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    for (int32_t d = 4; d > i; --d) { /* drop the higher digits */
        const int32_t q = pow3[d];
        b -= b >= 2 * q ? 2 * q : (b >= q ? q : 0);
    }
    const int32_t q = pow3[i];
    return (b >= 2 * q ? 2 : (b >= q ? 1 : 0)) - 1;
}

/* The im2col column of output pixel (b, oy, ox): u[k] = x + 128 in OHWI order, the zero point + 128 at padding
 * taps, 0 from K up to the column's end. A tap's in_c bytes are contiguous: four at a time (x ^ 0x80 per byte). */
EDGEC_INLINE void edgec_ternary_gather(const int8_t *EDGEC_RESTRICT input, uint8_t *EDGEC_RESTRICT col,
                                       const edgec_ternary_s8_params *p, int32_t b, int32_t oy, int32_t ox) {
    const uint8_t pad = (uint8_t)(128 - p->input_offset);
    const uint32_t pad4 = (uint32_t)pad | (uint32_t)pad << 8 | (uint32_t)pad << 16 | (uint32_t)pad << 24;
    const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left, n = p->in_c;
    uint8_t *u = col;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; ++kx, u += n) {
            const int32_t ix = x0 + kx * p->dil_w;
            int32_t c = 0;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (; c + 4 <= n; c += 4) __builtin_memcpy(u + c, &pad4, 4);
                for (; c < n; ++c) u[c] = pad;
            } else {
                const int8_t *x = in_b + ((size_t)iy * p->in_w + ix) * n;
                for (; c + 4 <= n; c += 4) {
                    uint32_t v;
                    __builtin_memcpy(&v, x + c, 4);
                    v ^= 0x80808080u;
                    __builtin_memcpy(u + c, &v, 4);
                }
                for (; c < n; ++c) u[c] = (uint8_t)(x[c] ^ 0x80);
            }
        }
    }
    for (uint8_t *end = col + edgec_ternary_col_bytes(p); u < end;) *u++ = 0;
}

/* acc -> the output value, with the int8 layer's own requantisation. */
EDGEC_INLINE int32_t edgec_ternary_requant(int32_t acc, int32_t multiplier, int32_t shift,
                                           const edgec_ternary_s8_params *p) {
    if (p->requant == EDGEC_TERNARY_REQUANT_SINGLE)
        return edgec_clamp_i32(edgec_mbqm_single(acc, multiplier, shift) + p->output_offset, p->act_min, p->act_max);
    return edgec_requant(acc, multiplier, shift, p->requant, p->output_offset, p->act_min, p->act_max);
}

#endif /* EDGEC_TERNARY_S8_H */
