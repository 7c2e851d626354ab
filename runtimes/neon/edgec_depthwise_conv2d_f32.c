/* Arm NEON: depthwise convolution, NHWC, 8 channels per pass (two FMLA per tap), then 4, then single channels.
 * The weights [kh][kw][C] and the input pixels are contiguous along channels; taps outside the input are skipped
 * by clipping the tap range per pixel, or (3x3 layers' borders, border_3x3) read as zeros. Same results as the
 * reference up to float summation order. */
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_neon.h"

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

/* 3x3, depth multiplier 1, no dilation, channels [c, c + 4) of every output pixel, the nine weight vectors in
 * registers for the whole interior (the pixels whose window lies inside the input: rows [y_lo, y_hi), columns
 * [x_lo, x_hi)). With stride 1 neighbouring pixels share two of their three input columns: each pixel loads only
 * its new column (3 loads, 9 FMLA), the columns rotating through three register names (unrolled by 3); with
 * stride 2 one column (6 loads, unrolled by 2); other strides load the nine taps. */
#define DW_PIXEL(ca0, ca1, ca2, cb0, cb1, cb2, cc0, cc1, cc2, o)                                                    \
    do {                                                                                                            \
        float32x4_t acc = edgec_neon_fma_f32(b, ca0, w00);                                                         \
        acc = edgec_neon_fma_f32(acc, ca1, w10); acc = edgec_neon_fma_f32(acc, ca2, w20);                         \
        acc = edgec_neon_fma_f32(acc, cb0, w01); acc = edgec_neon_fma_f32(acc, cb1, w11);                         \
        acc = edgec_neon_fma_f32(acc, cb2, w21); acc = edgec_neon_fma_f32(acc, cc0, w02);                         \
        acc = edgec_neon_fma_f32(acc, cc1, w12); acc = edgec_neon_fma_f32(acc, cc2, w22);                         \
        vst1q_f32((o), vminq_f32(vmaxq_f32(acc, vlo), vhi));                                                        \
    } while (0)

typedef struct {
    int32_t x_lo, x_hi, y_lo, y_hi; /* the interior */
} interior_box;

/* GCC's scheduling before register allocation interleaves the unrolled pixels and copies the rotating columns
 * between registers (a MOV per column, 24 instructions a pixel instead of 16); without it they stay put. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-schedule-insns")))
#endif
static void group_3x3(const float *in_b, float *out_b, const float *weights, const float *bias, int32_t c,
                      const interior_box *box, const edgec_conv2d_params *p) {
    if (box->x_lo >= box->x_hi) return;
    const int32_t C = p->in_c;
    const size_t px = (size_t)C;
    const float *wc = weights + c;
    const float32x4_t w00 = vld1q_f32(wc), w01 = vld1q_f32(wc + C), w02 = vld1q_f32(wc + 2 * C);
    const float32x4_t w10 = vld1q_f32(wc + 3 * C), w11 = vld1q_f32(wc + 4 * C), w12 = vld1q_f32(wc + 5 * C);
    const float32x4_t w20 = vld1q_f32(wc + 6 * C), w21 = vld1q_f32(wc + 7 * C), w22 = vld1q_f32(wc + 8 * C);
    const ptrdiff_t row = (ptrdiff_t)p->in_w * C;
    const float32x4_t b = bias ? vld1q_f32(bias + c) : vdupq_n_f32(0.0f);
    const float32x4_t vlo = vdupq_n_f32(p->act_min), vhi = vdupq_n_f32(p->act_max);
    for (int32_t oy = box->y_lo; oy < box->y_hi; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        float *o_row = out_b + (size_t)oy * p->out_w * C + c;
        const int32_t hi = box->x_hi;
        int32_t ox = box->x_lo;
        /* x: the tap (0, 0) of pixel ox, channel c, inside the input */
        const float *x = in_b + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * C + c;
        float *o = o_row + (size_t)ox * C;
        if (p->stride_w == 1) {
            float32x4_t a0 = vld1q_f32(x), a1 = vld1q_f32(x + row), a2 = vld1q_f32(x + 2 * row); /* column ox */
            float32x4_t b0 = vld1q_f32(x + px), b1 = vld1q_f32(x + px + row), b2 = vld1q_f32(x + px + 2 * row);
            float32x4_t c0, c1, c2;
            x += 2 * px; /* the next column to load */
            for (; ox + 3 <= hi; ox += 3, x += 3 * px, o += 3 * px) {
                c0 = vld1q_f32(x); c1 = vld1q_f32(x + row); c2 = vld1q_f32(x + 2 * row);
                DW_PIXEL(a0, a1, a2, b0, b1, b2, c0, c1, c2, o);
                a0 = vld1q_f32(x + px); a1 = vld1q_f32(x + px + row); a2 = vld1q_f32(x + px + 2 * row);
                DW_PIXEL(b0, b1, b2, c0, c1, c2, a0, a1, a2, o + px);
                b0 = vld1q_f32(x + 2 * px); b1 = vld1q_f32(x + 2 * px + row); b2 = vld1q_f32(x + 2 * px + 2 * row);
                DW_PIXEL(c0, c1, c2, a0, a1, a2, b0, b1, b2, o + 2 * px);
            }
            for (; ox < hi; ++ox, x += px, o += px) {
                c0 = vld1q_f32(x); c1 = vld1q_f32(x + row); c2 = vld1q_f32(x + 2 * row);
                DW_PIXEL(a0, a1, a2, b0, b1, b2, c0, c1, c2, o);
                a0 = b0; a1 = b1; a2 = b2; b0 = c0; b1 = c1; b2 = c2;
            }
        } else if (p->stride_w == 2) { /* a pixel's third column is the next one's first: 6 loads a pixel */
            float32x4_t a0 = vld1q_f32(x), a1 = vld1q_f32(x + row), a2 = vld1q_f32(x + 2 * row);
            float32x4_t b0, b1, b2, c0, c1, c2;
            for (; ox + 2 <= hi; ox += 2, x += 4 * px, o += 2 * px) {
                b0 = vld1q_f32(x + px); b1 = vld1q_f32(x + px + row); b2 = vld1q_f32(x + px + 2 * row);
                c0 = vld1q_f32(x + 2 * px); c1 = vld1q_f32(x + 2 * px + row); c2 = vld1q_f32(x + 2 * px + 2 * row);
                DW_PIXEL(a0, a1, a2, b0, b1, b2, c0, c1, c2, o);
                b0 = vld1q_f32(x + 3 * px); b1 = vld1q_f32(x + 3 * px + row); b2 = vld1q_f32(x + 3 * px + 2 * row);
                a0 = vld1q_f32(x + 4 * px); a1 = vld1q_f32(x + 4 * px + row); a2 = vld1q_f32(x + 4 * px + 2 * row);
                DW_PIXEL(c0, c1, c2, b0, b1, b2, a0, a1, a2, o + px);
            }
            if (ox < hi) {
                b0 = vld1q_f32(x + px); b1 = vld1q_f32(x + px + row); b2 = vld1q_f32(x + px + 2 * row);
                c0 = vld1q_f32(x + 2 * px); c1 = vld1q_f32(x + 2 * px + row); c2 = vld1q_f32(x + 2 * px + 2 * row);
                DW_PIXEL(a0, a1, a2, b0, b1, b2, c0, c1, c2, o);
            }
        } else {
            const size_t sx = (size_t)p->stride_w * C;
            for (; ox < hi; ++ox, x += sx, o += px) {
                const float *r1 = x + row, *r2 = x + 2 * row;
                DW_PIXEL(vld1q_f32(x), vld1q_f32(r1), vld1q_f32(r2), vld1q_f32(x + px), vld1q_f32(r1 + px),
                         vld1q_f32(r2 + px), vld1q_f32(x + 2 * px), vld1q_f32(r1 + 2 * px), vld1q_f32(r2 + 2 * px), o);
            }
        }
    }
}

/* The same 3x3 layers' pixels outside the interior, channels [0, c_end) four at a time: each pixel's nine taps as
 * pointers (the input's, or a row of zeros for a tap in the padding, which adds 0 as the reference's skipped tap),
 * then per four channels nine loads of input and of weights and nine FMLA, in group_3x3's tap order. */
#define BORDER_MAX_C 2048
static void border_3x3(const float *in_b, float *out_b, const float *weights, const float *bias, int32_t c_end,
                       const interior_box *box, const edgec_conv2d_params *p) {
    const int32_t C = p->in_c;
    float zeros[BORDER_MAX_C];
    for (int32_t c = 0; c < c_end; c += 4) vst1q_f32(zeros + c, vdupq_n_f32(0.0f));
    const float32x4_t vlo = vdupq_n_f32(p->act_min), vhi = vdupq_n_f32(p->act_max), z = vdupq_n_f32(0.0f);
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int inner_row = oy >= box->y_lo && oy < box->y_hi;
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            if (inner_row && ox >= box->x_lo && ox < box->x_hi) {
                ox = box->x_hi - 1; /* group_3x3's */
                continue;
            }
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            const float *t[9]; /* tap (ky, kx) at t[3 * ky + kx], as the weights */
            for (int32_t ky = 0; ky < 3; ++ky)
                for (int32_t kx = 0; kx < 3; ++kx) {
                    const int32_t iy = iy0 + ky, ix = ix0 + kx;
                    t[3 * ky + kx] = iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w
                                         ? zeros : in_b + ((size_t)iy * p->in_w + ix) * C;
                }
            const float *t0 = t[0], *t1 = t[1], *t2 = t[2], *t3 = t[3], *t4 = t[4], *t5 = t[5], *t6 = t[6];
            const float *t7 = t[7], *t8 = t[8];
            float *o = out_b + ((size_t)oy * p->out_w + ox) * C;
            for (int32_t c = 0; c < c_end; c += 4) {
                const float *w = weights + c;
                float32x4_t acc = bias ? vld1q_f32(bias + c) : z;
                /* group_3x3's order: column by column */
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t0 + c), vld1q_f32(w));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t3 + c), vld1q_f32(w + 3 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t6 + c), vld1q_f32(w + 6 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t1 + c), vld1q_f32(w + C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t4 + c), vld1q_f32(w + 4 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t7 + c), vld1q_f32(w + 7 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t2 + c), vld1q_f32(w + 2 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t5 + c), vld1q_f32(w + 5 * C));
                acc = edgec_neon_fma_f32(acc, vld1q_f32(t8 + c), vld1q_f32(w + 8 * C));
                vst1q_f32(o + c, vminq_f32(vmaxq_f32(acc, vlo), vhi));
            }
        }
    }
}

/* 5x5 and 7x7 layers (depth multiplier 1, no dilation, horizontal stride 1 or 2), channels [c, c + 4) at a time:
 * a band of input rows is copied, four channels a column, into lines on the stack with zero columns for the
 * horizontal padding (most input rows once per four channels), rows outside the input skipped.
 * Then DWK_N pixels of a row at once: per kernel row its K weight vectors in registers and each line column
 * loaded once for all the pixels it feeds, (DWK_N - 1) * S + K loads and K loads of weights for DWK_N * K FMLA,
 * instead of two loads per FMLA. Same results as the reference up to float summation order (taps in the padding
 * add 0, as the reference's skipped taps). */
#define DWK_LINES_MAX 4096 /* floats of the band of lines */
#if defined(__aarch64__)
#define DWK_N 8 /* 8 accumulators + 7 weights + a column: 16 of the 32 vector registers */
#else
#define DWK_N 4 /* 16 vector registers */
#endif

#if defined(__clang__)
#define DWK_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define DWK_UNROLL _Pragma("GCC unroll 32")
#else
#define DWK_UNROLL
#endif

/* N pixels from line column col: x0 + r * line the line of kernel row ky_lo + r, w the weights of row ky_lo,
 * channel c.
 * K, S and N are constants of each call, so the loops unroll and acc / wk stay in registers. */
static inline __attribute__((always_inline)) void dwk_pixels(const float *x0, size_t line, int32_t n_rows, size_t col,
                                                             const float *w, int32_t C, float32x4_t b, float *o,
                                                             float32x4_t vlo, float32x4_t vhi, const int K,
                                                             const int S, const int N) {
    float32x4_t acc[DWK_N], wk[7];
    DWK_UNROLL for (int n = 0; n < N; ++n) acc[n] = b;
    for (int32_t r = 0; r < n_rows; ++r, w += K * C) {
        const float *x = x0 + r * line + col;
        DWK_UNROLL for (int kx = 0; kx < K; ++kx) wk[kx] = vld1q_f32(w + kx * C);
        DWK_UNROLL for (int j = 0; j < (N - 1) * S + K; ++j) {
            const float32x4_t xv = vld1q_f32(x + 4 * j);
            DWK_UNROLL for (int n = 0; n < N; ++n) {
                const int kx = j - n * S;
                if (kx >= 0 && kx < K) acc[n] = edgec_neon_fma_f32(acc[n], xv, wk[kx]);
            }
        }
    }
    DWK_UNROLL for (int n = 0; n < N; ++n) vst1q_f32(o + (size_t)n * C, vminq_f32(vmaxq_f32(acc[n], vlo), vhi));
}

/* One output row of channels [c, c + 4), in as few blocks as DWK_N allows, of near-equal sizes (a row of 10 as
 * two of 5, not 8 and 2: a small block loads its weights for few FMLA). */
static inline __attribute__((always_inline)) void dwk_row(const float *x0, size_t line, int32_t n_rows, const float *w,
                                                          int32_t C, float32x4_t b, float *o, int32_t out_w,
                                                          float32x4_t vlo, float32x4_t vhi, const int K,
                                                          const int S) {
    int32_t blocks = (out_w + DWK_N - 1) / DWK_N;
    for (int32_t ox = 0; ox < out_w; --blocks) {
        const int32_t n_px = (out_w - ox + blocks - 1) / blocks;
        const size_t col = (size_t)4 * S * ox;
        float *o_px = o + (size_t)ox * C;
        switch (n_px) {
#if DWK_N == 8
        case 8: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 8); break;
        case 7: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 7); break;
        case 6: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 6); break;
        case 5: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 5); break;
#endif
        case 4: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 4); break;
        case 3: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 3); break;
        case 2: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 2); break;
        default: dwk_pixels(x0, line, n_rows, col, w, C, b, o_px, vlo, vhi, K, S, 1); break;
        }
        ox += n_px;
    }
}

#define DWK_ROW_FN(K, S)                                                                                           \
    static void dwk_row_##K##_##S(const float *x0, size_t line, int32_t n_rows, const float *w, int32_t C,         \
                                  float32x4_t b, float *o, int32_t out_w, float32x4_t vlo, float32x4_t vhi) {      \
        dwk_row(x0, line, n_rows, w, C, b, o, out_w, vlo, vhi, K, S);                                              \
    }
DWK_ROW_FN(5, 1)
DWK_ROW_FN(5, 2)
DWK_ROW_FN(7, 1)
DWK_ROW_FN(7, 2)

typedef void (*dwk_row_fn)(const float *, size_t, int32_t, const float *, int32_t, float32x4_t, float *, int32_t,
                           float32x4_t, float32x4_t);

/* Columns of a line: the output row read with stride S, plus K - 1. */
static int32_t dwk_line_columns(const edgec_conv2d_params *p) { return (p->out_w - 1) * p->stride_w + p->k_w; }

static dwk_row_fn dwk_pick(const edgec_conv2d_params *p) {
    if (p->k_h != p->k_w || p->dil_h != 1 || p->dil_w != 1 || p->out_c != p->in_c || p->in_c < 4) return 0;
    if (p->pad_left >= p->k_w || p->pad_top < 0 || p->pad_left < 0 || p->out_h <= 0) return 0;
    /* rows of fewer than 4 pixels: the per-row copies and the zero columns (most of a 7 wide window over a 3
     * wide map) cost more than the blocks save (mcunet-vww1's 3x3 outputs: +25 % and +50 % instructions) */
    if (p->out_w < 4) return 0;
    if ((size_t)dwk_line_columns(p) * 4 * p->k_h > DWK_LINES_MAX) return 0;
    const int s1 = p->stride_w == 1, s2 = p->stride_w == 2;
    if (p->k_w == 5) return s1 ? dwk_row_5_1 : s2 ? dwk_row_5_2 : 0;
    if (p->k_w == 7) return s1 ? dwk_row_7_1 : s2 ? dwk_row_7_2 : 0;
    return 0;
}

/* Channels [0, fast_c) of every pixel (fast_c a multiple of 4). */
static void depthwise_kxk(const float *input, const float *weights, const float *bias, float *output,
                          const edgec_conv2d_params *p, int32_t fast_c, dwk_row_fn row_fn) {
    const int32_t C = p->in_c, K = p->k_h, L = dwk_line_columns(p);
    const size_t line = (size_t)L * 4;
    float lines[DWK_LINES_MAX];
    /* input columns [0, n_cols) land at line columns pad_left + ix; the others, zero, are written once */
    int32_t n_cols = L - p->pad_left;
    if (n_cols > p->in_w) n_cols = p->in_w;
    const float32x4_t z = vdupq_n_f32(0.0f);
    const int32_t rows_max = (int32_t)(DWK_LINES_MAX / line) < p->in_h ? (int32_t)(DWK_LINES_MAX / line) : p->in_h;
    for (int32_t k = 0; k < rows_max; ++k)
        for (int32_t j = 0; j < L; ++j)
            if (j < p->pad_left || j >= p->pad_left + n_cols) vst1q_f32(lines + (size_t)k * line + (size_t)4 * j, z);
    const float32x4_t vlo = vdupq_n_f32(p->act_min), vhi = vdupq_n_f32(p->act_max);
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *in_b = input + (size_t)n * p->in_h * p->in_w * C;
        float *out_b = output + (size_t)n * p->out_h * p->out_w * C;
        for (int32_t c = 0; c < fast_c; c += 4) {
            const float32x4_t b = bias ? vld1q_f32(bias + c) : z;
            for (int32_t oy = 0; oy < p->out_h;) {
                /* a band: input rows [first, last) in lines [0, last - first), then the output rows it holds */
                const int32_t iy_top = oy * p->stride_h - p->pad_top, first = iy_top < 0 ? 0 : iy_top;
                const int32_t last = first + rows_max < p->in_h ? first + rows_max : p->in_h;
                for (int32_t iy = first; iy < last; ++iy) {
                    const float *src = in_b + (size_t)iy * p->in_w * C + c;
                    float *d = lines + (size_t)(iy - first) * line + (size_t)4 * p->pad_left;
                    int32_t ix = 0;
                    for (; ix + 2 <= n_cols; ix += 2, d += 8, src += 2 * (size_t)C) {
                        const float32x4_t x0 = vld1q_f32(src), x1 = vld1q_f32(src + C);
                        vst1q_f32(d, x0);
                        vst1q_f32(d + 4, x1);
                    }
                    if (ix < n_cols) vst1q_f32(d, vld1q_f32(src));
                }
                for (; oy < p->out_h; ++oy) {
                    const int32_t iy0 = oy * p->stride_h - p->pad_top;
                    const int32_t ky_lo = iy0 < 0 ? -iy0 : 0;
                    const int32_t ky_hi = iy0 + K > p->in_h ? p->in_h - iy0 : K;
                    if (iy0 + ky_hi > last) break; /* the next band's */
                    const int32_t n_rows = ky_hi > ky_lo ? ky_hi - ky_lo : 0;
                    row_fn(lines + (size_t)(iy0 + ky_lo - first) * line, line, n_rows,
                           weights + (size_t)ky_lo * K * C + c, C, b, out_b + (size_t)oy * p->out_w * C + c,
                           p->out_w, vlo, vhi);
                }
            }
        }
    }
}

static void depthwise_general(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                              const edgec_conv2d_params *p, int32_t c_fast, const interior_box *box);

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int fast = p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 && p->out_c == p->in_c;
    const int32_t C = p->in_c, fast_c = fast ? C / 4 * 4 : 0;
    if (fast_c) { /* group_3x3 on the interior's first fast_c channels, the general loop on the rest */
        interior_box box;
        box.x_lo = ceil_div(p->pad_left, p->stride_w);
        box.y_lo = ceil_div(p->pad_top, p->stride_h);
        box.x_hi = p->in_w - 3 + p->pad_left < 0 ? 0 : (p->in_w - 3 + p->pad_left) / p->stride_w + 1;
        box.y_hi = p->in_h - 3 + p->pad_top < 0 ? 0 : (p->in_h - 3 + p->pad_top) / p->stride_h + 1;
        if (box.x_hi > p->out_w) box.x_hi = p->out_w;
        if (box.y_hi > p->out_h) box.y_hi = p->out_h;
        if (box.x_lo > box.x_hi) box.x_lo = box.x_hi;
        const int border = fast_c <= BORDER_MAX_C;
        for (int32_t n = 0; n < p->batch; ++n) {
            const float *in_b = input + (size_t)n * p->in_h * p->in_w * C;
            float *out_b = output + (size_t)n * p->out_h * p->out_w * C;
            for (int32_t c = 0; c < fast_c; c += 4) group_3x3(in_b, out_b, weights, bias, c, &box, p);
            if (border) border_3x3(in_b, out_b, weights, bias, fast_c, &box, p);
        }
        if (!border || fast_c < C) depthwise_general(input, weights, bias, output, p, fast_c, border ? NULL : &box);
        return;
    }
    const dwk_row_fn row_fn = dwk_pick(p);
    if (row_fn) { /* 5x5 / 7x7: depthwise_kxk on the first C / 4 * 4 channels, the general loop on the rest */
        depthwise_kxk(input, weights, bias, output, p, C / 4 * 4, row_fn);
        if (C % 4) depthwise_general(input, weights, bias, output, p, C / 4 * 4, NULL);
        return;
    }
    depthwise_general(input, weights, bias, output, p, 0, NULL);
}

/* Every pixel, 8 channels then 4 then 1 at a time: with a box, all channels but the interior pixels' first c_fast
 * (group_3x3 did those); without, every pixel's channels from c_fast on (group_3x3 and border_3x3 did the others). */
static void depthwise_general(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                              const edgec_conv2d_params *p, int32_t c_fast, const interior_box *box) {
    const int32_t C = p->in_c, OC = p->out_c, mult = OC / C;
    const float lo = p->act_min, hi = p->act_max;
    const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi), z = vdupq_n_f32(0.0f);
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int32_t ky_lo = ceil_div(-iy0, p->dil_h);
        int32_t ky_hi = p->k_h;
        while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * p->dil_h >= p->in_h) --ky_hi;
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            if (box && c_fast == C && ox == box->x_lo && ox < box->x_hi && oy >= box->y_lo && oy < box->y_hi) {
                ox = box->x_hi - 1; /* the interior: all of it done by group_3x3 */
                continue;
            }
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            const int32_t kx_lo = ceil_div(-ix0, p->dil_w);
            int32_t kx_hi = p->k_w;
            while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * p->dil_w >= p->in_w) --kx_hi;
            float *out = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * OC;
            /* Index of tap (0, 0), which may lie in the padding; only in-bounds taps are read. */
            const ptrdiff_t base = (((ptrdiff_t)n * p->in_h + iy0) * p->in_w + ix0) * C;
            if (mult != 1) { /* depth multiplier > 1: rare, simple loop */
                for (int32_t oc = 0; oc < OC; ++oc) {
                    float acc = bias ? bias[oc] : 0.0f;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                            acc = EDGEC_FMA(acc, input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + oc / mult],
                                   weights[((size_t)ky * p->k_w + kx) * OC + oc]);
                    out[oc] = edgec_clampf(acc, lo, hi);
                }
                continue;
            }
            const int interior = box && ox >= box->x_lo && ox < box->x_hi && oy >= box->y_lo && oy < box->y_hi;
            int32_t c = interior || !box ? c_fast : 0;
            for (; c + 8 <= C; c += 8) {
                float32x4_t a0 = bias ? vld1q_f32(bias + c) : z, a1 = bias ? vld1q_f32(bias + c + 4) : z;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                    const float *x = input + base + (ptrdiff_t)ky * p->dil_h * p->in_w * C + c + (ptrdiff_t)kx_lo * p->dil_w * C;
                    const float *w = weights + ((size_t)ky * p->k_w + kx_lo) * C + c;
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * C, w += C) {
                        a0 = edgec_neon_fma_f32(a0, vld1q_f32(x), vld1q_f32(w));
                        a1 = edgec_neon_fma_f32(a1, vld1q_f32(x + 4), vld1q_f32(w + 4));
                    }
                }
                vst1q_f32(out + c, vminq_f32(vmaxq_f32(a0, vlo), vhi));
                vst1q_f32(out + c + 4, vminq_f32(vmaxq_f32(a1, vlo), vhi));
            }
            for (; c + 4 <= C; c += 4) {
                float32x4_t a0 = bias ? vld1q_f32(bias + c) : z;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                    const float *x = input + base + (ptrdiff_t)ky * p->dil_h * p->in_w * C + c + (ptrdiff_t)kx_lo * p->dil_w * C;
                    const float *w = weights + ((size_t)ky * p->k_w + kx_lo) * C + c;
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx, x += (size_t)p->dil_w * C, w += C)
                        a0 = edgec_neon_fma_f32(a0, vld1q_f32(x), vld1q_f32(w));
                }
                vst1q_f32(out + c, vminq_f32(vmaxq_f32(a0, vlo), vhi));
            }
            for (; c < C; ++c) {
                float acc = bias ? bias[c] : 0.0f;
                for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
                    for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                        acc = EDGEC_FMA(acc, input[base + ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * C + c],
                               weights[((size_t)ky * p->k_w + kx) * C + c]);
                out[c] = edgec_clampf(acc, lo, hi);
            }
        }
    }
}
