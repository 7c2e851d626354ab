/* edgec runtime, host kernel set (runtimes/x86/): the byte dot-product core of the int8 and hybrid convolutions.
 * Four bytes of a pixel's window meet four weights of each of 16 channels in one 32-bit lane (vpdpbusd: unsigned
 * x signed bytes, summed exactly into int32). The window is copied as unsigned bytes x + 128 (x ^ 0x80), a tap
 * outside the input as 128 - input_offset, so (byte + input_offset - 128) is the reference's x + input_offset,
 * and 0 outside the input: the caller adds (input_offset - 128) * sum(w) to each channel's bias (the compiler for
 * edgec_conv2d_s8_dot4, ops/quantized_s8.py pack_conv_s8_dot4; the hybrid conv at run time), so the accumulator
 * equals the reference's exactly. Weights: blocks of 16 output channels, each [K4][16][4] bytes. Without AVX-VNNI
 * the same sums by pmaddwd on the even and odd bytes widened to int16 (exact: no saturating step). */
#ifndef EDGEC_X86_DOT4_H
#define EDGEC_X86_DOT4_H

#include "edgec_x86_madd16.h"

typedef int16_t edgec_x86_v16h __attribute__((vector_size(32)));
typedef uint16_t edgec_x86_v16uh __attribute__((vector_size(32)));
#if defined(__AVXVNNI__)
#define EDGEC_X86_DOT4_ACC(acc, a, b) \
    ((acc) = (edgec_x86_v8i)_mm256_dpbusd_avx_epi32((__m256i)(acc), (__m256i)(a), (__m256i)(b)))
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define EDGEC_X86_DOT4_ACC(acc, a, b) \
    ((acc) = (edgec_x86_v8i)_mm256_dpbusd_epi32((__m256i)(acc), (__m256i)(a), (__m256i)(b)))
#else
#define EDGEC_X86_DOT4_ACC(acc, a, b)                                                                   \
    do {                                                                                                \
        const edgec_x86_v16h a_ = (edgec_x86_v16h)(a), b_ = (edgec_x86_v16h)(b);                        \
        const edgec_x86_v16h ae_ = a_ & 0xff, ao_ = (edgec_x86_v16h)((edgec_x86_v16uh)a_ >> 8);         \
        const edgec_x86_v16h be_ = (edgec_x86_v16h)(b_ << 8) >> 8, bo_ = b_ >> 8;                       \
        EDGEC_X86_MADD16_ACC(acc, (edgec_x86_v8i)ae_, (edgec_x86_v8i)be_);                              \
        EDGEC_X86_MADD16_ACC(acc, (edgec_x86_v8i)ao_, (edgec_x86_v8i)bo_);                              \
    } while (0)
#endif

#define EDGEC_X86_DOT4_TILE 4 /* pixels per tile */

/* Pixel (oy, ox)'s window as bytes x ^ 0x80 (pad outside the input), K4 * 4 of them (the tail: pad). */
static inline void edgec_x86_window_u8(const int8_t *q, const edgec_x86_window *p, int32_t oy, int32_t ox,
                                       uint8_t pad, int32_t K4, uint8_t *dst) {
    const int32_t C = p->in_c, row_len = p->k_w * C;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    uint8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky, d += row_len) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t k = 0; k < row_len; ++k) d[k] = pad;
            continue;
        }
        const int8_t *src_row = q + (size_t)iy * p->in_w * C;
        if (p->dil_w == 1) { /* the row's taps inside the input are one contiguous run */
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->in_w - x0 < p->k_w ? p->in_w - x0 : p->k_w;
            const int32_t lo = kx0 * C, hi = kx1 > kx0 ? kx1 * C : lo;
            const int8_t *src = src_row + (ptrdiff_t)x0 * C;
            for (int32_t k = 0; k < lo; ++k) d[k] = pad;
            for (int32_t k = lo; k < hi; ++k) d[k] = (uint8_t)(src[k] ^ 0x80);
            for (int32_t k = hi; k < row_len; ++k) d[k] = pad;
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            uint8_t *dk = d + kx * C;
            if (ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < C; ++c) dk[c] = pad;
                continue;
            }
            const int8_t *src = src_row + (size_t)ix * C;
            for (int32_t c = 0; c < C; ++c) dk[c] = (uint8_t)(src[c] ^ 0x80);
        }
    }
    for (int32_t k = (int32_t)(d - dst); k < K4 * 4; ++k) dst[k] = pad;
}

/* Four pixels' windows (rows[i]: bytes x ^ 0x80 when flip is 0; raw int8 when flip is 0x80808080, flipped
 * here) against one block of 16 channels ([K4][16][4] bytes): acc[pixel][channel]. */
static inline void edgec_x86_dot4_tile(const uint8_t *const rows[EDGEC_X86_DOT4_TILE], uint32_t flip,
                                       const int8_t *w, int32_t K4, int32_t acc[EDGEC_X86_DOT4_TILE][EDGEC_X86_OCB]) {
    typedef edgec_x86_v8i v8i;
    v8i a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    for (int32_t k = 0; k < K4; ++k, w += 4 * EDGEC_X86_OCB) {
        const v8i k0 = *(const edgec_x86_v8i_unaligned *)(const void *)w;
        const v8i k1 = *(const edgec_x86_v8i_unaligned *)(const void *)(w + 32);
        int32_t quad[EDGEC_X86_DOT4_TILE];
        for (int32_t i = 0; i < EDGEC_X86_DOT4_TILE; ++i) {
            __builtin_memcpy(&quad[i], rows[i] + 4 * k, sizeof quad[i]);
            quad[i] ^= (int32_t)flip;
        }
        const v8i x0 = (v8i){0} + quad[0], x1 = (v8i){0} + quad[1];
        const v8i x2 = (v8i){0} + quad[2], x3 = (v8i){0} + quad[3];
        EDGEC_X86_DOT4_ACC(a00, x0, k0); EDGEC_X86_DOT4_ACC(a01, x0, k1);
        EDGEC_X86_DOT4_ACC(a10, x1, k0); EDGEC_X86_DOT4_ACC(a11, x1, k1);
        EDGEC_X86_DOT4_ACC(a20, x2, k0); EDGEC_X86_DOT4_ACC(a21, x2, k1);
        EDGEC_X86_DOT4_ACC(a30, x3, k0); EDGEC_X86_DOT4_ACC(a31, x3, k1);
    }
    __builtin_memcpy(acc[0], &a00, sizeof a00); __builtin_memcpy(acc[0] + 8, &a01, sizeof a01);
    __builtin_memcpy(acc[1], &a10, sizeof a10); __builtin_memcpy(acc[1] + 8, &a11, sizeof a11);
    __builtin_memcpy(acc[2], &a20, sizeof a20); __builtin_memcpy(acc[2] + 8, &a21, sizeof a21);
    __builtin_memcpy(acc[3], &a30, sizeof a30); __builtin_memcpy(acc[3] + 8, &a31, sizeof a31);
}

/* Block oc0 (channels [oc0, oc0 + 16), those below OC) of OHWI weights with K values per channel in the byte-dot
 * layout, [K4][16][4] (zeros past K and OC), and sum[j] = the sum of channel oc0 + j's weights (0 past OC). */
static inline void edgec_x86_pack_dot4(const int8_t *weights, int32_t OC, int32_t K, int32_t oc0, int8_t *dst,
                                       int32_t *sum) {
    const int32_t K4 = (K + 3) / 4;
    for (int32_t j = 0; j < EDGEC_X86_OCB; ++j) {
        const int32_t oc = oc0 + j;
        const int8_t *w = oc < OC ? weights + (size_t)oc * K : weights;
        int32_t total = 0;
        for (int32_t k = 0; k < K4 * 4; ++k) {
            const int8_t v = oc < OC && k < K ? w[k] : 0;
            dst[((size_t)(k >> 2) * EDGEC_X86_OCB + j) * 4 + (k & 3)] = v;
            total += v;
        }
        sum[j] = total;
    }
}

#endif /* EDGEC_X86_DOT4_H */
