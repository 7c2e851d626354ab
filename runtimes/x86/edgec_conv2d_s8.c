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

/* Sixteen accumulators that a tile stored as two 8-lane halves, read back as two halves (one 64-byte load of two
 * 32-byte stores would wait for them to retire: no store forwarding). */
static inline __attribute__((always_inline)) void load_acc16(edgec_v16i *a, const int32_t *lo, const int32_t *hi) {
#if defined(__AVX512F__)
    *a = (edgec_v16i)_mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(const void *)lo)),
                                        _mm256_loadu_si256((const __m256i *)(const void *)hi), 1);
#else
    __builtin_memcpy(a, lo, 8 * sizeof(int32_t));
    __builtin_memcpy((int32_t *)a + 8, hi, 8 * sizeof(int32_t));
#endif
}

/* The requantisation of one block of channels: sixteen lanes at once with the constants and the bias prepared once
 * (edgec_rq16) where it can, edgec_rqf8_apply in float mode, else per channel. */
typedef struct {
    edgec_rq16 rq;
    edgec_rqf16 rqf;
    edgec_v16i bias;
    int vector;       /* fixed point, sixteen lanes (edgec_rq16) */
    int vector_float; /* float, a whole block of sixteen (edgec_rqf16) */
} block_rq;

static void prepare_block(block_rq *r, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                          int32_t oc0, int32_t nb, const edgec_conv2d_s8_params *p) {
    for (int32_t j = 0; j < OCB; ++j) r->bias[j] = bias && j < nb ? bias[oc0 + j] : 0;
    r->vector = edgec_rq8_usable(multiplier + oc0, p->requant, nb);
    if (r->vector)
        edgec_rq16_prepare(&r->rq, multiplier + oc0, shift + oc0, nb, p->output_offset, p->act_min, p->act_max);
    r->vector_float = p->requant == EDGEC_REQUANT_FLOAT && nb == OCB;
    if (r->vector_float) edgec_rqf16_prepare(&r->rqf, multiplier + oc0, p->output_offset, p->act_min, p->act_max);
}

static inline __attribute__((always_inline)) void store_block(int8_t *out, const int32_t *acc, int32_t oc0,
                                                              int32_t nb, const int32_t *multiplier,
                                                              const int32_t *shift, const edgec_conv2d_s8_params *p,
                                                              const block_rq *brq) {
    if (brq->vector) {
        edgec_v16i a;
        load_acc16(&a, acc, acc + 8);
        a += brq->bias;
        edgec_rq16_apply(&brq->rq, &a, out + oc0, nb);
        return;
    }
    if (brq->vector_float) {
        edgec_v16i a;
        load_acc16(&a, acc, acc + 8);
        a += brq->bias;
        edgec_rqf16_apply(&brq->rqf, &a, out + oc0);
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
#define SHORT_ROW 64 /* window rows (k_w * in_c bytes) up to this long take window_short_rows */

typedef int8_t v16b __attribute__((vector_size(16)));
typedef int8_t v16b_unaligned __attribute__((vector_size(16), aligned(1)));

/* edgec_x86_window_u8 for a window whose rows (k_w * C <= SHORT_ROW bytes, dil_w 1) lie inside the input's width:
 * each row as 16-byte loads flipped to x ^ 0x80 and stores, the next row's stores overwriting the excess (dst has 16
 * bytes of slack; past K the bytes meet zero weights). A row whose loads would read past the input's end, and
 * windows crossing the left or right border, take the byte loops. The small-channel layers (first layers on 1 to 4
 * input channels, 3x3 on 16) spend most of their time copying otherwise. */
static inline void window_short_rows(const int8_t *q, const int8_t *q_end, const edgec_x86_window *p, int32_t oy,
                                     int32_t ox, uint8_t pad, int32_t K4, uint8_t *dst) {
    const int32_t C = p->in_c, row_len = p->k_w * C, row_16 = (row_len + 15) & ~15;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    if (x0 < 0 || x0 + p->k_w > p->in_w) {
        edgec_x86_window_u8(q, p, oy, ox, pad, K4, dst);
        return;
    }
    const v16b flip = (v16b){0} + INT8_MIN, pads = (v16b){0} + (int8_t)pad;
    uint8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky, d += row_len) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t k = 0; k < row_len; k += 16) *(v16b_unaligned *)(void *)(d + k) = pads;
            continue;
        }
        const int8_t *src = q + ((size_t)iy * p->in_w + x0) * C;
        if (q_end - src < row_16) {
            for (int32_t k = 0; k < row_len; ++k) d[k] = (uint8_t)(src[k] ^ 0x80);
            continue;
        }
        for (int32_t k = 0; k < row_len; k += 16)
            *(v16b_unaligned *)(void *)(d + k) = *(const v16b_unaligned *)(const void *)(src + k) ^ flip;
    }
    for (int32_t k = (int32_t)(d - dst); k < K4 * 4; ++k) dst[k] = pad;
}

/* Channels [0, 8) of two pixels' accumulators (the whole output row of each when OC is 8) requantised as one
 * vector of sixteen: brq16 holds the block's constants twice. */
static inline void store_pair8(int8_t *out, const int32_t *acc0, const int32_t *acc1, const block_rq *brq16) {
    edgec_v16i a;
    load_acc16(&a, acc0, acc1);
    a += brq16->bias;
    if (brq16->vector) edgec_rq16_apply(&brq16->rq, &a, out, 16);
    else edgec_rqf16_apply(&brq16->rqf, &a, out);
}

/* The byte dot products of TP pixels' windows against one block of 16 channels: acc[pixel][channel]. With AVX-512
 * VNNI, 8 pixels x 16 channels as one 64-byte vector of weights per 4 window bytes (vpdpbusd on zmm: a quarter of
 * the instructions of two 4-pixel ymm tiles), one pixel alone by tile1; else edgec_x86_dot4_tile on each half
 * that holds pixels. */
#if defined(__AVX512VNNI__) && defined(__AVX512F__)
#define TP 8
static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void tile8(const uint8_t *const rows[TP], const uint32_t flip,
                                                        const int8_t *w, int32_t K4, int32_t acc[TP][OCB]) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const uint8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
    const uint8_t *r4 = rows[4], *r5 = rows[5], *r6 = rows[6], *r7 = rows[7];
#define EDGEC_TILE8_X(r) _mm512_set1_epi32((int32_t)(load_u32((r) + 4 * k) ^ flip))
    for (int32_t k = 0; k < K4; ++k, w += 4 * OCB) {
        const __m512i wk = _mm512_loadu_si512((const void *)w);
        a0 = _mm512_dpbusd_epi32(a0, EDGEC_TILE8_X(r0), wk);
        a1 = _mm512_dpbusd_epi32(a1, EDGEC_TILE8_X(r1), wk);
        a2 = _mm512_dpbusd_epi32(a2, EDGEC_TILE8_X(r2), wk);
        a3 = _mm512_dpbusd_epi32(a3, EDGEC_TILE8_X(r3), wk);
        a4 = _mm512_dpbusd_epi32(a4, EDGEC_TILE8_X(r4), wk);
        a5 = _mm512_dpbusd_epi32(a5, EDGEC_TILE8_X(r5), wk);
        a6 = _mm512_dpbusd_epi32(a6, EDGEC_TILE8_X(r6), wk);
        a7 = _mm512_dpbusd_epi32(a7, EDGEC_TILE8_X(r7), wk);
    }
#undef EDGEC_TILE8_X
    _mm512_storeu_si512((void *)acc[0], a0); _mm512_storeu_si512((void *)acc[1], a1);
    _mm512_storeu_si512((void *)acc[2], a2); _mm512_storeu_si512((void *)acc[3], a3);
    _mm512_storeu_si512((void *)acc[4], a4); _mm512_storeu_si512((void *)acc[5], a5);
    _mm512_storeu_si512((void *)acc[6], a6); _mm512_storeu_si512((void *)acc[7], a7);
}

/* One pixel (a layer on a 1x1 map: a classifier): four accumulators over alternate words of the window, not eight
 * pixels of which seven are copies. */
static inline void tile1(const uint8_t *r, uint32_t flip, const int8_t *w, int32_t K4, int32_t acc[OCB]) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
#define EDGEC_TILE1_X(k) _mm512_set1_epi32((int32_t)(load_u32(r + 4 * (k)) ^ flip))
#define EDGEC_TILE1_W(k) _mm512_loadu_si512((const void *)(w + (size_t)(k) * 4 * OCB))
    int32_t k = 0;
    for (; k + 4 <= K4; k += 4) {
        a0 = _mm512_dpbusd_epi32(a0, EDGEC_TILE1_X(k), EDGEC_TILE1_W(k));
        a1 = _mm512_dpbusd_epi32(a1, EDGEC_TILE1_X(k + 1), EDGEC_TILE1_W(k + 1));
        a2 = _mm512_dpbusd_epi32(a2, EDGEC_TILE1_X(k + 2), EDGEC_TILE1_W(k + 2));
        a3 = _mm512_dpbusd_epi32(a3, EDGEC_TILE1_X(k + 3), EDGEC_TILE1_W(k + 3));
    }
    for (; k < K4; ++k) a0 = _mm512_dpbusd_epi32(a0, EDGEC_TILE1_X(k), EDGEC_TILE1_W(k));
#undef EDGEC_TILE1_X
#undef EDGEC_TILE1_W
    /* wrapping adds: the same bits as one int32 sum in any order */
    _mm512_storeu_si512((void *)acc, _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)));
}

/* Pixels [0, n) of the tile (the others copies of pixel 0). */
static inline __attribute__((always_inline)) void dot4_tile(const uint8_t *const rows[TP], int32_t n, uint32_t flip,
                                                            const int8_t *w, int32_t K4, int32_t acc[TP][OCB]) {
    if (n == 1) tile1(rows[0], flip, w, K4, acc[0]);
    else if (flip) tile8(rows, 0x80808080u, w, K4, acc); /* a constant: the flip folds into the loads */
    else tile8(rows, 0u, w, K4, acc);
}
#else
#define TP (2 * DOT4_TILE)
static inline void dot4_tile(const uint8_t *const rows[TP], int32_t n, uint32_t flip, const int8_t *w, int32_t K4,
                             int32_t acc[TP][OCB]) {
    edgec_x86_dot4_tile(rows, flip, w, K4, acc);
    if (n > DOT4_TILE) edgec_x86_dot4_tile(rows + DOT4_TILE, flip, w, K4, acc + DOT4_TILE);
}
#endif

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
    const int short_rows = !pointwise && p->dil_w == 1 && p->k_w * p->in_c <= SHORT_ROW;
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
        pairs = pair.vector || pair.vector_float;
    }
    uint8_t xs[TP][DOT4_MAX_K + 16];
    int32_t acc[TP][OCB];
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
            int32_t ty = 0, tx = 0; /* pixel px's coordinates */
            for (int32_t px = 0; px < pixels; px += TP) {
                const int32_t n = pixels - px < TP ? pixels - px : TP;
                const uint8_t *rows[TP];
                /* the pixels' coordinates counted along (a division per pixel weighs on the small windows) */
                for (int32_t i = 0, oy = ty, ox = tx; i < TP; ++i) {
                    if (i >= n) {
                        rows[i] = rows[0];
                        continue;
                    }
                    if (pointwise) {
                        rows[i] = (const uint8_t *)(q + (size_t)(px + i) * p->in_c);
                    } else {
                        if (short_rows) window_short_rows(q, q_end, &win, oy, ox, pad, K4, xs[i]);
                        else edgec_x86_window_u8(q, &win, oy, ox, pad, K4, xs[i]);
                        rows[i] = xs[i];
                    }
                    if (++ox == p->out_w) {
                        ox = 0;
                        ++oy;
                    }
                }
                for (tx += TP; tx >= p->out_w && ty < p->out_h; tx -= p->out_w) ++ty;
                for (int32_t bl = 0; bl < blocks; ++bl) {
                    const int32_t oc0 = c0 + bl * OCB, nb = OC - oc0 < OCB ? OC - oc0 : OCB;
                    dot4_tile(rows, n, flip, packed + (size_t)oc0 * K4 * 4, K4, acc);
                    int32_t i = 0;
                    if (pairs)
                        for (; i + 2 <= n; i += 2)
                            store_pair8(out_b + (size_t)(px + i) * OC, acc[i], acc[i + 1], &pair);
                    for (; i < n; ++i)
                        store_block(out_b + (size_t)(px + i) * OC, acc[i], oc0, nb, multiplier, shift, p, &brq[bl]);
                }
            }
        }
    }
}
