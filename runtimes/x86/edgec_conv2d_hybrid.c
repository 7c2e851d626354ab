/* Hybrid 2-D convolution (float in and out, int8 weights, the input quantized at run time) for x86 hosts: the
 * integer part as 16-bit multiply-add pairs (pmaddwd: two products summed into one 32-bit lane; AVX-VNNI fuses
 * the add) on GNU C vectors, 4 output pixels x 16 output channels per tile, no reduction across lanes.
 *
 * Per block of 16 output channels, the weights minus their zero point are packed per call on the stack as
 * int16 pairs [K / 2][16][2] (zeros past the block and past K). Per tile of four pixels, each pixel's window
 * (im2col) is copied as int16 q - zp, with 0 for taps outside the input: a padded tap then adds exactly 0, as in
 * every quantization mode of the reference (edgec_conv2d_hybrid.h). A pair of one pixel's values, broadcast
 * as one 32-bit lane, meets a weight vector of 16 channels' pairs: 16 lanes, 32 products, per pair of taps.
 * Layers whose window is longer than PACK_K take the reference's loops.
 * Same signature as runtimes/reference/edgec_conv2d_hybrid.c; the integer sums are the same, the float scaling
 * the reference's expressions. */
#include "edgec_conv2d_hybrid.h"
#include "edgec_hybrid_quantize.h"

typedef int16_t v16s __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int32_t v8i_unaligned __attribute__((vector_size(32), aligned(4)));

/* acc (8 lanes) += a[2i] * b[2i] + a[2i + 1] * b[2i + 1]: one vpdpwssd where the build enables AVX-VNNI,
 * pmaddwd and an add where it enables AVX2, else the same sums by shifts (sign-extending each 16-bit half of a
 * lane). Macros: a 256-bit vector by value changes the ABI where AVX is off. */
#if defined(__AVXVNNI__) || defined(__AVX2__)
#include <immintrin.h>
#endif
#if defined(__AVXVNNI__)
#define MADD16_ACC(acc, a, b) ((acc) = (v8i)_mm256_dpwssd_avx_epi32((__m256i)(acc), (__m256i)(a), (__m256i)(b)))
#elif defined(__AVX2__)
#define MADD16_ACC(acc, a, b) ((acc) += (v8i)_mm256_madd_epi16((__m256i)(a), (__m256i)(b)))
#else
#define MADD16_ACC(acc, a, b) \
    ((acc) += ((((v8i)(a)) << 16) >> 16) * ((((v8i)(b)) << 16) >> 16) + (((v8i)(a)) >> 16) * (((v8i)(b)) >> 16))
#endif
#define LOAD8I(ptr) (*(const v8i_unaligned *)(const void *)(ptr))

#define OCB 16
#define PACK_ELEMS 32768 /* int16 of packed weights on the stack (64 KiB) */
#define PACK_K (PACK_ELEMS / OCB) /* longest window (k_h * k_w * in_c / groups) taking the packed path */
#define TILE 4

typedef struct {
    const edgec_conv2d_hybrid_params *p;
    const float *w_scale;
    const float *bias;
    float *output; /* this batch's */
    float in_scale;
    int32_t zp;
} hybrid_out;

/* Channels [oc0, oc0 + nb) of pixel (oy, ox) from their integer sums, scaled as the reference scales them. */
static void store_block(const hybrid_out *o, int32_t oy, int32_t ox, int32_t oc0, const int32_t *acc, int32_t nb) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const float *bias = o->bias + oc0, lo = p->act_min, hi = p->act_max;
    float y[OCB];
    if (p->quant == EDGEC_HYBRID_ONNX_U8) {
        for (int32_t j = 0; j < nb; ++j) {
            const float scale = o->in_scale * o->w_scale[p->scale_per_channel ? oc0 + j : 0];
            y[j] = (float)acc[j] * scale;
            y[j] = y[j] + bias[j];
        }
    } else if (p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC) {
        const float *w_scale = o->w_scale + oc0;
        for (int32_t j = 0; j < nb; ++j) y[j] = (float)acc[j] * w_scale[j] * o->in_scale + bias[j];
    } else {
        const float tensor_scale = o->in_scale * o->w_scale[0];
        for (int32_t j = 0; j < nb; ++j) y[j] = (float)acc[j] * tensor_scale + bias[j];
    }
    if (p->nchw) {
        const size_t plane = (size_t)p->out_h * p->out_w;
        float *out = o->output + (size_t)oc0 * plane + (size_t)oy * p->out_w + ox;
        for (int32_t j = 0; j < nb; ++j) out[(size_t)j * plane] = edgec_clampf(y[j], lo, hi);
    } else {
        float *out = o->output + ((size_t)oy * p->out_w + ox) * p->out_c + oc0;
        for (int32_t j = 0; j < nb; ++j) out[j] = edgec_clampf(y[j], lo, hi);
    }
}

/* Channels [oc0, oc0 + 16) (those below oc_end) into packed pairs, K rounded up to even. */
static void pack_weights(const int8_t *weights, const int32_t *w_zero_point, int32_t oc0, int32_t oc_end,
                         int32_t K, int16_t *packed) {
    const int32_t Kp = (K + 1) & ~1;
    for (int32_t j = 0; j < OCB; ++j) {
        const int32_t oc = oc0 + j;
        const int32_t wz = oc < oc_end && w_zero_point ? w_zero_point[oc] : 0;
        const int8_t *w = weights + (size_t)oc * K;
        for (int32_t k = 0; k < Kp; ++k)
            packed[(size_t)(k >> 1) * 2 * OCB + 2 * j + (k & 1)] = (int16_t)(oc < oc_end && k < K ? w[k] - wz : 0);
    }
}

/* Pixel (oy, ox)'s window over input channels [ic0, ic0 + cin_g) as int16 q - zp, 0 outside the input; Kp
 * values (the last one 0 when K is odd). Without horizontal dilation, a kernel row's taps inside the input are
 * one contiguous run of input (groups == 1) or runs of cin_g. */
static void im2col(const int8_t *q, const edgec_conv2d_hybrid_params *p, int32_t oy, int32_t ox, int32_t ic0,
                   int32_t cin_g, int32_t zp, int32_t Kp, int16_t *x) {
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    const int32_t row_len = p->k_w * cin_g;
    int16_t *dst = x;
    for (int32_t ky = 0; ky < p->k_h; ++ky, dst += row_len) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t k = 0; k < row_len; ++k) dst[k] = 0;
            continue;
        }
        const int8_t *src_row = q + (size_t)iy * p->in_w * p->in_c + ic0;
        if (p->groups == 1 && p->dil_w == 1) {
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->in_w - x0 < p->k_w ? p->in_w - x0 : p->k_w;
            const int32_t lo = kx0 * cin_g, hi = kx1 > kx0 ? kx1 * cin_g : lo;
            const int8_t *src = src_row + (ptrdiff_t)x0 * cin_g;
            for (int32_t k = 0; k < lo; ++k) dst[k] = 0;
            for (int32_t k = lo; k < hi; ++k) dst[k] = (int16_t)(src[k] - zp);
            for (int32_t k = hi; k < row_len; ++k) dst[k] = 0;
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            int16_t *d = dst + kx * cin_g;
            if (ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < cin_g; ++c) d[c] = 0;
                continue;
            }
            const int8_t *src = src_row + (size_t)ix * p->in_c;
            for (int32_t c = 0; c < cin_g; ++c) d[c] = (int16_t)(src[c] - zp);
        }
    }
    if (dst - x < Kp) *dst = 0;
}

/* TILE pixels' windows (xs) against one packed block: acc[pixel][channel]. */
static void tile(const int16_t (*xs)[PACK_K], const int16_t *packed, int32_t Kp, int32_t acc[TILE][OCB]) {
    v8i a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    const int16_t *w = packed;
    for (int32_t k = 0; k < Kp; k += 2, w += 2 * OCB) {
        const v8i k0 = LOAD8I(w), k1 = LOAD8I(w + 16);
        int32_t pair[TILE];
        for (int32_t i = 0; i < TILE; ++i) __builtin_memcpy(&pair[i], &xs[i][k], sizeof pair[i]);
        const v8i x0 = (v8i){0} + pair[0], x1 = (v8i){0} + pair[1], x2 = (v8i){0} + pair[2], x3 = (v8i){0} + pair[3];
        MADD16_ACC(a00, x0, k0); MADD16_ACC(a01, x0, k1);
        MADD16_ACC(a10, x1, k0); MADD16_ACC(a11, x1, k1);
        MADD16_ACC(a20, x2, k0); MADD16_ACC(a21, x2, k1);
        MADD16_ACC(a30, x3, k0); MADD16_ACC(a31, x3, k1);
    }
    __builtin_memcpy(acc[0], &a00, sizeof a00); __builtin_memcpy(acc[0] + 8, &a01, sizeof a01);
    __builtin_memcpy(acc[1], &a10, sizeof a10); __builtin_memcpy(acc[1] + 8, &a11, sizeof a11);
    __builtin_memcpy(acc[2], &a20, sizeof a20); __builtin_memcpy(acc[2] + 8, &a21, sizeof a21);
    __builtin_memcpy(acc[3], &a30, sizeof a30); __builtin_memcpy(acc[3] + 8, &a31, sizeof a31);
}

static void conv_packed(const int8_t *q, const int8_t *weights, const int32_t *w_zero_point, const hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    const int32_t K = p->k_h * p->k_w * cin_g, Kp = (K + 1) & ~1, pixels = p->out_h * p->out_w;
    /* as many blocks of 16 channels packed at once as fit: each pixel's window is copied once per chunk */
    const int32_t chunk = PACK_ELEMS / (Kp * OCB);
    int16_t packed[PACK_ELEMS];
    int16_t xs[TILE][PACK_K];
    int32_t acc[TILE][OCB];
    for (int32_t g = 0; g < p->groups; ++g) {
        const int32_t oc_end = (g + 1) * cout_g;
        for (int32_t c0 = g * cout_g; c0 < oc_end; c0 += chunk * OCB) {
            int32_t blocks = 0;
            for (int32_t oc0 = c0; oc0 < oc_end && blocks < chunk; oc0 += OCB, ++blocks)
                pack_weights(weights, w_zero_point, oc0, oc_end, K, packed + (size_t)blocks * Kp * OCB);
            for (int32_t px = 0; px < pixels; px += TILE) {
                const int32_t n = pixels - px < TILE ? pixels - px : TILE;
                for (int32_t i = 0; i < TILE; ++i) {
                    if (i < n)
                        im2col(q, p, (px + i) / p->out_w, (px + i) % p->out_w, g * cin_g, cin_g, o->zp, Kp, xs[i]);
                    else
                        for (int32_t k = 0; k < Kp; ++k) xs[i][k] = 0;
                }
                for (int32_t b = 0; b < blocks; ++b) {
                    const int32_t oc0 = c0 + b * OCB, nb = oc_end - oc0 < OCB ? oc_end - oc0 : OCB;
                    tile((const int16_t (*)[PACK_K])xs, packed + (size_t)b * Kp * OCB, Kp, acc);
                    for (int32_t i = 0; i < n; ++i)
                        store_block(o, (px + i) / p->out_w, (px + i) % p->out_w, oc0, acc[i], nb);
                }
            }
        }
    }
}

/* Long windows: the reference's loops. */
static void conv_direct(const int8_t *q, const int8_t *weights, const int32_t *w_zero_point, const hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t in_per_group = p->in_c / p->groups, out_per_group = p->out_c / p->groups;
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
            for (int32_t oc = 0; oc < p->out_c; ++oc) {
                const int32_t wz = w_zero_point ? w_zero_point[oc] : 0;
                const int32_t ic0 = oc / out_per_group * in_per_group;
                int32_t acc = 0;
                for (int32_t ky = 0; ky < p->k_h; ++ky) {
                    const int32_t iy = y0 + ky * p->dil_h;
                    if (iy < 0 || iy >= p->in_h) continue;
                    for (int32_t kx = 0; kx < p->k_w; ++kx) {
                        const int32_t ix = x0 + kx * p->dil_w;
                        if (ix < 0 || ix >= p->in_w) continue;
                        acc = edgec_hybrid_dot(q + ((size_t)iy * p->in_w + ix) * p->in_c + ic0,
                                               weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * in_per_group,
                                               in_per_group, o->zp, wz, acc);
                    }
                }
                store_block(o, oy, ox, oc, &acc, 1);
            }
        }
    }
}

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    const size_t out_size = (size_t)p->out_h * p->out_w * p->out_c;
    const int onnx = p->quant == EDGEC_HYBRID_ONNX_U8;
    hybrid_out o = {p, w_scale, bias, output, 1.0f, 0};
    if (onnx) /* DynamicQuantizeLinear quantizes the whole tensor at once */
        o.in_scale = edgec_dynamic_quantize_s8_shifted(input, p->batch * in_size, p->in_c,
                                                       p->nchw ? p->in_h * p->in_w : 0, qinput, &o.zp);
    for (int32_t n = 0; n < p->batch; ++n) {
        const int8_t *qbatch = qinput;
        if (onnx) {
            qbatch = qinput + (size_t)n * in_size;
        } else {
            const float *x = input + (size_t)n * in_size;
            o.in_scale = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC ? edgec_quantize_asymmetric_s8(x, in_size, qinput, &o.zp)
                                                                     : edgec_quantize_symmetric_s8(x, in_size, qinput);
        }
        o.output = output + (size_t)n * out_size;
        if (p->k_h * p->k_w * (p->in_c / p->groups) <= PACK_K)
            conv_packed(qbatch, weights, w_zero_point, &o);
        else
            conv_direct(qbatch, weights, w_zero_point, &o);
    }
}
