/* Depthwise convolution, NHWC, for x86 hosts: 8-float vectors (GNU C vectors: one AVX register, two SSE ones)
 * along the channels, register-blocked over 4 output pixels of a row, so each weight vector loaded feeds four
 * pixels. Pixels whose taps all fall inside the input take the 4-pixel tiles; border pixels clip their tap range
 * (no test in the inner loop), one pixel at a time; channels left over from the 8-wide blocks take scalar code.
 * Rows of at most 8 pixels (C a multiple of 16) take a whole row at a time instead (dw_row).
 * A 3x3 kernel at stride 1 or 2 (C a multiple of 8, no dilation: MobileNet's) takes dw3_tile instead of all
 * of these, border pixels included: 8 (then 4, then the last 1 to 3) pixels, 16 (then 8) channels at a time, each
 * input vector loaded once per kernel row and used for every pixel whose window holds it (the 4-pixel tile loads
 * each pixel's taps apart: more loads than FMAs); about 1.4x faster on MobileNetV2's stride-1 layers, 1.1-2x on
 * the small maps, the same on its stride-2 112 -> 56 (which waits on memory).
 * Only builds with AVX-512 take it: its 40 inlined tile shapes (8 accumulators of 16 floats) would spill on 16
 * AVX2 or SSE registers, and gcc took 6-11 s to compile them there (a baseline -O2 build: the host target's, Android
 * x86_64's) against 0.2 s without them; those builds keep the 4-pixel tiles.
 * A depth multiplier above 1 (rare) takes a simple loop.
 * Same signature as runtimes/reference/edgec_depthwise_conv2d_f32.c; equal up to float summation order. */
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_x86_fma.h"

typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define STORE8(ptr, v) (*(v8f_unaligned *)(void *)(ptr) = (v))

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

typedef int32_t v8i __attribute__((vector_size(32)));
/* edgec_clampf lane by lane (a comparison gives a lane mask). */
#define SELECT8(mask, a, b) ((v8f)(((v8i)(a) & (mask)) | ((v8i)(b) & ~(mask))))
#define CLAMP8(v, lo8, hi8) ((v) = SELECT8((v) < (lo8), lo8, v), (v) = SELECT8((v) > (hi8), hi8, v))

/* One output pixel, taps [ky_lo, ky_hi) x [kx_lo, kx_hi) (all inside the input); base: the input index of tap
 * (0, 0), which may lie in the padding. */
static void dw_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                     const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p,
                     ptrdiff_t base, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo, int32_t kx_hi) {
    const int32_t C = p->in_c;
    const ptrdiff_t row = (ptrdiff_t)p->dil_h * p->in_w * C, col = (ptrdiff_t)p->dil_w * C;
    const v8f lo8 = (v8f){0} + p->act_min, hi8 = (v8f){0} + p->act_max;
    int32_t c = 0;
    for (; c + 8 <= C; c += 8) {
        v8f acc = bias ? LOAD8(bias + c) : (v8f){0};
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                EDGEC_X86_MADD8(acc, LOAD8(input + base + ky * row + kx * col + c),
                                LOAD8(weights + ((size_t)ky * p->k_w + kx) * C + c));
        CLAMP8(acc, lo8, hi8);
        STORE8(out + c, acc);
    }
    for (; c < C; ++c) {
        float acc = bias ? bias[c] : 0.0f;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                EDGEC_X86_MADDF(acc, input[base + ky * row + kx * col + c], weights[((size_t)ky * p->k_w + kx) * C + c]);
        out[c] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

/* Four output pixels of one row, every tap inside the input; in: pixel 0's tap (0, 0), sx: the input step from
 * one pixel to the next. */
static void dw_tile4(const float *EDGEC_RESTRICT in, ptrdiff_t sx, const float *EDGEC_RESTRICT weights,
                     const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c;
    const ptrdiff_t row = (ptrdiff_t)p->dil_h * p->in_w * C, col = (ptrdiff_t)p->dil_w * C;
    const v8f lo8 = (v8f){0} + p->act_min, hi8 = (v8f){0} + p->act_max;
    int32_t c = 0;
    for (; c + 8 <= C; c += 8) {
        const v8f b = bias ? LOAD8(bias + c) : (v8f){0};
        v8f a0 = b, a1 = b, a2 = b, a3 = b;
        const float *w = weights + c;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const float *x = in + ky * row + c;
            for (int32_t kx = 0; kx < p->k_w; ++kx, x += col, w += C) {
                const v8f k = LOAD8(w);
                EDGEC_X86_MADD8(a0, LOAD8(x), k);
                EDGEC_X86_MADD8(a1, LOAD8(x + sx), k);
                EDGEC_X86_MADD8(a2, LOAD8(x + 2 * sx), k);
                EDGEC_X86_MADD8(a3, LOAD8(x + 3 * sx), k);
            }
        }
        CLAMP8(a0, lo8, hi8); CLAMP8(a1, lo8, hi8); CLAMP8(a2, lo8, hi8); CLAMP8(a3, lo8, hi8);
        STORE8(out + c, a0); STORE8(out + C + c, a1); STORE8(out + 2 * C + c, a2); STORE8(out + 3 * C + c, a3);
    }
    for (; c < C; ++c) {
        float a[4];
        for (int i = 0; i < 4; ++i) a[i] = bias ? bias[c] : 0.0f;
        for (int32_t ky = 0; ky < p->k_h; ++ky)
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const float k = weights[((size_t)ky * p->k_w + kx) * C + c];
                const float *x = in + ky * row + kx * col + c;
                for (int i = 0; i < 4; ++i) EDGEC_X86_MADDF(a[i], x[i * sx], k);
            }
        for (int i = 0; i < 4; ++i) out[(size_t)i * C + c] = edgec_clampf(a[i], p->act_min, p->act_max);
    }
}

/* Depth multiplier above 1: output channel oc reads input channel oc / mult. */
static void dw_multiplier(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p,
                          ptrdiff_t base, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo, int32_t kx_hi) {
    const int32_t C = p->in_c, OC = p->out_c, mult = OC / C;
    for (int32_t oc = 0; oc < OC; ++oc) {
        float acc = bias ? bias[oc] : 0.0f;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                EDGEC_X86_MADDF(acc, input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + oc / mult],
                                weights[((size_t)ky * p->k_w + kx) * OC + oc]);
        out[oc] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

#define ROW_MAX 8 /* widest output row dw_row takes */

typedef float v16f __attribute__((vector_size(64)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64)));
#define LOAD16(ptr) (*(const v16f_unaligned *)(const void *)(ptr))
#define STORE16(ptr, v) (*(v16f_unaligned *)(void *)(ptr) = (v))
#define SELECT16(mask, a, b) ((v16f)(((v16i)(a) & (mask)) | ((v16i)(b) & ~(mask))))

/* A whole output row of at most ROW_MAX pixels, 16 channels at a time (C a multiple of 16), the pixels' sums
 * interleaved (independent chains: the FMA latency hides) and each weight vector loaded once for the row; a
 * pixel skips its taps outside the input (valid[kx]: bit i set if pixel i's tap kx is inside), the taps in
 * dw_pixel's order, so the same sums. For narrow maps, where few pixels take the 4-pixel tiles. */
static void dw_row(const float *EDGEC_RESTRICT in_rows, const float *EDGEC_RESTRICT weights,
                   const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p,
                   int32_t ky_lo, int32_t ky_hi, const uint32_t *valid) {
    const int32_t C = p->in_c, n = p->out_w;
    const ptrdiff_t row = (ptrdiff_t)p->dil_h * p->in_w * C, col = (ptrdiff_t)p->dil_w * C;
    const ptrdiff_t sx = (ptrdiff_t)p->stride_w * C, x0 = -(ptrdiff_t)p->pad_left * C;
    const v16f lo = (v16f){0} + p->act_min, hi = (v16f){0} + p->act_max;
    for (int32_t c = 0; c < C; c += 16) {
        const v16f b = bias ? LOAD16(bias + c) : (v16f){0};
        v16f acc[ROW_MAX];
        for (int32_t i = 0; i < ROW_MAX; ++i) acc[i] = b;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const v16f k = LOAD16(weights + ((size_t)ky * p->k_w + kx) * C + c);
                const float *x = in_rows + ky * row + kx * col + x0 + c;
                const uint32_t m = valid[kx];
                for (int32_t i = 0; i < ROW_MAX; ++i)
                    if (m >> i & 1) EDGEC_X86_MADD16(acc[i], LOAD16(x + i * sx), k);
            }
        for (int32_t i = 0; i < ROW_MAX; ++i)
            if (i < n) {
                v16f y = SELECT16(acc[i] < lo, lo, acc[i]); /* edgec_clampf */
                y = SELECT16(y > hi, hi, y);
                *(v16f_unaligned *)(void *)(out + (size_t)i * C + c) = y;
            }
    }
}


#if defined(__AVX512F__)
/* dw3_tile: T output pixels of a row (3x3 kernel, no dilation, stride S), channels [c, c + lanes of VEC), kernel
 * rows [ky_lo, ky_hi) (the others fall outside the input); ix0: the input column of pixel 0's first tap, base: the
 * input index of pixel 0's tap (0, 0) (either may lie in the padding). Along a kernel row the pixels' windows
 * overlap: input column ix0 + j is tap kx = j - S * i of pixel i, so each column is loaded once and used for every
 * pixel that holds it; a column outside the input is skipped (taps in the padding add nothing; inside: a constant,
 * 1 when none is, without the tests). Each pixel sums
 * its taps in dw_pixel's order. T and S are constants after inlining, the loops unrolled. */
#define DW3_TILE(NAME, VEC, LOADV, STOREV, SELECTV, MADDV)                                                         \
    EDGEC_INLINE void NAME(const float *EDGEC_RESTRICT input, ptrdiff_t base, int32_t ix0,                          \
                           const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,                   \
                           float *EDGEC_RESTRICT out, const edgec_conv2d_params *p, int32_t c, int32_t ky_lo,       \
                           int32_t ky_hi, const int32_t T, const int32_t S, const int inside) {                     \
        const int32_t C = p->in_c;                                                                                  \
        const ptrdiff_t row = (ptrdiff_t)p->in_w * C;                                                               \
        const VEC b = bias ? LOADV(bias + c) : (VEC){0};                                                            \
        VEC acc[8];                                                                                                 \
        _Pragma("GCC unroll 8") for (int32_t i = 0; i < T; ++i) acc[i] = b;                                         \
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {                                                                \
            const float *w = weights + (size_t)ky * 3 * C + c;                                                      \
            const VEC k0 = LOADV(w), k1 = LOADV(w + C), k2 = LOADV(w + 2 * C);                                      \
            const float *x = input + (base + ky * row + c);                                                         \
            _Pragma("GCC unroll 32") for (int32_t j = 0; j < (T - 1) * S + 3; ++j, x += C) {                         \
                if (!inside && (ix0 + j < 0 || ix0 + j >= p->in_w)) continue;                                       \
                const VEC v = LOADV(x);                                                                             \
                _Pragma("GCC unroll 8") for (int32_t i = 0; i < T; ++i) {                                           \
                    const int32_t kx = j - S * i;                                                                   \
                    if (kx == 0) MADDV(acc[i], v, k0);                                                              \
                    if (kx == 1) MADDV(acc[i], v, k1);                                                              \
                    if (kx == 2) MADDV(acc[i], v, k2);                                                              \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        const VEC lo = (VEC){0} + p->act_min, hi = (VEC){0} + p->act_max;                                           \
        _Pragma("GCC unroll 8") for (int32_t i = 0; i < T; ++i) {                                                   \
            VEC y = acc[i];                                                                                         \
            y = SELECTV(y < lo, lo, y); /* edgec_clampf */                                                          \
            y = SELECTV(y > hi, hi, y);                                                                             \
            STOREV(out + (size_t)i * C + c, y);                                                                     \
        }                                                                                                           \
    }
DW3_TILE(dw3_tile16, v16f, LOAD16, STORE16, SELECT16, EDGEC_X86_MADD16)
DW3_TILE(dw3_tile8, v8f, LOAD8, STORE8, SELECT8, EDGEC_X86_MADD8)

/* T pixels of a row through dw3_tile, all channels 16 (then 8) at a time; T and S constants after inlining. */
EDGEC_INLINE void dw3_pixels(const float *EDGEC_RESTRICT input, ptrdiff_t base, int32_t ix0,
                             const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                             float *EDGEC_RESTRICT out, const edgec_conv2d_params *p, int32_t ky_lo, int32_t ky_hi,
                             const int32_t T, const int32_t S) {
    int32_t c = 0;
    if (ix0 >= 0 && ix0 + (T - 1) * S + 2 < p->in_w) { /* every column inside: no test per column */
        for (; c + 16 <= p->in_c; c += 16)
            dw3_tile16(input, base, ix0, weights, bias, out, p, c, ky_lo, ky_hi, T, S, 1);
        if (c < p->in_c) dw3_tile8(input, base, ix0, weights, bias, out, p, c, ky_lo, ky_hi, T, S, 1);
    } else {
        for (; c + 16 <= p->in_c; c += 16)
            dw3_tile16(input, base, ix0, weights, bias, out, p, c, ky_lo, ky_hi, T, S, 0);
        if (c < p->in_c) dw3_tile8(input, base, ix0, weights, bias, out, p, c, ky_lo, ky_hi, T, S, 0);
    }
}

/* One output row through dw3_pixels: tiles of 8 pixels, then one of 4, then one of the last 1 to 3. */
EDGEC_INLINE void dw3_row(const float *EDGEC_RESTRICT input, ptrdiff_t base, const float *EDGEC_RESTRICT weights,
                          const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p,
                          int32_t ky_lo, int32_t ky_hi, const int32_t S) {
    const int32_t C = p->in_c;
    const ptrdiff_t sx = (ptrdiff_t)S * C;
    int32_t ox = 0, ix0 = -p->pad_left;
    for (; ox + 8 <= p->out_w; ox += 8, ix0 += 8 * S, base += 8 * sx, out += 8 * C)
        dw3_pixels(input, base, ix0, weights, bias, out, p, ky_lo, ky_hi, 8, S);
    if (ox + 4 <= p->out_w) {
        dw3_pixels(input, base, ix0, weights, bias, out, p, ky_lo, ky_hi, 4, S);
        ox += 4, ix0 += 4 * S, base += 4 * sx, out += 4 * C;
    }
    switch (p->out_w - ox) { /* the last 1 to 3 pixels: one tile */
    case 3: dw3_pixels(input, base, ix0, weights, bias, out, p, ky_lo, ky_hi, 3, S); break;
    case 2: dw3_pixels(input, base, ix0, weights, bias, out, p, ky_lo, ky_hi, 2, S); break;
    case 1: dw3_pixels(input, base, ix0, weights, bias, out, p, ky_lo, ky_hi, 1, S); break;
    default: break;
    }
}

/* The 3x3 path (see the top), row by row. */
static void dw3_image(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                      const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c;
    for (int32_t n = 0; n < p->batch; ++n)
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int32_t ky_lo = iy0 < 0 ? -iy0 : 0, ky_hi = p->in_h - iy0 < 3 ? p->in_h - iy0 : 3;
            const ptrdiff_t base = (((ptrdiff_t)n * p->in_h + iy0) * p->in_w - p->pad_left) * C; /* pixel 0's tap 0 */
            float *out = output + ((size_t)n * p->out_h + oy) * p->out_w * C;
            if (p->stride_w == 1) dw3_row(input, base, weights, bias, out, p, ky_lo, ky_hi, 1);
            else dw3_row(input, base, weights, bias, out, p, ky_lo, ky_hi, 2);
        }
}

#endif

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c;
    const ptrdiff_t sx = (ptrdiff_t)p->stride_w * C;
    const int narrow = OC == C && C % 16 == 0 && p->out_w <= ROW_MAX && p->k_w <= 32;
#if defined(__AVX512F__)
    const int k3 = OC == C && C % 8 == 0 && p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 &&
                   (p->stride_w == 1 || p->stride_w == 2);
    if (k3) {
        dw3_image(input, weights, bias, output, p);
        return;
    }
#endif
    uint32_t valid[32] = {0}; /* dw_row's: which pixels of a row have tap kx inside the input */
    if (narrow)
        for (int32_t kx = 0; kx < p->k_w; ++kx)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                if (ix >= 0 && ix < p->in_w) valid[kx] |= 1u << ox;
            }
    for (int32_t n = 0; n < p->batch; ++n)
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int32_t ky_lo = ceil_div(-iy0, p->dil_h);
            int32_t ky_hi = p->k_h;
            while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
            const int rows_inside = ky_lo == 0 && ky_hi == p->k_h;
            if (narrow) {
                dw_row(input + (((ptrdiff_t)n * p->in_h + iy0) * p->in_w) * C, weights, bias,
                       output + (((size_t)n * p->out_h + oy) * p->out_w) * OC, p, ky_lo, ky_hi, valid);
                continue;
            }
            int32_t ox = 0;
            while (ox < p->out_w) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const ptrdiff_t base = (((ptrdiff_t)n * p->in_h + iy0) * p->in_w + ix0) * C;
                float *out = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * OC;
                /* the fourth pixel's last tap inside the input: so are all four pixels' taps */
                if (OC == C && rows_inside && ix0 >= 0 && ox + 4 <= p->out_w &&
                    ix0 + 3 * p->stride_w + (p->k_w - 1) * p->dil_w < p->in_w) {
                    dw_tile4(input + base, sx, weights, bias, out, p);
                    ox += 4;
                    continue;
                }
                const int32_t kx_lo = ceil_div(-ix0, p->dil_w);
                int32_t kx_hi = p->k_w;
                while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
                if (OC == C)
                    dw_pixel(input, weights, bias, out, p, base, ky_lo, ky_hi, kx_lo, kx_hi);
                else
                    dw_multiplier(input, weights, bias, out, p, base, ky_lo, ky_hi, kx_lo, kx_hi);
                ++ox;
            }
        }
}
