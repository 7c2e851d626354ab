/* Hybrid 2-D convolution (float in and out, int8 weights, the input quantized at run time) for x86 hosts. TFLite's
 * modes (NHWC, one group, int8 weights without zero point): the integer part as byte dot products
 * (edgec_x86_dot4.h, vpdpbusd with AVX-VNNI), the weights in blocks of 16 channels with their sums, which take
 * out the +128 of the unsigned window bytes and the input zero point (pad bytes 128 + zp add exactly 0, as the
 * reference's skipped taps): packed at compile time for edgec_conv2d_hybrid_dot4 (compiler/edgec/ops/hybrid.py),
 * per call on the stack for edgec_conv2d_hybrid. Otherwise the integer part as 16-bit multiply-add pairs, 4
 * output pixels x 16 output channels per tile
 * (edgec_x86_madd16.h: weights packed per call on the stack, each pixel's window copied as int16 q - zp with 0
 * outside the input, which adds exactly 0 as in every quantization mode of the reference). Layers whose window
 * is longer than EDGEC_X86_PACK_K take the reference's loops.
 * Same signature as runtimes/reference/edgec_conv2d_hybrid.c; the integer sums are the same, the float scaling
 * the reference's expressions. */
#include "edgec_conv2d_hybrid_batch.h"
#include "edgec_conv2d_hybrid_ref.h"
#include "edgec_x86_dot4.h"
#include "edgec_x86_madd16.h"

#define OCB EDGEC_X86_OCB
#define TILE EDGEC_X86_TILE
#define PACK_ELEMS EDGEC_X86_PACK_ELEMS
#define PACK_K EDGEC_X86_PACK_K

/* Channels [oc0, oc0 + nb) of pixel (oy, ox) from their integer sums, scaled as the reference scales them. */
static void store_block(const edgec_hybrid_out *o, int32_t oy, int32_t ox, int32_t oc0, const int32_t *acc,
                        int32_t nb) {
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

static void conv_packed(const int8_t *q, const int8_t *weights, const int32_t *w_zero_point,
                        const edgec_hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    const int32_t K = p->k_h * p->k_w * cin_g, Kp = (K + 1) & ~1, pixels = p->out_h * p->out_w;
    /* as many blocks of 16 channels packed at once as fit: each pixel's window is copied once per chunk */
    const int32_t chunk = PACK_ELEMS / (Kp * OCB);
    const edgec_x86_window win = {p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
                                  p->pad_top, p->pad_left, p->dil_h, p->dil_w};
    int16_t packed[PACK_ELEMS];
    int16_t xs[TILE][PACK_K];
    int32_t acc[TILE][OCB];
    for (int32_t g = 0; g < p->groups; ++g) {
        const int32_t oc_end = (g + 1) * cout_g;
        for (int32_t c0 = g * cout_g; c0 < oc_end; c0 += chunk * OCB) {
            int32_t blocks = 0;
            for (int32_t oc0 = c0; oc0 < oc_end && blocks < chunk; oc0 += OCB, ++blocks)
                edgec_x86_pack16(weights, w_zero_point, oc0, oc_end, K, packed + (size_t)blocks * Kp * OCB);
            for (int32_t px = 0; px < pixels; px += TILE) {
                const int32_t n = pixels - px < TILE ? pixels - px : TILE;
                for (int32_t i = 0; i < TILE; ++i) {
                    if (i < n)
                        edgec_x86_im2col16(q, &win, (px + i) / p->out_w, (px + i) % p->out_w, g * cin_g, cin_g, -o->zp, Kp,
                                           xs[i]);
                    else
                        for (int32_t k = 0; k < Kp; ++k) xs[i][k] = 0;
                }
                for (int32_t b = 0; b < blocks; ++b) {
                    const int32_t oc0 = c0 + b * OCB, nb = oc_end - oc0 < OCB ? oc_end - oc0 : OCB;
                    edgec_x86_tile16((const int16_t (*)[PACK_K])xs, packed + (size_t)b * Kp * OCB, Kp, acc);
                    for (int32_t i = 0; i < n; ++i)
                        store_block(o, (px + i) / p->out_w, (px + i) % p->out_w, oc0, acc[i], nb);
                }
            }
        }
    }
}

/* TFLite's modes by byte dot products: acc = sum((x + 128) w) - (128 + zp) sum(w) = sum((x - zp) w), the
 * reference's integer sum. */
typedef int32_t v16i __attribute__((vector_size(64)));
typedef int32_t v16i_unaligned __attribute__((vector_size(64), aligned(4)));
typedef float v16f __attribute__((vector_size(64)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
#define LOAD16I(ptr) (*(const v16i_unaligned *)(const void *)(ptr))
#define LOAD16F(ptr) (*(const v16f_unaligned *)(const void *)(ptr))
#define SELECT16(mask, a, b) ((v16f)(((v16i)(a) & (mask)) | ((v16i)(b) & ~(mask))))

/* store_block's arithmetic for a whole block of 16 channels [c, c + 16) of n pixels from px (NHWC), acc[i] the
 * sums of pixel px + i at stride `stride`, plus corr_sums * shift; the block's constants read once, everything in vectors. */
static void store_blocks16(const edgec_hybrid_out *o, int32_t px, int32_t n, int32_t c, const int32_t *acc,
                           int32_t stride, const int32_t *corr_sums, int32_t shift) {
    const v16i corr = LOAD16I(corr_sums) * shift;
    const edgec_conv2d_hybrid_params *p = o->p;
    const v16f lo = (v16f){0} + p->act_min, hi = (v16f){0} + p->act_max, bias = LOAD16F(o->bias + c);
    const float in_scale = o->in_scale;
    float *out = o->output + (size_t)px * p->out_c + c;
    if (p->quant == EDGEC_HYBRID_TFLITE_SYMMETRIC) {
        const float tensor_scale = in_scale * o->w_scale[0];
        for (int32_t i = 0; i < n; ++i, acc += stride, out += p->out_c) {
            v16f y = __builtin_convertvector(LOAD16I(acc) + corr, v16f) * tensor_scale + bias;
            y = SELECT16(y < lo, lo, y); /* edgec_clampf */
            y = SELECT16(y > hi, hi, y);
            *(v16f_unaligned *)(void *)out = y;
        }
    } else {
        const v16f w_scale = LOAD16F(o->w_scale + c);
        for (int32_t i = 0; i < n; ++i, acc += stride, out += p->out_c) {
            v16f y = __builtin_convertvector(LOAD16I(acc) + corr, v16f) * w_scale * in_scale + bias;
            y = SELECT16(y < lo, lo, y);
            y = SELECT16(y > hi, hi, y);
            *(v16f_unaligned *)(void *)out = y;
        }
    }
}

/* Up to TILE_BLOCKS blocks of 16 channels at once against a tile of pixels: acc[pixel][16 * block + channel].
 * A pixel's window is kh_n runs of row_q words each, run r at rows[i] + r * row_step (one run: a copied window
 * or a pixel read in place; k_h runs: the kernel rows read in place from a padded copy of the input). With
 * AVX-512 VNNI one 512-bit register holds a block's four k of 16 channels, so each k of each pixel's window is
 * broadcast once for all the blocks (16 vpdpbusd per k for 4 blocks); otherwise edgec_x86_dot4_tile per block
 * (one run only). The same integer sums either way. */
#define TILE_BLOCKS 4
#if defined(__AVX512VNNI__) && defined(__AVX512F__)
#define IN_PLACE_RUNS 1 /* the padded-input path: AVX-512 VNNI only */
static inline __attribute__((always_inline)) void tile_zmm(const uint8_t *const rows[TILE], uint32_t flip,
                                                           const int8_t *w, int32_t K4, int32_t kh_n, int32_t row_q,
                                                           ptrdiff_t row_step, int32_t nblk,
                                                           int32_t acc[TILE][TILE_BLOCKS * OCB]) {
    const size_t block = (size_t)K4 * 4 * OCB;
    __m512i a[TILE][TILE_BLOCKS];
    for (int32_t i = 0; i < TILE; ++i)
        for (int32_t b = 0; b < nblk; ++b) a[i][b] = _mm512_setzero_si512();
    for (int32_t r = 0; r < kh_n; ++r)
        for (int32_t k = 0; k < row_q; ++k, w += 4 * OCB) {
            __m512i x[TILE];
            for (int32_t i = 0; i < TILE; ++i) {
                int32_t quad;
                __builtin_memcpy(&quad, rows[i] + r * row_step + 4 * k, sizeof quad);
                x[i] = _mm512_set1_epi32(quad ^ (int32_t)flip);
            }
            for (int32_t b = 0; b < nblk; ++b) {
                const __m512i wv = _mm512_loadu_si512((const void *)(w + b * block));
                for (int32_t i = 0; i < TILE; ++i) a[i][b] = _mm512_dpbusd_epi32(a[i][b], x[i], wv);
            }
        }
    for (int32_t i = 0; i < TILE; ++i)
        for (int32_t b = 0; b < nblk; ++b) _mm512_storeu_si512((void *)(acc[i] + b * OCB), a[i][b]);
}
#else
#define IN_PLACE_RUNS 0
#endif

static void tile_blocks(const uint8_t *const rows[TILE], uint32_t flip, const int8_t *w, int32_t K4, int32_t kh_n,
                        int32_t row_q, ptrdiff_t row_step, int32_t nblk, int32_t acc[TILE][TILE_BLOCKS * OCB]) {
#if IN_PLACE_RUNS
    switch (nblk) { /* the block count a constant in each copy: the accumulators stay in registers */
    case 4: tile_zmm(rows, flip, w, K4, kh_n, row_q, row_step, 4, acc); return;
    case 3: tile_zmm(rows, flip, w, K4, kh_n, row_q, row_step, 3, acc); return;
    case 2: tile_zmm(rows, flip, w, K4, kh_n, row_q, row_step, 2, acc); return;
    default: tile_zmm(rows, flip, w, K4, kh_n, row_q, row_step, 1, acc); return;
    }
#else
    (void)kh_n; (void)row_q; (void)row_step; /* one run of K4 words */
    int32_t one[TILE][OCB];
    for (int32_t b = 0; b < nblk; ++b) {
        edgec_x86_dot4_tile(rows, flip, w + (size_t)b * K4 * 4 * OCB, K4, one);
        for (int32_t i = 0; i < TILE; ++i) __builtin_memcpy(acc[i] + b * OCB, one[i], sizeof one[i]);
    }
#endif
}

/* The input as bytes x ^ 0x80 with pad bytes around it (pad_top rows above, enough below and to the sides for
 * every window), so that each kernel row of a window is a run of whole words in place; 0 if it needs more than
 * `cap` bytes. Returns the padded width. */
static int32_t padded_input(const int8_t *q, const edgec_conv2d_hybrid_params *p, uint8_t pad, uint8_t *img,
                            int32_t cap) {
    const int32_t C = p->in_c;
    int32_t Hp;
    const int32_t Wp = edgec_hybrid_padded_size(p, &Hp);
    if ((int64_t)Hp * Wp * C > cap) return 0;
    for (int32_t y = 0; y < Hp; ++y) {
        uint8_t *d = img + (size_t)y * Wp * C;
        const int32_t iy = y - p->pad_top;
        for (int32_t x = 0; x < Wp; ++x) {
            const int32_t ix = x - p->pad_left;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < C; ++c) d[(size_t)x * C + c] = pad;
            } else {
                const int8_t *src = q + ((size_t)iy * p->in_w + ix) * C;
                for (int32_t c = 0; c < C; ++c) d[(size_t)x * C + c] = (uint8_t)(src[c] ^ 0x80);
            }
        }
    }
    return Wp;
}

/* Every pixel against `blocks` packed blocks of 16 channels from oc0 ([K4][16][4] bytes each) with their
 * weight sums (16 per block): each tile of pixels' windows is copied once for all blocks. */
static void dot4_blocks(const int8_t *q, const int8_t *packed, const int32_t *w_sum, int32_t oc0, int32_t blocks,
                        const edgec_hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t OC = p->out_c, K = p->k_h * p->k_w * p->in_c, K4 = (K + 3) / 4, pixels = p->out_h * p->out_w;
    const edgec_x86_window win = {p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
                                  p->pad_top, p->pad_left, p->dil_h, p->dil_w};
    const uint8_t pad = (uint8_t)(128 + o->zp);
    /* a 1x1 window of whole words over the input as it is: read in place, flipped to x ^ 0x80 as loaded */
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0
                          && p->pad_left == 0 && p->in_c % 4 == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
    const uint32_t flip = pointwise ? 0x80808080u : 0u;
    const int32_t shift = -(128 + o->zp);
    uint8_t xs[TILE][EDGEC_CONV2D_HYBRID_DOT4_MAX_K];
    int32_t acc[TILE][TILE_BLOCKS * OCB];
    /* kernel rows of whole words: read in place from a padded copy of the input instead of copying windows */
    uint8_t img[IN_PLACE_RUNS ? 16384 : 1];
    const int32_t row_len = p->k_w * p->in_c;
    const int32_t Wp = IN_PLACE_RUNS && !pointwise && p->dil_w == 1 && row_len % 4 == 0
                       ? padded_input(q, p, pad, img, (int32_t)sizeof img) : 0;
    const int32_t kh_n = Wp ? p->k_h : 1, row_q = Wp ? row_len / 4 : K4;
    const ptrdiff_t row_step = (ptrdiff_t)p->dil_h * Wp * p->in_c;
    for (int32_t px = 0; px < pixels; px += TILE) {
        const int32_t n = pixels - px < TILE ? pixels - px : TILE;
        const uint8_t *rows[TILE];
        for (int32_t i = 0; i < TILE; ++i) {
            const int32_t pi = px + (i < n ? i : 0);
            if (pointwise) {
                rows[i] = (const uint8_t *)(q + (size_t)pi * p->in_c);
            } else if (Wp) {
                const int32_t oy = pi / p->out_w, ox = pi % p->out_w;
                rows[i] = img + ((size_t)oy * p->stride_h * Wp + (size_t)ox * p->stride_w) * p->in_c;
            } else {
                edgec_x86_window_u8(q, &win, pi / p->out_w, pi % p->out_w, pad, K4, xs[i]);
                rows[i] = xs[i];
            }
        }
        for (int32_t b0 = 0; b0 < blocks; b0 += TILE_BLOCKS) {
            const int32_t nblk = blocks - b0 < TILE_BLOCKS ? blocks - b0 : TILE_BLOCKS;
            tile_blocks(rows, flip, packed + (size_t)b0 * K4 * 4 * OCB, K4, kh_n, row_q, row_step, nblk, acc);
            for (int32_t b = b0; b < b0 + nblk; ++b) {
                const int32_t c = oc0 + b * OCB, nb = OC - c < OCB ? OC - c : OCB;
                if (nb == OCB) {
                    store_blocks16(o, px, n, c, acc[0] + (b - b0) * OCB, TILE_BLOCKS * OCB, w_sum + b * OCB, shift);
                    continue;
                }
                for (int32_t i = 0; i < n; ++i) {
                    int32_t *a = acc[i] + (b - b0) * OCB;
                    for (int32_t j = 0; j < OCB; ++j) a[j] += w_sum[b * OCB + j] * shift;
                    store_block(o, (px + i) / p->out_w, (px + i) % p->out_w, c, a, nb);
                }
            }
        }
    }
}

/* The weights packed per call, as many 16-channel blocks at once as fit in DOT4_PACK bytes. */
#define DOT4_PACK 65536
static void conv_dot4(const int8_t *q, const int8_t *weights, const edgec_hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t OC = p->out_c, K = p->k_h * p->k_w * p->in_c, K4 = (K + 3) / 4;
    int32_t chunk = DOT4_PACK / (K4 * 4 * OCB);
    if (chunk > 64) chunk = 64;
    int8_t packed[DOT4_PACK];
    int32_t sums[64 * OCB];
    for (int32_t c0 = 0; c0 < OC; c0 += chunk * OCB) {
        int32_t blocks = 0;
        for (int32_t oc0 = c0; oc0 < OC && blocks < chunk; oc0 += OCB, ++blocks)
            edgec_x86_pack_dot4(weights, OC, K, oc0, packed + (size_t)blocks * K4 * 4 * OCB, sums + blocks * OCB);
        dot4_blocks(q, packed, sums, c0, blocks, o);
    }
}

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    const size_t out_size = (size_t)p->out_h * p->out_w * p->out_c;
    const int onnx = p->quant == EDGEC_HYBRID_ONNX_U8;
    edgec_hybrid_out o = {p, w_scale, bias, output, 1.0f, 0};
    if (onnx) /* DynamicQuantizeLinear quantizes the whole tensor at once */
        o.in_scale = edgec_dynamic_quantize_s8_shifted(input, p->batch * in_size, p->in_c,
                                                       p->nchw ? p->in_h * p->in_w : 0, qinput, &o.zp);
    for (int32_t n = 0; n < p->batch; ++n) {
        const int8_t *qbatch = qinput;
        if (onnx) {
            qbatch = qinput + (size_t)n * in_size;
            o.output = output + (size_t)n * out_size;
        } else {
            edgec_hybrid_quantize_batch(input, output, qinput, n, &o);
        }
        if (!onnx && !p->nchw && p->groups == 1 && !w_zero_point
            && p->k_h * p->k_w * p->in_c <= EDGEC_CONV2D_HYBRID_DOT4_MAX_K)
            conv_dot4(qbatch, weights, &o);
        else if (p->k_h * p->k_w * (p->in_c / p->groups) <= PACK_K)
            conv_packed(qbatch, weights, w_zero_point, &o);
        else /* long windows: the reference's loops (o.output is batch n's, so as batch 0's) */
            edgec_conv2d_hybrid_ref_batch(qbatch, o.zp, o.in_scale, 0, weights, w_scale, w_zero_point, bias, o.output,
                                          p, 0);
    }
}

void edgec_conv2d_hybrid_dot4(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                              const int32_t *EDGEC_RESTRICT w_sum, const float *EDGEC_RESTRICT w_scale,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                              int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    edgec_hybrid_out o = {p, w_scale, bias, output, 1.0f, 0};
    for (int32_t n = 0; n < p->batch; ++n) {
        edgec_hybrid_quantize_batch(input, output, qinput, n, &o);
        dot4_blocks(qinput, packed, w_sum, 0, (p->out_c + OCB - 1) / OCB, &o);
    }
}
