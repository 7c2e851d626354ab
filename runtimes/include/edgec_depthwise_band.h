/* Row bands of an in-place depthwise convolution (edgec_depthwise_inplace_s8 / _f32).
 *
 * NHWC rows are contiguous, so output rows [o0, o0 + rows) of a depthwise convolution need only a contiguous window
 * of input rows, and any depthwise kernel computes them unchanged when called on that window with in_h, out_h and
 * pad_top adjusted (bottom padding is implicit in every kernel: rows at or past in_h are padding).
 *
 * The in-place schedule: band k is computed into scratch slot k % 2, then band k - 1 is copied from the other slot
 * to its final place over the input (output row y at y * out_w * out_c elements of the same buffer). The compiler
 * checks, per layer, that no later band reads input bytes a copy overwrites (compiler/edgec/memory/
 * inplace_depthwise.py mirrors edgec_dw_band exactly) and picks band_rows so that it holds. */
#ifndef EDGEC_DEPTHWISE_BAND_H
#define EDGEC_DEPTHWISE_BAND_H

#include "edgec_common.h"

typedef struct {
    int32_t in_row0;  /* first input row the band reads */
    int32_t in_rows;  /* input rows it reads (the kernel's in_h) */
    int32_t out_rows; /* output rows it writes (the kernel's out_h) */
    int32_t pad_top;  /* rows of true padding above in_row0 (the kernel's pad_top) */
} edgec_dw_band;

/* The band of output rows [o0, min(o0 + band_rows, out_h)). */
EDGEC_INLINE edgec_dw_band edgec_dw_band_of(int32_t o0, int32_t band_rows, int32_t out_h, int32_t in_h,
                                            int32_t stride, int32_t pad_top, int32_t k_h, int32_t dil) {
    edgec_dw_band b;
    const int32_t o1 = o0 + band_rows < out_h ? o0 + band_rows : out_h;
    const int32_t top = o0 * stride - pad_top;                  /* first tap row, maybe in the padding */
    const int32_t end = (o1 - 1) * stride - pad_top + (k_h - 1) * dil + 1; /* one past the last tap row */
    b.in_row0 = top > 0 ? top : 0;
    b.in_rows = (end < in_h ? end : in_h) - b.in_row0;
    b.out_rows = o1 - o0;
    b.pad_top = b.in_row0 - top;
    return b;
}

/* Bytes of one scratch slot: band_rows output rows, rounded up to 16 so that slot 1 is as aligned as slot 0. */
EDGEC_INLINE size_t edgec_dw_slot_bytes(int32_t band_rows, int32_t out_w, int32_t out_c, size_t elem) {
    return ((size_t)band_rows * (size_t)out_w * (size_t)out_c * elem + 15u) & ~(size_t)15u;
}

EDGEC_INLINE void edgec_dw_copy(void *dst, const void *src, size_t n) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_memcpy(dst, src, n);
#else
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) *d++ = *s++;
#endif
}

#endif /* EDGEC_DEPTHWISE_BAND_H */
