/* 2-D convolution, NHWC, for desktop / server hosts (x86-64 with SSE / AVX, also any 64-bit host): 8-float
 * vectors (GCC / clang vector extensions, lowered to whatever the -m flags allow: one AVX register, two SSE ones)
 * along the input channels, register-blocked 4 output pixels x 4 output channels, so each loaded input vector
 * feeds four channels and each weight vector four pixels. The weights stay OHWI (the channels of one tap are
 * contiguous), so a tile's sixteen accumulators are reduced across lanes once at the end. Channels left over
 * from the 8-wide loop and border pixels (taps outside the input) take scalar code.
 * Same signature as runtimes/reference/edgec_conv2d_nhwc_f32.c; equal up to float summation order. */
#include "edgec_conv2d_nhwc_f32_frame.h"
#include "edgec_x86_fma.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
/* An unaligned view of 8 floats (vector types alias their element type); macros rather than functions: a
 * 256-bit vector passed by value would change the ABI where AVX is off. */
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define HSUM8(v) ((((v)[0] + (v)[4]) + ((v)[1] + (v)[5])) + (((v)[2] + (v)[6]) + ((v)[3] + (v)[7])))

/* One output pixel, output channels from oc_begin, with bounds checks: borders and the pixel remainder. */
static void conv_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                       const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                       const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox, int32_t oc_begin) {
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
    for (int32_t oc = oc_begin; oc < p->out_c; ++oc) {
        const int32_t g = oc / cout_g;
        v8f vacc = {0};
        float acc = bias ? bias[oc] : 0.0f;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                const float *in_px = input + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c + (size_t)g * cin_g;
                const float *w = weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * cin_g;
                int32_t ic = 0;
                for (; ic + 8 <= cin_g; ic += 8) EDGEC_X86_MADD8(vacc, LOAD8(in_px + ic), LOAD8(w + ic));
                for (; ic < cin_g; ++ic) EDGEC_X86_MADDF(acc, in_px[ic], w[ic]);
            }
        }
        out_px[oc] = edgec_clampf(acc + HSUM8(vacc), p->act_min, p->act_max);
    }
}

/* Four output pixels whose taps are all inside the input (edgec_conv2d_f32_tile4_fn). */
static void conv_tile4(const float *in0, const float *in1, const float *in2, const float *in3, float *out0,
                       float *out1, float *out2, float *out3, const float *EDGEC_RESTRICT weights,
                       const float *EDGEC_RESTRICT bias, const edgec_conv2d_params *p) {
    float *const out[4] = {out0, out1, out2, out3};
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C, C8 = C & ~7;
    const size_t row = (size_t)p->in_w * C;
    const float lo = p->act_min, hi = p->act_max;
    int32_t oc = 0;
    for (; oc + 4 <= p->out_c; oc += 4) {
        const float *w0 = weights + (size_t)oc * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        v8f a00 = {0}, a01 = {0}, a02 = {0}, a03 = {0}, a10 = {0}, a11 = {0}, a12 = {0}, a13 = {0};
        v8f a20 = {0}, a21 = {0}, a22 = {0}, a23 = {0}, a30 = {0}, a31 = {0}, a32 = {0}, a33 = {0};
        float s[4][4] = {{0}};
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
                const float *x0 = in0 + off, *x1 = in1 + off, *x2 = in2 + off, *x3 = in3 + off;
                for (int32_t ic = 0; ic < C8; ic += 8) {
                    const v8f v0 = LOAD8(x0 + ic), v1 = LOAD8(x1 + ic), v2 = LOAD8(x2 + ic), v3 = LOAD8(x3 + ic);
                    const v8f k0 = LOAD8(w0 + ic), k1 = LOAD8(w1 + ic), k2 = LOAD8(w2 + ic), k3 = LOAD8(w3 + ic);
                    EDGEC_X86_MADD8(a00, v0, k0); EDGEC_X86_MADD8(a01, v0, k1); EDGEC_X86_MADD8(a02, v0, k2); EDGEC_X86_MADD8(a03, v0, k3);
                    EDGEC_X86_MADD8(a10, v1, k0); EDGEC_X86_MADD8(a11, v1, k1); EDGEC_X86_MADD8(a12, v1, k2); EDGEC_X86_MADD8(a13, v1, k3);
                    EDGEC_X86_MADD8(a20, v2, k0); EDGEC_X86_MADD8(a21, v2, k1); EDGEC_X86_MADD8(a22, v2, k2); EDGEC_X86_MADD8(a23, v2, k3);
                    EDGEC_X86_MADD8(a30, v3, k0); EDGEC_X86_MADD8(a31, v3, k1); EDGEC_X86_MADD8(a32, v3, k2); EDGEC_X86_MADD8(a33, v3, k3);
                }
                for (int32_t ic = C8; ic < C; ++ic) {
                    const float v[4] = {x0[ic], x1[ic], x2[ic], x3[ic]};
                    const float k[4] = {w0[ic], w1[ic], w2[ic], w3[ic]};
                    for (int i = 0; i < 4; ++i)
                        for (int j = 0; j < 4; ++j) EDGEC_X86_MADDF(s[i][j], v[i], k[j]);
                }
                w0 += C; w1 += C; w2 += C; w3 += C;
            }
        }
        const v8f a[4][4] = {{a00, a01, a02, a03}, {a10, a11, a12, a13}, {a20, a21, a22, a23}, {a30, a31, a32, a33}};
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j)
                out[i][oc + j] = edgec_clampf((bias ? bias[oc + j] : 0.0f) + s[i][j] + HSUM8(a[i][j]), lo, hi);
    }
    for (; oc < p->out_c; ++oc) { /* channel remainder: one channel, four pixels */
        const float *w = weights + (size_t)oc * K;
        v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        float s[4] = {0};
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)kx * p->dil_w * C;
                const float *x0 = in0 + off, *x1 = in1 + off, *x2 = in2 + off, *x3 = in3 + off;
                for (int32_t ic = 0; ic < C8; ic += 8) {
                    const v8f k = LOAD8(w + ic);
                    EDGEC_X86_MADD8(a0, LOAD8(x0 + ic), k); EDGEC_X86_MADD8(a1, LOAD8(x1 + ic), k);
                    EDGEC_X86_MADD8(a2, LOAD8(x2 + ic), k); EDGEC_X86_MADD8(a3, LOAD8(x3 + ic), k);
                }
                for (int32_t ic = C8; ic < C; ++ic) {
                    EDGEC_X86_MADDF(s[0], x0[ic], w[ic]); EDGEC_X86_MADDF(s[1], x1[ic], w[ic]);
                    EDGEC_X86_MADDF(s[2], x2[ic], w[ic]); EDGEC_X86_MADDF(s[3], x3[ic], w[ic]);
                }
                w += C;
            }
        }
        const float b = bias ? bias[oc] : 0.0f;
        out[0][oc] = edgec_clampf(b + s[0] + HSUM8(a0), lo, hi);
        out[1][oc] = edgec_clampf(b + s[1] + HSUM8(a1), lo, hi);
        out[2][oc] = edgec_clampf(b + s[2] + HSUM8(a2), lo, hi);
        out[3][oc] = edgec_clampf(b + s[3] + HSUM8(a3), lo, hi);
    }
}


/* Packed layers (weights packed at compile time, edgec_conv2d_nhwc_f32_packed, or K = k_h * k_w * in_c <= PACK_K:
 * packed here per call) run along the output channels: sixteen channels' weights tap-major [K][16] (zeros past
 * out_c), each input value broadcast against the weight vectors, no reduction across lanes. A tile is TP output
 * pixels x GROUP blocks of 16 channels over any pixels of the image, rows included: each pixel's tap is read
 * through a table of pointers (an indirection buffer, as XNNPACK's igemm), where a tap outside the input points
 * at zeros, which add exactly 0, so border pixels take the same loop. With AVX-512 a tile is 12 pixels x 32
 * channels in 24 zmm accumulators (two blocks read side by side: each weight vector feeds 12 pixels, so the
 * weights streamed from L2 cost half a load per 12 FMAs), else 6 pixels x 16 channels in 12 8-float vectors
 * (XNNPACK's 6x16 shape). */
#define PACK_K 1024 /* 64 KiB of packed weights on the stack: MobileNetV2's widest pointwise layers (960 inputs) */
#define OCB 16
#if defined(__AVX512F__)
#define TP 12
#define GROUP 2
#else
#define TP 6
#define GROUP 1
#endif
#define GW (GROUP * OCB) /* channels per tile */
#define TAPS (384 / TP) /* taps per pointer table (3 KiB; longer kernels take several) */
#define ZEROS 256  /* input channels per pass (the zero pixel's length) */
#define PIXEL_MAJOR_WEIGHTS 32768 /* packed weights (floats) up to which tiles of pixels run outermost (128 KiB) */

static const float zero_pixel[ZEROS];

static void pack_block(const float *EDGEC_RESTRICT weights, int32_t oc0, int32_t K, int32_t OC, float *packed) {
    for (int32_t j = 0; j < OCB; ++j) {
        const int32_t oc = oc0 + j;
        for (int32_t k = 0; k < K; ++k) packed[(size_t)k * OCB + j] = oc < OC ? weights[(size_t)oc * K + k] : 0.0f;
    }
}

/* A tile's n output channels: bias (NULL: zeros) from the first pass, and where the last one writes: pixel i <
 * valid at out + i * stride, clamped. */
typedef struct {
    float *out;
    size_t stride;
    int32_t n, valid;
    const float *bias;
    float lo, hi;
} tile_dest;

#if defined(__AVX512F__)
#include <immintrin.h>
typedef float v16f __attribute__((vector_size(64)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
#define LOAD16(ptr) (*(const v16f_unaligned *)(const void *)(ptr))

/* dst[j] = clamp(v[j]) for j < n (at most 16; a masked store past it). max(lo, v) then min(hi, v) in that operand
 * order are edgec_clampf lane by lane (v < lo ? lo : v, v > hi ? hi : v: NaN and -0 kept). */
static inline __attribute__((always_inline)) void finish16(v16f v, float *dst, int32_t n, v16f vlo, v16f vhi) {
    const __m512 c = _mm512_min_ps((__m512)vhi, _mm512_max_ps((__m512)vlo, (__m512)v));
    if (n >= OCB)
        _mm512_storeu_ps(dst, c);
    else
        _mm512_mask_storeu_ps(dst, (__mmask16)((1u << n) - 1u), c);
}

/* The bias of n channels (at most 16) from b as a vector, zeros past n or without a bias. */
static inline __attribute__((always_inline)) v16f bias16(const float *b, int32_t n) {
    if (!b) return (v16f){0};
    return (v16f)_mm512_maskz_loadu_ps(n >= OCB ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u), b);
}

/* acc[i][b * 16 + j] (+)= sum over segments t < nseg and values c < len of
 * x[t * TP + i][c] * w[b * block_stride + t * w_stride + c * 16 + j], for pixels i < MR and blocks b < NB (MR, NB
 * constants once inlined: 6, 8, 10 or 12 pixels, 1 or 2 blocks). The first pass starts from the bias, a later one from
 * acc; the last one writes dest, an earlier one acc. */
static inline __attribute__((always_inline)) void
tile_kernel_zmm(float acc[TP][GW], const float *const *x, int32_t nseg, int32_t len, const float *EDGEC_RESTRICT w,
                size_t w_stride, size_t block_stride, const tile_dest *dest, int first, int last, const int MR,
                const int NB) {
#define ZMM_DECL(i) v16f a##i##0 = b0, a##i##1 = b1;
#define ZMM_LOAD(i) if (i < MR) { __builtin_memcpy(&a##i##0, acc[i], 64); if (NB > 1) __builtin_memcpy(&a##i##1, acc[i] + 16, 64); }
#define ZMM_FMA(i) if (i < MR) { const float v = x##i[c]; EDGEC_X86_MADD16(a##i##0, v, k0); if (NB > 1) EDGEC_X86_MADD16(a##i##1, v, k1); }
#define ZMM_STORE(i) if (i < MR) { __builtin_memcpy(acc[i], &a##i##0, 64); if (NB > 1) __builtin_memcpy(acc[i] + 16, &a##i##1, 64); }
#define ZMM_FINISH(i) if (i < MR && i < dest->valid) { \
        float *o = dest->out + (size_t)i * dest->stride; \
        finish16(a##i##0, o, dest->n, vlo, vhi); \
        if (NB > 1) finish16(a##i##1, o + OCB, dest->n - OCB, vlo, vhi); }
#define ZMM_ROWS(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
    v16f b0 = {0}, b1 = {0};
    if (first) {
        b0 = bias16(dest->bias, dest->n);
        if (NB > 1) b1 = bias16(dest->bias ? dest->bias + OCB : NULL, dest->n - OCB);
    }
    ZMM_ROWS(ZMM_DECL)
    if (!first) { ZMM_ROWS(ZMM_LOAD) }
    for (int32_t t = 0; t < nseg; ++t, x += TP) {
        const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4], *x5 = x[5];
        const float *x6 = x[MR > 6 ? 6 : 0], *x7 = x[MR > 7 ? 7 : 0], *x8 = x[MR > 8 ? 8 : 0];
        const float *x9 = x[MR > 9 ? 9 : 0], *x10 = x[MR > 10 ? 10 : 0], *x11 = x[MR > 11 ? 11 : 0];
        const float *w0 = w + (size_t)t * w_stride, *w1 = NB > 1 ? w0 + block_stride : w0;
#pragma GCC unroll 2 /* two values a pass: 1-9 % faster than one or four (short rows included) */
        for (int32_t c = 0; c < len; ++c) {
            const v16f k0 = LOAD16(w0 + (size_t)c * OCB), k1 = NB > 1 ? LOAD16(w1 + (size_t)c * OCB) : k0;
            ZMM_ROWS(ZMM_FMA)
        }
    }
    if (last) {
        const v16f vlo = (v16f){0} + dest->lo, vhi = (v16f){0} + dest->hi;
        ZMM_ROWS(ZMM_FINISH)
        return;
    }
    ZMM_ROWS(ZMM_STORE)
#undef ZMM_FINISH
#undef ZMM_DECL
#undef ZMM_LOAD
#undef ZMM_FMA
#undef ZMM_STORE
#undef ZMM_ROWS
}
#endif

#if !defined(__AVX512F__)
/* out[j] (j < n) = clamp(bias + acc): a whole block as two vectors, edgec_clampf's selects lane by lane. */
static void store_block(float *out, int32_t n, const float *bias, int32_t oc0, const float *acc, float lo, float hi) {
    if (n == OCB) {
        const v8f vlo = (v8f){0} + lo, vhi = (v8f){0} + hi;
        for (int32_t h = 0; h < OCB; h += 8) {
            v8f b = {0}, v;
            if (bias) b = LOAD8(bias + oc0 + h);
            __builtin_memcpy(&v, acc + h, sizeof v);
            v = b + v;
            const v8i below = v < vlo, above = v > vhi;
            v = (v8f)(((v8i)v & ~below) | ((v8i)vlo & below));
            v = (v8f)(((v8i)v & ~above) | ((v8i)vhi & above));
            __builtin_memcpy(out + oc0 + h, &v, sizeof v);
        }
        return;
    }
    for (int32_t j = 0; j < n; ++j) out[oc0 + j] = edgec_clampf((bias ? bias[oc0 + j] : 0.0f) + acc[j], lo, hi);
}
#endif

/* acc[i][b * 16 + j] (+)= sum over segments t < nseg and values c < len of
 * x[t * TP + i][c] * w[b * block_stride + t * w_stride + c * 16 + j], for the tile's pixels i and blocks
 * b < nblocks (<= GROUP): a segment is one tap's channels, or a whole kernel row's taps where they are contiguous
 * in the input. Pixels past dest->valid may be computed (their table entries repeat a valid pixel's). The first
 * pass starts from the bias (zeros), a later one from acc; the last one writes dest, an earlier one acc. */
static void tile_kernel(float acc[TP][GW], const float *const *x, int32_t nseg, int32_t len,
                        const float *EDGEC_RESTRICT w, size_t w_stride, int32_t nblocks, size_t block_stride,
                        const tile_dest *dest, int first, int last) {
#if defined(__AVX512F__)
#define ZMM_KERNEL(MR, NB) tile_kernel_zmm(acc, x, nseg, len, w, w_stride, block_stride, dest, first, last, MR, NB)
#define ZMM_BY_PIXELS(NB) \
    if (dest->valid > 10) ZMM_KERNEL(12, NB); \
    else if (dest->valid > 8) ZMM_KERNEL(10, NB); \
    else if (dest->valid > 6) ZMM_KERNEL(8, NB); \
    else ZMM_KERNEL(6, NB);
    if (nblocks > 1) {
        ZMM_BY_PIXELS(2)
    } else {
        ZMM_BY_PIXELS(1)
    }
#undef ZMM_BY_PIXELS
#undef ZMM_KERNEL
#else
    (void)nblocks; (void)block_stride; /* one block of 16 channels, six pixels; the bias added at the end */
    v8f a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0};
    v8f a30 = {0}, a31 = {0}, a40 = {0}, a41 = {0}, a50 = {0}, a51 = {0};
    if (!first) {
        __builtin_memcpy(&a00, acc[0], 32); __builtin_memcpy(&a01, acc[0] + 8, 32);
        __builtin_memcpy(&a10, acc[1], 32); __builtin_memcpy(&a11, acc[1] + 8, 32);
        __builtin_memcpy(&a20, acc[2], 32); __builtin_memcpy(&a21, acc[2] + 8, 32);
        __builtin_memcpy(&a30, acc[3], 32); __builtin_memcpy(&a31, acc[3] + 8, 32);
        __builtin_memcpy(&a40, acc[4], 32); __builtin_memcpy(&a41, acc[4] + 8, 32);
        __builtin_memcpy(&a50, acc[5], 32); __builtin_memcpy(&a51, acc[5] + 8, 32);
    }
    for (int32_t t = 0; t < nseg; ++t, x += TP) {
        const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4], *x5 = x[5];
        const float *wt = w + (size_t)t * w_stride;
        for (int32_t c = 0; c < len; ++c, wt += OCB) {
            const v8f k0 = LOAD8(wt), k1 = LOAD8(wt + 8);
            const float v0 = x0[c], v1 = x1[c], v2 = x2[c], v3 = x3[c], v4 = x4[c], v5 = x5[c];
            EDGEC_X86_MADD8(a00, v0, k0); EDGEC_X86_MADD8(a01, v0, k1); EDGEC_X86_MADD8(a10, v1, k0);
            EDGEC_X86_MADD8(a11, v1, k1); EDGEC_X86_MADD8(a20, v2, k0); EDGEC_X86_MADD8(a21, v2, k1);
            EDGEC_X86_MADD8(a30, v3, k0); EDGEC_X86_MADD8(a31, v3, k1); EDGEC_X86_MADD8(a40, v4, k0);
            EDGEC_X86_MADD8(a41, v4, k1); EDGEC_X86_MADD8(a50, v5, k0); EDGEC_X86_MADD8(a51, v5, k1);
        }
    }
    __builtin_memcpy(acc[0], &a00, 32); __builtin_memcpy(acc[0] + 8, &a01, 32);
    __builtin_memcpy(acc[1], &a10, 32); __builtin_memcpy(acc[1] + 8, &a11, 32);
    __builtin_memcpy(acc[2], &a20, 32); __builtin_memcpy(acc[2] + 8, &a21, 32);
    __builtin_memcpy(acc[3], &a30, 32); __builtin_memcpy(acc[3] + 8, &a31, 32);
    __builtin_memcpy(acc[4], &a40, 32); __builtin_memcpy(acc[4] + 8, &a41, 32);
    __builtin_memcpy(acc[5], &a50, 32); __builtin_memcpy(acc[5] + 8, &a51, 32);
    for (int32_t i = 0; last && i < dest->valid; ++i)
        store_block(dest->out + (size_t)i * dest->stride, dest->n, dest->bias, 0, acc[i], dest->lo, dest->hi);
#endif
}

/* Table entries [t * TP + i] for taps t0 .. t0 + nt - 1 and the tile's pixels i: tap t of pixel i from channel c0,
 * or the zero pixel outside the input. A pixel whose window lies inside the input adds the taps' offsets to its
 * corner; only border pixels check tap by tap. */
static __attribute__((noinline)) void tap_table(const float **table, const float *in_n, const int32_t y0[TP], const int32_t x0[TP], int32_t t0,
                      int32_t nt, int32_t c0, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, span_h = (p->k_h - 1) * p->dil_h, span_w = (p->k_w - 1) * p->dil_w;
    int32_t dy[TAPS], dx[TAPS];
    size_t offset[TAPS];
    for (int32_t t = 0, ky = t0 / p->k_w, kx = t0 % p->k_w; t < nt; ++t) {
        dy[t] = ky * p->dil_h, dx[t] = kx * p->dil_w;
        offset[t] = ((size_t)dy[t] * p->in_w + (size_t)dx[t]) * C + (size_t)c0;
        if (++kx == p->k_w) kx = 0, ++ky;
    }
    for (int32_t i = 0; i < TP; ++i) {
        if (y0[i] >= 0 && y0[i] + span_h < p->in_h && x0[i] >= 0 && x0[i] + span_w < p->in_w) {
            const float *corner = in_n + ((size_t)y0[i] * p->in_w + (size_t)x0[i]) * C;
            for (int32_t t = 0; t < nt; ++t) table[t * TP + i] = corner + offset[t];
            continue;
        }
        for (int32_t t = 0; t < nt; ++t) {
            const int32_t iy = y0[i] + dy[t], ix = x0[i] + dx[t];
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            table[t * TP + i] = inside ? in_n + ((size_t)iy * p->in_w + ix) * C + c0 : zero_pixel;
        }
    }
}

/* The output channels [oc_begin, oc_end) of a tile of TP pixels from px0 (valid of them, at input corners (y0[i],
 * x0[i])), in groups of step channels, packed: the block of oc_begin. The tile's table of pointers is built once
 * for every group: pointwise, pixel i's channels in place (one segment of any length); by kernel rows (one segment
 * of k_w * in_c values per row) when every pixel's rows lie inside the input horizontally; else tap by tap, where
 * more than TAPS taps or ZEROS channels take several passes (and tables) per group. */
static void tile_sums(float acc[TP][GW], const float *in_n, const float *packed, int32_t oc_begin, int32_t oc_end,
                      int32_t step, int32_t px0, int32_t valid, const int32_t y0[TP], const int32_t x0[TP],
                      float *out_n, const float *bias, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, kw = p->k_w, row_len = kw * C, K = p->k_h * row_len, taps = p->k_h * kw;
    const size_t block_stride = (size_t)K * OCB;
    const float *table[TAPS * TP];
    int32_t nseg = 0, len = 0;
    size_t w_stride = 0;
    if (edgec_conv2d_f32_is_pointwise(p)) {
        for (int32_t i = 0; i < TP; ++i) table[i] = in_n + (size_t)(px0 + (i < valid ? i : 0)) * C;
        nseg = 1, len = C;
    } else {
        int rows = p->dil_w == 1 && row_len <= ZEROS && p->k_h <= TAPS;
        for (int32_t i = 0; i < TP && rows; ++i) rows = x0[i] >= 0 && x0[i] + kw <= p->in_w;
        if (rows) {
            const size_t row_step = (size_t)p->dil_h * p->in_w * C;
            const float *first_row[TP];
            int rows_inside = 1; /* every pixel's every row: the table is first rows plus steps */
            for (int32_t i = 0; i < TP; ++i) {
                const int inside = y0[i] >= 0 && y0[i] + (p->k_h - 1) * p->dil_h < p->in_h;
                rows_inside &= inside;
                first_row[i] = in_n + ((size_t)(inside ? y0[i] : 0) * p->in_w + (size_t)x0[i]) * C;
            }
            for (int32_t ky = 0; ky < p->k_h && rows_inside; ++ky)
                for (int32_t i = 0; i < TP; ++i) table[ky * TP + i] = first_row[i] + ky * row_step;
            for (int32_t ky = 0; ky < p->k_h && !rows_inside; ++ky)
                for (int32_t i = 0; i < TP; ++i) {
                    const int32_t iy = y0[i] + ky * p->dil_h;
                    table[ky * TP + i] = iy >= 0 && iy < p->in_h ? in_n + ((size_t)iy * p->in_w + x0[i]) * C : zero_pixel;
                }
            nseg = p->k_h, len = row_len, w_stride = (size_t)row_len * OCB;
        } else if (taps <= TAPS && C <= ZEROS) {
            tap_table(table, in_n, y0, x0, 0, taps, 0, p);
            nseg = taps, len = C, w_stride = (size_t)C * OCB;
        }
    }
    for (int32_t oc = oc_begin; oc < oc_end; oc += step) {
        const int32_t n = oc_end - oc < step ? oc_end - oc : step, nblocks = (n + OCB - 1) / OCB;
        const float *w = packed + (size_t)(oc - oc_begin) * K;
        const tile_dest dest = {out_n + (size_t)px0 * p->out_c + oc, (size_t)p->out_c, n, valid,
                                bias ? bias + oc : NULL, p->act_min, p->act_max};
        if (nseg) {
            tile_kernel(acc, table, nseg, len, w, w_stride, nblocks, block_stride, &dest, 1, 1);
            continue;
        }
        for (int32_t c0 = 0; c0 < C; c0 += ZEROS) {
            const int32_t cn = C - c0 < ZEROS ? C - c0 : ZEROS;
            for (int32_t t0 = 0; t0 < taps; t0 += TAPS) {
                const int32_t nt = taps - t0 < TAPS ? taps - t0 : TAPS;
                tap_table(table, in_n, y0, x0, t0, nt, c0, p);
                tile_kernel(acc, table, nt, cn, w + ((size_t)t0 * C + c0) * OCB, (size_t)C * OCB, nblocks,
                            block_stride, &dest, c0 == 0 && t0 == 0, c0 + cn == C && t0 + nt == taps);
            }
        }
    }
}

/* The input corners of the tile of pixels from px0 (pixels past the image repeat px0; none for a pointwise conv,
 * whose pixels are read in place). */
static int32_t tile_corners(int32_t px0, int32_t pixels, int32_t tp, int32_t y0[TP], int32_t x0[TP],
                            const edgec_conv2d_params *p) {
    const int32_t valid = pixels - px0 < tp ? pixels - px0 : tp;
    if (edgec_conv2d_f32_is_pointwise(p)) return valid;
    int32_t oy = px0 / p->out_w, ox = px0 % p->out_w; /* one division a tile, then steps along the rows */
    for (int32_t i = 0; i < TP; ++i) {
        if (i < valid) {
            y0[i] = oy * p->stride_h - p->pad_top;
            x0[i] = ox * p->stride_w - p->pad_left;
            if (++ox == p->out_w) ox = 0, ++oy;
        } else {
            y0[i] = y0[0];
            x0[i] = x0[0];
        }
    }
    return valid;
}

/* Pixels per tile (at most TP) for an image of the given pixel count: the fewest pixel slots that the kernels
 * compute (AVX-512: tiles of 6, 8, 10 or 12; 49 pixels as 10 + 10 + 10 + 10 + 9 rather than 4 x 12 + 1 in a tile
 * of 6), counting a tile's own overhead as one slot; ties to the larger tile. */
static int32_t tile_pixels(int32_t pixels) {
#if defined(__AVX512F__)
    int32_t best = TP, best_cost = -1;
    for (int32_t tp = TP; tp >= 6; --tp) {
        const int32_t rest = pixels % tp, slot = (tp + 1) / 2 * 2, rest_slot = rest > 6 ? (rest + 1) / 2 * 2 : 6;
        const int32_t cost = pixels / tp * (slot + 1) + (rest ? rest_slot + 1 : 0);
        if (best_cost < 0 || cost < best_cost) best = tp, best_cost = cost;
    }
    return best;
#else
    (void)pixels;
    return TP;
#endif
}

#if defined(__AVX512F__)
/* Few input channels (<= 4) and at most 8 outputs, as a network's first conv (VWW's 96 x 96 x 3 -> 48 x 48 x 8):
 * a window row is k_w * in_c contiguous values, and a zmm holds two of its values x 8 channels, lane 2c + h the
 * product of value 2j + h with channel c's weight, so no lane idles on the channels past 8: each pair of values is
 * one 64-bit broadcast from the input, each pixel one accumulator (no pointer tables: a tile is up to 8 pixels
 * of one output row). The weights are repacked per call into pairs (2 KiB on the stack). At the end the two
 * lanes of a channel are added, two pixels at a time, which lays their 2 x 8 outputs side by side. Pixels with
 * taps outside the input read a copy of their window with zeros there (2 KiB). */
#define SMALL_VECS 32 /* weight vectors: k_h * ceil(k_w * in_c / 2) */
#define SMALL_TP 8
#define SMALL_WIN (2 * SMALL_VECS) /* floats of one window copy */

static int small_channels(const edgec_conv2d_params *p) {
    return p->groups == 1 && p->out_c <= 8 && p->in_c <= 4 && p->dil_w == 1 &&
           p->k_h * ((p->k_w * p->in_c + 1) / 2) <= SMALL_VECS;
}

typedef struct {
    const float *wp; /* [k_h][pairs][16] */
    int32_t kh, row_len, oc;
    v16f bias2, lo, hi; /* the bias in both halves */
} small_layer;

/* Pixels i < np (at most MR, 2, 4 or 8) whose window rows start at x[i] + ky * row_step; pixel i's outputs at
 * out + i * oc. Slots past np repeat pixel 0. */
static inline __attribute__((always_inline)) void small_tile(const float *const x[SMALL_TP], size_t row_step, int32_t np,
                                                             float *out, const small_layer *L, const int MR) {
    v16f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
    const float *wp = L->wp;
    const int32_t row_len = L->row_len;
    for (int32_t ky = 0; ky < L->kh; ++ky) {
        const size_t off = (size_t)ky * row_step;
        const float *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[MR > 2 ? 2 : 0] + off, *x3 = x[MR > 2 ? 3 : 0] + off;
        const float *x4 = x[MR > 4 ? 4 : 0] + off, *x5 = x[MR > 4 ? 5 : 0] + off;
        const float *x6 = x[MR > 4 ? 6 : 0] + off, *x7 = x[MR > 4 ? 7 : 0] + off;
        int32_t c = 0;
        for (; c + 2 <= row_len; c += 2, wp += OCB) {
            const v16f k = LOAD16(wp);
#define SMALL_PAIR(i) if (i < MR) { double d; __builtin_memcpy(&d, x##i + c, 8); EDGEC_X86_MADD16(a##i, (v16f)_mm512_set1_pd(d), k); }
            SMALL_PAIR(0) SMALL_PAIR(1) SMALL_PAIR(2) SMALL_PAIR(3) SMALL_PAIR(4) SMALL_PAIR(5) SMALL_PAIR(6) SMALL_PAIR(7)
#undef SMALL_PAIR
        }
        if (c < row_len) { /* an odd row's last value: its pair's second weights are zeros */
            const v16f k = LOAD16(wp);
            wp += OCB;
#define SMALL_ONE(i) if (i < MR) EDGEC_X86_MADD16(a##i, x##i[c], k);
            SMALL_ONE(0) SMALL_ONE(1) SMALL_ONE(2) SMALL_ONE(3) SMALL_ONE(4) SMALL_ONE(5) SMALL_ONE(6) SMALL_ONE(7)
#undef SMALL_ONE
        }
    }
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const v16f acc[SMALL_TP] = {a0, a1, a2, a3, a4, a5, a6, a7};
    const int32_t oc = L->oc;
    const __mmask16 m = (__mmask16)((1u << oc) - 1u);
    for (int32_t i = 0; i < MR && i < np; i += 2) {
        const __m512 A = (__m512)acc[i], B = (__m512)acc[i + 1];
        const v16f s = (v16f)_mm512_permutex2var_ps(A, even, B) + (v16f)_mm512_permutex2var_ps(A, odd, B) + L->bias2;
        const __m512 c = _mm512_min_ps((__m512)L->hi, _mm512_max_ps((__m512)L->lo, (__m512)s));
        float *o = out + (size_t)i * oc;
        if (oc == 8 && i + 1 < np) {
            _mm512_storeu_ps(o, c);
            continue;
        }
        _mm512_mask_storeu_ps(o, m, c);
        if (i + 1 < np) _mm512_mask_storeu_ps(o + oc, m, _mm512_shuffle_f32x4(c, c, 0xEE));
    }
}

static void small_tiles(const float *const x[SMALL_TP], size_t row_step, int32_t np, float *out, const small_layer *L) {
    if (np > 4)
        small_tile(x, row_step, np, out, L, 8);
    else if (np > 2)
        small_tile(x, row_step, np, out, L, 4);
    else
        small_tile(x, row_step, np, out, L, 2);
}

/* Pixels ox0 .. ox0 + np - 1 (np <= 8) of output row oy, some of whose taps fall outside: each window copied to
 * win with zeros outside (rows of row_len values). */
static void small_border(const float *in_n, int32_t oy, int32_t ox0, int32_t np, float *out, const small_layer *L,
                         float win[SMALL_TP * SMALL_WIN], const edgec_conv2d_params *p) {
    const int32_t C = p->in_c;
    const float *x[SMALL_TP];
    for (int32_t i = 0; i < SMALL_TP; ++i) {
        float *w = win + (size_t)(i < np ? i : 0) * SMALL_WIN;
        x[i] = w;
        if (i >= np) continue;
        const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = (ox0 + i) * p->stride_w - p->pad_left;
        for (int32_t ky = 0; ky < p->k_h; ++ky)
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t iy = iy0 + ky * p->dil_h, ix = ix0 + kx;
                const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
                for (int32_t c = 0; c < C; ++c)
                    w[ky * L->row_len + kx * C + c] = inside ? in_n[((size_t)iy * p->in_w + ix) * C + c] : 0.0f;
            }
    }
    small_tiles(x, (size_t)L->row_len, np, out, L);
}

/* Exactly one of weights (OHWI) and prepacked (pack_conv_f32_x86's one block, [K][16]) is non-NULL. */
static __attribute__((noinline)) void conv_small(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                       const float *EDGEC_RESTRICT prepacked, const float *EDGEC_RESTRICT bias,
                       float *EDGEC_RESTRICT output, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, row_len = p->k_w * C, K = p->k_h * row_len, pairs = (row_len + 1) / 2;
    float wp[SMALL_VECS * OCB], win[SMALL_TP * SMALL_WIN];
    for (int32_t ky = 0; ky < p->k_h; ++ky)
        for (int32_t j = 0; j < pairs; ++j)
            for (int32_t lane = 0; lane < OCB; ++lane) {
                const int32_t oc = lane / 2, k = 2 * j + lane % 2, kk = ky * row_len + k;
                float v = 0.0f;
                if (oc < OC && k < row_len) v = prepacked ? prepacked[(size_t)kk * OCB + oc] : weights[(size_t)oc * K + kk];
                wp[((size_t)ky * pairs + j) * OCB + lane] = v;
            }
    small_layer L = {wp, p->k_h, row_len, OC, {0}, (v16f){0} + p->act_min, (v16f){0} + p->act_max};
    for (int32_t c = 0; c < OC && bias; ++c) L.bias2[c] = L.bias2[c + 8] = bias[c];
    int32_t x_lo, x_hi;
    edgec_conv2d_f32_interior_x(p, &x_lo, &x_hi);
    const size_t row_step = (size_t)p->dil_h * p->in_w * C, px_step = (size_t)p->stride_w * C;
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *in_n = input + (size_t)n * p->in_h * p->in_w * C;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            float *out_row = output + (((size_t)n * p->out_h + oy) * p->out_w) * OC;
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int rows_inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
            const int32_t lo = rows_inside ? x_lo : p->out_w, hi = rows_inside ? x_hi : p->out_w;
            for (int32_t ox = 0; ox < lo; ox += SMALL_TP) {
                const int32_t np = lo - ox < SMALL_TP ? lo - ox : SMALL_TP;
                small_border(in_n, oy, ox, np, out_row + (size_t)ox * OC, &L, win, p);
            }
            for (int32_t ox = lo; ox < hi; ox += SMALL_TP) {
                const int32_t np = hi - ox < SMALL_TP ? hi - ox : SMALL_TP;
                const float *corner = in_n + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * C;
                const float *x[SMALL_TP];
                for (int32_t i = 0; i < SMALL_TP; ++i) x[i] = corner + (size_t)(i < np ? i : 0) * px_step;
                small_tiles(x, row_step, np, out_row + (size_t)ox * OC, &L);
            }
            for (int32_t ox = hi; ox < p->out_w; ox += SMALL_TP) {
                const int32_t np = p->out_w - ox < SMALL_TP ? p->out_w - ox : SMALL_TP;
                small_border(in_n, oy, ox, np, out_row + (size_t)ox * OC, &L, win, p);
            }
        }
    }
}
#endif

#if defined(__AVX512F__)
/* Pointwise layers with 8, 16, 24 or 32 input channels (VWW's 8 -> 16, 16 -> 32 and 32 -> 32, MobileNetV2's
 * 16 -> 96 and 24 -> 144): so few products a pixel that the general tiles' set-up (pointer tables, dispatch) costs
 * as much as the sums. Here the channel count is a constant, a block's weights sit in registers (up to 16 inputs;
 * past that each feeds its 12 pixels as loaded) and a tile's inputs are read at fixed offsets from one pointer:
 * 12 pixels x 16 channels (one block) at a time, the last pixels one by one. */
static int pointwise_few_inputs(const edgec_conv2d_params *p) { return edgec_conv2d_f32_is_pointwise(p) && p->in_c <= 32 && p->in_c % 8 == 0; }

static inline __attribute__((always_inline)) void pw_tile(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT w,
                                                          const tile_dest *dest, const int C, const int MR) {
    v16f k[16], a[12]; /* up to 16 inputs the weights are loaded first (8 -> 16: 5 % faster), past it as used */
#pragma GCC unroll 16
    for (int c = 0; c < C && C <= 16; ++c) k[c] = LOAD16(w + (size_t)c * OCB);
    const v16f b = bias16(dest->bias, dest->n);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) a[i] = b;
#pragma GCC unroll 32
    for (int c = 0; c < C; ++c) {
        const v16f kc = C <= 16 ? k[c & 15] : LOAD16(w + (size_t)c * OCB);
#pragma GCC unroll 12
        for (int i = 0; i < MR; ++i) EDGEC_X86_MADD16(a[i], x[i * C + c], kc);
    }
    const v16f vlo = (v16f){0} + dest->lo, vhi = (v16f){0} + dest->hi;
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) finish16(a[i], dest->out + (size_t)i * dest->stride, dest->n, vlo, vhi);
}

static void pw_few_inputs(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT prepacked,
                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv2d_params *p,
                          const int C) {
    const int32_t OC = p->out_c;
    const size_t pixels = (size_t)p->batch * p->in_h * p->in_w;
    size_t px = 0;
    for (; px + 12 <= pixels; px += 12)
        for (int32_t oc = 0; oc < OC; oc += OCB) {
            const tile_dest d = {output + px * OC + oc, (size_t)OC, OC - oc < OCB ? OC - oc : OCB, 12,
                                 bias ? bias + oc : NULL, p->act_min, p->act_max};
            pw_tile(input + px * C, prepacked + (size_t)oc * C, &d, C, 12);
        }
    for (; px < pixels; ++px)
        for (int32_t oc = 0; oc < OC; oc += OCB) {
            const tile_dest d = {output + px * OC + oc, (size_t)OC, OC - oc < OCB ? OC - oc : OCB, 1,
                                 bias ? bias + oc : NULL, p->act_min, p->act_max};
            pw_tile(input + px * C, prepacked + (size_t)oc * C, &d, C, 1);
        }
}
#endif

/* The AVX-512 paths for few channels (small_channels, pointwise_few_inputs), or 0 for conv_packed's tiles: called
 * from the entry points, so that their stack frames do not add to conv_packed's. */
static int few_channels(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                        const float *EDGEC_RESTRICT prepacked, const float *EDGEC_RESTRICT bias,
                        float *EDGEC_RESTRICT output, const edgec_conv2d_params *p) {
#if defined(__AVX512F__)
    if (small_channels(p)) {
        conv_small(input, weights, prepacked, bias, output, p);
        return 1;
    }
    if (prepacked && pointwise_few_inputs(p)) {
        if (p->in_c == 8)
            pw_few_inputs(input, prepacked, bias, output, p, 8);
        else if (p->in_c == 16)
            pw_few_inputs(input, prepacked, bias, output, p, 16);
        else if (p->in_c == 24)
            pw_few_inputs(input, prepacked, bias, output, p, 24);
        else
            pw_few_inputs(input, prepacked, bias, output, p, 32);
        return 1;
    }
#else
    (void)input; (void)weights; (void)prepacked; (void)bias; (void)output; (void)p;
#endif
    return 0;
}

/* Exactly one of weights (OHWI: each block packed here, on the stack; K <= PACK_K) and prepacked (every block
 * packed at compile time, [OC / 16 rounded up][K][16]: any K) is non-NULL. A tile takes GROUP blocks of
 * prepacked weights, one of the stack's. */
static void conv_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                        const float *EDGEC_RESTRICT prepacked, const float *EDGEC_RESTRICT bias,
                        float *EDGEC_RESTRICT output, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c, taps = p->k_h * p->k_w, K = taps * C;
    const int32_t pixels = p->out_h * p->out_w, step = prepacked ? GW : OCB, tp = tile_pixels(pixels);
    float stack_block[PACK_K * OCB];
    float acc[TP][GW];
    int32_t y0[TP], x0[TP];
    if (prepacked && (size_t)K * OC <= PIXEL_MAJOR_WEIGHTS) {
        /* all of the weights stay in cache: a tile of pixels against every group of blocks in turn, so that its
         * input stays in L1 and each output pixel is written once, whole (the same sums as below) */
        for (int32_t n = 0; n < p->batch; ++n) {
            const float *in_n = input + (size_t)n * p->in_h * p->in_w * C;
            float *out_n = output + (size_t)n * pixels * OC;
            for (int32_t px0 = 0; px0 < pixels; px0 += tp) {
                const int32_t valid = tile_corners(px0, pixels, tp, y0, x0, p);
                tile_sums(acc, in_n, prepacked, 0, OC, step, px0, valid, y0, x0, out_n, bias, p);
            }
        }
        return;
    }
    for (int32_t oc0 = 0; oc0 < OC; oc0 += step) {
        const int32_t nb = OC - oc0 < step ? OC - oc0 : step;
        const float *packed = stack_block;
        if (prepacked)
            packed = prepacked + (size_t)oc0 * K;
        else
            pack_block(weights, oc0, K, OC, stack_block);
        for (int32_t n = 0; n < p->batch; ++n) {
            const float *in_n = input + (size_t)n * p->in_h * p->in_w * C;
            float *out_n = output + (size_t)n * pixels * OC;
            for (int32_t px0 = 0; px0 < pixels; px0 += tp) {
                const int32_t valid = tile_corners(px0, pixels, tp, y0, x0, p);
                tile_sums(acc, in_n, packed, oc0, oc0 + nb, step, px0, valid, y0, x0, out_n, bias, p);
            }
        }
    }
}

/* A border or leftover pixel (edgec_conv2d_f32_pixel_fn). */
static void border_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv2d_params *p,
                         int32_t n, int32_t oy, int32_t ox) {
    conv_pixel(input, weights, bias, output, p, n, oy, ox, 0);
}

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    if (p->groups != 1) { /* grouped (not depthwise) convolutions are rare: the simple path, 8 channels a step */
        for (int32_t n = 0; n < p->batch; ++n)
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) conv_pixel(input, weights, bias, output, p, n, oy, ox, 0);
        return;
    }
    if (p->k_h * p->k_w * p->in_c <= PACK_K) {
        if (!few_channels(input, weights, NULL, bias, output, p)) conv_packed(input, weights, NULL, bias, output, p);
        return;
    }
    edgec_conv2d_f32_frame(input, weights, bias, output, p, conv_tile4, border_pixel, 0);
}

void edgec_conv2d_nhwc_f32_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT packed,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  const edgec_conv2d_params *p) {
    if (!few_channels(input, NULL, packed, bias, output, p)) conv_packed(input, NULL, packed, bias, output, p);
}
