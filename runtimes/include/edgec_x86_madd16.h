/* edgec runtime, host kernel set (runtimes/x86/): the integer core of the int8 and hybrid convolutions, as 16-bit
 * multiply-add pairs (pmaddwd: two products summed into one 32-bit lane) on GNU C vectors.
 *
 * The weights of 16 output channels (minus their zero point) are packed as int16 pairs [K / 2][16][2], zeros
 * past the channels and past K; a pixel's window (im2col) is copied as int16 (input + offset), 0 for taps outside
 * the input, so a padded tap adds exactly 0 (TFLite skips it, LiteRT's hybrid kernels and ONNX pad with the zero
 * point: 0 after the offset). Then one pair of a pixel's values, broadcast as one 32-bit lane, meets a weight
 * vector of 16 channels' pairs: 4 pixels x 16 channels per tile, no reduction across lanes. Values stay within
 * [-255, 255], so a pair's sum never overflows a lane. */
#ifndef EDGEC_X86_MADD16_H
#define EDGEC_X86_MADD16_H

#include "edgec_common.h"

typedef int32_t edgec_x86_v8i __attribute__((vector_size(32)));
typedef int32_t edgec_x86_v8i_unaligned __attribute__((vector_size(32), aligned(4)));

/* acc (8 lanes) += a[2i] * b[2i] + a[2i + 1] * b[2i + 1] (a, b: 16 x int16 viewed as 8 x int32): one vpdpwssd
 * where the build enables AVX-VNNI, pmaddwd and an add where it enables AVX2, else the same sums by shifts
 * (sign-extending each 16-bit half of a lane). Macros: a 256-bit vector by value changes the ABI where AVX is
 * off. */
#if defined(__AVXVNNI__) || defined(__AVX2__)
#include <immintrin.h>
#endif
#if defined(__AVXVNNI__)
#define EDGEC_X86_MADD16_ACC(acc, a, b) \
    ((acc) = (edgec_x86_v8i)_mm256_dpwssd_avx_epi32((__m256i)(acc), (__m256i)(a), (__m256i)(b)))
#elif defined(__AVX2__)
#define EDGEC_X86_MADD16_ACC(acc, a, b) ((acc) += (edgec_x86_v8i)_mm256_madd_epi16((__m256i)(a), (__m256i)(b)))
#else
#define EDGEC_X86_MADD16_ACC(acc, a, b) \
    ((acc) += (((a) << 16) >> 16) * (((b) << 16) >> 16) + ((a) >> 16) * ((b) >> 16))
#endif

#define EDGEC_X86_OCB 16          /* output channels per packed block */
#define EDGEC_X86_TILE 4          /* pixels per tile */
#define EDGEC_X86_PACK_ELEMS 32768 /* int16 of packed weights a kernel keeps on its stack (64 KiB) */
#define EDGEC_X86_PACK_K (EDGEC_X86_PACK_ELEMS / EDGEC_X86_OCB) /* longest window taking the packed path */

/* The window geometry of one convolution (NHWC input, one batch). */
typedef struct {
    int32_t in_h, in_w, in_c, k_h, k_w, stride_h, stride_w, pad_top, pad_left, dil_h, dil_w;
} edgec_x86_window;

/* Channels [oc0, oc0 + 16) (those below oc_end) of OHWI weights with K values per channel, minus w_zero_point[oc]
 * (NULL: 0), into packed pairs; K rounded up to even. */
static inline void edgec_x86_pack16(const int8_t *weights, const int32_t *w_zero_point, int32_t oc0, int32_t oc_end,
                                    int32_t K, int16_t *packed) {
    const int32_t pairs = (K + 1) / 2;
    for (int32_t j = 0; j < EDGEC_X86_OCB; ++j) {
        const int32_t oc = oc0 + j;
        int16_t *dst = packed + 2 * j;
        if (oc >= oc_end) {
            for (int32_t t = 0; t < pairs; ++t) dst[(size_t)t * 2 * EDGEC_X86_OCB] = dst[(size_t)t * 2 * EDGEC_X86_OCB + 1] = 0;
            continue;
        }
        const int32_t wz = w_zero_point ? w_zero_point[oc] : 0;
        const int8_t *w = weights + (size_t)oc * K;
        for (int32_t t = 0; t < K / 2; ++t) {
            dst[(size_t)t * 2 * EDGEC_X86_OCB] = (int16_t)(w[2 * t] - wz);
            dst[(size_t)t * 2 * EDGEC_X86_OCB + 1] = (int16_t)(w[2 * t + 1] - wz);
        }
        if (K & 1) {
            dst[(size_t)(K / 2) * 2 * EDGEC_X86_OCB] = (int16_t)(w[K - 1] - wz);
            dst[(size_t)(K / 2) * 2 * EDGEC_X86_OCB + 1] = 0;
        }
    }
}

/* Pixel (oy, ox)'s window over input channels [ic0, ic0 + cin_g) as int16 q + offset, 0 outside the input; Kp
 * values (the last one 0 when K is odd). With cin_g == in_c and no horizontal dilation, a kernel row's taps
 * inside the input are one contiguous run. */
static inline void edgec_x86_im2col16(const int8_t *q, const edgec_x86_window *g, int32_t oy, int32_t ox,
                                      int32_t ic0, int32_t cin_g, int32_t offset, int32_t Kp, int16_t *x) {
    const int32_t y0 = oy * g->stride_h - g->pad_top, x0 = ox * g->stride_w - g->pad_left;
    const int32_t row_len = g->k_w * cin_g;
    int16_t *dst = x;
    for (int32_t ky = 0; ky < g->k_h; ++ky, dst += row_len) {
        const int32_t iy = y0 + ky * g->dil_h;
        if (iy < 0 || iy >= g->in_h) {
            for (int32_t k = 0; k < row_len; ++k) dst[k] = 0;
            continue;
        }
        const int8_t *src_row = q + (size_t)iy * g->in_w * g->in_c + ic0;
        if (cin_g == g->in_c && g->dil_w == 1) {
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = g->in_w - x0 < g->k_w ? g->in_w - x0 : g->k_w;
            const int32_t lo = kx0 * cin_g, hi = kx1 > kx0 ? kx1 * cin_g : lo;
            const int8_t *src = src_row + (ptrdiff_t)x0 * cin_g;
            for (int32_t k = 0; k < lo; ++k) dst[k] = 0;
            for (int32_t k = lo; k < hi; ++k) dst[k] = (int16_t)(src[k] + offset);
            for (int32_t k = hi; k < row_len; ++k) dst[k] = 0;
            continue;
        }
        for (int32_t kx = 0; kx < g->k_w; ++kx) {
            const int32_t ix = x0 + kx * g->dil_w;
            int16_t *d = dst + kx * cin_g;
            if (ix < 0 || ix >= g->in_w) {
                for (int32_t c = 0; c < cin_g; ++c) d[c] = 0;
                continue;
            }
            const int8_t *src = src_row + (size_t)ix * g->in_c;
            for (int32_t c = 0; c < cin_g; ++c) d[c] = (int16_t)(src[c] + offset);
        }
    }
    if (dst - x < Kp) *dst = 0;
}

/* Four pixels' windows (xs, rows of EDGEC_X86_PACK_K) against one packed block: acc[pixel][channel]. */
static inline void edgec_x86_tile16(const int16_t (*xs)[EDGEC_X86_PACK_K], const int16_t *packed, int32_t Kp,
                                    int32_t acc[EDGEC_X86_TILE][EDGEC_X86_OCB]) {
    typedef edgec_x86_v8i v8i;
    v8i a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    const int16_t *w = packed;
    for (int32_t k = 0; k < Kp; k += 2, w += 2 * EDGEC_X86_OCB) {
        const v8i k0 = *(const edgec_x86_v8i_unaligned *)(const void *)w;
        const v8i k1 = *(const edgec_x86_v8i_unaligned *)(const void *)(w + 16);
        int32_t pair[EDGEC_X86_TILE];
        for (int32_t i = 0; i < EDGEC_X86_TILE; ++i) __builtin_memcpy(&pair[i], &xs[i][k], sizeof pair[i]);
        const v8i x0 = (v8i){0} + pair[0], x1 = (v8i){0} + pair[1], x2 = (v8i){0} + pair[2], x3 = (v8i){0} + pair[3];
        EDGEC_X86_MADD16_ACC(a00, x0, k0); EDGEC_X86_MADD16_ACC(a01, x0, k1);
        EDGEC_X86_MADD16_ACC(a10, x1, k0); EDGEC_X86_MADD16_ACC(a11, x1, k1);
        EDGEC_X86_MADD16_ACC(a20, x2, k0); EDGEC_X86_MADD16_ACC(a21, x2, k1);
        EDGEC_X86_MADD16_ACC(a30, x3, k0); EDGEC_X86_MADD16_ACC(a31, x3, k1);
    }
    __builtin_memcpy(acc[0], &a00, sizeof a00); __builtin_memcpy(acc[0] + 8, &a01, sizeof a01);
    __builtin_memcpy(acc[1], &a10, sizeof a10); __builtin_memcpy(acc[1] + 8, &a11, sizeof a11);
    __builtin_memcpy(acc[2], &a20, sizeof a20); __builtin_memcpy(acc[2] + 8, &a21, sizeof a21);
    __builtin_memcpy(acc[3], &a30, sizeof a30); __builtin_memcpy(acc[3] + 8, &a31, sizeof a31);
}

#endif /* EDGEC_X86_MADD16_H */
