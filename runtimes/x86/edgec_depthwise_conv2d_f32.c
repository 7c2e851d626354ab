/* Depthwise convolution, NHWC, for x86 hosts: 8-float vectors (GNU C vectors: one AVX register, two SSE ones)
 * along the channels, register-blocked over 4 output pixels of a row, so each weight vector loaded feeds four
 * pixels. Pixels whose taps all fall inside the input take the 4-pixel tiles; border pixels clip their tap range
 * (no test in the inner loop), one pixel at a time; channels left over from the 8-wide blocks take scalar code.
 * Rows of at most 8 pixels (C a multiple of 16) take a whole row at a time instead (dw_row).
 * A depth multiplier above 1 (rare) takes a simple loop.
 * Same signature as runtimes/reference/edgec_depthwise_conv2d_f32.c; equal up to float summation order. */
#include "edgec_depthwise_conv2d_f32.h"

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
                acc += LOAD8(input + base + ky * row + kx * col + c) * LOAD8(weights + ((size_t)ky * p->k_w + kx) * C + c);
        CLAMP8(acc, lo8, hi8);
        STORE8(out + c, acc);
    }
    for (; c < C; ++c) {
        float acc = bias ? bias[c] : 0.0f;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                acc += input[base + ky * row + kx * col + c] * weights[((size_t)ky * p->k_w + kx) * C + c];
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
                a0 += LOAD8(x) * k;
                a1 += LOAD8(x + sx) * k;
                a2 += LOAD8(x + 2 * sx) * k;
                a3 += LOAD8(x + 3 * sx) * k;
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
                for (int i = 0; i < 4; ++i) a[i] += x[i * sx] * k;
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
                acc += input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + oc / mult] *
                       weights[((size_t)ky * p->k_w + kx) * OC + oc];
        out[oc] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

#define ROW_MAX 8 /* widest output row dw_row takes */

typedef float v16f __attribute__((vector_size(64)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64)));
#define LOAD16(ptr) (*(const v16f_unaligned *)(const void *)(ptr))
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
                    if (m >> i & 1) acc[i] += LOAD16(x + i * sx) * k;
            }
        for (int32_t i = 0; i < ROW_MAX; ++i)
            if (i < n) {
                v16f y = SELECT16(acc[i] < lo, lo, acc[i]); /* edgec_clampf */
                y = SELECT16(y > hi, hi, y);
                *(v16f_unaligned *)(void *)(out + (size_t)i * C + c) = y;
            }
    }
}

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c;
    const ptrdiff_t sx = (ptrdiff_t)p->stride_w * C;
    const int narrow = OC == C && C % 16 == 0 && p->out_w <= ROW_MAX && p->k_w <= 32;
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
