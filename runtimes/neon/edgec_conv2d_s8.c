/* Arm NEON: int8 convolution (TFLite ConvPerChannel), bit-exact with runtimes/reference/edgec_conv2d_s8.c.
 *
 * sum w * (x + input_offset) = sum w * x + input_offset * sum w, over the taps inside the input. The first sum
 * runs on NEON (edgec_neon_dot4_s8: SDOT, or SMULL + SADALP), four output channels per pass so that each input
 * vector loaded feeds four rows; where a tap row lies wholly inside the input (and dil_w = 1) its k_w taps are one
 * contiguous run of k_w * in_c bytes in both the input and the OHWI weights. Pointwise layers go four pixels x four
 * channels per tile (pointwise_tile). sum w is each channel's total, less
 * the taps outside the input (borders only). The integer sum is exact in any order, and the requantisation
 * (edgec_neon_requant4) gives the reference's bits, so the bytes match. */
#include "edgec_conv2d_s8.h"
#include "edgec_neon.h"

/* Output channels [oc, oc + rows) (rows 4, or 1 for the remainder) at one output pixel. Returns the 4 dot
 * products over the inside taps in lanes 0..rows-1 and adds the weight sums of the outside taps to outside[]. */
static int32x4_t pixel_dot(const int8_t *in_b, const int8_t *w_oc, size_t K, int32_t rows, int32_t y0, int32_t x0,
                           const edgec_conv2d_s8_params *p, int32_t outside[4]) {
    const int32_t C = p->in_c, run = p->k_w * C;
    int32x4_t acc = vdupq_n_s32(0);
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        const int8_t *w_row = w_oc + (size_t)ky * run;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t j = 0; j < rows; ++j) outside[j] += edgec_neon_sum_s8(w_row + j * K, run);
            continue;
        }
        const int8_t *in_row = in_b + (size_t)iy * p->in_w * C;
        if (p->dil_w == 1 && x0 >= 0 && x0 + p->k_w <= p->in_w) { /* the whole row inside: one run */
            if (rows == 4) acc = edgec_neon_dot4_s8(acc, in_row + (size_t)x0 * C, w_row, K, run);
            else acc = vsetq_lane_s32(vgetq_lane_s32(acc, 0) + edgec_neon_dot1_s8(in_row + (size_t)x0 * C, w_row, run),
                                      acc, 0);
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            const int8_t *w_tap = w_row + (size_t)kx * C;
            if (ix < 0 || ix >= p->in_w) {
                for (int32_t j = 0; j < rows; ++j) outside[j] += edgec_neon_sum_s8(w_tap + j * K, C);
                continue;
            }
            const int8_t *x = in_row + (size_t)ix * C;
            if (rows == 4) acc = edgec_neon_dot4_s8(acc, x, w_tap, K, C);
            else acc = vsetq_lane_s32(vgetq_lane_s32(acc, 0) + edgec_neon_dot1_s8(x, w_tap, C), acc, 0);
        }
    }
    return acc;
}

/* Output pixels px (a flat index over the batch's out_h * out_w), channels [oc, oc + rows): the general path. */
static void one_pixel(const int8_t *in_b, const int8_t *w_oc, size_t K, int32_t rows, int32_t oc, int32_t px,
                      const int32_t total[4], const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                      int8_t *out_b, const edgec_conv2d_s8_params *p) {
    const int32_t oy = px / p->out_w, ox = px % p->out_w;
    int32_t outside[4] = {0, 0, 0, 0};
    int32x4_t acc = pixel_dot(in_b, w_oc, K, rows, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, p,
                              outside);
    int8_t *out = out_b + (size_t)px * p->out_c + oc;
    /* wrapping lane arithmetic: the same bits as the reference's int32 sum */
    acc = vaddq_s32(acc, vreinterpretq_s32_u32(vmulq_n_u32(
                             vreinterpretq_u32_s32(vsubq_s32(vld1q_s32(total), vld1q_s32(outside))),
                             (uint32_t)p->input_offset)));
    if (bias) acc = vaddq_s32(acc, rows == 4 ? vld1q_s32(bias + oc) : vsetq_lane_s32(bias[oc], vdupq_n_s32(0), 0));
    if (rows == 4) {
        edgec_neon_store4_s8(out, edgec_neon_requant4(acc, multiplier + oc, shift + oc, p->requant, p->output_offset,
                                                      p->act_min, p->act_max));
    } else {
        out[0] = (int8_t)edgec_requant(vgetq_lane_s32(acc, 0), multiplier[oc], shift[oc], p->requant,
                                       p->output_offset, p->act_min, p->act_max);
    }
}

/* Four output pixels x four channels per tile, 16 accumulators, so that each 16-byte load of input or weights
 * feeds four dot products: pointwise layers (every pixel) and the interior pixels of the others (all taps inside,
 * dil_w = 1). x[i]: pixel i's tap (0, 0); per kernel row one run of `run` = k_w * in_c bytes, `row` bytes apart
 * in the input. base: input_offset * (each channel's weight sum) + bias. */
static void window_tile(const int8_t *const x[4], const int8_t *w_oc, size_t K, int32_t k_h, int32_t run, size_t row,
                        int32x4_t base, const edgec_neon_fixed4 *fixed, const int32_t *multiplier,
                        const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
    int32x4_t a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
    int32x4_t t0 = z, t1 = z, t2 = z, t3 = z; /* each row's last run % 16 bytes */
    for (int32_t ky = 0; ky < k_h; ++ky) {
        const size_t off = (size_t)ky * row;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
        const int8_t *w0 = w_oc + (size_t)ky * run, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        int32_t c = 0;
        for (; c + 16 <= run; c += 16) {
            const int8x16_t v0 = vld1q_s8(x0 + c), v1 = vld1q_s8(x1 + c), v2 = vld1q_s8(x2 + c), v3 = vld1q_s8(x3 + c);
            const int8x16_t k0 = vld1q_s8(w0 + c), k1 = vld1q_s8(w1 + c), k2 = vld1q_s8(w2 + c), k3 = vld1q_s8(w3 + c);
            a00 = edgec_neon_dot16_s8(a00, v0, k0); a01 = edgec_neon_dot16_s8(a01, v0, k1);
            a02 = edgec_neon_dot16_s8(a02, v0, k2); a03 = edgec_neon_dot16_s8(a03, v0, k3);
            a10 = edgec_neon_dot16_s8(a10, v1, k0); a11 = edgec_neon_dot16_s8(a11, v1, k1);
            a12 = edgec_neon_dot16_s8(a12, v1, k2); a13 = edgec_neon_dot16_s8(a13, v1, k3);
            a20 = edgec_neon_dot16_s8(a20, v2, k0); a21 = edgec_neon_dot16_s8(a21, v2, k1);
            a22 = edgec_neon_dot16_s8(a22, v2, k2); a23 = edgec_neon_dot16_s8(a23, v2, k3);
            a30 = edgec_neon_dot16_s8(a30, v3, k0); a31 = edgec_neon_dot16_s8(a31, v3, k1);
            a32 = edgec_neon_dot16_s8(a32, v3, k2); a33 = edgec_neon_dot16_s8(a33, v3, k3);
        }
        if (c < run) {
            t0 = edgec_neon_dot4_s8(t0, x0 + c, w0 + c, K, run - c);
            t1 = edgec_neon_dot4_s8(t1, x1 + c, w0 + c, K, run - c);
            t2 = edgec_neon_dot4_s8(t2, x2 + c, w0 + c, K, run - c);
            t3 = edgec_neon_dot4_s8(t3, x3 + c, w0 + c, K, run - c);
        }
    }
    const int32x4_t sums[4] = {vaddq_s32(edgec_neon_hsum4_s32(a00, a01, a02, a03), t0),
                               vaddq_s32(edgec_neon_hsum4_s32(a10, a11, a12, a13), t1),
                               vaddq_s32(edgec_neon_hsum4_s32(a20, a21, a22, a23), t2),
                               vaddq_s32(edgec_neon_hsum4_s32(a30, a31, a32, a33), t3)};
    const int32x4_t zp = vdupq_n_s32(p->output_offset), lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t i = 0; i < 4; ++i) {
        const int32x4_t acc = vaddq_s32(sums[i], base);
        edgec_neon_store4_s8(out + (size_t)i * p->out_c,
                             fixed ? edgec_neon_fixed4_apply(acc, *fixed, zp, lo, hi)
                                   : edgec_neon_requant4(acc, multiplier, shift, p->requant, p->output_offset,
                                                         p->act_min, p->act_max));
    }
}

/* Output x range [*lo, *hi) whose horizontal taps all fall inside the input. */
static void interior_x(const edgec_conv2d_s8_params *p, int32_t *lo, int32_t *hi) {
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t a = (p->pad_left + p->stride_w - 1) / p->stride_w;
    int32_t b = p->in_w - 1 - span + p->pad_left; /* largest ox*stride allowed */
    b = b < 0 ? 0 : b / p->stride_w + 1;
    if (b > p->out_w) b = p->out_w;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
    const int32_t pixels = p->out_h * p->out_w;
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
                          p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
    int32_t x_lo, x_hi;
    interior_x(p, &x_lo, &x_hi);
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * pixels * p->out_c;
        for (int32_t oc = 0; oc < p->out_c;) {
            const int32_t rows = oc + 4 <= p->out_c ? 4 : 1;
            const int8_t *w_oc = weights + (size_t)oc * K;
            int32_t total[4] = {0, 0, 0, 0}; /* each channel's weight sum over all taps */
            for (int32_t j = 0; j < rows; ++j) total[j] = edgec_neon_sum_s8(w_oc + j * K, (int32_t)K);
            if (rows == 4) {
                int32x4_t base = vreinterpretq_s32_u32(vmulq_n_u32(vreinterpretq_u32_s32(vld1q_s32(total)),
                                                                   (uint32_t)p->input_offset));
                if (bias) base = vaddq_s32(base, vld1q_s32(bias + oc));
                edgec_neon_fixed4 fixed;
                if (p->requant == EDGEC_REQUANT_FIXED) fixed = edgec_neon_fixed4_load(multiplier + oc, shift + oc);
                const edgec_neon_fixed4 *fx = p->requant == EDGEC_REQUANT_FIXED ? &fixed : NULL;
                if (pointwise) {
                    int32_t px = 0;
                    for (; pixels >= 4 && pixels - px >= 2; px += 4) { /* a last single pixel: one_pixel */
                        if (px + 4 > pixels) px = pixels - 4; /* overlapping the tile before: same bytes again */
                        const int8_t *x0 = in_b + (size_t)px * p->in_c;
                        const int8_t *x[4] = {x0, x0 + p->in_c, x0 + 2 * p->in_c, x0 + 3 * p->in_c};
                        window_tile(x, w_oc, K, 1, p->in_c, 0, base, fx, multiplier + oc, shift + oc,
                                    out_b + (size_t)px * p->out_c + oc, p);
                    }
                    for (; px < pixels; ++px)
                        one_pixel(in_b, w_oc, K, rows, oc, px, total, bias, multiplier, shift, out_b, p);
                } else {
                    for (int32_t oy = 0; oy < p->out_h; ++oy) {
                        const int32_t iy0 = oy * p->stride_h - p->pad_top;
                        const int inside = p->dil_w == 1 && iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
                        int32_t ox = 0;
                        if (inside) {
                            for (; ox < x_lo; ++ox)
                                one_pixel(in_b, w_oc, K, rows, oc, oy * p->out_w + ox, total, bias, multiplier, shift,
                                          out_b, p);
                            const size_t sx = (size_t)p->stride_w * p->in_c;
                            for (; x_hi - x_lo >= 4 && x_hi - ox >= 2; ox += 4) { /* a last single pixel: one_pixel */
                                if (ox + 4 > x_hi) ox = x_hi - 4; /* overlapping the tile before: same bytes */
                                const int8_t *x0 = in_b + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * p->in_c;
                                const int8_t *x[4] = {x0, x0 + sx, x0 + 2 * sx, x0 + 3 * sx};
                                window_tile(x, w_oc, K, p->k_h, p->k_w * p->in_c, (size_t)p->dil_h * p->in_w * p->in_c,
                                            base, fx, multiplier + oc, shift + oc,
                                            out_b + ((size_t)oy * p->out_w + ox) * p->out_c + oc, p);
                            }
                        }
                        for (; ox < p->out_w; ++ox)
                            one_pixel(in_b, w_oc, K, rows, oc, oy * p->out_w + ox, total, bias, multiplier, shift,
                                      out_b, p);
                    }
                }
            } else {
                for (int32_t px = 0; px < pixels; ++px)
                    one_pixel(in_b, w_oc, K, rows, oc, px, total, bias, multiplier, shift, out_b, p);
            }
            oc += rows;
        }
    }
}

/* ---- edgec_conv2d_s8_dot4(_neon): weights interleaved at compile time -----------------------------------------
 * The weights come as blocks of 16 output channels, [K4][16][4] bytes (compiler/edgec/ops/quantized_s8.py,
 * pack_conv_s8_dot4): four consecutive k of four channels fill one 128-bit register, so one SDOT by element
 * multiplies them with four input bytes of one pixel into that pixel's four channel sums, and each 64-byte load of
 * weights feeds DOT4_PX pixels. The bias comes with input_offset * (the channel's weight sum) folded in, so the
 * kernel sums w * x on the raw signed bytes; a tap outside the input reads -input_offset (within int8 since
 * input_offset is within [-127, 128]), which adds w * (-input_offset) to cancel the folded term exactly as the
 * reference's skipped tap adds nothing. Without the dot product (cortex-a53, Armv7-A) the same layout goes
 * through SMULL + SADALP into half sums (two channels per register), two pixels per tile, or, when the flags of
 * edgec_conv2d_s8_dot4_neon say no weight is -128, SMULL + SMLAL + SADALP (two products per int16 lane). With
 * EDGEC_CONV2D_S8_DOT4_ROWS each kernel row takes whole words of the packed weights. The integer sums are
 * exact, the requantisation gives the reference's bits (edgec_neon_requant4's arithmetic, narrowed with
 * saturation before the zero point and the clamp, which changes no result): bit-exact with the reference. */
#define DOT4_OCB 16
#define DOT4_MAX_BLOCKS 16 /* blocks whose requantisation constants are prepared at once */
#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
#define DOT4_PX 4
#else
#define DOT4_PX 2
#endif

/* One block's requantisation constants, padded to 16 channels. */
typedef struct {
    int32_t bias[DOT4_OCB], multiplier[DOT4_OCB], shift[DOT4_OCB], left[DOT4_OCB], right[DOT4_OCB];
#if DOT4_PX == 2
    int32_t bias_half[2 * DOT4_OCB]; /* the SMULL tile's half sums' start: bias[j] at 2j, 0 at 2j + 1 */
#define DOT4_TILE_BIAS(q) ((q)->bias_half)
#else
#define DOT4_TILE_BIAS(q) ((q)->bias)
#endif
    int32_t right_only; /* every channel: no left shift, a right shift, multiplier >= 0 (dot4_round4) */
    int32_t no_left; /* every channel: no left shift (a right shift or none), multiplier >= 0 (dot4_round4_noleft) */
    int32_t relu; /* no_left, EDGEC_REQUANT_FIXED and DOT4_RELU_OUT: dot4_round4_relu (one flag for the tiles) */
} dot4_block_rq;

/* n bytes from s to d, and n bytes of v at d: 16 at a time, the last few one by one (the window copies' rows are
 * short: 9 bytes in a 3x3 RGB layer). The empty asm keeps the compiler from making the byte loops memcpy / memset
 * calls, which cost more than the bytes. */
#define DOT4_NO_LIBCALL() __asm__("" ::: "memory")
/* A block's 16 multipliers and right shifts as four vectors each, loaded once for a tile or a strip */
#define DOT4_BLOCK_RQ16(q, m0, m1, m2, m3, r0, r1, r2, r3)                                                         \
    const int32x4_t m0 = vld1q_s32((q)->multiplier), m1 = vld1q_s32((q)->multiplier + 4);                          \
    const int32x4_t m2 = vld1q_s32((q)->multiplier + 8), m3 = vld1q_s32((q)->multiplier + 12);                     \
    const int32x4_t r0 = vld1q_s32((q)->right), r1 = vld1q_s32((q)->right + 4);                                    \
    const int32x4_t r2 = vld1q_s32((q)->right + 8), r3 = vld1q_s32((q)->right + 12)

static inline void copy_s8(int8_t *d, const int8_t *s, int32_t n) {
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) vst1q_s8(d + i, vld1q_s8(s + i));
    if (i + 8 <= n) {
        vst1_s8(d + i, vld1_s8(s + i));
        i += 8;
    }
    for (; i < n; ++i) {
        d[i] = s[i];
        DOT4_NO_LIBCALL();
    }
}

static inline void fill_s8(int8_t *d, int8_t v, int32_t n) {
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) vst1q_s8(d + i, vdupq_n_s8(v));
    for (; i < n; ++i) {
        d[i] = v;
        DOT4_NO_LIBCALL();
    }
}

/* Pixel (oy, ox)'s window, k-major as the weights (K4 * 4 bytes; outside the input and past K: pad), kernel row
 * ky at ky * row (row = k_w * in_c, or that rounded up to whole words for EDGEC_CONV2D_S8_DOT4_ROWS, pad between). */
static void window_s8(const int8_t *q, const edgec_conv2d_s8_params *p, int32_t oy, int32_t ox, int8_t pad,
                      int32_t K4, int32_t row, int8_t *dst) {
    const int32_t C = p->in_c, row_len = p->k_w * C;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    int8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky, d += row) {
        const int32_t iy = y0 + ky * p->dil_h;
        fill_s8(d + row_len, pad, row - row_len);
        if (iy < 0 || iy >= p->in_h) {
            fill_s8(d, pad, row_len);
            continue;
        }
        const int8_t *src_row = q + (size_t)iy * p->in_w * C;
        if (p->dil_w == 1) { /* the row's taps inside the input are one contiguous run */
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->in_w - x0 < p->k_w ? p->in_w - x0 : p->k_w;
            const int32_t lo = kx0 * C, hi = kx1 > kx0 ? kx1 * C : lo;
            fill_s8(d, pad, lo);
            if (hi > lo) copy_s8(d + lo, src_row + (ptrdiff_t)(x0 + kx0) * C, hi - lo);
            fill_s8(d + hi, pad, row_len - hi);
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) fill_s8(d + kx * C, pad, C);
            else copy_s8(d + kx * C, src_row + (size_t)ix * C, C);
        }
    }
    fill_s8(d, pad, K4 * 4 - (int32_t)(d - dst));
}

/* The input rows one output row's windows read (dil_w = 1), padded: k_h rows of `len` bytes (the output row's
 * columns of taps, pad outside the input, then 16 bytes of pad so that 16-byte loads may run past a window's
 * end), two output rows kept (a tile of pixels may span two). A window is then k_h runs of k_w * in_c bytes
 * copied 16 at a time (dot4_band_window) instead of byte by byte with bounds checks (window_s8): the first layers
 * (3 input channels) copy a window per pixel. */
#define DOT4_BAND_BYTES 8192
typedef struct {
    int8_t bytes[2][DOT4_BAND_BYTES];
    int32_t row[2]; /* the output row of each slot, or -1 */
    int32_t len;
} dot4_band;

/* The band length of a row, or 0 when the bands do not fit (or dil_w != 1: window_s8 then). */
static int32_t dot4_band_len(const edgec_conv2d_s8_params *p) {
    const int32_t cols = (p->out_w - 1) * p->stride_w + p->k_w, len = cols * p->in_c + 16;
    return p->dil_w == 1 && (int64_t)p->k_h * len <= DOT4_BAND_BYTES ? len : 0;
}

/* Bytes [from, to) of a band row set to pad, 16 at a time: up to 15 bytes past `to`, which the caller writes
 * afterwards. */
static inline void band_pad(int8_t *d, int8x16_t pad16, int32_t from, int32_t to) {
    for (int32_t i = from; i < to; i += 16) vst1q_s8(d + i, pad16);
}

/* The same ending exactly at `to` (to - from >= 16: a row's last 16 bytes are pad): nothing written past the
 * row, whose neighbour in a ring (dot4_ring_row) may hold a row still in use. */
static inline void band_pad_end(int8_t *d, int8x16_t pad16, int32_t from, int32_t to) {
    for (int32_t i = from; i + 16 < to; i += 16) vst1q_s8(d + i, pad16);
    vst1q_s8(d + to - 16, pad16);
}

/* One band row (len bytes): input row iy's columns from -pad_left on, pad outside the input (all pad when iy is
 * outside), 16 bytes at a time. */
static void dot4_band_fill(int8_t *d, const int8_t *in_b, int32_t iy, int8_t pad, int32_t len,
                           const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, cols = (len - 16) / C, ix0 = -p->pad_left;
    const int32_t lo = ix0 < 0 ? -ix0 : 0; /* the columns inside the input: [lo, hi) */
    const int32_t hi = p->in_w - ix0 < cols ? p->in_w - ix0 : cols;
    const int8x16_t pad16 = vdupq_n_s8(pad);
    const int32_t inside = (hi - lo) * C;
    if (iy < 0 || iy >= p->in_h || hi <= lo) {
        band_pad_end(d, pad16, 0, len);
        return;
    }
    band_pad(d, pad16, 0, lo * C);
    const int8_t *src = in_b + ((size_t)iy * p->in_w + (size_t)(ix0 + lo)) * C;
    if (inside >= 16) { /* 16 bytes at a time, the last 16 ending with the row (no read past the input) */
        int32_t i = 0;
#if defined(__aarch64__)
        for (; i + 64 < inside; i += 64) vst1q_s8_x4(d + lo * C + i, vld1q_s8_x4(src + i));
#endif
        for (; i + 16 < inside; i += 16) vst1q_s8(d + lo * C + i, vld1q_s8(src + i));
        vst1q_s8(d + lo * C + inside - 16, vld1q_s8(src + inside - 16));
    } else {
        copy_s8(d + lo * C, src, inside);
    }
    band_pad_end(d, pad16, hi * C, len);
}

static const int8_t *dot4_band_rows(dot4_band *b, const int8_t *in_b, int32_t oy, int8_t pad,
                                    const edgec_conv2d_s8_params *p) {
    const int32_t slot = oy & 1;
    int8_t *d = b->bytes[slot];
    if (b->row[slot] == oy) return d;
    for (int32_t ky = 0; ky < p->k_h; ++ky, d += b->len)
        dot4_band_fill(d, in_b, oy * p->stride_h - p->pad_top + ky * p->dil_h, pad, b->len, p);
    b->row[slot] = oy;
    return b->bytes[slot];
}

/* The flat windows' rows (dot4_flat_windows) from a ring of padded input rows instead of the band: each input row
 * copied once, where the band copies k_h rows per output row (KWS's first layer, 10 kernel rows at stride 2: each
 * input row five times). The ring holds the span of rows one output row reads, (k_h - 1) * dil_h + 1 of them,
 * rounded up to a power of two (up to DOT4_RING_ROWS, in the band's first slot), and one row of pad (the second
 * slot) for rows outside the input. Returns the ring's rows, or 0 when it does not fit. */
#define DOT4_RING_ROWS 32
static int32_t dot4_ring_size(const dot4_band *b, const edgec_conv2d_s8_params *p) {
    const int32_t span = (p->k_h - 1) * p->dil_h + 1;
    int32_t ring = 1;
    while (ring < span) ring *= 2;
    return b->len && ring <= DOT4_RING_ROWS && (int64_t)ring * b->len <= DOT4_BAND_BYTES ? ring : 0;
}

/* A ring's rows and its rows' layout, computed once (dot4_band_fill computes it for every row): left bytes of
 * pad, the input row's `inside` bytes from src (input row 0's first column in the ring's rows), pad to len. */
typedef struct {
    int8_t *rows, *pad_row; /* the band's first slot; its second, a row of pad */
    const int8_t *src, *end; /* end: the input's end (16-byte loads of short rows within it) */
    size_t src_row; /* an input row's bytes */
    int32_t mask, len, in_h, left, inside; /* mask: the ring's rows - 1 */
    int32_t n64, n16; /* dot4_ring_fill's 64- and 16-byte copies of a row before its last one */
    int32_t image; /* every row the layer reads, from first on, filled at once (no lookups, no ring) */
    int32_t first;
    int8_t pad;
    int32_t held[DOT4_RING_ROWS]; /* the input row in each slot, or -1 */
} dot4_ring;

/* Ring row d: input row src's bytes padded (as dot4_band_fill), copied 64 and 16 bytes at a time, the last 16
 * ending with the row (no read past the input); a short row in one 16-byte copy when that reads within the input.
 * The bytes past the row, written by either, then padded. */
__attribute__((noinline)) static void dot4_ring_fill(int8_t *d, const int8_t *src, const dot4_ring *g) {
    const int8x16_t pad16 = vdupq_n_s8(g->pad);
    const int32_t left = g->left, inside = g->inside;
    band_pad(d, pad16, 0, left);
    d += left;
    if (inside >= 16) {
        const int8_t *s = src;
        int8_t *q = d;
        int32_t k16 = g->n16;
#if defined(__aarch64__) /* counted loops without the compiler's set-up of each (a fifth of a VWW row's fill) */
        int32_t k64 = g->n64;
        __asm__ volatile("cbz %w[k64], 2f\n" "1:\n" "ld1 {v4.16b - v7.16b}, [%[s]], #64\n"
                         "st1 {v4.16b - v7.16b}, [%[q]], #64\n" "subs %w[k64], %w[k64], #1\n" "b.ne 1b\n"
                         "2:\n" "cbz %w[k16], 4f\n" "3:\n" "ldr q4, [%[s]], #16\n" "str q4, [%[q]], #16\n"
                         "subs %w[k16], %w[k16], #1\n" "b.ne 3b\n" "4:\n"
                         : [s] "+r"(s), [q] "+r"(q), [k64] "+r"(k64), [k16] "+r"(k16)
                         :
                         : "v4", "v5", "v6", "v7", "memory", "cc");
        if (inside >= 64) /* the last 64 bytes, ending with the row */
            vst1q_s8_x4(d + inside - 64, vld1q_s8_x4(src + inside - 64));
        else
#else
        for (; k16 > 0; --k16, s += 16, q += 16) vst1q_s8(q, vld1q_s8(s));
#endif
            vst1q_s8(d + inside - 16, vld1q_s8(src + inside - 16));
    } else if (g->end - src >= 16) {
        vst1q_s8(d, vld1q_s8(src));
    } else {
        copy_s8(d, src, inside);
    }
    /* the pad past the row's bytes (at least 16): its first 16, any middle ones, its last 16 */
    int8_t *e = d + inside;
    const int32_t tail = g->len - left - inside;
    vst1q_s8(e, pad16);
    for (int32_t i = 16; i < tail - 16; i += 16) vst1q_s8(e + i, pad16);
    vst1q_s8(e + tail - 16, pad16);
}

/* Input row iy padded at d (dot4_ring_fill), or a row of pad where iy is outside the input */
EDGEC_INLINE void dot4_ring_put(const dot4_ring *g, int8_t *d, int32_t iy) {
    if ((uint32_t)iy < (uint32_t)g->in_h) dot4_ring_fill(d, g->src + (size_t)iy * g->src_row, g);
    else band_pad_end(d, vdupq_n_s8(g->pad), 0, g->len);
}

/* The ring of dot4_ring_size's rows (> 0) over band b's bytes, empty, its pad row filled. */
static void dot4_ring_init(dot4_ring *g, dot4_band *b, const int8_t *in_b, int8_t pad,
                           const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, cols = (b->len - 16) / C, ix0 = -p->pad_left;
    const int32_t lo = ix0 < 0 ? -ix0 : 0, hi = p->in_w - ix0 < cols ? p->in_w - ix0 : cols;
    const int32_t ring = dot4_ring_size(b, p);
    g->rows = b->bytes[0];
    g->pad_row = b->bytes[1];
    g->src_row = (size_t)p->in_w * C;
    g->src = in_b + (hi > lo ? (ptrdiff_t)(ix0 + lo) * C : 0);
    g->end = in_b + (size_t)p->in_h * g->src_row;
    g->mask = ring - 1;
    g->len = b->len;
    g->in_h = p->in_h;
    g->left = hi > lo ? lo * C : 0;
    g->inside = hi > lo ? (hi - lo) * C : 0;
    /* dot4_ring_fill's copies before the last 16 (the last 64 with 64 or more bytes on aarch64) */
    g->n16 = g->inside > 0 ? (g->inside - 1) / 16 : 0;
#if defined(__aarch64__)
    g->n64 = g->inside > 64 ? (g->inside - 1) / 64 : 0;
    if (g->inside >= 64) g->n16 = 0;
#endif
    g->pad = pad;
    for (int32_t i = 0; i < ring; ++i) g->held[i] = -1;
    band_pad(g->pad_row, vdupq_n_s8(pad), 0, b->len);
    /* the layer's rows all in the first slot (KWS's first layer: 58 rows of 28 bytes): each filled once as in the
     * ring, but an output row's k_h rows then one after the other, where the ring took a lookup for each */
    const int32_t rows = (p->out_h - 1) * p->stride_h + (p->k_h - 1) * p->dil_h + 1;
    g->image = (int64_t)rows * b->len <= DOT4_BAND_BYTES;
    g->first = -p->pad_top;
    for (int32_t i = 0; g->image && i < rows; ++i) {
        const int32_t iy = g->first + i;
        dot4_ring_put(g, g->rows + (size_t)i * g->len, iy);
    }
}

/* Input row iy in the ring (not g->image), filled when not there yet */
EDGEC_INLINE const int8_t *dot4_ring_row(dot4_ring *g, int32_t iy) {
    if ((uint32_t)iy >= (uint32_t)g->in_h) return g->pad_row;
    const int32_t slot = iy & g->mask;
    int8_t *d = g->rows + (size_t)slot * g->len;
    if (g->held[slot] != iy) {
        dot4_ring_fill(d, g->src + (size_t)iy * g->src_row, g);
        g->held[slot] = iy;
    }
    return d;
}

/* Pixel ox's window of an output row's band, k-major as the weights: k_h runs of k_w * in_c bytes, `row` bytes
 * apart (window_s8); the bytes past the last one up to the next word: pad. Writes up to 16 bytes past K4 * 4. */
static void dot4_band_window(const int8_t *band, int32_t len, int32_t ox, int8_t pad, int32_t row,
                             const edgec_conv2d_s8_params *p, int8_t *dst) {
    const int32_t run = p->k_w * p->in_c;
    const int8_t *src = band + (size_t)ox * p->stride_w * p->in_c;
    for (int32_t ky = 0; ky < p->k_h; ++ky, src += len, dst += row)
        for (int32_t i = 0; i < run; i += 16) vst1q_s8(dst + i, vld1q_s8(src + i));
    vst1_s8(dst - row + run, vdup_n_s8(pad));
}

/* The windows of a tile's pixels px..px + n - 1 (past n: pixel px again) into win. Out of line: inlined into the
 * tile loop its bookkeeping spilled the loop's registers. */
__attribute__((noinline)) static void dot4_windows(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t px,
                                                   int32_t n, dot4_band *band, int8_t pad, int32_t K4, int32_t row,
                                                   int8_t win[][EDGEC_CONV2D_S8_DOT4_MAX_K + 16]) {
    int32_t oy = px / p->out_w, ox = px % p->out_w;
    for (int32_t i = 0; i < DOT4_PX; ++i) {
        if (i == n) { /* past the last pixel: the first again */
            oy = px / p->out_w;
            ox = px % p->out_w;
        }
        if (band->len) dot4_band_window(dot4_band_rows(band, in_b, oy, pad, p), band->len, ox, pad, row, p, win[i]);
        else window_s8(in_b, p, oy, ox, pad, K4, row, win[i]);
        if (i + 1 < n && ++ox == p->out_w) {
            ox = 0;
            ++oy;
        }
    }
}

/* A tile's pixels px..px + n - 1 (past n: pixel px again), spanning at most two output rows, read in place from
 * their output rows' bands (dot4_band_rows) when a kernel row, k_w * in_c bytes, is a whole number of the packed
 * weights' quads: x[i] = pixel i's first window row, the next rows band->len bytes on, no window copied. */
__attribute__((noinline)) static void dot4_band_pixels(const int8_t *in_b, const edgec_conv2d_s8_params *p,
                                                       int32_t px, int32_t n, dot4_band *band, int8_t pad,
                                                       const int8_t *x[DOT4_PX]) {
    int32_t oy = px / p->out_w, ox = px % p->out_w;
    const int8_t *rows = dot4_band_rows(band, in_b, oy, pad, p);
    const size_t step = (size_t)p->stride_w * p->in_c;
    for (int32_t i = 0; i < n; ++i) {
        x[i] = rows + (size_t)ox * step;
        if (i + 1 < n && ++ox == p->out_w) {
            ox = 0;
            rows = dot4_band_rows(band, in_b, ++oy, pad, p);
        }
    }
    for (int32_t i = n; i < DOT4_PX; ++i) x[i] = x[0];
}

#if defined(__aarch64__)
/* Three kernel rows whose runs for two neighbouring pixels lie within 16 bytes, windows of 17 to 32 bytes (3 x 3
 * taps of 3 channels): TBL gathers both windows from the rows' 16 bytes (dot4_tbl3_index). */
static inline int dot4_tbl3_fits(const edgec_conv2d_s8_params *p, int32_t row) {
    const int32_t run = p->k_w * p->in_c, step = p->stride_w * p->in_c;
    return p->k_h == 3 && run + step <= 16 && 3 * row > 16 && 3 * row <= 32;
}

/* TBL indices of a window of three kernel rows held as three 16-byte vectors (a table of 48 bytes): window byte
 * j is kernel row j / row's byte j % row, off bytes into the vector; 255 (TBL's 0) past a row's run and past
 * the three rows, where the weights are zero. */
static uint8x16x2_t dot4_tbl3_index(int32_t run, int32_t row, int32_t off) {
    static const uint8_t iota[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                     16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    uint8x16x2_t v = {{vdupq_n_u8(255), vdupq_n_u8(255)}};
    for (int32_t ky = 0; ky < 3; ++ky) { /* bytes [ky * row, ky * row + run): j + ky * (16 - row) + off */
        const uint8x16_t lo = vdupq_n_u8((uint8_t)(ky * row)), hi = vdupq_n_u8((uint8_t)(ky * row + run));
        const uint8x16_t add = vdupq_n_u8((uint8_t)(ky * (16 - row) + off));
        for (int32_t h = 0; h < 2; ++h) {
            const uint8x16_t j = vld1q_u8(iota + 16 * h);
            const uint8x16_t in = vandq_u8(vcgeq_u8(j, lo), vcltq_u8(j, hi));
            v.val[h] = vbslq_u8(in, vaddq_u8(j, add), v.val[h]);
        }
    }
    return v;
}

/* a53's dot4_flat8_q7 takes a window's bytes 24-31 as x24 x26 x25 x27 x25 x27 x24 x26 (dot4_tbl3_index's second
 * vector through this) */
static const uint8_t dot4_pair_q7[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11, 9, 11, 8, 10};

/* the TBL pairs' pass (r0..r2: three kernel rows, 2 * step bytes a pass), STORE writing its two windows (v19, v20
 * and v21, v22; the indices a0, a1 and b0, b1) */
#define DOT4_TBL3_PASSES(STORE)                                                                                  \
    "1:\n" "ld1 {v16.16b}, [%[r0]], %[s2]\n" "ld1 {v17.16b}, [%[r1]], %[s2]\n" "ld1 {v18.16b}, [%[r2]], %[s2]\n"  \
    "tbl v19.16b, {v16.16b - v18.16b}, %[a0].16b\n" "tbl v20.16b, {v16.16b - v18.16b}, %[a1].16b\n"              \
    "tbl v21.16b, {v16.16b - v18.16b}, %[b0].16b\n" "tbl v22.16b, {v16.16b - v18.16b}, %[b1].16b\n" STORE         \
    "subs %w[n], %w[n], #1\n" "b.ne 1b\n"

/* n (> 0) windows of kernel rows of one word, 12 rows (r[ky] + off: rows past the kernel's any readable bytes),
 * the pixels step bytes apart within the rows' first 16 bytes, into dst, size bytes apart: three TBLs of four rows
 * a window, its 48 bytes in one store (those past the window's are the next one's, or past the last: up to 12). */
static void dot4_tbl_words(const int8_t *const r[12], size_t off, size_t step, int32_t n, int32_t size, int8_t *dst) {
    static const uint8_t index[16] = {0, 1, 2, 3, 16, 17, 18, 19, 32, 33, 34, 35, 48, 49, 50, 51};
    const size_t sz = (size_t)size;
    __asm__ volatile("ldp x9, x10, [%[r]]\n" "ldr q16, [x9, %[off]]\n" "ldr q17, [x10, %[off]]\n"
                     "ldp x9, x10, [%[r], #16]\n" "ldr q18, [x9, %[off]]\n" "ldr q19, [x10, %[off]]\n"
                     "ldp x9, x10, [%[r], #32]\n" "ldr q20, [x9, %[off]]\n" "ldr q21, [x10, %[off]]\n"
                     "ldp x9, x10, [%[r], #48]\n" "ldr q22, [x9, %[off]]\n" "ldr q23, [x10, %[off]]\n"
                     "ldp x9, x10, [%[r], #64]\n" "ldr q24, [x9, %[off]]\n" "ldr q25, [x10, %[off]]\n"
                     "ldp x9, x10, [%[r], #80]\n" "ldr q26, [x9, %[off]]\n" "ldr q27, [x10, %[off]]\n"
                     "ldr q28, [%[i]]\n" "dup v29.16b, %w[step]\n"
                     "1:\n" "tbl v0.16b, {v16.16b - v19.16b}, v28.16b\n" "tbl v1.16b, {v20.16b - v23.16b}, v28.16b\n"
                     "tbl v2.16b, {v24.16b - v27.16b}, v28.16b\n" "st1 {v0.16b - v2.16b}, [%[d]], %[sz]\n"
                     "add v28.16b, v28.16b, v29.16b\n" "subs %w[n], %w[n], #1\n" "b.ne 1b\n"
                     : [d] "+r"(dst), [n] "+r"(n)
                     : [r] "r"(r), [off] "r"(off), [i] "r"(index), [step] "r"(step), [sz] "r"(sz)
                     : "x9", "x10", "v0", "v1", "v2", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24",
                       "v25", "v26", "v27", "v28", "v29", "memory", "cc");
}
#endif

/* The windows of pixels px..px + n - 1, one after the other `size` bytes apart at dst, k-major as the packed
 * weights: kernel row ky's k_w * in_c bytes at ky * row, copied from the ring's padded input rows 16 bytes at a
 * time; each copy's bytes past its run are overwritten by the next row's, or lie where the weights are zero (the
 * row padding, past K), so windows need no padding of their own. Writes up to 16 bytes past the last window. */
__attribute__((noinline)) static void dot4_flat_windows(const edgec_conv2d_s8_params *p, int32_t px, int32_t n,
                                                        dot4_ring *g, int32_t row, int32_t size, int8_t *dst,
                                                        int pair_q7) {
    const int32_t out_w = p->out_w, dil_h = p->dil_h;
    const int32_t stride_h = p->stride_h, pad_top = p->pad_top;
    int32_t oy = px / out_w, ox = px % out_w;
    const int32_t run = p->k_w * p->in_c, k_h = p->k_h;
    const size_t step = (size_t)p->stride_w * p->in_c;
    const int8_t *r[DOT4_RING_ROWS];
#if defined(__aarch64__)
    const int tbl = dot4_tbl3_fits(p, row);
    uint8x16x2_t ia = {{vdupq_n_u8(0), vdupq_n_u8(0)}}, ib = ia;
    if (tbl) {
        ia = dot4_tbl3_index(run, row, 0);
        ib = dot4_tbl3_index(run, row, (int32_t)step);
    }
    if (tbl && pair_q7) { /* a53's dot4_flat8_q7 */
        ia.val[1] = vqtbl1q_u8(ia.val[1], vld1q_u8(dot4_pair_q7));
        ib.val[1] = vqtbl1q_u8(ib.val[1], vld1q_u8(dot4_pair_q7));
    }
    int8_t *const first = dst;
    const int32_t count = n;
    /* kernel rows of one word (one channel, 4 taps: KWS's 10 x 4), 9 to 12 of them: TBL gathers a window from
     * three tables of four rows' 16 bytes, several pixels from one load of the rows (dot4_tbl_words) */
    const int words = run == 4 && k_h >= 9 && k_h <= 12 && step <= 12;
    for (int32_t ky = k_h; words && ky < 12; ++ky) r[ky] = g->pad_row; /* read, times zero weights */
#else
    (void)pair_q7;
#endif
    while (n > 0) { /* the pixels of one output row */
        const int32_t m = out_w - ox < n ? out_w - ox : n;
        const int32_t iy0 = oy * stride_h - pad_top;
        if (g->image) { /* the rows one after the other */
            const size_t next = (size_t)dil_h * g->len;
            r[0] = g->rows + (size_t)(iy0 - g->first) * g->len + (size_t)ox * step;
            for (int32_t ky = 1; ky < k_h; ++ky) r[ky] = r[ky - 1] + next;
        } else {
            for (int32_t ky = 0; ky < k_h; ++ky) r[ky] = dot4_ring_row(g, iy0 + ky * dil_h) + (size_t)ox * step;
        }
#if defined(__aarch64__)
        if (words) {
            for (int32_t i = 0; i < m;) {
                const int32_t g = (int32_t)((16 - 4) / step) + 1, k = m - i < g ? m - i : g;
                dot4_tbl_words(r, (size_t)i * step, step, k, size, dst);
                i += k;
                dst += (size_t)k * size;
            }
        } else if (tbl) { /* two windows a pass from three 16-byte loads (dot4_tbl3_index) */
            const int8_t *r0 = r[0], *r1 = r[1], *r2 = r[2];
            const size_t step2 = 2 * step, sz = (size_t)size;
            int32_t pairs = m / 2;
/* the pairs' loop, STORE writing a pass's two windows */
#define DOT4_TBL3_PAIRS(STORE)                                                                                   \
    DOT4_TBL3_PASSES(STORE)                                                                                      \
    : [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [d] "+r"(dst), [n] "+r"(pairs)                                \
    : [a0] "w"(ia.val[0]), [a1] "w"(ia.val[1]), [b0] "w"(ib.val[0]), [b1] "w"(ib.val[1]), [s2] "r"(step2),       \
      [sz] "r"(sz)                                                                                               \
    : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "memory"
            if (pairs > 0 && size == 32) /* windows of 32 bytes (a53's dot4_flat8_q7): the two in one store */
                __asm__ volatile(DOT4_TBL3_PAIRS("st1 {v19.16b - v22.16b}, [%[d]], #64\n"));
            else if (pairs > 0)
                __asm__ volatile(DOT4_TBL3_PAIRS("st1 {v19.16b, v20.16b}, [%[d]], %[sz]\n"
                                                 "st1 {v21.16b, v22.16b}, [%[d]], %[sz]\n"));
#undef DOT4_TBL3_PAIRS
            if (m % 2) { /* the row's last pixel */
                const int8x16x3_t t = {{vld1q_s8(r0), vld1q_s8(r1), vld1q_s8(r2)}};
                vst1q_s8(dst, vqtbl3q_s8(t, ia.val[0]));
                vst1q_s8(dst + 16, vqtbl3q_s8(t, ia.val[1]));
                dst += size;
            }
        } else
#endif
        if (run <= 16 && k_h == 3) { /* 3 x 3 kernels of 1 to 5 channels: three copies a pixel */
            const int8_t *r0 = r[0], *r1 = r[1], *r2 = r[2];
            for (int32_t i = 0; i < m; ++i, r0 += step, r1 += step, r2 += step, dst += size) {
                const int8x16_t v0 = vld1q_s8(r0), v1 = vld1q_s8(r1), v2 = vld1q_s8(r2);
                vst1q_s8(dst, v0);
                vst1q_s8(dst + row, v1);
                vst1q_s8(dst + 2 * row, v2);
            }
        } else if (run == 4) { /* a word a kernel row (KWS's 10 x 4 taps of 1 channel): exact copies, row by row */
            for (int32_t ky = 0; ky < k_h; ++ky) {
                const int8_t *src = r[ky];
                int8_t *d = dst + (size_t)ky * row;
                for (int32_t i = 0; i < m; ++i, src += step, d += size) {
                    __builtin_memcpy(d, src, 4);
                    DOT4_NO_LIBCALL();
                }
            }
            dst += (size_t)m * size;
        } else {
            for (int32_t i = 0; i < m; ++i, dst += size) {
                int8_t *d = dst;
                for (int32_t ky = 0; ky < k_h; ++ky, d += row) {
                    const int8_t *src = r[ky] + (size_t)i * step;
                    for (int32_t c = 0; c < run; c += 16) vst1q_s8(d + c, vld1q_s8(src + c));
                }
            }
        }
        n -= m;
        ox = 0;
        ++oy;
    }
#if defined(__aarch64__)
    if (pair_q7 && !tbl) { /* the windows' 7th quads laid out as the TBL gather's are */
        const int8x8_t at = vreinterpret_s8_u8(vsub_u8(vld1_u8(dot4_pair_q7 + 8), vdup_n_u8(8))); /* 0 2 1 3 1 3 0 2 */
        for (int32_t i = 0; i < count; ++i) {
            int8_t *d = first + (size_t)i * size + 24;
            vst1_s8(d, vtbl1_s8(vld1_s8(d), at));
        }
    }
#endif
}

/* a quad of input bytes in every 32-bit lane; 64 bytes of packed weights (edgec_neon.h) */
#define dot4_quad edgec_neon_quad_s8
#define dot4_weights edgec_neon_ld64_s8

#if DOT4_PX == 4
/* acc[i][r] (pixel i, channels 4r..4r+3) += the block's weights . pixel i's bytes; x[i]: pixel i's first row,
 * `rows` rows of `run` bytes (a multiple of 4), `stride` bytes apart; w: the block's first weights. half (a
 * block of at most 8 channels, the rest zeros): channels 0..7 only, half the loads and SDOTs. */
#define DOT4_LANE(v0, v1, v2, v3, lane)                                                              \
    do {                                                                                             \
        int8x16x4_t k_;                                                                              \
        if (half) {                                                                                  \
            k_.val[0] = vld1q_s8(w);                                                                 \
            k_.val[1] = vld1q_s8(w + 16);                                                            \
            k_.val[2] = k_.val[3] = vdupq_n_s8(0);                                                   \
        } else {                                                                                     \
            k_ = dot4_weights(w);                                                                    \
        }                                                                                            \
        w += 64;                                                                                     \
        if (!half) __asm__("" : "+r"(w)); /* one LD1 with post-increment, not base plus offsets */    \
        a00 = vdotq_laneq_s32(a00, k_.val[0], v0, lane); a01 = vdotq_laneq_s32(a01, k_.val[1], v0, lane); \
        a10 = vdotq_laneq_s32(a10, k_.val[0], v1, lane); a11 = vdotq_laneq_s32(a11, k_.val[1], v1, lane); \
        a20 = vdotq_laneq_s32(a20, k_.val[0], v2, lane); a21 = vdotq_laneq_s32(a21, k_.val[1], v2, lane); \
        a30 = vdotq_laneq_s32(a30, k_.val[0], v3, lane); a31 = vdotq_laneq_s32(a31, k_.val[1], v3, lane); \
        if (!half) {                                                                                 \
            a02 = vdotq_laneq_s32(a02, k_.val[2], v0, lane); a03 = vdotq_laneq_s32(a03, k_.val[3], v0, lane); \
            a12 = vdotq_laneq_s32(a12, k_.val[2], v1, lane); a13 = vdotq_laneq_s32(a13, k_.val[3], v1, lane); \
            a22 = vdotq_laneq_s32(a22, k_.val[2], v2, lane); a23 = vdotq_laneq_s32(a23, k_.val[3], v2, lane); \
            a32 = vdotq_laneq_s32(a32, k_.val[2], v3, lane); a33 = vdotq_laneq_s32(a33, k_.val[3], v3, lane); \
        }                                                                                            \
    } while (0)

EDGEC_INLINE void dot4_tile(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows, int32_t run, const int8_t *w,
                            const int32_t *bias, int sym, int half, int32x4_t acc[DOT4_PX][4]) {
    (void)sym; /* SDOT sums four products in int32: any weights */
    /* each pixel's accumulators loaded from the bias (two LDPs) rather than copied from one load (twelve MOVs):
     * the empty asm keeps the compiler from merging the loads; a half tile copies its 8 channels' two loads */
#define DOT4_BIAS(r0, r1, r2, r3)                                                                  \
    r0 = vld1q_s32(bias), r1 = vld1q_s32(bias + 4), r2 = vld1q_s32(bias + 8), r3 = vld1q_s32(bias + 12); \
    __asm__("" : "+r"(bias))
    int32x4_t a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
    if (half) { /* channels 8-15 unused */
        a00 = a10 = a20 = a30 = vld1q_s32(bias);
        a01 = a11 = a21 = a31 = vld1q_s32(bias + 4);
        a02 = a12 = a22 = a32 = a03 = a13 = a23 = a33 = vdupq_n_s32(0);
    } else {
        DOT4_BIAS(a00, a01, a02, a03);
        DOT4_BIAS(a10, a11, a12, a13);
        DOT4_BIAS(a20, a21, a22, a23);
        DOT4_BIAS(a30, a31, a32, a33);
    }
#undef DOT4_BIAS
    for (int32_t ky = 0; ky < rows; ++ky) {
        const size_t off = (size_t)ky * stride;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
        int32_t c = 0;
        for (; c + 16 <= run; c += 16) {
            const int8x16_t v0 = vld1q_s8(x0 + c), v1 = vld1q_s8(x1 + c), v2 = vld1q_s8(x2 + c), v3 = vld1q_s8(x3 + c);
            DOT4_LANE(v0, v1, v2, v3, 0);
            DOT4_LANE(v0, v1, v2, v3, 1);
            DOT4_LANE(v0, v1, v2, v3, 2);
            DOT4_LANE(v0, v1, v2, v3, 3);
        }
        /* run is a whole number of quads: its bits 3 and 2 say what is left (one TBZ each, not a compare of c) */
        if (run & 8) { /* two quads of each pixel from one 8-byte load: lanes 0 and 1 */
            const int8x16_t v0 = vcombine_s8(vld1_s8(x0 + c), vdup_n_s8(0)), v1 = vcombine_s8(vld1_s8(x1 + c), vdup_n_s8(0));
            const int8x16_t v2 = vcombine_s8(vld1_s8(x2 + c), vdup_n_s8(0)), v3 = vcombine_s8(vld1_s8(x3 + c), vdup_n_s8(0));
            DOT4_LANE(v0, v1, v2, v3, 0);
            DOT4_LANE(v0, v1, v2, v3, 1);
            c += 8;
        }
        if (run & 4) {
            const int8x16_t v0 = dot4_quad(x0 + c), v1 = dot4_quad(x1 + c), v2 = dot4_quad(x2 + c), v3 = dot4_quad(x3 + c);
            DOT4_LANE(v0, v1, v2, v3, 0);
        }
    }
    acc[0][0] = a00; acc[0][1] = a01; acc[0][2] = a02; acc[0][3] = a03;
    acc[1][0] = a10; acc[1][1] = a11; acc[1][2] = a12; acc[1][3] = a13;
    acc[2][0] = a20; acc[2][1] = a21; acc[2][2] = a22; acc[2][3] = a23;
    acc[3][0] = a30; acc[3][1] = a31; acc[3][2] = a32; acc[3][3] = a33;
}

/* dot4_tile for one pixel (a strip's last one or two, instead of a tile overlapping the one before): a quarter
 * of the SDOTs for the same weight loads. */
EDGEC_INLINE void dot4_tile1(const int8_t *x0, size_t stride, int32_t rows, int32_t run, const int8_t *w,
                             const int32_t *bias, int32x4_t acc[4]) {
    int32x4_t a0 = vld1q_s32(bias), a1 = vld1q_s32(bias + 4), a2 = vld1q_s32(bias + 8), a3 = vld1q_s32(bias + 12);
#define DOT4_LANE1(v, lane) EDGEC_NEON_SDOT_LANE(w, v, lane, a0, a1, a2, a3)
    for (int32_t ky = 0; ky < rows; ++ky) {
        const int8_t *x = x0 + (size_t)ky * stride;
        int32_t c = 0;
        for (; c + 16 <= run; c += 16) {
            const int8x16_t v = vld1q_s8(x + c);
            DOT4_LANE1(v, 0);
            DOT4_LANE1(v, 1);
            DOT4_LANE1(v, 2);
            DOT4_LANE1(v, 3);
        }
        if (c + 8 <= run) {
            const int8x16_t v = vcombine_s8(vld1_s8(x + c), vdup_n_s8(0));
            DOT4_LANE1(v, 0);
            DOT4_LANE1(v, 1);
            c += 8;
        }
        if (c < run) {
            const int8x16_t v = dot4_quad(x + c);
            DOT4_LANE1(v, 0);
        }
    }
#undef DOT4_LANE1
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}
#else
/* The same with SMULL + SADALP, two pixels: h[i][2r] holds channels 4r, 4r+1 as pairs of half sums (lanes 0, 1
 * and 2, 3), h[i][2r + 1] channels 4r + 2, 4r + 3; the quad of input bytes is repeated in each 32-bit lane. With
 * weights within [-127, 127] (sym), two quads' products go into one int16 lane before the widening add (SMULL +
 * SMLAL + SADALP, 3 instructions per 16 MACs instead of 4): |w * x| <= 127 * 128, so two of them fit in int16. */
#if defined(__aarch64__)
#define DOT4_MULL_HI(k, v) vmull_high_s8(k, v)
#define DOT4_MLAL_HI(a, k, v) vmlal_high_s8(a, k, v)
#else
#define DOT4_MULL_HI(k, v) vmull_s8(vget_high_s8(k), vget_high_s8(v))
#define DOT4_MLAL_HI(a, k, v) vmlal_s8(a, vget_high_s8(k), vget_high_s8(v))
#endif
#define DOT4_HALF(h0, h1, k, v) \
    (h0 = vpadalq_s16(h0, vmull_s8(vget_low_s8(k), vget_low_s8(v))), h1 = vpadalq_s16(h1, DOT4_MULL_HI(k, v)))
#define DOT4_HALF2(h0, h1, k, v, l, u)                                                                      \
    (h0 = vpadalq_s16(h0, vmlal_s8(vmull_s8(vget_low_s8(k), vget_low_s8(v)), vget_low_s8(l), vget_low_s8(u))), \
     h1 = vpadalq_s16(h1, DOT4_MLAL_HI(DOT4_MULL_HI(k, v), l, u)))
#define DOT4_QUAD(v0, v1)                                                                           \
    do {                                                                                            \
        const int8x16x4_t k_ = dot4_weights(w);                                                     \
        w += 64;                                                                                    \
        DOT4_HALF(h00, h01, k_.val[0], v0); DOT4_HALF(h02, h03, k_.val[1], v0);                     \
        DOT4_HALF(h04, h05, k_.val[2], v0); DOT4_HALF(h06, h07, k_.val[3], v0);                     \
        DOT4_HALF(h10, h11, k_.val[0], v1); DOT4_HALF(h12, h13, k_.val[1], v1);                     \
        DOT4_HALF(h14, h15, k_.val[2], v1); DOT4_HALF(h16, h17, k_.val[3], v1);                     \
    } while (0)
/* DOT4_QUAD on channels 0-7 only (a block of at most 8 channels) */
#define DOT4_QUAD_HALF(v0, v1)                                                                      \
    do {                                                                                            \
        const int8x16_t k0_ = vld1q_s8(w), k1_ = vld1q_s8(w + 16);                                  \
        w += 64;                                                                                    \
        DOT4_HALF(h00, h01, k0_, v0); DOT4_HALF(h02, h03, k1_, v0);                                 \
        DOT4_HALF(h10, h11, k0_, v1); DOT4_HALF(h12, h13, k1_, v1);                                 \
    } while (0)
/* two quads: v*, the first quad's input bytes, u*, the second's */
#define DOT4_QUAD2(v0, u0, v1, u1)                                                                                 \
    do {                                                                                                           \
        const int8x16x4_t k_ = dot4_weights(w), l_ = dot4_weights(w + 64);                                        \
        w += 128;                                                                                                  \
        DOT4_HALF2(h00, h01, k_.val[0], v0, l_.val[0], u0); DOT4_HALF2(h02, h03, k_.val[1], v0, l_.val[1], u0);    \
        DOT4_HALF2(h04, h05, k_.val[2], v0, l_.val[2], u0); DOT4_HALF2(h06, h07, k_.val[3], v0, l_.val[3], u0);    \
        DOT4_HALF2(h10, h11, k_.val[0], v1, l_.val[0], u1); DOT4_HALF2(h12, h13, k_.val[1], v1, l_.val[1], u1);    \
        DOT4_HALF2(h14, h15, k_.val[2], v1, l_.val[2], u1); DOT4_HALF2(h16, h17, k_.val[3], v1, l_.val[3], u1);    \
    } while (0)

#if defined(__aarch64__)
/* The two-pixel SMLAL-pair loop for a block of at most 8 channels (dot4_strip_half: VWW's first layer), both pixels in one loop:
 * each quad's first 32 bytes (channels 0-7), v0-v1 and v4-v5, feed the two pixels' four accumulators each. 32
 * instructions per 128 MACs, where the 16-channel tile (EDGEC_NEON_SYM_LOOP2) takes 52 for the same useful MACs. */
#define DOT4_SYM_HALF EDGEC_NEON_SYM_MUL2
#define DOT4_SYM_LOOP_HALF(X0, X1, W, N)                                                                         \
    __asm__("1:\n"                                                                                               \
            "ld1r {v8.4s}, [%[x0]], #4\n" "ld1r {v9.4s}, [%[x0]], #4\n"                                          \
            "ld1r {v10.4s}, [%[x1]], #4\n" "ld1r {v11.4s}, [%[x1]], #4\n"                                        \
            "ld1 {v0.16b, v1.16b}, [%[w]], %[s64]\n" "ld1 {v4.16b, v5.16b}, [%[w]], %[s64]\n"                    \
            DOT4_SYM_HALF("v0", "v1", "v4", "v5", "v8", "v9", "%[a0]", "%[a1]", "%[a2]", "%[a3]")               \
            DOT4_SYM_HALF("v0", "v1", "v4", "v5", "v10", "v11", "%[b0]", "%[b1]", "%[b2]", "%[b3]")             \
            "subs %w[n], %w[n], #1\n" "b.ne 1b\n"                                                                \
            : [x0] "+r"(X0), [x1] "+r"(X1), [w] "+r"(W), [n] "+r"(N), [a0] "+w"(h00), [a1] "+w"(h01),            \
              [a2] "+w"(h02), [a3] "+w"(h03), [b0] "+w"(h10), [b1] "+w"(h11), [b2] "+w"(h12), [b3] "+w"(h13)     \
            : [s64] "r"((uint64_t)64)                                                                            \
            : "v0", "v1", "v4", "v5", "v8", "v9", "v10", "v11", "v20", "v21", "v22", "v23", "memory", "cc")
/* DOT4_SYM_LOOP_HALF over a whole window, as EDGEC_NEON_SYM_LOOP2 for 16 channels: the accumulators (A0..A3,
 * B0..B3) outputs only, started from the block's first 16 half sums at B; ROWS (> 0) rows of N pairs of quads (one
 * LD2R a pixel's two quads: 28 instructions per 128 MACs), one quad more when TAIL, then SKIP bytes to the next. */
#define DOT4_SYM_LOOP2_HALF(X0, X1, W, B, ROWS, N, TAIL, SKIP, A0, A1, A2, A3, B0, B1, B2, B3)                    \
    do {                                                                                                         \
        int32_t cnt_;                                                                                            \
        __asm__("ldp %q[a0], %q[a1], [%[b]]\n" "ldp %q[a2], %q[a3], [%[b], #32]\n"                               \
                "ldp %q[b0], %q[b1], [%[b]]\n" "ldp %q[b2], %q[b3], [%[b], #32]\n"                               \
                "0:\n" "mov %w[c], %w[n]\n" "cbz %w[c], 2f\n"                                                  \
                "1:\n" "ld2r {v8.4s, v9.4s}, [%[x0]], #8\n" "ld2r {v10.4s, v11.4s}, [%[x1]], #8\n"             \
                "ld1 {v0.16b, v1.16b}, [%[w]], %[s64]\n" "ld1 {v4.16b, v5.16b}, [%[w]], %[s64]\n"               \
                DOT4_SYM_HALF("v0", "v1", "v4", "v5", "v8", "v9", "%[a0]", "%[a1]", "%[a2]", "%[a3]")           \
                DOT4_SYM_HALF("v0", "v1", "v4", "v5", "v10", "v11", "%[b0]", "%[b1]", "%[b2]", "%[b3]")         \
                "subs %w[c], %w[c], #1\n" "b.ne 1b\n"                                                            \
                "2:\n" "cbz %w[t], 3f\n"                                                                         \
                "ld1r {v8.4s}, [%[x0]], #4\n" "ld1r {v10.4s}, [%[x1]], #4\n"                                    \
                "ld1 {v0.16b, v1.16b}, [%[w]], %[s64]\n"                                                         \
                EDGEC_NEON_SYM_MUL1("v0", "v1", "v8", "%[a0]", "%[a1]", "%[a2]", "%[a3]")                       \
                EDGEC_NEON_SYM_MUL1("v0", "v1", "v10", "%[b0]", "%[b1]", "%[b2]", "%[b3]")                      \
                "3:\n" "add %[x0], %[x0], %[skip]\n" "add %[x1], %[x1], %[skip]\n"                             \
                "subs %w[r], %w[r], #1\n" "b.ne 0b\n"                                                            \
                : [x0] "+r"(X0), [x1] "+r"(X1), [w] "+r"(W), [r] "+r"(ROWS), [c] "=&r"(cnt_), [a0] "=&w"(A0),    \
                  [a1] "=&w"(A1), [a2] "=&w"(A2), [a3] "=&w"(A3), [b0] "=&w"(B0), [b1] "=&w"(B1), [b2] "=&w"(B2), \
                  [b3] "=&w"(B3)                                                                                 \
                : [b] "r"(B), [n] "r"(N), [t] "r"(TAIL), [skip] "r"(SKIP), [s64] "r"((uint64_t)64)               \
                : "v0", "v1", "v4", "v5", "v8", "v9", "v10", "v11", "v20", "v21", "v22", "v23", "memory", "cc");   \
    } while (0)
/* edgec_neon.h's two-pixel loop on the tile's accumulators */
#define DOT4_SYM_LOOP2(X0, X1, W, B, ROWS, N, TAIL, SKIP)                                                        \
    EDGEC_NEON_SYM_LOOP2(X0, X1, W, B, ROWS, N, TAIL, SKIP, h00, h01, h02, h03, h04, h05, h06, h07, h10, h11, h12, \
                         h13, h14, h15, h16, h17)
#define DOT4_SYM_LOOP2_EVEN(X0, X1, W, B, ROWS, HALF_N, SKIP)                                                   \
    EDGEC_NEON_SYM_LOOP2_EVEN(X0, X1, W, B, ROWS, HALF_N, SKIP, h00, h01, h02, h03, h04, h05, h06, h07, h10, h11,  \
                              h12, h13, h14, h15, h16, h17)
#endif

#define dot4_pairs edgec_neon_pairs_s32 /* {a0 + a1, a2 + a3, b0 + b1, b2 + b3} */

EDGEC_INLINE void dot4_tile(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows, int32_t run, const int8_t *w,
                            const int32_t *bias, int sym, int half, int32x4_t acc[DOT4_PX][4]) {
    /* bias: DOT4_TILE_BIAS's half sums, each channel's bias in the first of its pair */
    int32x4_t h00, h01, h02, h03, h04, h05, h06, h07, h10, h11, h12, h13, h14, h15, h16, h17;
#if defined(__aarch64__)
    if (sym && !half) {
        const int8_t *p0 = x[0], *p1 = x[1];
        int32_t r = rows;
        DOT4_SYM_LOOP2(p0, p1, w, bias, r, run / 8, run % 8, (int64_t)stride - run);
        rows = 0;
    } else
#endif
    {
        h00 = vld1q_s32(bias), h01 = vld1q_s32(bias + 4), h02 = vld1q_s32(bias + 8), h03 = vld1q_s32(bias + 12);
        h04 = vld1q_s32(bias + 16), h05 = vld1q_s32(bias + 20), h06 = vld1q_s32(bias + 24);
        h07 = vld1q_s32(bias + 28);
        h10 = h00, h11 = h01, h12 = h02, h13 = h03, h14 = h04, h15 = h05, h16 = h06, h17 = h07;
    }
    for (int32_t ky = 0; ky < rows; ++ky) {
        const size_t off = (size_t)ky * stride;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off;
        int32_t c = 0;
#if defined(__aarch64__)
        if (sym && half && run >= 8) { /* channels 0-7 only */
            const int8_t *p0 = x0, *p1 = x1;
            int32_t n = run / 8;
            c = n * 8;
            DOT4_SYM_LOOP_HALF(p0, p1, w, n);
        }
#else
        if (sym && !half)
            for (; c + 8 <= run; c += 8) {
                const int8x16_t v0 = dot4_quad(x0 + c), u0 = dot4_quad(x0 + c + 4);
                const int8x16_t v1 = dot4_quad(x1 + c), u1 = dot4_quad(x1 + c + 4);
                DOT4_QUAD2(v0, u0, v1, u1);
            }
#endif
        for (; c < run; c += 4) {
            const int8x16_t v0 = dot4_quad(x0 + c), v1 = dot4_quad(x1 + c);
            if (half) {
                DOT4_QUAD_HALF(v0, v1);
            } else {
                DOT4_QUAD(v0, v1);
            }
        }
    }
    acc[0][0] = dot4_pairs(h00, h01); acc[0][1] = dot4_pairs(h02, h03);
    acc[0][2] = dot4_pairs(h04, h05); acc[0][3] = dot4_pairs(h06, h07);
    acc[1][0] = dot4_pairs(h10, h11); acc[1][1] = dot4_pairs(h12, h13);
    acc[1][2] = dot4_pairs(h14, h15); acc[1][3] = dot4_pairs(h16, h17);
}
#endif

/* edgec_neon_fixed4_apply's rounding on channels 4r..4r+3 of a block, before the zero point and the clamp. */
EDGEC_INLINE int32x4_t dot4_round4(int32x4_t acc, const dot4_block_rq *q, int32_t r) {
    const int32x4_t right = vld1q_s32(q->right + 4 * r);
    int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, vld1q_s32(q->left + 4 * r)), vld1q_s32(q->multiplier + 4 * r));
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31));
    return vrshlq_s32(x, right);
}

/* The same for a right_only block (dot4_block_rq), its constants in registers: no left shift, one SSRA for the
 * rounding fix-up (edgec_neon.h). */
#define dot4_round4_right edgec_neon_round4_right

/* dot4_round4_right without the rounding's fix-up, for a no_left block whose outputs have int8's bounds and a zero
 * point of -128 (DOT4_FULL: TFLite's ReLU): the fix-up (SSRA, or AND + SSRA for channels of no shift) moves only
 * negative products, whose rounded value is <= 0 either way, and every value <= 0 gives -128. */
EDGEC_INLINE int32x4_t dot4_round4_relu(int32x4_t acc, int32x4_t multiplier, int32x4_t right) {
    return vrshlq_s32(vqrdmulhq_s32(acc, multiplier), right);
}

#if DOT4_PX == 4
/* dot4_round4_right for a no_left block with channels of no shift: their fix-up masked off by the AND with the
 * shift (0, where the right shifts are negative) */
EDGEC_INLINE int32x4_t dot4_round4_noleft(int32x4_t acc, int32x4_t multiplier, int32x4_t right) {
    const int32x4_t x = vqrdmulhq_s32(acc, multiplier);
    return vrshlq_s32(vsraq_n_s32(x, vandq_s32(x, right), 31), right);
}
#endif

/* 16 rounded channel values narrowed with saturation, the zero point added and clamped (edgec_neon_narrow16_s8), nb
 * of them stored. */
EDGEC_INLINE void dot4_narrow_store_clamp(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3, int16x8_t zp,
                                          int8x16_t lo, int8x16_t hi, int32_t nb, int8_t *out, int clamp) {
    int8x16_t r;
    if (clamp) {
        r = edgec_neon_narrow16_s8(r0, r1, r2, r3, zp, lo, hi);
    } else { /* a zero point of -128 and int8's bounds */
        r = edgec_neon_narrow16_relu_s8(r0, r1, r2, r3);
    }
    if (nb == DOT4_OCB) {
        vst1q_s8(out, r);
        return;
    }
    int8_t bytes[DOT4_OCB];
    vst1q_s8(bytes, r);
    copy_s8(out, bytes, nb);
}

EDGEC_INLINE void dot4_narrow_store(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3, int16x8_t zp,
                                    int8x16_t lo, int8x16_t hi, int32_t nb, int8_t *out) {
    dot4_narrow_store_clamp(r0, r1, r2, r3, zp, lo, hi, nb, out, 1);
}

/* The same for 8 channels (a block's half). */
EDGEC_INLINE void dot4_narrow_store8(int32x4_t r0, int32x4_t r1, int16x8_t zp, int8x16_t lo, int8x16_t hi,
                                     int32_t nb, int8_t *out) {
    const int16x8_t l16 = vqaddq_s16(vcombine_s16(vqmovn_s32(r0), vqmovn_s32(r1)), zp);
    const int8x8_t r = vmin_s8(vmax_s8(vqmovn_s16(l16), vget_low_s8(lo)), vget_low_s8(hi));
    if (nb == 8) {
        vst1_s8(out, r);
        return;
    }
    int8_t bytes[DOT4_OCB]; /* copy_s8 may move 16 at a time, as far as the compiler knows */
    vst1_s8(bytes, r);
    copy_s8(out, bytes, nb);
}

/* One pixel's 16 channel sums (a0..a3, by value so that they stay in registers) requantised and stored, nb of
 * them: EDGEC_REQUANT_FIXED (dot4_round4), EDGEC_REQUANT_FLOAT (edgec_neon_requant4). */
EDGEC_INLINE void dot4_store(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const dot4_block_rq *q,
                              int32_t nb, int16x8_t zp, int8x16_t lo, int8x16_t hi, const edgec_conv2d_s8_params *p,
                              int8_t *out) {
    if (p->requant == EDGEC_REQUANT_FIXED) {
        dot4_narrow_store(dot4_round4(a0, q, 0), dot4_round4(a1, q, 1), dot4_round4(a2, q, 2), dot4_round4(a3, q, 3),
                          zp, lo, hi, nb, out);
        return;
    }
    int8_t bytes[DOT4_OCB];
    const int32x4_t a[4] = {a0, a1, a2, a3};
    for (int32_t r = 0; r < 4; ++r)
        edgec_neon_store4_s8(bytes + 4 * r, edgec_neon_requant4(a[r], q->multiplier + 4 * r, q->shift + 4 * r,
                                                               p->requant, p->output_offset, p->act_min,
                                                               p->act_max));
    copy_s8(out, bytes, nb);
}

/* One tile of pixels against one block of 16 channels, requantised and stored: n pixels' outputs, nb channels
 * each, out_step bytes apart. Not inlined (dot4_block, dot4_block_sym): on its own the tile's 16 accumulators,
 * weights and inputs get the vector registers without the caller's loop state spilling around them. */
/* GCC's scheduling before register allocation hoists the next weights' loads over the products and spills the
 * accumulators (16 of them, 8 weight and 4 input registers: the vector file is full); without it the loop keeps
 * them in registers. */
#if defined(__GNUC__) && !defined(__clang__)
#define DOT4_NOSCHED __attribute__((noinline, optimize("no-schedule-insns")))
#else
#define DOT4_NOSCHED __attribute__((noinline))
#endif
/* dot4_block_body's mode (SDOT tile): whole blocks need no clamp beyond int8's and have a zero point of -128
 * (FULL); no_left blocks take the masked rounding with their constants in registers (NO_LEFT: the strips other
 * than dot4_pointwise16/32/64, whose registers are tighter; VWW's layers of 128 and 256 channels have a few
 * channels of no shift) */
#define DOT4_FULL 1
#define DOT4_NO_LEFT 2
/* the output's zero point and clamp bounds as dot4_narrow_store takes them */
#define DOT4_ZP(p) vdupq_n_s16((int16_t)(p)->output_offset)
#define DOT4_LO(p) vdupq_n_s8((int8_t)(p)->act_min)
#define DOT4_HI(p) vdupq_n_s8((int8_t)(p)->act_max)
/* no clamp beyond int8's and a zero point of -128: TFLite's ReLU and ReLU6 (a scale of 6 / 255) */
#define DOT4_RELU_OUT(p) ((p)->act_min == -128 && (p)->act_max == 127 && (p)->output_offset == -128)
EDGEC_INLINE void dot4_block_body(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows, int32_t run,
                                  const int8_t *w, const dot4_block_rq *q, int32_t n, int32_t nb, int8_t *out,
                                  size_t out_step, const edgec_conv2d_s8_params *p, int sym, int half,
                                  int16x8_t zp, int8x16_t lo, int8x16_t hi, int mode) {
    const int full = mode & DOT4_FULL;
    int32x4_t acc[DOT4_PX][4];
    dot4_tile(x, stride, rows, run, w, DOT4_TILE_BIAS(q), sym, half, acc);
    /* pixel by pixel with constant indices: the accumulators stay in registers */
#if DOT4_PX == 4
#define DOT4_EACH_PIXEL(STORE) do { STORE(0); STORE(1); STORE(2); STORE(3); } while (0)
#else
#define DOT4_EACH_PIXEL(STORE) do { STORE(0); STORE(1); } while (0)
#endif
    if (full && q->relu && nb == DOT4_OCB && !half) {
        DOT4_BLOCK_RQ16(q, m0, m1, m2, m3, r0, r1, r2, r3);
#define DOT4_STORE_RELU(i)                                                                                         \
    dot4_narrow_store_clamp(dot4_round4_relu(acc[i][0], m0, r0), dot4_round4_relu(acc[i][1], m1, r1),              \
                            dot4_round4_relu(acc[i][2], m2, r2), dot4_round4_relu(acc[i][3], m3, r3), zp, lo,     \
                            hi, DOT4_OCB, out + (i) * out_step, 0)
        DOT4_EACH_PIXEL(DOT4_STORE_RELU);
#undef DOT4_STORE_RELU
    } else if (p->requant == EDGEC_REQUANT_FIXED && q->right_only) { /* the constants loaded once for the tile */
        DOT4_BLOCK_RQ16(q, m0, m1, m2, m3, r0, r1, r2, r3);
#define DOT4_STORE_RIGHT(i, clamp)                                                                                 \
    if ((i) < n && half)                                                                                           \
        dot4_narrow_store8(dot4_round4_right(acc[i][0], m0, r0), dot4_round4_right(acc[i][1], m1, r1), zp, lo, hi, \
                           nb, out + (i) * out_step);                                                              \
    else if ((i) < n)                                                                                              \
    dot4_narrow_store_clamp(dot4_round4_right(acc[i][0], m0, r0), dot4_round4_right(acc[i][1], m1, r1),            \
                            dot4_round4_right(acc[i][2], m2, r2), dot4_round4_right(acc[i][3], m3, r3), zp, lo, hi, \
                            nb, out + (i) * out_step, clamp)
#define DOT4_STORE_RIGHT_CLAMPED(i) DOT4_STORE_RIGHT(i, 1)
#define DOT4_STORE_RIGHT_FULL(i) DOT4_STORE_RIGHT(i, 0)
        /* whole blocks, full: the clamp's bounds are int8's, the zero point -128 (ReLU's), the unsigned
         * narrowing's saturation is the clamp, three instructions less per 16 outputs */
        if (DOT4_PX == 4 && full && nb == DOT4_OCB && !half)
            DOT4_EACH_PIXEL(DOT4_STORE_RIGHT_FULL);
        else
            DOT4_EACH_PIXEL(DOT4_STORE_RIGHT_CLAMPED);
#undef DOT4_STORE_RIGHT_FULL
#undef DOT4_STORE_RIGHT_CLAMPED
#undef DOT4_STORE_RIGHT
#if DOT4_PX == 4
    } else if ((mode & DOT4_NO_LEFT) && p->requant == EDGEC_REQUANT_FIXED && q->no_left) {
        DOT4_BLOCK_RQ16(q, m0, m1, m2, m3, r0, r1, r2, r3);
#define DOT4_STORE_NOLEFT(i)                                                                                       \
    dot4_narrow_store_clamp(dot4_round4_noleft(acc[i][0], m0, r0), dot4_round4_noleft(acc[i][1], m1, r1),          \
                            dot4_round4_noleft(acc[i][2], m2, r2), dot4_round4_noleft(acc[i][3], m3, r3), zp, lo, \
                            hi, DOT4_OCB, out + (i) * out_step, !full)
        DOT4_EACH_PIXEL(DOT4_STORE_NOLEFT);
#undef DOT4_STORE_NOLEFT
#endif
    } else {
#define DOT4_STORE(i) \
    if ((i) < n) dot4_store(acc[i][0], acc[i][1], acc[i][2], acc[i][3], q, nb, zp, lo, hi, p, out + (i) * out_step)
        DOT4_EACH_PIXEL(DOT4_STORE);
#undef DOT4_STORE
    }
#undef DOT4_EACH_PIXEL
}

DOT4_NOSCHED static void dot4_block(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows,
                                                 int32_t run, const int8_t *w, const dot4_block_rq *q, int32_t n,
                                                 int32_t nb, int8_t *out, size_t out_step,
                                                 const edgec_conv2d_s8_params *p) {
    dot4_block_body(x, stride, rows, run, w, q, n, nb, out, out_step, p, 0, 0, DOT4_ZP(p), DOT4_LO(p),
                    DOT4_HI(p), 0);
}

#if DOT4_PX == 4
/* One pixel against one block of 16 channels (dot4_tile1), requantised and stored: nb channels. */
__attribute__((noinline)) static void dot4_block1(const int8_t *x, size_t stride, int32_t rows, int32_t run,
                                                  const int8_t *w, const dot4_block_rq *q, int32_t nb, int8_t *out,
                                                  const edgec_conv2d_s8_params *p) {
    int32x4_t acc[4];
    dot4_tile1(x, stride, rows, run, w, q->bias, acc);
    const int16x8_t zp = DOT4_ZP(p);
    const int8x16_t lo = DOT4_LO(p), hi = DOT4_HI(p);
    if (p->requant == EDGEC_REQUANT_FIXED && q->right_only) {
        dot4_narrow_store(dot4_round4_right(acc[0], vld1q_s32(q->multiplier), vld1q_s32(q->right)),
                          dot4_round4_right(acc[1], vld1q_s32(q->multiplier + 4), vld1q_s32(q->right + 4)),
                          dot4_round4_right(acc[2], vld1q_s32(q->multiplier + 8), vld1q_s32(q->right + 8)),
                          dot4_round4_right(acc[3], vld1q_s32(q->multiplier + 12), vld1q_s32(q->right + 12)), zp, lo,
                          hi, nb, out);
        return;
    }
    dot4_store(acc[0], acc[1], acc[2], acc[3], q, nb, zp, lo, hi, p, out);
}
#endif

#if DOT4_PX == 4 /* the SDOT tile: a block of at most 8 channels takes half of it */
DOT4_NOSCHED static void dot4_block_half(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows, int32_t run,
                                         const int8_t *w, const dot4_block_rq *q, int32_t n, int32_t nb, int8_t *out,
                                         size_t out_step, const edgec_conv2d_s8_params *p) {
    dot4_block_body(x, stride, rows, run, w, q, n, nb, out, out_step, p, 0, 1, DOT4_ZP(p), DOT4_LO(p),
                    DOT4_HI(p), 0);
}
#endif

#if DOT4_PX == 2 /* the SMULL path: weights within [-127, 127] take SMLAL pairs */
DOT4_NOSCHED static void dot4_block_sym(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows,
                                                     int32_t run, const int8_t *w, const dot4_block_rq *q, int32_t n,
                                                     int32_t nb, int8_t *out, size_t out_step,
                                                     const edgec_conv2d_s8_params *p) {
    dot4_block_body(x, stride, rows, run, w, q, n, nb, out, out_step, p, 1, 0, DOT4_ZP(p), DOT4_LO(p),
                    DOT4_HI(p), 0);
}
#else
#define dot4_block_sym dot4_block
#endif

/* A strip of `pixels` (>= DOT4_PX) output pixels whose windows are read in place, pixel i's first tap at
 * x0 + i * step, `rows` kernel rows of `run` bytes `stride` apart (a row's interior pixels; pointwise layers: 1 x 1
 * taps, stride 1, no padding, in_c % 4 == 0, every pixel): the tiles without dot4_conv's per-tile bookkeeping
 * (about 100 instructions a tile) and the block inlined; whole tiles only, the last one overlapping the one before
 * when pixels % DOT4_PX != 0 (the same bytes written again). k_bytes: each channel's packed weight bytes. */
EDGEC_INLINE void dot4_strip_body(const int8_t *x0, size_t step, size_t stride, int32_t rows, int32_t run,
                                  int32_t k_bytes, const int8_t *packed, const dot4_block_rq *rq, int32_t c0,
                                  int32_t blocks, int32_t pixels, int8_t *out, const edgec_conv2d_s8_params *p,
                                  int sym, int half, int oc16) {
    const int32_t OC = oc16 ? oc16 * DOT4_OCB : p->out_c; /* oc16: that many whole blocks, sizes constants */
    if (oc16) blocks = oc16;
    int32_t tiled = pixels;
#if DOT4_PX == 4
    /* the last one or two pixels one by one (dot4_block1): fewer SDOTs than a tile overlapping the one before */
    const int32_t rest = pixels % DOT4_PX;
    if (!half && (rest == 1 || rest == 2)) {
        tiled = pixels - rest;
        for (int32_t px = tiled; px < pixels; ++px)
            for (int32_t bl = 0; bl < blocks; ++bl) {
                const int32_t oc0 = c0 + bl * DOT4_OCB, nb = OC - oc0 < DOT4_OCB ? OC - oc0 : DOT4_OCB;
                dot4_block1(x0 + (size_t)px * step, stride, rows, run, packed + (size_t)oc0 * k_bytes, &rq[bl], nb,
                            out + (size_t)px * OC + oc0, p);
            }
    }
#endif
    /* the output's zero point and clamp, in registers beside the tile's 24 for the whole strip */
    const int16x8_t zp = DOT4_ZP(p);
    const int8x16_t lo = DOT4_LO(p), hi = DOT4_HI(p);
    const int full = DOT4_RELU_OUT(p) ? DOT4_FULL : 0;
    for (int32_t px = 0; px < tiled; px += DOT4_PX) {
        if (px + DOT4_PX > tiled) px = tiled - DOT4_PX;
        const int8_t *xp = x0 + (size_t)px * step;
#if DOT4_PX == 4
        const int8_t *const x[DOT4_PX] = {xp, xp + step, xp + 2 * step, xp + 3 * step};
#else
        const int8_t *const x[DOT4_PX] = {xp, xp + step};
#endif
        for (int32_t bl = 0; bl < blocks; ++bl) {
            const int32_t oc0 = c0 + bl * DOT4_OCB, nb = OC - oc0 < DOT4_OCB ? OC - oc0 : DOT4_OCB;
            if (nb == DOT4_OCB && !half) /* a whole block: its stores without the count's checks */
                dot4_block_body(x, stride, rows, run, packed + (size_t)oc0 * k_bytes, &rq[bl], DOT4_PX, DOT4_OCB,
                                out + (size_t)px * OC + oc0, (size_t)OC, p, sym, 0, zp, lo, hi,
                                full | (oc16 ? 0 : DOT4_NO_LEFT));
            else
                dot4_block_body(x, stride, rows, run, packed + (size_t)oc0 * k_bytes, &rq[bl], DOT4_PX, nb,
                                out + (size_t)px * OC + oc0, (size_t)OC, p, sym, half, zp, lo, hi, full);
        }
    }
}

#if defined(__aarch64__)
/* dot4_round4_relu on the sums in V with the constants in M, S (assembly tile loops) */
#define DOT4_RQ_RELU(V, M, S) "sqrdmulh " V ".4s, " V ".4s, " M ".4s\n" "srshl " V ".4s, " V ".4s, " S ".4s\n"
/* dot4_narrow_store_clamp's unsigned narrowing of one pixel's 16 rounded sums A0..A3 into T0 (T1 a scratch), K80
 * holding 0x80 in every byte */
#define DOT4_NARROW_RELU(T0, T1, A0, A1, A2, A3, K80)                                                           \
    "sqxtun " T0 ".4h, " A0 ".4s\n" "sqxtun2 " T0 ".8h, " A1 ".4s\n" "sqxtun " T1 ".4h, " A2 ".4s\n"         \
    "sqxtun2 " T1 ".8h, " A3 ".4s\n" "uqxtn " T0 ".8b, " T0 ".8h\n" "uqxtn2 " T0 ".16b, " T1 ".8h\n"           \
    "eor " T0 ".16b, " T0 ".16b, " K80 ".16b\n"
#endif

#if DOT4_PX == 2 && defined(__aarch64__)
/* One kernel row of n (> 0) pairs of quads (pointwise layers, flat windows), a whole 16-channel block, right shifts
 * only: `tiles` (> 0) two-pixel tiles (pixels x, x + step; the next tile 2 * step on, its
 * outputs 2 * out_step on) in one assembly loop, requantisation and stores included (dot4_round4_right,
 * dot4_narrow_store), where the C tile around EDGEC_NEON_SYM_LOOP2 spends about 90 instructions beside the
 * products: every vector register is named, the accumulators v24-v31 (pixel 0) and v8-v15 (pixel 1), the channel
 * sums and the constants taking the loop's registers once it is done. zlh: the output's zero point (int16), then
 * its clamp bounds (int8, int8). */
#define DOT4_SYM2_PAIR                                                                                           \
    EDGEC_NEON_SYM2_PAIR_ON("%[p0]", "%[p1]", "%[wp]", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",   \
                            "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15")
/* dot4_round4_right on the sums in V with the constants in M, S */
#define DOT4_SYM2_RQ(V, M, S) \
    "sqrdmulh " V ".4s, " V ".4s, " M ".4s\n" "ssra " V ".4s, " V ".4s, #31\n" "srshl " V ".4s, " V ".4s, " S ".4s\n"
/* The pairs of quads go four a pass (n's bits 0 and 1 first): 52 instructions a pair, and half of one for the
 * count and branch. */
static inline void dot4_sym2_tiles_rq(const int8_t *x, size_t step, const int8_t *w, int32_t n,
                                      const dot4_block_rq *q, const int16_t *zlh, int8_t *o, size_t out_step,
                                      int32_t tiles) {
    const int8_t *p0, *p1, *wp;
    int32_t c;
    __asm__ volatile( /* volatile: its outputs are dead, the stores are the point */
            "mov %[p0], %[x]\n" "add %[p1], %[x], %[step]\n"
            "1:\n"
            "ld1 {v24.4s - v27.4s}, [%[b]]\n" "ld1 {v28.4s - v31.4s}, [%[b64]]\n" "ld1 {v8.4s - v11.4s}, [%[b]]\n"
            "ld1 {v12.4s - v15.4s}, [%[b64]]\n"
            "mov %[wp], %[w]\n"
            "tbz %w[n], #0, 2f\n" DOT4_SYM2_PAIR
            "2:\n" "tbz %w[n], #1, 3f\n" DOT4_SYM2_PAIR DOT4_SYM2_PAIR
            "3:\n" "lsr %w[c], %w[n], #2\n" "cbz %w[c], 5f\n"
            "4:\n" DOT4_SYM2_PAIR DOT4_SYM2_PAIR DOT4_SYM2_PAIR DOT4_SYM2_PAIR "subs %w[c], %w[c], #1\n" "b.ne 4b\n"
            "5:\n"
            "addp v16.4s, v24.4s, v25.4s\n" "addp v17.4s, v26.4s, v27.4s\n" "addp v18.4s, v28.4s, v29.4s\n"
            "addp v19.4s, v30.4s, v31.4s\n" "addp v20.4s, v8.4s, v9.4s\n" "addp v21.4s, v10.4s, v11.4s\n"
            "addp v22.4s, v12.4s, v13.4s\n" "addp v23.4s, v14.4s, v15.4s\n"
            "ld1 {v0.4s - v3.4s}, [%[m]]\n" "ld1 {v4.4s - v7.4s}, [%[s]]\n"
            "ld1r {v24.8h}, [%[z]]\n" "ld2r {v25.16b, v26.16b}, [%[lh]]\n"
            DOT4_SYM2_RQ("v16", "v0", "v4") DOT4_SYM2_RQ("v17", "v1", "v5") DOT4_SYM2_RQ("v18", "v2", "v6")
            DOT4_SYM2_RQ("v19", "v3", "v7") DOT4_SYM2_RQ("v20", "v0", "v4") DOT4_SYM2_RQ("v21", "v1", "v5")
            DOT4_SYM2_RQ("v22", "v2", "v6") DOT4_SYM2_RQ("v23", "v3", "v7")
            "sqxtn v8.4h, v16.4s\n" "sqxtn2 v8.8h, v17.4s\n" "sqxtn v9.4h, v18.4s\n" "sqxtn2 v9.8h, v19.4s\n"
            "sqxtn v10.4h, v20.4s\n" "sqxtn2 v10.8h, v21.4s\n" "sqxtn v11.4h, v22.4s\n" "sqxtn2 v11.8h, v23.4s\n"
            "sqadd v8.8h, v8.8h, v24.8h\n" "sqadd v9.8h, v9.8h, v24.8h\n" "sqadd v10.8h, v10.8h, v24.8h\n"
            "sqadd v11.8h, v11.8h, v24.8h\n"
            "sqxtn v12.8b, v8.8h\n" "sqxtn2 v12.16b, v9.8h\n" "sqxtn v13.8b, v10.8h\n" "sqxtn2 v13.16b, v11.8h\n"
            "smax v12.16b, v12.16b, v25.16b\n" "smax v13.16b, v13.16b, v25.16b\n"
            "smin v8.16b, v12.16b, v26.16b\n" "smin v10.16b, v13.16b, v26.16b\n"
            "st1 {v8.16b}, [%[o]], %[os]\n" "st1 {v10.16b}, [%[o]], %[os]\n"
            "add %[p0], %[p0], %[skip]\n" "add %[p1], %[p1], %[skip]\n"
            "subs %w[t], %w[t], #1\n" "b.ne 1b\n"
            : [o] "+r"(o), [t] "+r"(tiles), [p0] "=&r"(p0), [p1] "=&r"(p1), [wp] "=&r"(wp), [c] "=&r"(c)
            : [x] "r"(x), [b] "r"(q->bias_half), [b64] "r"(q->bias_half + 16), [w] "r"(w), [n] "r"(n),
              [step] "r"(step), [skip] "r"(2 * step - 8 * (size_t)n), /* to the next tile's pixels */
              [os] "r"(out_step), [m] "r"(q->multiplier), [s] "r"(q->right), [z] "r"(zlh),
              [lh] "r"(zlh + 1)
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
              "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
              "v30", "v31", "memory", "cc");
}

/* The SMULL tile of one int32 lane a channel, for whole ReLU blocks (weights within [-127, 127]; rows of n (> 0)
 * steps of 8 bytes: pointwise layers, flat windows). LD4 of a quad's 16 channels x 4 k (pack_conv_s8_dot4's
 * [16][4] bytes) deinterleaves halfwords: v0 = even channels x k0k1, v1 = even x k2k3, v2 = odd x k0k1, v3 = odd
 * x k2k3 (v4-v7: the step's second quad); LD4R broadcasts a pixel's halfwords k01, k23, k45, k67 (v8-v11). SMULL +
 * SMLAL sum k0 + k2 and k1 + k3 of a channel in a pair of int16 lanes, SADALP adds the pair into the channel's
 * int32 lane: the accumulators A0..A3 hold channels 0, 2, .., 6 | 8, .., 14 | 1, .., 7 | 9, .., 15 (the eo
 * order), no ADDP at the end, so a pixel takes 4 of them and a tile 4 pixels (v16-v31), each weight load feeding
 * 4 pixels: 102 instructions per step of 8 k and 4 pixels (512 MACs), where dot4_sym2_tiles_rq took 104 for 2. */
#define DOT4_EO_PIXEL(A0, A1, A2, A3, POST)                                                                      \
    "ld4r {v8.8h - v11.8h}, [%[p]], " POST "\n"                                                                 \
    EDGEC_NEON_SYM_MUL2_IN("v12", "v13", "v14", "v15", "v0", "v2", "v1", "v3", "v8", "v9", A0, A1, A2, A3)       \
    EDGEC_NEON_SYM_MUL2_IN("v12", "v13", "v14", "v15", "v4", "v6", "v5", "v7", "v10", "v11", A0, A1, A2, A3)
/* a step's two weight quads, the second's load moving the pointer by WRAP (a block's last step: back to its start) */
#define DOT4_EO_WEIGHTS_TO(WRAP) "ld4 {v0.8h - v3.8h}, [%[wp]], #64\n" "ld4 {v4.8h - v7.8h}, [%[wp]], " WRAP "\n"
#define DOT4_EO_WEIGHTS DOT4_EO_WEIGHTS_TO("#64")
/* a step of 4 pixels, step bytes apart (BACK: from the fourth to the first's next step, or in a row's last step
 * to the next tile's first; WRAP: DOT4_EO_WEIGHTS_TO's) */
#define DOT4_EO_STEP4_TO(WRAP, BACK)                                                                             \
    DOT4_EO_WEIGHTS_TO(WRAP) DOT4_EO_PIXEL("v16", "v17", "v18", "v19", "%[step]")                               \
    DOT4_EO_PIXEL("v20", "v21", "v22", "v23", "%[step]") DOT4_EO_PIXEL("v24", "v25", "v26", "v27", "%[step]")   \
    DOT4_EO_PIXEL("v28", "v29", "v30", "v31", BACK)
#define DOT4_EO_STEP4 DOT4_EO_STEP4_TO("#64", "%[back]")
#define DOT4_EO_STEP1 DOT4_EO_WEIGHTS DOT4_EO_PIXEL("v16", "v17", "v18", "v19", "#8")
/* A pixel's ReLU rounding: A0..A3 with the multipliers M0 and right shifts S0 (eo order, four registers each
 * named by the first: M0 = "v0" means v0-v3). */
#define DOT4_EO_RQ(A0, A1, A2, A3, M0, M1, M2, M3, S0, S1, S2, S3)                                               \
    DOT4_RQ_RELU(A0, M0, S0) DOT4_RQ_RELU(A1, M1, S1) DOT4_RQ_RELU(A2, M2, S2) DOT4_RQ_RELU(A3, M3, S3)
#define DOT4_EO_RQ_TILE(A0, A1, A2, A3) DOT4_EO_RQ(A0, A1, A2, A3, "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7")
/* A pixel's outputs (rounded): narrowed unsigned into v12 = [evens | odds] ^ 0x80 (K80), v13 its halves swapped,
 * and ST2 interleaving the two back into channel order. */
#define DOT4_EO_STORE1(A0, A1, A2, A3, K80)                                                                      \
    DOT4_NARROW_RELU("v12", "v14", A0, A1, A2, A3, K80)                                                          \
    "ext v13.16b, v12.16b, v12.16b, #8\n" "st2 {v12.8b, v13.8b}, [%[ot]], %[os]\n"
/* Two pixels' outputs (A, B rounded), the second narrowed into the first's high halves: evens v9, odds v10 (K80:
 * 0x80 in every byte); then DOT4_EO_STORE2 stores them (ST2 the first, ZIP2 the second's channels: 8.5
 * instructions a pixel where DOT4_EO_STORE1 takes 9), DOT4_EO_STORE2_NEXT when the second's outputs follow the
 * first's (out_step 16: one ST2, 7.5 a pixel). */
#define DOT4_EO_UNSIGNED(E, O, A0, A1, A2, A3)                                                                   \
    "sqxtun " E ".4h, " A0 ".4s\n" "sqxtun2 " E ".8h, " A1 ".4s\n" "sqxtun " O ".4h, " A2 ".4s\n"             \
    "sqxtun2 " O ".8h, " A3 ".4s\n"
#define DOT4_EO_NARROW2(A0, A1, A2, A3, B0, B1, B2, B3, K80)                                                     \
    DOT4_EO_UNSIGNED("v12", "v13", A0, A1, A2, A3) DOT4_EO_UNSIGNED("v14", "v15", B0, B1, B2, B3)                \
    "uqxtn v9.8b, v12.8h\n" "uqxtn2 v9.16b, v14.8h\n" "uqxtn v10.8b, v13.8h\n" "uqxtn2 v10.16b, v15.8h\n"      \
    "eor v9.16b, v9.16b, " K80 ".16b\n" "eor v10.16b, v10.16b, " K80 ".16b\n"
#define DOT4_EO_STORE2                                                                                           \
    "st2 {v9.8b, v10.8b}, [%[ot]], %[os]\n" "zip2 v11.16b, v9.16b, v10.16b\n" "st1 {v11.16b}, [%[ot]], %[os]\n"
#define DOT4_EO_STORE2_NEXT "st2 {v9.16b, v10.16b}, [%[ot]], #32\n"
#define DOT4_EO_OUT_TILE(A0, A1, A2, A3) DOT4_EO_RQ_TILE(A0, A1, A2, A3) DOT4_EO_STORE1(A0, A1, A2, A3, "v8")
#define DOT4_EO_OUT_TILE2(A0, A1, A2, A3, B0, B1, B2, B3)                                                        \
    DOT4_EO_RQ_TILE(A0, A1, A2, A3) DOT4_EO_RQ_TILE(B0, B1, B2, B3)                                              \
    DOT4_EO_NARROW2(A0, A1, A2, A3, B0, B1, B2, B3, "v8") DOT4_EO_STORE2
#define DOT4_EO_BIAS(A0, A3) "ld1 {" A0 ".4s - " A3 ".4s}, [%[b]]\n"
#define DOT4_EO 48 /* a block's eo record: its bias, multipliers and right shifts, 16 each in the eo order */

/* Where branch protection guards pages (-mbranch-protection=bti / standard, ARMv8.5 cores), the computed branch
 * into a dot4_eo_blocks pass must land on a BTI J (hint #36: a NOP on older cores); each step carries one so
 * that every step is the same length. */
#if defined(__ARM_FEATURE_BTI_DEFAULT)
#define DOT4_EO_ENTRY(STEP) "hint #36\n" STEP
#else
#define DOT4_EO_ENTRY(STEP) STEP
#endif

/* Tiles of PX pixels (tiles > 0 of them, pixels step bytes apart from x, outputs out_step apart from o) against
 * `blocks` (> 0) whole ReLU blocks in one loop: the next block's weights follow this one's, its outputs 16 bytes
 * on, its eo record DOT4_EO on (eo: dot4_eo_layout's). A row's last step is LAST, whose loads take the weights'
 * pointer back to the block's start and the pixels' to the next tile (wrap, next: no pointer updates a tile).
 * ONE (n <= 8): the n steps in one pass entered part-way (the first 8 - n skipped), no test; otherwise the n - 1
 * steps before LAST go eight a pass, the first pass entered part-way ((n - 1) % 8 steps, all 8 when none; n = 1
 * at the test), the passes ending at the block's last step. dot4_eo4_*: 4 pixels a tile (223 instructions per
 * pixel and block at n = 8, KWS's pointwise layers, where the two-lane tiles took 237.6); dot4_eo1_blocks: one
 * pixel a tile (a strip's pixels % 4). */
#define DOT4_EO_IF(ONE, YES, NO) DOT4_EO_IF_##ONE(YES, NO)
#define DOT4_EO_IF_0(YES, NO) NO
#define DOT4_EO_IF_1(YES, NO) YES
#define DOT4_EO_BLOCKS(name, PX, STEP, LAST, ONE, INIT, OUTS)                                                    \
    static void name(const int8_t *x, size_t step, const int8_t *w, int32_t n, const int32_t *eo, int32_t blocks, \
                     int8_t *o, size_t out_step, int32_t tiles) {                                                 \
        const int8_t *p, *wp, *e; /* e: the loop's entry */                                                      \
        const int32_t *em = eo + 16, *es = eo + 32;                                                              \
        int8_t *ot;                                                                                              \
        int64_t c;                                                                                               \
        int32_t t;                                                                                               \
        __asm__ volatile( /* volatile: its outputs are dead, the stores are the point */                         \
                "adr %[e], 4f\n" "adr %[c], 41f\n" "sub %[c], %[c], %[e]\n" /* a step's bytes */                 \
                "madd %[e], %[c], %[skip8], %[e]\n"                                                              \
                "0:\n" "mov %[p], %[x]\n" "mov %[ot], %[o]\n" "mov %w[t], %w[tiles]\n" "mov %[wp], %[w]\n"      \
                DOT4_EO_IF(ONE, , "add %[c], %[w], %[kb]\n" "sub %[c], %[c], #128\n" /* to the last step */)     \
                "1:\n" INIT "br %[e]\n"                                                                          \
                "4:\n" DOT4_EO_ENTRY(STEP) "41:\n" DOT4_EO_ENTRY(STEP) DOT4_EO_ENTRY(STEP) DOT4_EO_ENTRY(STEP)   \
                DOT4_EO_ENTRY(STEP) DOT4_EO_ENTRY(STEP) DOT4_EO_ENTRY(STEP)                                      \
                DOT4_EO_IF(ONE, DOT4_EO_ENTRY(LAST),                                                             \
                           DOT4_EO_ENTRY(STEP) DOT4_EO_ENTRY("cmp %[wp], %[c]\n") "b.ne 4b\n" LAST)                \
                "ld1 {v0.4s - v3.4s}, [%[em]]\n" "ld1 {v4.4s - v7.4s}, [%[es]]\n" "movi v8.16b, #0x80\n"        \
                OUTS                                                                                             \
                "subs %w[t], %w[t], #1\n" "b.ne 1b\n"                                                            \
                "add %[w], %[w], %[kb]\n" "add %[o], %[o], #16\n" "add %[b], %[b], #192\n"                       \
                "add %[em], %[em], #192\n" "add %[es], %[es], #192\n"                                            \
                "subs %w[nb], %w[nb], #1\n" "b.ne 0b\n"                                                          \
                : [o] "+r"(o), [ot] "=&r"(ot), [t] "=&r"(t), [p] "=&r"(p), [wp] "=&r"(wp), [c] "=&r"(c),        \
                  [e] "=&r"(e), [w] "+r"(w), [b] "+r"(eo), [em] "+r"(em), [es] "+r"(es), [nb] "+r"(blocks)       \
                : [x] "r"(x), [tiles] "r"(tiles), [step] "r"(step), [back] "r"(8 - 3 * step),                    \
                  /* the steps the first pass skips (n = 1 without ONE: all 8, in at the test) */                \
                  [skip8] "r"((int64_t)(ONE || n > 1 ? (8 - (n - 1 + ONE) % 8) % 8 : 8)),                       \
                  [kb] "r"(128 * (size_t)n), [os] "r"(out_step),                                                 \
                  [wrap] "r"(64 - 128 * (int64_t)n), /* LAST's second quad back to the first */                 \
                  [next] "r"(step + 8 - 8 * (size_t)n) /* LAST's (fourth) pixel to the next tile's first */       \
                : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", \
                  "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",     \
                  "v28", "v29", "v30", "v31", "memory", "cc");                                                   \
    }
#define DOT4_EO_OUT4                                                                                             \
    DOT4_EO_OUT_TILE2("v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23")                                   \
    DOT4_EO_OUT_TILE2("v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")
#define DOT4_EO_BIAS4                                                                                            \
    DOT4_EO_BIAS("v16", "v19") DOT4_EO_BIAS("v20", "v23") DOT4_EO_BIAS("v24", "v27") DOT4_EO_BIAS("v28", "v31")
#define DOT4_EO_LAST4 DOT4_EO_STEP4_TO("%[wrap]", "%[next]")
#define DOT4_EO_LAST1 DOT4_EO_WEIGHTS_TO("%[wrap]") DOT4_EO_PIXEL("v16", "v17", "v18", "v19", "%[next]")
#define DOT4_EO_OUT1 DOT4_EO_OUT_TILE("v16", "v17", "v18", "v19")
DOT4_EO_BLOCKS(dot4_eo4_blocks, 4, DOT4_EO_STEP4, DOT4_EO_LAST4, 0, DOT4_EO_BIAS4, DOT4_EO_OUT4)
DOT4_EO_BLOCKS(dot4_eo4_one, 4, DOT4_EO_STEP4, DOT4_EO_LAST4, 1, DOT4_EO_BIAS4, DOT4_EO_OUT4)
DOT4_EO_BLOCKS(dot4_eo1_blocks, 1, DOT4_EO_STEP1, DOT4_EO_LAST1, 0, DOT4_EO_BIAS("v16", "v19"), DOT4_EO_OUT1)

/* Kernel rows of 8 bytes (one step; pointwise layers of 8 input channels, VWW's 48 x 48 x 8 -> 16), a whole ReLU
 * block: its weights (v0-v7), multipliers (v20-v23) and right shifts (v24-v27) in registers for the strip, two
 * pixels a pass (v16-v19, v28-v31), 43 instructions a pixel when the outputs follow each other (out_step 16), 44
 * otherwise, where the two-lane tile's took 46.5; pixels (> 0) 8 bytes apart from x, an odd one first. */
#define DOT4_EO_K8_RQ(A0, A1, A2, A3)                                                                            \
    DOT4_EO_RQ(A0, A1, A2, A3, "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27")
#define DOT4_EO_K8_PAIR(STORE)                                                                                   \
    DOT4_EO_BIAS("v16", "v19") DOT4_EO_BIAS("v28", "v31") DOT4_EO_PIXEL("v16", "v17", "v18", "v19", "#8")       \
    DOT4_EO_PIXEL("v28", "v29", "v30", "v31", "#8")                                                             \
    DOT4_EO_K8_RQ("v16", "v17", "v18", "v19") DOT4_EO_K8_RQ("v28", "v29", "v30", "v31") "movi v8.16b, #0x80\n"   \
    DOT4_EO_NARROW2("v16", "v17", "v18", "v19", "v28", "v29", "v30", "v31", "v8") STORE                          \
    "subs %w[c], %w[c], #1\n"
static void dot4_eo_k8(const int8_t *x, const int8_t *w, const int32_t *eo, int8_t *o, size_t out_step,
                       int32_t pixels) {
    int32_t c;
    __asm__ volatile( /* volatile: its outputs are dead, the stores are the point */
            "ld4 {v0.8h - v3.8h}, [%[w]], #64\n" "ld4 {v4.8h - v7.8h}, [%[w]]\n"
            "ld1 {v20.4s - v23.4s}, [%[em]]\n" "ld1 {v24.4s - v27.4s}, [%[es]]\n"
            "tbz %w[n], #0, 1f\n" "movi v28.16b, #0x80\n" DOT4_EO_BIAS("v16", "v19")
            DOT4_EO_PIXEL("v16", "v17", "v18", "v19", "#8") DOT4_EO_K8_RQ("v16", "v17", "v18", "v19")
            DOT4_EO_STORE1("v16", "v17", "v18", "v19", "v28")
            "1:\n" "lsr %w[c], %w[n], #1\n" "cbz %w[c], 3f\n" "cmp %[os], #16\n" "b.eq 4f\n"
            "2:\n" DOT4_EO_K8_PAIR(DOT4_EO_STORE2) "b.ne 2b\n" "b 3f\n"
            "4:\n" DOT4_EO_K8_PAIR(DOT4_EO_STORE2_NEXT) "b.ne 4b\n"
            "3:\n"
            : [p] "+r"(x), [ot] "+r"(o), [w] "+r"(w), [c] "=&r"(c)
            : [n] "r"(pixels), [os] "r"(out_step), [b] "r"(eo), [em] "r"(eo + 16), [es] "r"(eo + 32)
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
              "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
              "v30", "v31", "memory", "cc");
}
#undef DOT4_EO_K8_PAIR
#undef DOT4_EO_K8_RQ

/* 16 int32 (a block's) from `from` to eo as channels 0, 2, .., 14, 1, 3, .., 15 (LD2 deinterleaves them) */
EDGEC_INLINE void dot4_eo_order(int32_t *eo, const int32_t *from) {
    const int32x4x2_t lo = vld2q_s32(from), hi = vld2q_s32(from + 8);
    vst1q_s32(eo, lo.val[0]);
    vst1q_s32(eo + 4, hi.val[0]);
    vst1q_s32(eo + 8, lo.val[1]);
    vst1q_s32(eo + 12, hi.val[1]);
}

/* The eo records (DOT4_EO int32 a block) of `blocks` whole blocks: bias, multipliers and right shifts (16 a
 * block each, from the arrays) in dot4_eo_order's order (each array on its own: 22 instructions a block where a
 * loop over the three took 37). */
static void dot4_eo_layout(int32_t *eo, const int32_t *bias, const int32_t *mult, const int32_t *right,
                           int32_t blocks) {
    for (int32_t bl = 0; bl < blocks; ++bl, eo += DOT4_EO) {
        dot4_eo_order(eo, bias + DOT4_OCB * bl);
        dot4_eo_order(eo + 16, mult + DOT4_OCB * bl);
        dot4_eo_order(eo + 32, right + DOT4_OCB * bl);
    }
}

/* A strip of `pixels` (> 0) rows of n steps, step bytes apart from x, against `blocks` whole ReLU blocks (eo
 * records at eo, weights from w, outputs 16 channels a block from o, out_step apart): rows of 8 bytes each after
 * the other block by block (dot4_eo_k8), otherwise the pixels % 4 first (dot4_eo1_blocks), then the 4-pixel tiles
 * (dot4_eo4_one for rows of up to 8 steps, else dot4_eo4_blocks). */
EDGEC_INLINE void dot4_eo_strip(const int8_t *x, size_t step, const int8_t *w, int32_t n, const int32_t *eo,
                                int32_t blocks, int32_t pixels, int8_t *o, size_t out_step) {
    const int32_t rest = pixels % 4;
    if (n == 1 && step == 8) {
        for (int32_t bl = 0; bl < blocks; ++bl)
            dot4_eo_k8(x, w + 128 * bl, eo + DOT4_EO * bl, o + DOT4_OCB * bl, out_step, pixels);
        return;
    }
    if (rest) dot4_eo1_blocks(x, step, w, n, eo, blocks, o, out_step, rest);
    if (pixels >= 4)
        (n <= 8 ? dot4_eo4_one : dot4_eo4_blocks)(x + (size_t)rest * step, step, w, n, eo, blocks,
                                                  o + (size_t)rest * out_step, out_step, pixels / 4);
}

/* dot4_sym2_tiles_rq's block for one pixel (a strip's odd one, where a tile overlapping its neighbour took the
 * products of two): edgec_neon.h's one-pixel loop, 30 instructions per pair of quads instead of 53. */
static void dot4_sym1_rq(const int8_t *x, const int8_t *w, int32_t n, const int32_t *b, const int32_t *mult,
                         const int32_t *right, int8_t *o, const edgec_conv2d_s8_params *p) {
    int32x4_t h0 = vld1q_s32(b), h1 = vld1q_s32(b + 4), h2 = vld1q_s32(b + 8), h3 = vld1q_s32(b + 12);
    int32x4_t h4 = vld1q_s32(b + 16), h5 = vld1q_s32(b + 20), h6 = vld1q_s32(b + 24), h7 = vld1q_s32(b + 28);
    EDGEC_NEON_SYM_LOOP(x, w, n, h0, h1, h2, h3, h4, h5, h6, h7);
    const int32x4_t a0 = dot4_pairs(h0, h1), a1 = dot4_pairs(h2, h3), a2 = dot4_pairs(h4, h5);
    const int32x4_t a3 = dot4_pairs(h6, h7);
    const int32x4_t m0 = vld1q_s32(mult), m1 = vld1q_s32(mult + 4), m2 = vld1q_s32(mult + 8);
    const int32x4_t m3 = vld1q_s32(mult + 12), s0 = vld1q_s32(right), s1 = vld1q_s32(right + 4);
    const int32x4_t s2 = vld1q_s32(right + 8), s3 = vld1q_s32(right + 12);
    dot4_narrow_store(dot4_round4_right(a0, m0, s0), dot4_round4_right(a1, m1, s1), dot4_round4_right(a2, m2, s2),
                      dot4_round4_right(a3, m3, s3), DOT4_ZP(p), DOT4_LO(p), DOT4_HI(p), DOT4_OCB, o);
}

/* dot4_strip_body for weights within [-127, 127] without the dot product: block by block, tile by tile (the
 * second one overlapping the first when pixels is odd), each tile one DOT4_SYM_LOOP2 over its whole window, then
 * requantised and stored. The loop takes every vector register, so the tile's bookkeeping is kept to pointers
 * and the requantisation constants are loaded again for each tile (five loads). */
DOT4_NOSCHED static void dot4_strip_sym2(const int8_t *x0, size_t step, size_t stride, int32_t rows, int32_t run,
                                         int32_t k_bytes, const int8_t *packed, const dot4_block_rq *rq, int32_t c0,
                                         int32_t blocks, int32_t pixels, int8_t *out,
                                         const edgec_conv2d_s8_params *p) {
    const int32_t OC = p->out_c, n = run / 8, tail = run % 8;
    const int64_t skip = (int64_t)stride - run;
    const int even = n > 0 && n % 2 == 0 && !tail;
    /* the output's zero point and clamp as scalars: the loop's "memory" clobber would have them read again */
    const int16_t zp16 = (int16_t)p->output_offset;
    const int8_t lo8 = (int8_t)p->act_min, hi8 = (int8_t)p->act_max;
    const size_t out_step = (size_t)OC;
    int16_t zlh[2] = {zp16, 0}; /* dot4_sym2_tiles_rq's: the zero point, then the bounds' bytes */
    __builtin_memcpy((int8_t *)&zlh[1], &lo8, 1);
    __builtin_memcpy((int8_t *)&zlh[1] + 1, &hi8, 1);
    for (int32_t bl = 0; bl < blocks; ++bl) {
        const int32_t oc0 = c0 + bl * DOT4_OCB, nb = OC - oc0 < DOT4_OCB ? OC - oc0 : DOT4_OCB;
        const dot4_block_rq *q = &rq[bl];
        const int8_t *wb = packed + (size_t)oc0 * k_bytes;
        const int fast = nb == DOT4_OCB && p->requant == EDGEC_REQUANT_FIXED && q->right_only;
        const int relu = nb == DOT4_OCB && q->relu;
        if (relu && rows == 1 && n > 0 && !tail) { /* ReLU: the one-lane tiles (flat windows, KWS's first layer) */
            /* the run of such blocks from this one (up to 4; weights following each other) in one strip: a
             * dot4_eo_strip call a block took about 80 instructions beside its tiles */
            int32_t eo[4 * DOT4_EO], nrun = 0;
            do {
                dot4_eo_layout(eo + DOT4_EO * nrun, rq[bl + nrun].bias, rq[bl + nrun].multiplier,
                               rq[bl + nrun].right, 1);
                ++nrun;
            } while (nrun < 4 && bl + nrun < blocks && k_bytes == 8 * n && OC - oc0 - DOT4_OCB * nrun >= DOT4_OCB &&
                     rq[bl + nrun].relu);
            dot4_eo_strip(x0, step, wb, n, eo, nrun, pixels, out + oc0, out_step);
            bl += nrun - 1;
            continue;
        }
        if (fast && rows == 1 && n > 0 && !tail) { /* the whole strip in assembly, the odd pixel first */
            if (pixels % 2) dot4_sym1_rq(x0, wb, n, q->bias_half, q->multiplier, q->right, out + oc0, p);
            dot4_sym2_tiles_rq(x0 + (size_t)(pixels % 2) * step, step, wb, n, q, zlh,
                               out + oc0 + (size_t)(pixels % 2) * out_step, out_step, pixels / 2);
            continue;
        }
        /* (pixels + 1) / 2 tiles, the second one back by a pixel when pixels is odd (overlapping the first) */
        const int8_t *xp = x0;
        int8_t *o = out + oc0;
        size_t x_step = pixels % 2 ? step : 2 * step, o_step = pixels % 2 ? out_step : 2 * out_step;
        for (int32_t t = (pixels + 1) / 2; t > 0; --t, xp += x_step, o += o_step, x_step = 2 * step,
                     o_step = 2 * out_step) {
            const int8_t *p0 = xp, *p1 = xp + step, *w = wb;
            int32_t r = rows;
            int32x4_t h00, h01, h02, h03, h04, h05, h06, h07, h10, h11, h12, h13, h14, h15, h16, h17;
            if (even) DOT4_SYM_LOOP2_EVEN(p0, p1, w, q->bias_half, r, n / 2, skip);
            else DOT4_SYM_LOOP2(p0, p1, w, q->bias_half, r, n, tail, skip);
            const int32x4_t a0 = dot4_pairs(h00, h01), a1 = dot4_pairs(h02, h03), a2 = dot4_pairs(h04, h05);
            const int32x4_t a3 = dot4_pairs(h06, h07), b0 = dot4_pairs(h10, h11), b1 = dot4_pairs(h12, h13);
            const int32x4_t b2 = dot4_pairs(h14, h15), b3 = dot4_pairs(h16, h17);
            const int16x8_t zp = vdupq_n_s16(zp16);
            const int8x16_t lo = vdupq_n_s8(lo8), hi = vdupq_n_s8(hi8);
            if (fast) {
                DOT4_BLOCK_RQ16(q, m0, m1, m2, m3, s0, s1, s2, s3);
                dot4_narrow_store(dot4_round4_right(a0, m0, s0), dot4_round4_right(a1, m1, s1),
                                  dot4_round4_right(a2, m2, s2), dot4_round4_right(a3, m3, s3), zp, lo, hi,
                                  DOT4_OCB, o);
                dot4_narrow_store(dot4_round4_right(b0, m0, s0), dot4_round4_right(b1, m1, s1),
                                  dot4_round4_right(b2, m2, s2), dot4_round4_right(b3, m3, s3), zp, lo, hi,
                                  DOT4_OCB, o + out_step);
            } else {
                dot4_store(a0, a1, a2, a3, q, nb, zp, lo, hi, p, o);
                dot4_store(b0, b1, b2, b3, q, nb, zp, lo, hi, p, o + out_step);
            }
        }
    }
}
#define DOT4_STRIP_SYM(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p) \
    dot4_strip_sym2(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p)
#else
#define DOT4_STRIP_SYM(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p) \
    dot4_strip_body(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p, 1, 0, 0)
#endif

#if DOT4_PX == 4
/* SDOT tile loop pieces: one quad (lane L of the inputs v4-v7, pixels 0-3) of the 16 channels' weights v0-v3 into
 * the accumulators v16-v31 (pixel i: v16 + 4i ..); the weights loaded with post-increment */
#define DOT4_SDOT_PX(A0, A1, A2, A3, X, L)                                                                       \
    "sdot " A0 ".4s, v0.16b, " X ".4b[" L "]\n" "sdot " A1 ".4s, v1.16b, " X ".4b[" L "]\n"                     \
    "sdot " A2 ".4s, v2.16b, " X ".4b[" L "]\n" "sdot " A3 ".4s, v3.16b, " X ".4b[" L "]\n"
#define DOT4_SDOT_QUADX(L, X0, X1, X2, X3)                                                                       \
    "ld1 {v0.16b - v3.16b}, [%[wp]], #64\n"                                                                      \
    DOT4_SDOT_PX("v16", "v17", "v18", "v19", X0, L) DOT4_SDOT_PX("v20", "v21", "v22", "v23", X1, L)              \
    DOT4_SDOT_PX("v24", "v25", "v26", "v27", X2, L) DOT4_SDOT_PX("v28", "v29", "v30", "v31", X3, L)
#define DOT4_SDOT_QUAD(L) DOT4_SDOT_QUADX(L, "v4", "v5", "v6", "v7")
/* 32 bytes of the four pixels, pixel i's in v(4 + 2i), v(5 + 2i): one LD1 a pixel, the pointer stepping K to the
 * next pixel, then `back` (32 - 3K) to the first pixel's next bytes */
#define DOT4_SDOT_QUADS32(X0, X1, X2, X3)                                                                        \
    DOT4_SDOT_QUADX("0", X0, X1, X2, X3) DOT4_SDOT_QUADX("1", X0, X1, X2, X3) DOT4_SDOT_QUADX("2", X0, X1, X2, X3) \
    DOT4_SDOT_QUADX("3", X0, X1, X2, X3)
#define DOT4_SDOT_STEP32                                                                                         \
    "ld1 {v4.16b, v5.16b}, [%[x0]], %[k]\n" "ld1 {v6.16b, v7.16b}, [%[x0]], %[k]\n"                               \
    "ld1 {v8.16b, v9.16b}, [%[x0]], %[k]\n" "ld1 {v10.16b, v11.16b}, [%[x0]], %[back]\n"                          \
    DOT4_SDOT_QUADS32("v4", "v6", "v8", "v10") DOT4_SDOT_QUADS32("v5", "v7", "v9", "v11")
#define DOT4_SDOT_STEP \
    DOT4_SDOT_LOADS("q", "16") DOT4_SDOT_QUAD("0") DOT4_SDOT_QUAD("1") DOT4_SDOT_QUAD("2") DOT4_SDOT_QUAD("3")
/* the four pixels' next N bytes, K apart from x0 (k2, k3: 2K, 3K), one pointer to advance */
#define DOT4_SDOT_LOADS(R, N)                                                                                    \
    "ldr " R "5, [%[x0], %[k]]\n" "ldr " R "6, [%[x0], %[k2]]\n" "ldr " R "7, [%[x0], %[k3]]\n"                   \
    "ldr " R "4, [%[x0]], #" N "\n"
/* the same for one pixel (inputs v4, accumulators v16-v19) */
#define DOT4_SDOT_QUAD1(L) "ld1 {v0.16b - v3.16b}, [%[wp]], #64\n" DOT4_SDOT_PX("v16", "v17", "v18", "v19", "v4", L)
#define DOT4_RQ_RELU4(A0, A1, A2, A3)                                                                            \
    DOT4_RQ_RELU(A0, "v8", "v12") DOT4_RQ_RELU(A1, "v9", "v13") DOT4_RQ_RELU(A2, "v10", "v14")                  \
    DOT4_RQ_RELU(A3, "v11", "v15")
#define DOT4_STORE_RELU_PX(A0, A1, A2, A3) \
    DOT4_NARROW_RELU("v0", "v1", A0, A1, A2, A3, "v7") "st1 {v0.16b}, [%[o]], %[os]\n"
/* a tile's accumulators v16-v31 started from the block's biases */
#define DOT4_BIAS16                                                                                              \
    "ld1 {v16.4s - v19.4s}, [%[b]]\n" "ld1 {v20.4s - v23.4s}, [%[b]]\n" "ld1 {v24.4s - v27.4s}, [%[b]]\n"          \
    "ld1 {v28.4s - v31.4s}, [%[b]]\n"
/* a tile's sums rounded (multipliers v8-v11, right shifts v12-v15), narrowed and stored, pixel by pixel */
#define DOT4_RELU_TILE_OUT                                                                                       \
    DOT4_RQ_RELU4("v16", "v17", "v18", "v19") DOT4_RQ_RELU4("v20", "v21", "v22", "v23")                          \
    DOT4_RQ_RELU4("v24", "v25", "v26", "v27") DOT4_RQ_RELU4("v28", "v29", "v30", "v31") "movi v7.16b, #0x80\n"   \
    DOT4_STORE_RELU_PX("v16", "v17", "v18", "v19") DOT4_STORE_RELU_PX("v20", "v21", "v22", "v23")                \
    DOT4_STORE_RELU_PX("v24", "v25", "v26", "v27") DOT4_STORE_RELU_PX("v28", "v29", "v30", "v31")

/* Pointwise layers, a whole ReLU block (dot4_block_rq.relu) on cortex-a55: `tiles` (> 0) tiles of 4 pixels x 16
 * channels, the pixels K bytes apart from x (K a multiple of 4; the next tile 4K on, its outputs 4 * out_step
 * on), in one assembly loop with the requantisation (dot4_round4_relu) and the stores, where the C tile took
 * about 105 instructions beside its SDOT loop on VWW's 6 x 6 layers and 140 on 48 x 48 x 8: the accumulators
 * v16-v31 started from the bias, weights v0-v3; two 32-byte steps a pass, each pixel's 32 bytes one LD1 into
 * v4-v11 (DOT4_SDOT_STEP32: half the input loads of 16-byte steps), then K's bit 5, and bits 4, 3 and 2
 * (dot4_tile's tail, inputs v4-v7; all skipped at once when K % 64 == 0); the right shifts in v12-v15 for the strip,
 * the multipliers into v8-v11 after a tile's sums (which the inputs' registers free); the pixels' 16-byte loads
 * from one pointer with offsets K, 2K, 3K (one addition a tile to the next, not four pointers set), the stores by
 * post-increment; `blocks` blocks in the one loop, block by block from ob (their constants step int32s apart). */
static void dot4_relu_tiles(const int8_t *x, size_t K, const int8_t *w, const int32_t *bias, const int32_t *mult,
                            const int32_t *right, size_t step, int32_t blocks, int8_t *ob, size_t out_step,
                            int32_t tiles) {
    const int8_t *wp, *x0;
    const int8_t *we = w + (K >> 6) * 64 * DOT4_OCB;
    int8_t *o;
    int32_t t;
    __asm__ volatile( /* volatile: its outputs are dead, the stores are the point */
            "0:\n" "ld1 {v12.4s - v15.4s}, [%[s]]\n" "mov %w[t], %w[tiles]\n" "mov %[x0], %[x]\n" "mov %[o], %[ob]\n"
            "1:\n"
            DOT4_BIAS16 "mov %[wp], %[w]\n" "cbz %[c], 3f\n" /* the 64-byte passes end with the weights at we */
            "2:\n" DOT4_SDOT_STEP32 DOT4_SDOT_STEP32 "cmp %[wp], %[we]\n" "b.ne 2b\n"
            "3:\n" "cbz %[tail], 5f\n" "tbz %[k], #5, 7f\n" DOT4_SDOT_STEP32
            "7:\n" "tbz %[k], #4, 6f\n" DOT4_SDOT_STEP
            "6:\n" "tbz %[k], #3, 4f\n" DOT4_SDOT_LOADS("d", "8") DOT4_SDOT_QUAD("0") DOT4_SDOT_QUAD("1")
            "4:\n" "tbz %[k], #2, 5f\n" DOT4_SDOT_LOADS("s", "4") DOT4_SDOT_QUAD("0")
            "5:\n" "ld1 {v8.4s - v11.4s}, [%[m]]\n"
            DOT4_RELU_TILE_OUT "add %[x0], %[x0], %[k3]\n" "subs %w[t], %w[t], #1\n" "b.ne 1b\n"
            /* the next block: its weights, outputs and constants */
            "add %[w], %[w], %[wk]\n" "add %[we], %[we], %[wk]\n" "add %[ob], %[ob], #16\n" "add %[b], %[b], %[st]\n"
            "add %[m], %[m], %[st]\n" "add %[s], %[s], %[st]\n" "subs %w[nb], %w[nb], #1\n" "b.ne 0b\n"
            : [o] "=&r"(o), [t] "=&r"(t), [x0] "=&r"(x0), [wp] "=&r"(wp), [w] "+r"(w), [we] "+r"(we), [ob] "+r"(ob),
              [b] "+r"(bias), [m] "+r"(mult), [s] "+r"(right), [nb] "+r"(blocks)
            : [x] "r"(x), [tiles] "r"(tiles), [c] "r"(K >> 6), [k] "r"(K), [k2] "r"(2 * K), [k3] "r"(3 * K),
              [back] "r"(32 - 3 * K), [tail] "r"(K & 63), [os] "r"(out_step), [wk] "r"(K * DOT4_OCB),
              [st] "r"(step * sizeof(int32_t))
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
              "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
              "v30", "v31", "memory", "cc");
}

/* dot4_relu_tiles for K = 16 or 32 (VWW's 24 x 24 layers), whose four pixels are one or two LD1 of 64 bytes (pixel
 * i in v4 + i, or v4 + 2i and v5 + 2i), without the strides, loop and tails of K's bytes: about 78 and 84
 * instructions a tile beside the SDOTs where dot4_relu_tiles takes 89. */
static void dot4_relu_tiles_k32(const int8_t *x, size_t K, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                const int32_t *right, int8_t *o, size_t out_step, int32_t tiles) {
    const int8_t *wp;
    if (K == 16)
        __asm__ volatile( /* volatile: the stores are the point */
                "ld1 {v8.4s - v11.4s}, [%[m]]\n" "ld1 {v12.4s - v15.4s}, [%[s]]\n"
                "1:\n" DOT4_BIAS16 "ld1 {v4.16b - v7.16b}, [%[x]], #64\n" "mov %[wp], %[w]\n"
                DOT4_SDOT_QUAD("0") DOT4_SDOT_QUAD("1") DOT4_SDOT_QUAD("2") DOT4_SDOT_QUAD("3")
                DOT4_RELU_TILE_OUT "subs %w[t], %w[t], #1\n" "b.ne 1b\n"
                : [o] "+r"(o), [t] "+r"(tiles), [x] "+r"(x), [wp] "=&r"(wp)
                : [b] "r"(bias), [w] "r"(w), [os] "r"(out_step), [m] "r"(mult), [s] "r"(right)
                : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14",
                  "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
                  "v29", "v30", "v31", "memory", "cc");
    else /* the multipliers after the sums, as dot4_relu_tiles' */
        __asm__ volatile(
                "ld1 {v12.4s - v15.4s}, [%[s]]\n"
                "1:\n" DOT4_BIAS16 "ld1 {v4.16b - v7.16b}, [%[x]], #64\n" "ld1 {v8.16b - v11.16b}, [%[x]], #64\n"
                "mov %[wp], %[w]\n"
                DOT4_SDOT_QUADS32("v4", "v6", "v8", "v10") DOT4_SDOT_QUADS32("v5", "v7", "v9", "v11")
                "ld1 {v8.4s - v11.4s}, [%[m]]\n" DOT4_RELU_TILE_OUT "subs %w[t], %w[t], #1\n" "b.ne 1b\n"
                : [o] "+r"(o), [t] "+r"(tiles), [x] "+r"(x), [wp] "=&r"(wp)
                : [b] "r"(bias), [w] "r"(w), [os] "r"(out_step), [m] "r"(mult), [s] "r"(right)
                : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14",
                  "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
                  "v29", "v30", "v31", "memory", "cc");
}

/* dot4_relu_tiles for K = 8 (VWW's 48 x 48 x 8 -> 16), where a pixel has half a SDOT an output and the tile's
 * bookkeeping weighs: the four pixels' 32 bytes one LD1 (v4, v5: pixel i's quads in lanes 2i % 4, 2i % 4 + 1),
 * the block's two quads of weights from fixed addresses (no pointer to reset), 0x80 in v7 for the strip, the
 * stores by post-increment, one ST1 for the four pixels when their outputs are contiguous (16 channels in all):
 * about 103 instructions a tile, where dot4_relu_tiles took 122. */
#define DOT4_K8_TILE                                                                                             \
    DOT4_BIAS16 "ld1 {v4.16b, v5.16b}, [%[x]], #32\n" "ld1 {v0.16b - v3.16b}, [%[w]]\n"                           \
    DOT4_SDOT_PX("v16", "v17", "v18", "v19", "v4", "0") DOT4_SDOT_PX("v20", "v21", "v22", "v23", "v4", "2")      \
    DOT4_SDOT_PX("v24", "v25", "v26", "v27", "v5", "0") DOT4_SDOT_PX("v28", "v29", "v30", "v31", "v5", "2")      \
    "ld1 {v0.16b - v3.16b}, [%[w1]]\n"                                                                           \
    DOT4_SDOT_PX("v16", "v17", "v18", "v19", "v4", "1") DOT4_SDOT_PX("v20", "v21", "v22", "v23", "v4", "3")      \
    DOT4_SDOT_PX("v24", "v25", "v26", "v27", "v5", "1") DOT4_SDOT_PX("v28", "v29", "v30", "v31", "v5", "3")      \
    DOT4_RQ_RELU4("v16", "v17", "v18", "v19") DOT4_RQ_RELU4("v20", "v21", "v22", "v23")                          \
    DOT4_RQ_RELU4("v24", "v25", "v26", "v27") DOT4_RQ_RELU4("v28", "v29", "v30", "v31")                          \
    DOT4_NARROW_RELU("v0", "v4", "v16", "v17", "v18", "v19", "v7")                                               \
    DOT4_NARROW_RELU("v1", "v5", "v20", "v21", "v22", "v23", "v7")                                               \
    DOT4_NARROW_RELU("v2", "v4", "v24", "v25", "v26", "v27", "v7")                                               \
    DOT4_NARROW_RELU("v3", "v5", "v28", "v29", "v30", "v31", "v7")
static void dot4_relu_tiles_k8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                               const int32_t *right, int8_t *o, size_t out_step, int32_t tiles) {
    __asm__ volatile( /* volatile: the stores are the point */
            "ld1 {v8.4s - v11.4s}, [%[m]]\n" "ld1 {v12.4s - v15.4s}, [%[s]]\n" "movi v7.16b, #0x80\n"
            "cbnz %[gap], 7f\n" /* one loop for either store, no test a tile */
            "1:\n" DOT4_K8_TILE "st1 {v0.16b - v3.16b}, [%[o]], #64\n" "subs %w[t], %w[t], #1\n" "b.ne 1b\n" "b 8f\n"
            "7:\n" DOT4_K8_TILE "st1 {v0.16b}, [%[o]], %[os]\n" "st1 {v1.16b}, [%[o]], %[os]\n"
            "st1 {v2.16b}, [%[o]], %[os]\n" "st1 {v3.16b}, [%[o]], %[os]\n" "subs %w[t], %w[t], #1\n" "b.ne 7b\n"
            "8:\n"
            : [o] "+r"(o), [t] "+r"(tiles), [x] "+r"(x)
            : [b] "r"(bias), [w] "r"(w), [w1] "r"(w + 64), [os] "r"(out_step), [gap] "r"(out_step - DOT4_OCB),
              [m] "r"(mult), [s] "r"(right)
            : "v0", "v1", "v2", "v3", "v4", "v5", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16",
              "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",
              "memory", "cc");
}

/* dot4_relu_tiles for one pixel (a strip's last ones): 16 SDOTs per 64-byte weight load, about 30 instructions
 * beside the loop where dot4_block1 took about 80. */
static void dot4_relu_pixel(const int8_t *x, size_t K, const int8_t *w, const int32_t *bias, const int32_t *mult,
                            const int32_t *right, int8_t *o) {
    const int8_t *x0 = x, *wp = w;
    size_t c;
    __asm__ volatile( /* volatile: its outputs are dead, the store is the point */
            "ld1 {v16.4s - v19.4s}, [%[b]]\n"
            "lsr %[c], %[k], #4\n" "cbz %[c], 3f\n"
            "2:\n" "ldr q4, [%[x0]], #16\n" DOT4_SDOT_QUAD1("0") DOT4_SDOT_QUAD1("1") DOT4_SDOT_QUAD1("2")
            DOT4_SDOT_QUAD1("3") "subs %[c], %[c], #1\n" "b.ne 2b\n"
            "3:\n" "tbz %[k], #3, 4f\n" "ldr d4, [%[x0]], #8\n" DOT4_SDOT_QUAD1("0") DOT4_SDOT_QUAD1("1")
            "4:\n" "tbz %[k], #2, 5f\n" "ldr s4, [%[x0]], #4\n" DOT4_SDOT_QUAD1("0")
            "5:\n"
            "ld1 {v8.4s - v11.4s}, [%[m]]\n" "ld1 {v12.4s - v15.4s}, [%[s]]\n"
            DOT4_RQ_RELU4("v16", "v17", "v18", "v19") "movi v7.16b, #0x80\n"
            DOT4_NARROW_RELU("v0", "v1", "v16", "v17", "v18", "v19", "v7") "str q0, [%[o]]\n"
            : [x0] "+r"(x0), [wp] "+r"(wp), [c] "=&r"(c)
            : [b] "r"(bias), [k] "r"(K), [o] "r"(o), [m] "r"(mult), [s] "r"(right)
            : "v0", "v1", "v2", "v3", "v4", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17",
              "v18", "v19", "memory", "cc");
}

/* dot4_relu_tiles for one tile of 5 pixels (a strip's last ones when pixels % 4 == 1: VWW's 3 x 3 layers, KWS's
 * 25 x 5), the fifth pixel's inputs in v8, its sums in v12-v15, where a tile and dot4_relu_pixel load the
 * weights twice: 16-byte steps (the registers leave no room for 32), two a pass; the fifth pixel rounded first (multipliers
 * v8-v11, shifts v4-v7), narrowed into v2 and stored last. */
#define DOT4_SDOT_QUAD5(L) DOT4_SDOT_QUAD(L) DOT4_SDOT_PX("v12", "v13", "v14", "v15", "v8", L)
#define DOT4_SDOT_LOADS5(R, N) "ldr " R "8, [%[x0], %[k4]]\n" DOT4_SDOT_LOADS(R, N)
#define DOT4_SDOT_STEP5 \
    DOT4_SDOT_LOADS5("q", "16") DOT4_SDOT_QUAD5("0") DOT4_SDOT_QUAD5("1") DOT4_SDOT_QUAD5("2") DOT4_SDOT_QUAD5("3")
static void dot4_relu_tile5(const int8_t *x, size_t K, const int8_t *w, const int32_t *bias, const int32_t *mult,
                            const int32_t *right, size_t step, int32_t blocks, int8_t *ob, size_t out_step) {
    const int8_t *x0;
    int8_t *o;
    size_t c;
    __asm__ volatile( /* volatile: its outputs are dead, the stores are the point; block by block, the weights
                       * running on from one to the next */
            "0:\n" "mov %[x0], %[x]\n" "mov %[o], %[ob]\n" DOT4_BIAS16 "ld1 {v12.4s - v15.4s}, [%[b]]\n"
            "lsr %[c], %[k], #5\n" "cbz %[c], 3f\n"
            "2:\n" DOT4_SDOT_STEP5 DOT4_SDOT_STEP5 "subs %[c], %[c], #1\n" "b.ne 2b\n"
            "3:\n" "tbz %[k], #4, 6f\n" DOT4_SDOT_STEP5
            "6:\n" "tbz %[k], #3, 4f\n" DOT4_SDOT_LOADS5("d", "8") DOT4_SDOT_QUAD5("0") DOT4_SDOT_QUAD5("1")
            "4:\n" "tbz %[k], #2, 5f\n" DOT4_SDOT_LOADS5("s", "4") DOT4_SDOT_QUAD5("0")
            "5:\n" "ld1 {v8.4s - v11.4s}, [%[m]]\n" "ld1 {v4.4s - v7.4s}, [%[s]]\n"
            DOT4_RQ_RELU("v12", "v8", "v4") DOT4_RQ_RELU("v13", "v9", "v5") DOT4_RQ_RELU("v14", "v10", "v6")
            DOT4_RQ_RELU("v15", "v11", "v7") "movi v7.16b, #0x80\n"
            DOT4_NARROW_RELU("v2", "v3", "v12", "v13", "v14", "v15", "v7") "ld1 {v12.4s - v15.4s}, [%[s]]\n"
            DOT4_RELU_TILE_OUT "st1 {v2.16b}, [%[o]]\n"
            "add %[ob], %[ob], #16\n" "add %[b], %[b], %[st]\n" "add %[m], %[m], %[st]\n" "add %[s], %[s], %[st]\n"
            "subs %w[nb], %w[nb], #1\n" "b.ne 0b\n"
            : [o] "=&r"(o), [x0] "=&r"(x0), [wp] "+r"(w), [c] "=&r"(c), [ob] "+r"(ob), [b] "+r"(bias), [m] "+r"(mult),
              [s] "+r"(right), [nb] "+r"(blocks)
            : [x] "r"(x), [k] "r"(K), [k2] "r"(2 * K), [k3] "r"(3 * K), [k4] "r"(4 * K), [os] "r"(out_step),
              [st] "r"(step * sizeof(int32_t))
            : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
              "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
              "v30", "v31", "memory", "cc");
}

/* `blocks` whole ReLU blocks of a pointwise layer (pixels >= 4 pixels C bytes apart from x, outputs OC apart from
 * o; the blocks' weights from w on) through dot4_relu_tiles (every block in its loop), the last 5 through
 * dot4_relu_tile5 when pixels % 4 == 1, else the last pixels % 4 through dot4_relu_pixel; block bl's 16 biases,
 * multipliers and right shifts at bias, mult, right + bl * step. */
static void dot4_relu_blocks(const int8_t *x, int32_t C, const int8_t *w, const int32_t *bias, const int32_t *mult,
                             const int32_t *right, size_t step, int32_t blocks, int32_t pixels, int8_t *o,
                             int32_t OC) {
    const int32_t rest = pixels % DOT4_PX, five = rest == 1, tiles = pixels / DOT4_PX - five;
    const int small = C == 8 || C == 16 || C == 32;
    if (tiles && !small) /* every block's tiles in one loop, then every block's last 5 pixels */
        dot4_relu_tiles(x, (size_t)C, w, bias, mult, right, step, blocks, o, (size_t)OC, tiles);
    if (five)
        dot4_relu_tile5(x + (size_t)(pixels - 5) * C, (size_t)C, w, bias, mult, right, step, blocks,
                        o + (size_t)(pixels - 5) * OC, (size_t)OC);
    if (!small && rest < 2) return;
    for (int32_t bl = 0; bl < blocks; ++bl, w += DOT4_OCB * C, o += DOT4_OCB, bias += step, mult += step,
                 right += step) {
        if (tiles && C == 8) dot4_relu_tiles_k8(x, w, bias, mult, right, o, (size_t)OC, tiles);
        else if (tiles && small) dot4_relu_tiles_k32(x, (size_t)C, w, bias, mult, right, o, (size_t)OC, tiles);
        for (int32_t px = pixels - rest; rest > 1 && px < pixels; ++px)
            dot4_relu_pixel(x + (size_t)px * C, (size_t)C, w, bias, mult, right, o + (size_t)px * OC);
    }
}

/* A pointwise layer whose blocks are all whole and ReLU (dot4_block_rq.relu) through dot4_relu_blocks.
 * Returns 0 (nothing done) for other layers. */
static int dot4_pointwise_relu(const int8_t *in_b, int32_t C, const int8_t *packed, const dot4_block_rq *rq,
                               int32_t c0, int32_t blocks, int32_t pixels, int8_t *out_b,
                               const edgec_conv2d_s8_params *p) {
    const int32_t OC = p->out_c;
    if (OC % DOT4_OCB) return 0;
    for (int32_t bl = 0; bl < blocks; ++bl)
        if (!rq[bl].relu) return 0;
    dot4_relu_blocks(in_b, C, packed + (size_t)c0 * C, rq->bias, rq->multiplier, rq->right,
                     sizeof(dot4_block_rq) / sizeof(int32_t), blocks, pixels, out_b + c0, OC);
    return 1;
}
#define DOT4_POINTWISE_RELU(in_b, C, packed, rq, c0, blocks, pixels, out_b, p) \
    dot4_pointwise_relu(in_b, C, packed, rq, c0, blocks, pixels, out_b, p)
#else
#define DOT4_POINTWISE_RELU(in_b, C, packed, rq, c0, blocks, pixels, out_b, p) 0
#endif

#if defined(__aarch64__)
/* Whether every channel is ReLU's (dot4_block_rq.relu without its block): no left shift, multipliers >= 0, so that
 * the shifts are the right shifts. */
static int dot4_relu_channels(const int32_t *multiplier, const int32_t *shift, int32_t n) {
    int32x4_t s = vdupq_n_s32(0), m = vdupq_n_s32(0);
    for (int32_t c = 0; c < n; c += 8) {
        s = vmaxq_s32(s, vmaxq_s32(vld1q_s32(shift + c), vld1q_s32(shift + c + 4)));
        m = vminq_s32(m, vminq_s32(vld1q_s32(multiplier + c), vld1q_s32(multiplier + c + 4)));
    }
    return !edgec_neon_any_u32(vorrq_u32(vcgtq_s32(s, vdupq_n_s32(0)), vcltq_s32(m, vdupq_n_s32(0))));
}
#endif

#if DOT4_PX == 2 && defined(__aarch64__)
#define DOT4_SYM_RELU_BLOCKS 8 /* blocks whose eo records are laid out at once */
/* ReLU pointwise layers without the dot product (weights within [-127, 127], whole blocks, C % 8 == 0): the
 * blocks' multipliers and right shifts read from the arrays (dot4_relu_channels), laid out with the bias as eo
 * records (dot4_eo_layout), where dot4_block_rq_whole took about 100 instructions a block; the pixels % 4 first
 * (dot4_eo1_blocks), then every block's 4-pixel tiles in one dot4_eo4_blocks loop (C == 8: dot4_eo_k8). pixels
 * >= 2, C bytes apart from x; outputs OC apart from o. */
static void dot4_sym_relu_blocks(const int8_t *x, int32_t C, const int8_t *w, const int32_t *bias,
                                 const int32_t *mult, const int32_t *right, int32_t blocks, int32_t pixels, int8_t *o,
                                 int32_t OC) {
    int32_t eo[DOT4_SYM_RELU_BLOCKS * DOT4_EO];
    const size_t k_bytes = (size_t)DOT4_OCB * C;
    for (int32_t b0 = 0; b0 < blocks; b0 += DOT4_SYM_RELU_BLOCKS) {
        const int32_t nbl = blocks - b0 < DOT4_SYM_RELU_BLOCKS ? blocks - b0 : DOT4_SYM_RELU_BLOCKS;
        dot4_eo_layout(eo, bias, mult, right, nbl);
        dot4_eo_strip(x, (size_t)C, w, C / 8, eo, nbl, pixels, o, (size_t)OC);
        w += k_bytes * nbl;
        o += DOT4_OCB * nbl;
        bias += DOT4_OCB * nbl;
        mult += DOT4_OCB * nbl;
        right += DOT4_OCB * nbl;
    }
}
#endif

DOT4_NOSCHED static void dot4_strip(const int8_t *x0, size_t step, size_t stride, int32_t rows, int32_t run,
                                    int32_t k_bytes, const int8_t *packed, const dot4_block_rq *rq, int32_t c0,
                                    int32_t blocks, int32_t pixels, int8_t *out, const edgec_conv2d_s8_params *p) {
    dot4_strip_body(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p, 0, 0, 0);
}

/* Pointwise layers: one kernel row, the strip's loops with it as a constant. */
DOT4_NOSCHED static void dot4_pointwise(const int8_t *in_b, int32_t C, const int8_t *packed, const dot4_block_rq *rq,
                                        int32_t c0, int32_t blocks, int32_t pixels, int8_t *out_b,
                                        const edgec_conv2d_s8_params *p) {
    if (DOT4_POINTWISE_RELU(in_b, C, packed, rq, c0, blocks, pixels, out_b, p)) return;
    dot4_strip_body(in_b, (size_t)C, 0, 1, C, C, packed, rq, c0, blocks, pixels, out_b, p, 0, 0, 0);
}

/* Pointwise layers of 16, 32 or 64 output channels (MobileNets' and DS-CNNs'): the strip with nblk whole blocks
 * as constants, so that its loops' variables fit the registers the vector tile leaves. */
#define DOT4_POINTWISE_BLOCKS(name, nblk)                                                                         \
    DOT4_NOSCHED static void name(const int8_t *in_b, int32_t C, const int8_t *packed, const dot4_block_rq *rq,     \
                                  int32_t pixels, int8_t *out_b, const edgec_conv2d_s8_params *p, int sym) {      \
        if (DOT4_PX == 2 && sym) {                                                                                 \
            DOT4_STRIP_SYM(in_b, (size_t)C, 0, 1, C, C, packed, rq, 0, nblk, pixels, out_b, p);                    \
            return;                                                                                                \
        }                                                                                                          \
        if (DOT4_POINTWISE_RELU(in_b, C, packed, rq, 0, nblk, pixels, out_b, p)) return;                           \
        dot4_strip_body(in_b, (size_t)C, 0, 1, C, C, packed, rq, 0, nblk, pixels, out_b, p, 0, 0, nblk);           \
    }
DOT4_POINTWISE_BLOCKS(dot4_pointwise16, 1)
DOT4_POINTWISE_BLOCKS(dot4_pointwise32, 2)
DOT4_POINTWISE_BLOCKS(dot4_pointwise64, 4)

#if DOT4_PX == 2
DOT4_NOSCHED static void dot4_pointwise_sym(const int8_t *in_b, int32_t C, const int8_t *packed,
                                            const dot4_block_rq *rq, int32_t c0, int32_t blocks, int32_t pixels,
                                            int8_t *out_b, const edgec_conv2d_s8_params *p) {
    DOT4_STRIP_SYM(in_b, (size_t)C, 0, 1, C, C, packed, rq, c0, blocks, pixels, out_b, p);
}

DOT4_NOSCHED static void dot4_strip_sym(const int8_t *x0, size_t step, size_t stride, int32_t rows, int32_t run,
                                        int32_t k_bytes, const int8_t *packed, const dot4_block_rq *rq, int32_t c0,
                                        int32_t blocks, int32_t pixels, int8_t *out,
                                        const edgec_conv2d_s8_params *p) {
    DOT4_STRIP_SYM(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p);
}
#else
#define dot4_strip_sym dot4_strip
#define dot4_pointwise_sym dot4_pointwise
#endif

#if DOT4_PX == 2 && defined(__aarch64__)
/* A block of 8 channels, weights within [-127, 127], right shifts only (VWW's first layer): two pixels a tile in
 * one DOT4_SYM_LOOP2_HALF over the window, the tiles as dot4_strip_sym2's. The loop leaves 12 vector registers,
 * so the requantisation constants stay in registers for the strip, and both pixels' 8 outputs are narrowed,
 * offset and clamped as one vector. */
DOT4_NOSCHED static void dot4_strip_half_sym2(const int8_t *x0, size_t step, size_t stride, int32_t rows,
                                              int32_t run, const int8_t *w0, const dot4_block_rq *q, int32_t pixels,
                                              int8_t *out, const edgec_conv2d_s8_params *p) {
    const int32_t n = run / 8, tail = run % 8 != 0; /* run % 4 == 0 */
    const int64_t skip = (int64_t)stride - run;
    const size_t out_step = (size_t)p->out_c;
    const int32x4_t m0 = vld1q_s32(q->multiplier), m1 = vld1q_s32(q->multiplier + 4);
    const int32x4_t s0 = vld1q_s32(q->right), s1 = vld1q_s32(q->right + 4);
    const int16x8_t zp = DOT4_ZP(p);
    const int8x16_t lo = DOT4_LO(p), hi = DOT4_HI(p);
    const int8_t *xp = x0;
    int8_t *o = out;
    size_t x_step = pixels % 2 ? step : 2 * step, o_step = pixels % 2 ? out_step : 2 * out_step;
    for (int32_t t = (pixels + 1) / 2; t > 0; --t, xp += x_step, o += o_step, x_step = 2 * step,
                 o_step = 2 * out_step) {
        const int8_t *p0 = xp, *p1 = xp + step, *w = w0;
        int32_t r = rows;
        int32x4_t h00, h01, h02, h03, h10, h11, h12, h13;
        DOT4_SYM_LOOP2_HALF(p0, p1, w, q->bias_half, r, n, tail, skip, h00, h01, h02, h03, h10, h11, h12, h13);
        const int16x8_t a16 = vqaddq_s16(vcombine_s16(vqmovn_s32(dot4_round4_right(dot4_pairs(h00, h01), m0, s0)),
                                                      vqmovn_s32(dot4_round4_right(dot4_pairs(h02, h03), m1, s1))),
                                         zp);
        const int16x8_t b16 = vqaddq_s16(vcombine_s16(vqmovn_s32(dot4_round4_right(dot4_pairs(h10, h11), m0, s0)),
                                                      vqmovn_s32(dot4_round4_right(dot4_pairs(h12, h13), m1, s1))),
                                         zp);
        const int8x16_t v = vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(a16), vqmovn_s16(b16)), lo), hi);
        vst1_s8(o, vget_low_s8(v));
        vst1_s8(o + out_step, vget_high_s8(v));
    }
}
#endif

/* A single block of at most 8 channels: the half SDOT tile, or (without the dot product) the SMULL tile's
 * channels 0-7, SMLAL pairs when sym. */
DOT4_NOSCHED static void dot4_strip_half(const int8_t *x0, size_t step, size_t stride, int32_t rows, int32_t run,
                                         int32_t k_bytes, const int8_t *packed, const dot4_block_rq *rq, int32_t c0,
                                         int32_t blocks, int32_t pixels, int8_t *out,
                                         const edgec_conv2d_s8_params *p, int sym) {
#if DOT4_PX == 2
#if defined(__aarch64__)
    if (sym && p->out_c - c0 == 8 && p->requant == EDGEC_REQUANT_FIXED && rq->right_only) {
        dot4_strip_half_sym2(x0, step, stride, rows, run, packed + (size_t)c0 * k_bytes, rq, pixels, out + c0, p);
        return;
    }
#endif
    if (sym) {
        dot4_strip_body(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p, 1, 1, 0);
        return;
    }
#endif
    (void)sym;
    dot4_strip_body(x0, step, stride, rows, run, k_bytes, packed, rq, c0, blocks, pixels, out, p, 0, 1, 0);
}

#if defined(__aarch64__)
/* Layers of 8, 16, 24... output channels over flat windows of 7 quads (3x3x3 or 5x5x1 taps: VWW's first layer,
 * 8 channels; ResNet's, 16), right shifts only, 8 channels at a time: their 7 quads are 14 registers (v0-v13),
 * loaded once for the strip with the requantisation constants, where the tiles load them for every tile of
 * pixels. Two pixels a pass (x: their windows, one after the other; o: their outputs, os bytes apart), rounded,
 * narrowed as one vector and stored.
 * With the dot product a window is one LDP (windows 32 bytes apart), its accumulators one LDP of the bias, then
 * 14 SDOTs: 27 instructions a pixel, where the half tile took 55. Without it (weights within [-127, 127]) the
 * SMLAL pairs of EDGEC_NEON_SYM_MUL2 (windows 28 bytes apart): 61 a pixel, where
 * dot4_strip_half_sym2 took 80. full: a zero point of -128 and int8's bounds (the unsigned narrowing of
 * dot4_narrow_store_clamp), else the zero point and the clamp (zlh: the zero point (int16), then the bounds'
 * bytes). pairs (> 0) passes. */
#if DOT4_PX == 4
#define DOT4_FLAT8_QUAD(A0, A1, K0, K1, X, LANE)                                                                 \
    "sdot " A0 ".4s, " K0 ".16b, " X ".4b[" LANE "]\n" "sdot " A1 ".4s, " K1 ".16b, " X ".4b[" LANE "]\n"
#define DOT4_FLAT8_PIXEL(A0, A1, X0, X1)                                                                         \
    DOT4_FLAT8_QUAD(A0, A1, "v0", "v1", X0, "0") DOT4_FLAT8_QUAD(A0, A1, "v2", "v3", X0, "1")                  \
    DOT4_FLAT8_QUAD(A0, A1, "v4", "v5", X0, "2") DOT4_FLAT8_QUAD(A0, A1, "v6", "v7", X0, "3")                  \
    DOT4_FLAT8_QUAD(A0, A1, "v8", "v9", X1, "0") DOT4_FLAT8_QUAD(A0, A1, "v10", "v11", X1, "1")                \
    DOT4_FLAT8_QUAD(A0, A1, "v12", "v13", X1, "2")
/* the two pixels' channel sums: v28, v29 and v30, v31 */
#define DOT4_FLAT8_PRODUCTS                                                                                      \
    "ldp q24, q25, [%[x]], #32\n" "ldp q26, q27, [%[x]], #32\n" "ldp q28, q29, [%[b]]\n" "ldp q30, q31, [%[b]]\n" \
    DOT4_FLAT8_PIXEL("v28", "v29", "v24", "v25") DOT4_FLAT8_PIXEL("v30", "v31", "v26", "v27")
#define DOT4_FLAT8_SUMS "v28", "v29", "v30", "v31"
#define DOT4_FLAT8_WINDOW 32
#define DOT4_FLAT8_Q7_INDEX
#define DOT4_FLAT8_Q7_INPUT
#define DOT4_FLAT8_CONSTANTS "ldp q16, q17, [%[m]]\n" "ldp q18, q19, [%[s]]\n"
#else
/* one pixel's half sums in v26-v29 (EDGEC_NEON_SYM_LOOP2's layout), started from the bias, over quads 0-5 (two
 * LD4R into v16-v19), added pairwise into S0, S1 (channels 0-3, 4-7); then the 7th quad (3 taps and a zero) in
 * SMULL + SMLAL pairs too, where alone it took 4 SMULLs and 4 SADALPs: the window's last 8 bytes (dot4_flat_windows'
 * pair_q7) are x24 x26 x25 x27 x25 x27 x24 x26, the weights v12, v13 rearranged to match (DOT4_FLAT8_Q7_INDEX), so
 * that each int16 lane adds two products of one channel (47 instructions a pixel, where 49) */
#define DOT4_FLAT8_SYM_PIXEL(S0, S1)                                                                             \
    "ld1 {v26.4s - v29.4s}, [%[b]]\n" "ld4r {v16.4s - v19.4s}, [%[x]], #16\n"                                   \
    EDGEC_NEON_SYM_MUL2("v0", "v1", "v2", "v3", "v16", "v17", "v26", "v27", "v28", "v29")                       \
    EDGEC_NEON_SYM_MUL2("v4", "v5", "v6", "v7", "v18", "v19", "v26", "v27", "v28", "v29")                       \
    "ld4r {v16.4s - v19.4s}, [%[x]], #16\n"                                                                      \
    EDGEC_NEON_SYM_MUL2("v8", "v9", "v10", "v11", "v16", "v17", "v26", "v27", "v28", "v29")                     \
    "addp " S0 ".4s, v26.4s, v27.4s\n" "addp " S1 ".4s, v28.4s, v29.4s\n"                                       \
    "smull v20.8h, v12.8b, v18.8b\n" "smull2 v21.8h, v12.16b, v18.16b\n"                                        \
    "smlal v20.8h, v13.8b, v19.8b\n" "smlal2 v21.8h, v13.16b, v19.16b\n"                                        \
    "sadalp " S0 ".4s, v20.8h\n" "sadalp " S1 ".4s, v21.8h\n"
/* A pixel's sums in v26, v27 rounded (dot4_round4_right: the constants held in v15, v25 and v30, v31 for the
 * call, where the LD4Rs' registers took two LDPs a pass to reload them) and narrowed into int16 D by N16 (SQXTUN
 * or SQXTN). FIX: the rounding's fix-up, which outputs of TFLite's ReLU (zero point -128, int8's bounds: `full`)
 * do without, since with multipliers >= 0 a negative sum rounds to <= 0 either way and gives -128. */
#define DOT4_FLAT8_SYM_ROUND(FIX, N16, D)                                                                        \
    "sqrdmulh v26.4s, v26.4s, v15.4s\n" "sqrdmulh v27.4s, v27.4s, v25.4s\n" FIX                                   \
    "srshl v26.4s, v26.4s, v30.4s\n" "srshl v27.4s, v27.4s, v31.4s\n"                                            \
    N16 " " D ".4h, v26.4s\n" N16 "2 " D ".8h, v27.4s\n"
#define DOT4_FLAT8_SYM_FIX "ssra v26.4s, v26.4s, #31\n" "ssra v27.4s, v27.4s, #31\n"
/* a pass: each pixel's products and int16 outputs (v24, v20), NARROW8 them into v24, STORE */
#define DOT4_FLAT8_SYM_PASS(FIX, N16, NARROW8, STORE)                                                            \
    DOT4_FLAT8_SYM_PIXEL("v26", "v27") DOT4_FLAT8_SYM_ROUND(FIX, N16, "v24")                                     \
    DOT4_FLAT8_SYM_PIXEL("v26", "v27") DOT4_FLAT8_SYM_ROUND(FIX, N16, "v20") NARROW8 STORE
#define DOT4_FLAT8_SYM_PASSES(FIX, N16, NARROW8, STORE)                                                          \
    "1:\n" DOT4_FLAT8_SYM_PASS(FIX, N16, NARROW8, STORE) "subs %w[n], %w[n], #1\n" "b.ne 1b\n"
/* the same two passes a loop (n + 1) / 2 times, an odd n's first entered at the second (VWW's 8 channels: a
 * count and a branch a pass less) */
#define DOT4_FLAT8_SYM_PASSES2(FIX, N16, NARROW8, STORE)                                                         \
    "tst %w[n], #1\n" "add %w[n], %w[n], #1\n" "lsr %w[n], %w[n], #1\n" "b.ne 3f\n"                              \
    "1:\n" DOT4_FLAT8_SYM_PASS(FIX, N16, NARROW8, STORE) "3:\n" DOT4_FLAT8_SYM_PASS(FIX, N16, NARROW8, STORE)     \
    "subs %w[n], %w[n], #1\n" "b.ne 1b\n"
/* ReLU's outputs: unsigned saturation, zero point -128 by the sign bit (v14: 0x80) */
#define DOT4_FLAT8_SYM_FULL "uqxtn v24.8b, v24.8h\n" "uqxtn2 v24.16b, v20.8h\n" "eor v24.16b, v24.16b, v14.16b\n"
/* other outputs: the zero point (v14, int16), then the bounds */
#define DOT4_FLAT8_SYM_CLAMP                                                                                     \
    "sqadd v24.8h, v24.8h, v14.8h\n" "sqadd v20.8h, v20.8h, v14.8h\n" "ld2r {v21.16b, v22.16b}, [%[lh]]\n"     \
    "sqxtn v24.8b, v24.8h\n" "sqxtn2 v24.16b, v20.8h\n" "smax v24.16b, v24.16b, v21.16b\n"                      \
    "smin v24.16b, v24.16b, v22.16b\n"
#define DOT4_FLAT8_WINDOW 32
/* the 7th quad's weights (channel k's taps 24 + t at byte 4k + t of v12, v13) as DOT4_FLAT8_SYM_PIXEL pairs
 * them: v12 channel k's taps 24, 26 (k even) or 25, 27 (k odd), v13 the other two */
static const uint8_t dot4_flat8_q7_index[32] = {0, 2, 5, 7, 8,  10, 13, 15, 16, 18, 21, 23, 24, 26, 29, 31,
                                                1, 3, 4, 6, 9,  11, 12, 14, 17, 19, 20, 22, 25, 27, 28, 30};
#define DOT4_FLAT8_Q7_INDEX                                                                                      \
    "ldp q20, q21, [%[q7]]\n" "tbl v22.16b, {v12.16b, v13.16b}, v20.16b\n"                                      \
    "tbl v13.16b, {v12.16b, v13.16b}, v21.16b\n" "mov v12.16b, v22.16b\n"
#define DOT4_FLAT8_Q7_INPUT , [q7] "r"(dot4_flat8_q7_index)
#define DOT4_FLAT8_CONSTANTS "ldp q15, q25, [%[m]]\n" "ldp q30, q31, [%[s]]\n"
#endif
/* dot4_round4_right on the sums A0, A1 (first pixel), B0, B1 with the constants in v16-v19 */
#define DOT4_FLAT8_ROUND(A0, A1, B0, B1)                                                                          \
    "sqrdmulh " A0 ".4s, " A0 ".4s, v16.4s\n" "sqrdmulh " A1 ".4s, " A1 ".4s, v17.4s\n"                        \
    "sqrdmulh " B0 ".4s, " B0 ".4s, v16.4s\n" "sqrdmulh " B1 ".4s, " B1 ".4s, v17.4s\n"                        \
    "ssra " A0 ".4s, " A0 ".4s, #31\n" "ssra " A1 ".4s, " A1 ".4s, #31\n" "ssra " B0 ".4s, " B0 ".4s, #31\n"   \
    "ssra " B1 ".4s, " B1 ".4s, #31\n"                                                                           \
    "srshl " A0 ".4s, " A0 ".4s, v18.4s\n" "srshl " A1 ".4s, " A1 ".4s, v19.4s\n"                              \
    "srshl " B0 ".4s, " B0 ".4s, v18.4s\n" "srshl " B1 ".4s, " B1 ".4s, v19.4s\n"
#define DOT4_FLAT8_FULL(A0, A1, B0, B1)                                                                           \
    "sqxtun v24.4h, " A0 ".4s\n" "sqxtun2 v24.8h, " A1 ".4s\n" "sqxtun v25.4h, " B0 ".4s\n"                    \
    "sqxtun2 v25.8h, " B1 ".4s\n" "uqxtn v24.8b, v24.8h\n" "uqxtn2 v24.16b, v25.8h\n"                         \
    "eor v24.16b, v24.16b, v14.16b\n"
#define DOT4_FLAT8_CLAMP(A0, A1, B0, B1)                                                                          \
    "sqxtn v24.4h, " A0 ".4s\n" "sqxtn2 v24.8h, " A1 ".4s\n" "sqxtn v25.4h, " B0 ".4s\n"                       \
    "sqxtn2 v25.8h, " B1 ".4s\n" "sqadd v24.8h, v24.8h, v14.8h\n" "sqadd v25.8h, v25.8h, v14.8h\n"             \
    "ld2r {v20.16b, v21.16b}, [%[lh]]\n" "sqxtn v24.8b, v24.8h\n" "sqxtn2 v24.16b, v25.8h\n"                   \
    "smax v24.16b, v24.16b, v20.16b\n" "smin v24.16b, v24.16b, v21.16b\n"
#define DOT4_FLAT8_SETUP                                                                                         \
    "ldp q0, q1, [%[w]]\n" "ldp q2, q3, [%[w], #64]\n" "ldp q4, q5, [%[w], #128]\n"                             \
    "ldp q6, q7, [%[w], #192]\n" "ldp q8, q9, [%[w], #256]\n" "ldp q10, q11, [%[w], #320]\n"                    \
    "ldp q12, q13, [%[w], #384]\n" DOT4_FLAT8_Q7_INDEX DOT4_FLAT8_CONSTANTS
/* M on the sums' four names (ARGS expanded into M's arguments first) */
#define DOT4_FLAT8_APPLY(M, ...) M(__VA_ARGS__)
/* a pass: the products, rounded, narrowed and stored; then the asm's operands from the first input on */
#define DOT4_FLAT8_PASSES(PRODUCTS, SUMS, NARROW, STORE)                                                         \
    "1:\n" PRODUCTS DOT4_FLAT8_APPLY(DOT4_FLAT8_ROUND, SUMS) DOT4_FLAT8_APPLY(NARROW, SUMS) STORE                \
    "subs %w[n], %w[n], #1\n" "b.ne 1b\n"
#define DOT4_FLAT8_INPUTS                                                                                        \
    [w] "r"(w), [b] "r"(bias), [m] "r"(multiplier), [s] "r"(right), [z] "r"(zlh), [lh] "r"(zlh + 1),              \
        [os] "r"(os) DOT4_FLAT8_Q7_INPUT
#define DOT4_FLAT8_CLOBBERS                                                                                      \
    "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v16", "v17",  \
        "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",        \
        "memory", "cc"
#define DOT4_FLAT8_LOOP(NARROW, STORE)                                                                           \
    DOT4_FLAT8_PASSES(DOT4_FLAT8_PRODUCTS, DOT4_FLAT8_SUMS, NARROW, STORE)                                       \
    : [x] "+r"(x), [o] "+r"(o), [n] "+r"(pairs) : DOT4_FLAT8_INPUTS : DOT4_FLAT8_CLOBBERS
/* the two pixels' outputs: one after the other (8 channels), or os bytes apart */
#define DOT4_FLAT8_STORE16 "str q24, [%[o]], #16\n"
#define DOT4_FLAT8_STORE2 "st1 {v24.d}[0], [%[o]], %[os]\n" "st1 {v24.d}[1], [%[o]], %[os]\n"
/* channels 8 * half .. 8 * half + 7 of block q (w: the block's packed weights) */
static void dot4_flat8_q7(const int8_t *x, const int8_t *w, const dot4_block_rq *q, int32_t half,
                          const int16_t *zlh, int8_t *o, size_t os, int32_t pairs, int full) {
    const int32_t *bias = DOT4_TILE_BIAS(q) + half * (DOT4_PX == 4 ? 8 : 16);
    const int32_t *multiplier = q->multiplier + 8 * half, *right = q->right + 8 * half;
    w += 32 * half; /* channels 8-15: the second half of each quad's 64 bytes */
    /* the clamped narrowing (not TFLite's ReLU) stores its two halves in any case: one copy of the loop less */
#if DOT4_PX == 4
#define DOT4_FLAT8_Q7_FULL(STORE) DOT4_FLAT8_LOOP(DOT4_FLAT8_FULL, STORE)
#define DOT4_FLAT8_Q7_FULL16 DOT4_FLAT8_Q7_FULL(DOT4_FLAT8_STORE16)
#define DOT4_FLAT8_Q7_CLAMP DOT4_FLAT8_LOOP(DOT4_FLAT8_CLAMP, DOT4_FLAT8_STORE2)
#else /* each pixel rounded on its own, the constants in v15 too */
#define DOT4_FLAT8_Q7_OPERANDS                                                                                   \
    : [x] "+r"(x), [o] "+r"(o), [n] "+r"(pairs) : DOT4_FLAT8_INPUTS : DOT4_FLAT8_CLOBBERS, "v15"
#define DOT4_FLAT8_Q7_FULL(STORE) DOT4_FLAT8_SYM_PASSES("", "sqxtun", DOT4_FLAT8_SYM_FULL, STORE) DOT4_FLAT8_Q7_OPERANDS
#define DOT4_FLAT8_Q7_FULL16                                                                                     \
    DOT4_FLAT8_SYM_PASSES2("", "sqxtun", DOT4_FLAT8_SYM_FULL, DOT4_FLAT8_STORE16) DOT4_FLAT8_Q7_OPERANDS
#define DOT4_FLAT8_Q7_CLAMP                                                                                      \
    DOT4_FLAT8_SYM_PASSES(DOT4_FLAT8_SYM_FIX, "sqxtn", DOT4_FLAT8_SYM_CLAMP, DOT4_FLAT8_STORE2) DOT4_FLAT8_Q7_OPERANDS
#endif
    if (os == 8 && full)
        __asm__ volatile(DOT4_FLAT8_SETUP "movi v14.16b, #0x80\n" DOT4_FLAT8_Q7_FULL16);
    else if (full)
        __asm__ volatile(DOT4_FLAT8_SETUP "movi v14.16b, #0x80\n" DOT4_FLAT8_Q7_FULL(DOT4_FLAT8_STORE2));
    else
        __asm__ volatile(DOT4_FLAT8_SETUP "ld1r {v14.8h}, [%[z]]\n" DOT4_FLAT8_Q7_CLAMP);
}

#if DOT4_PX == 4
/* dot4_flat8_q7 with dot4_flat_windows' TBL gather (three kernel rows, two neighbouring pixels' windows from one
 * 16-byte load of each) in its passes: the windows go from the TBLs straight to the SDOTs, never through memory
 * (8 instructions a pixel less). r0..r2: the kernel rows at the pass's first pixel, 2 * step bytes a pass;
 * index: dot4_tbl3_index's vectors of both pixels (64 bytes). Registers: the rows in v21-v23, the windows in
 * v24, v25 (first pixel), v20, v21 (the last TBL over its own table), the second pixel's sums in v22, v23 (the
 * table's), the indices in v26-v29, the first pixel's sums in v30, v31. */
#define DOT4_FLAT8_TBL_PRODUCTS                                                                                  \
    "ld1 {v21.16b}, [%[r0]], %[s2]\n" "ld1 {v22.16b}, [%[r1]], %[s2]\n" "ld1 {v23.16b}, [%[r2]], %[s2]\n"       \
    "tbl v24.16b, {v21.16b - v23.16b}, v26.16b\n" "tbl v25.16b, {v21.16b - v23.16b}, v27.16b\n"                \
    "tbl v20.16b, {v21.16b - v23.16b}, v28.16b\n" "tbl v21.16b, {v21.16b - v23.16b}, v29.16b\n"                \
    "ldp q30, q31, [%[b]]\n" DOT4_FLAT8_PIXEL("v30", "v31", "v24", "v25")                                        \
    "ldp q22, q23, [%[b]]\n" DOT4_FLAT8_PIXEL("v22", "v23", "v20", "v21")
#define DOT4_FLAT8_TBL_SUMS "v30", "v31", "v22", "v23"
/* rows (> 0) output rows of pairs passes each, their kernel rows' three pointers one after the other at t */
#define DOT4_FLAT8_TBL_LOOP(NARROW, STORE)                                                                       \
    "2:\n" "ldp %[r0], %[r1], [%[t]], #16\n" "ldr %[r2], [%[t]], #8\n" "mov %w[n], %w[pairs]\n"                  \
    DOT4_FLAT8_PASSES(DOT4_FLAT8_TBL_PRODUCTS, DOT4_FLAT8_TBL_SUMS, NARROW, STORE)                               \
    "subs %w[rows], %w[rows], #1\n" "b.ne 2b\n"                                                                  \
    : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [n] "=&r"(n), [o] "+r"(o), [t] "+r"(t), [rows] "+r"(rows) \
    : DOT4_FLAT8_INPUTS, [i] "r"(index), [s2] "r"(step2), [pairs] "r"(pairs) : DOT4_FLAT8_CLOBBERS
#define DOT4_FLAT8_TBL_SETUP DOT4_FLAT8_SETUP "ldp q26, q27, [%[i]]\n" "ldp q28, q29, [%[i], #32]\n"
/* The constants of dot4_flat8_tbl's eight channels (prepared once for the layer, read by each output row's call) */
typedef struct {
    const int8_t *w;
    const int32_t *bias, *multiplier, *right;
    const int16_t *zlh;
    const uint8_t *index;
    size_t step2, os; /* step2: a pass's two pixels' bytes in the rows */
    int32_t full;
} dot4_flat8_job;

static void dot4_flat8_tbl(const dot4_flat8_job *j, const int8_t *const *t, int32_t rows, int8_t *o, int32_t pairs) {
    const int8_t *w = j->w, *r0, *r1, *r2;
    int32_t n;
    const int32_t *bias = j->bias, *multiplier = j->multiplier, *right = j->right;
    const int16_t *zlh = j->zlh;
    const uint8_t *index = j->index;
    const size_t step2 = j->step2, os = j->os;
    if (j->full) /* os == 8, else the clamped narrowing, as for the zero point and bounds of any layer */
        __asm__ volatile(DOT4_FLAT8_TBL_SETUP "movi v14.16b, #0x80\n"
                         DOT4_FLAT8_TBL_LOOP(DOT4_FLAT8_FULL, DOT4_FLAT8_STORE16));
    else
        __asm__ volatile(DOT4_FLAT8_TBL_SETUP "ld1r {v14.8h}, [%[z]]\n"
                         DOT4_FLAT8_TBL_LOOP(DOT4_FLAT8_CLAMP, DOT4_FLAT8_STORE2));
}
#endif
#endif

#if DOT4_PX == 2 && defined(__aarch64__)
/* The windows of `rows` output rows of nd + nt pairs of pixels and odd more each, one after the other at dst, 32
 * bytes each: dot4_flat_windows' TBL pairs (ia, ib: dot4_tbl3_index's of a pair's pixels, pair_q7's layout) and
 * a row's odd last pixel, all in one call. A row's first nd pairs read its input rows in place, the pointers at
 * src (an output row's first at src[0], its next kernel rows src_dil bytes on, the next output row's src_stride
 * bytes on); the others the slot's rows (from slot, next bytes apart, the next output row's slot_stride on). */
typedef struct {
    const int8_t *const *src;
    size_t src_dil, src_stride;
    const int8_t *slot;
    size_t next, slot_stride;
} dot4_tbl3_batch;

static inline void dot4_tbl3_rows(const dot4_tbl3_batch *b, int32_t rows, int32_t nd, int32_t nt, int32_t odd,
                                  uint8x16x2_t ia, uint8x16x2_t ib, size_t step2, int8_t *dst) {
    const int8_t *r0, *r1, *r2, *const *a = b->src, *slot = b->slot;
    int32_t n;
    __asm__ volatile("2:\n" "cbz %w[nd], 4f\n" "ldr %[r0], [%[a]]\n" "ldr %[r1], [%[a], %[ad]]\n"
                     "ldr %[r2], [%[a], %[ad2]]\n" "mov %w[n], %w[nd]\n"
                     DOT4_TBL3_PASSES("st1 {v19.16b - v22.16b}, [%[d]], #64\n")
                     "4:\n" "add %[a], %[a], %[as]\n" "mov %[r0], %[sl]\n" "add %[r1], %[sl], %[nx]\n"
                     "add %[r2], %[r1], %[nx]\n" "add %[sl], %[sl], %[ss]\n" "cbz %w[nt], 5f\n"
                     "mov %w[n], %w[nt]\n" DOT4_TBL3_PASSES("st1 {v19.16b - v22.16b}, [%[d]], #64\n")
                     "5:\n" "cbz %w[odd], 3f\n" "ld1 {v16.16b}, [%[r0]]\n" "ld1 {v17.16b}, [%[r1]]\n"
                     "ld1 {v18.16b}, [%[r2]]\n"
                     "tbl v19.16b, {v16.16b - v18.16b}, %[a0].16b\n" "tbl v20.16b, {v16.16b - v18.16b}, %[a1].16b\n"
                     "st1 {v19.16b, v20.16b}, [%[d]], #32\n" "3:\n" "subs %w[rows], %w[rows], #1\n" "b.ne 2b\n"
                     : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [n] "=&r"(n), [d] "+r"(dst), [a] "+r"(a),
                       [sl] "+r"(slot), [rows] "+r"(rows)
                     : [a0] "w"(ia.val[0]), [a1] "w"(ia.val[1]), [b0] "w"(ib.val[0]), [b1] "w"(ib.val[1]),
                       [s2] "r"(step2), [nd] "r"(nd), [nt] "r"(nt), [odd] "r"(odd), [ad] "r"(b->src_dil),
                       [ad2] "r"(2 * b->src_dil), [as] "r"(b->src_stride), [nx] "r"(b->next),
                       [ss] "r"(b->slot_stride)
                     : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "memory", "cc");
}
#endif

#if defined(__aarch64__)
#if DOT4_PX == 2 /* dot4_flat8_rows' buffer of windows */
#define DOT4_FLAT8_BUF , int8_t *buf, size_t buf_bytes
#define DOT4_FLAT8_BUF_ARGS , buf, buf_bytes
#else
#define DOT4_FLAT8_BUF
#define DOT4_FLAT8_BUF_ARGS
#endif
#define DOT4_FLAT8_JOBS 4 /* dot4_flat8_rows' eights of channels at most */
#define DOT4_FLAT8_BATCH 16 /* dot4_flat8_rows' output rows a batch at most */
#define DOT4_FLAT8_SRC_ROWS 48 /* a53's dot4_flat8_rows: input rows a batch read in place at most */
/* dot4_flat's 3 x 3 windows that TBL gathers (dot4_tbl3_fits) into up to DOT4_FLAT8_JOBS eights of channels
 * (dot4_flat8_q7) over batches of output rows, their input rows padded in the band's first slot. With the dot
 * product dot4_flat8_tbl (an odd width a row at a time, its last pass back by a pixel); without it the batch's
 * windows gathered into buf (buf_bytes: at least a row's) by one dot4_tbl3_rows, then dot4_flat8_q7 over all of
 * them for each eight (where dot4_flat_windows took about 150 instructions an output row beside its TBLs). Out of
 * line: in dot4_flat its loop spilled most of its values. */
__attribute__((noinline)) static void dot4_flat8_rows(const int8_t *w, const dot4_block_rq *rq, int32_t eights,
                                                      int8_t *out_b, const edgec_conv2d_s8_params *p, dot4_ring *g,
                                                      int32_t row, const int16_t *zlh, int full DOT4_FLAT8_BUF) {
    const size_t step = (size_t)p->stride_w * p->in_c, os = (size_t)p->out_c;
#if DOT4_PX == 2
    uint8x16x2_t ia = dot4_tbl3_index(p->k_w * p->in_c, row, 0);
    uint8x16x2_t ib = dot4_tbl3_index(p->k_w * p->in_c, row, (int32_t)step);
    ia.val[1] = vqtbl1q_u8(ia.val[1], vld1q_u8(dot4_pair_q7));
    ib.val[1] = vqtbl1q_u8(ib.val[1], vld1q_u8(dot4_pair_q7));
#else
    uint8_t index[64];
    const uint8x16x2_t ia = dot4_tbl3_index(p->k_w * p->in_c, row, 0);
    const uint8x16x2_t ib = dot4_tbl3_index(p->k_w * p->in_c, row, (int32_t)step);
    vst1q_u8(index, ia.val[0]);
    vst1q_u8(index + 16, ia.val[1]);
    vst1q_u8(index + 32, ib.val[0]);
    vst1q_u8(index + 48, ib.val[1]);
    dot4_flat8_job job[DOT4_FLAT8_JOBS];
    for (int32_t h = 0; h < eights; ++h) {
        const dot4_block_rq *q = &rq[h / 2];
        const int32_t c = 8 * (h % 2);
        job[h] = (dot4_flat8_job){w + (size_t)(h / 2) * DOT4_OCB * 28 + 4 * c, q->bias + c, q->multiplier + c,
                                  q->right + c, zlh, index, 2 * step, os, full && os == 8};
    }
    const int32_t back = p->out_w - 2; /* an odd width's last pass */
    const size_t b = (size_t)back * step;
#endif
    const int32_t out_w = p->out_w, out_h = p->out_h;
    const size_t len = (size_t)g->len, next = (size_t)p->dil_h * len;
    /* a batch: output rows whose input rows the slot holds at once, filled one after the other from its start
     * (not the ring: no lookups; the rows two batches share filled again), one call for all when the width is
     * even; the whole image (g->image) already there */
    const int32_t stride_h = p->stride_h, span = 2 * p->dil_h + 1;
    int32_t batch = g->image ? DOT4_FLAT8_BATCH : (DOT4_BAND_BYTES / g->len - span) / stride_h + 1;
    if (batch > DOT4_FLAT8_BATCH) batch = DOT4_FLAT8_BATCH;
#if DOT4_PX == 2
    const int32_t fit = (int32_t)(buf_bytes / DOT4_FLAT8_WINDOW) / out_w; /* rows of windows in buf */
    if (batch > fit) batch = fit;
    /* Input rows without left padding (VWW's): a row's first nd pairs, whose 16-byte loads lie within the input
     * row, read it in place (src: the batch's input rows, or the pad row), so the slot's row needs only its last
     * 16 bytes and the pad past them (where dot4_ring_fill copied the row: about 50 instructions of VWW's), which
     * the other pairs read */
    int32_t nd = g->image || g->left || g->inside < 16 ? 0 : (g->inside - 16) / (int32_t)(2 * step) + 1;
    if (nd > out_w / 2) nd = out_w / 2;
    if ((batch - 1) * stride_h + span > DOT4_FLAT8_SRC_ROWS) nd = 0;
    const int32_t in16 = g->inside - 16;
    for (int32_t i = 0; nd && i < (batch - 1) * stride_h + span; ++i) /* the slot's rows' pad, once */
        band_pad_end(g->rows + (size_t)i * len, vdupq_n_s8(g->pad), g->inside, g->len);
    const int8_t *src[DOT4_FLAT8_SRC_ROWS];
    const dot4_tbl3_batch tb = {src, (size_t)p->dil_h * sizeof src[0], (size_t)stride_h * sizeof src[0], NULL, next,
                                (size_t)stride_h * len};
#endif
#if DOT4_PX == 4
    const int8_t *t[3 * DOT4_FLAT8_BATCH];
#endif
    for (int32_t oy0 = 0; oy0 < out_h; oy0 += batch) {
        const int32_t nb = out_h - oy0 < batch ? out_h - oy0 : batch, iy_lo = oy0 * stride_h - p->pad_top;
        const int8_t *base = g->rows + (g->image ? (size_t)(iy_lo - g->first) * len : 0);
#if DOT4_PX == 2
        if (nd) { /* the rows inside the input: their last 16 bytes (the pad past them is there) */
            int8_t *d = g->rows + in16;
            const int8_t *r = g->src + (ptrdiff_t)iy_lo * (ptrdiff_t)g->src_row;
            for (int32_t i = 0; i < (nb - 1) * stride_h + span; ++i, d += len, r += g->src_row) {
                const int inside = (uint32_t)(iy_lo + i) < (uint32_t)g->in_h;
                src[i] = inside ? r : g->pad_row;
                if (inside) vst1q_s8(d, vld1q_s8(r + in16));
                else dot4_ring_put(g, d - in16, iy_lo + i);
            }
        } else
#endif
        for (int32_t i = 0; !g->image && i < (nb - 1) * stride_h + span; ++i)
            dot4_ring_put(g, g->rows + (size_t)i * len, iy_lo + i);
#if DOT4_PX == 2
        dot4_tbl3_batch bt = tb;
        bt.slot = base + (size_t)nd * 2 * step;
#else
        for (int32_t i = 0; i < nb; ++i, base += (size_t)stride_h * len) {
            t[3 * i] = base;
            t[3 * i + 1] = base + next;
            t[3 * i + 2] = base + 2 * next;
        }
#endif
        int8_t *o = out_b + (size_t)oy0 * out_w * os;
#if DOT4_PX == 2
        dot4_tbl3_rows(&bt, nb, nd, out_w / 2 - nd, out_w % 2, ia, ib, 2 * step, buf);
        const int32_t m = nb * out_w; /* windows; an odd count's last pass back by a pixel (the same bytes again) */
        for (int32_t h = 0; h < eights; ++h) { /* 8 channels at a time over the same windows */
            const int8_t *wh = w + (size_t)(h / 2) * DOT4_OCB * 28;
            dot4_flat8_q7(buf, wh, &rq[h / 2], h % 2, zlh, o + 8 * h, os, m / 2, full);
            if (m % 2)
                dot4_flat8_q7(buf + (size_t)(m - 2) * DOT4_FLAT8_WINDOW, wh, &rq[h / 2], h % 2, zlh,
                              o + 8 * h + (size_t)(m - 2) * os, os, 1, full);
        }
#else
        for (int32_t h = 0; h < eights; ++h) { /* 8 channels at a time over the same rows */
            if (out_w % 2 == 0) {
                dot4_flat8_tbl(&job[h], t, nb, o + 8 * h, out_w / 2);
                continue;
            }
            for (int32_t i = 0; i < nb; ++i) { /* a row at a time, its last pass back by a pixel */
                int8_t *oi = o + 8 * h + (size_t)i * out_w * os;
                const int8_t *const tb[3] = {t[3 * i] + b, t[3 * i + 1] + b, t[3 * i + 2] + b};
                dot4_flat8_tbl(&job[h], t + 3 * i, 1, oi, out_w / 2);
                dot4_flat8_tbl(&job[h], tb, 1, oi + (size_t)back * os, 1);
            }
        }
#endif
    }
}
#endif

/* The tile's block: the half SDOT tile for a block of at most 8 channels, SMLAL pairs for weights within
 * [-127, 127] (sym) without the dot product. */
static inline void dot4_block_any(const int8_t *const x[DOT4_PX], size_t stride, int32_t rows, int32_t run,
                                  const int8_t *w, const dot4_block_rq *q, int32_t n, int32_t nb, int8_t *out,
                                  size_t out_step, const edgec_conv2d_s8_params *p, int sym) {
#if DOT4_PX == 4
    (void)sym;
    if (nb <= 8) dot4_block_half(x, stride, rows, run, w, q, n, nb, out, out_step, p);
    else dot4_block(x, stride, rows, run, w, q, n, nb, out, out_step, p);
#else
    if (sym) dot4_block_sym(x, stride, rows, run, w, q, n, nb, out, out_step, p);
    else dot4_block(x, stride, rows, run, w, q, n, nb, out, out_step, p);
#endif
}

/* Layers whose windows cannot be read in place (in_c % 4 != 0: the first layers, of 1 or 3 channels): the
 * windows of a chunk of pixels copied flat into buf (dot4_flat_windows: per pixel k_h copies of 16 bytes, where
 * the band-read tiles took k_w * in_c rounded up to words per kernel row, and the window path copied byte runs
 * with bounds checks), then tiles of DOT4_PX of them against each block; a last short tile repeats its first
 * window. Out of line: inlined, its set-up changed the register allocation of dot4_conv's tile loop (the other
 * layers). */
__attribute__((noinline)) static void dot4_flat(const int8_t *in_b, const int8_t *packed, const dot4_block_rq *rq,
                                                int32_t c0, int32_t blocks, int8_t *out_b,
                                                const edgec_conv2d_s8_params *p, dot4_band *band, int8_t pad,
                                                int32_t K4, int32_t row, int8_t *buf, size_t buf_bytes, int sym) {
    const int32_t OC = p->out_c, pixels = p->out_h * p->out_w;
#if defined(__aarch64__)
    /* channels in eights of 7 quads, right shifts (without the dot product: weights within [-127, 127]):
     * dot4_flat8_q7 */
    const int32_t nch = OC - c0 < blocks * DOT4_OCB ? OC - c0 : blocks * DOT4_OCB; /* this call's channels */
    int flat8 = nch % 8 == 0 && K4 == 7 && p->requant == EDGEC_REQUANT_FIXED && (DOT4_PX == 4 || sym);
    for (int32_t bl = 0; bl < blocks; ++bl) flat8 = flat8 && rq[bl].right_only;
    const int32_t size = flat8 ? DOT4_FLAT8_WINDOW : K4 * 4;
    int16_t zlh[2] = {(int16_t)p->output_offset, 0}; /* the zero point, then the bounds' bytes */
    const int8_t lo8 = (int8_t)p->act_min, hi8 = (int8_t)p->act_max;
    __builtin_memcpy((int8_t *)&zlh[1], &lo8, 1);
    __builtin_memcpy((int8_t *)&zlh[1] + 1, &hi8, 1);
    const int full = p->act_min == -128 && p->act_max == 127 && p->output_offset == -128;
    const int pair_q7 = DOT4_PX == 2 && flat8; /* the SMLAL pairs' layout of the 7th quad */
#else
    const int32_t size = K4 * 4, pair_q7 = 0;
#endif
    const int32_t chunk = (int32_t)((buf_bytes - 16) / (size_t)size) / DOT4_PX * DOT4_PX;
    dot4_ring g;
    dot4_ring_init(&g, band, in_b, pad, p);
#if defined(__aarch64__)
    if (flat8 && dot4_tbl3_fits(p, row) && p->out_w >= 2 && nch <= 8 * DOT4_FLAT8_JOBS &&
        (DOT4_PX == 4 || (size_t)p->out_w * DOT4_FLAT8_WINDOW <= buf_bytes)) { /* VWW's first layer */
        dot4_flat8_rows(packed + (size_t)c0 * K4 * 4, rq, nch / 8, out_b + c0, p, &g, row, zlh,
                        full DOT4_FLAT8_BUF_ARGS);
        return;
    }
#endif
    for (int32_t px0 = 0; px0 < pixels; px0 += chunk) {
        const int32_t m = pixels - px0 < chunk ? pixels - px0 : chunk;
        dot4_flat_windows(p, px0, m, &g, row, size, buf, pair_q7 && m >= DOT4_PX); /* fewer: the tiles' layout */
        if (m >= DOT4_PX) { /* the windows, size bytes apart, as a strip */
#if defined(__aarch64__)
            if (flat8) { /* an odd count: the last pass back by a pixel (the same bytes again) */
                for (int32_t h = 0; h < nch / 8; ++h) { /* 8 channels at a time over the same windows */
                    const int8_t *w = packed + (size_t)(c0 + h / 2 * DOT4_OCB) * K4 * 4;
                    int8_t *o = out_b + (size_t)px0 * OC + c0 + 8 * h;
                    dot4_flat8_q7(buf, w, &rq[h / 2], h % 2, zlh, o, (size_t)OC, m / 2, full);
                    if (m % 2)
                        dot4_flat8_q7(buf + (size_t)(m - 2) * size, w, &rq[h / 2], h % 2, zlh,
                                      o + (size_t)(m - 2) * OC, (size_t)OC, 1, full);
                }
                continue;
            }
#endif
            /* whole ReLU blocks (KWS's 10 x 4 x 1 -> 64): the windows as a pointwise strip of K = size */
            if (DOT4_POINTWISE_RELU(buf, size, packed, rq, c0, blocks, m, out_b + (size_t)px0 * OC, p)) continue;
            if (OC - c0 <= 8) {
                dot4_strip_half(buf, (size_t)size, 0, 1, size, size, packed, rq, c0, blocks, m,
                                out_b + (size_t)px0 * OC, p, sym);
                continue;
            }
            (sym ? dot4_strip_sym : dot4_strip)(buf, (size_t)size, 0, 1, size, size, packed, rq, c0, blocks, m,
                                                out_b + (size_t)px0 * OC, p);
            continue;
        }
        for (int32_t t = 0; t < m; t += DOT4_PX) {
            const int32_t n = m - t < DOT4_PX ? m - t : DOT4_PX;
            const int8_t *x[DOT4_PX];
            for (int32_t i = 0; i < DOT4_PX; ++i) x[i] = buf + (size_t)(t + (i < n ? i : 0)) * size;
            for (int32_t bl = 0; bl < blocks; ++bl) {
                const int32_t oc0 = c0 + bl * DOT4_OCB, nb = OC - oc0 < DOT4_OCB ? OC - oc0 : DOT4_OCB;
                dot4_block_any(x, 0, 1, K4 * 4, packed + (size_t)oc0 * K4 * 4, &rq[bl], n, nb,
                               out_b + (size_t)(px0 + t) * OC + oc0, (size_t)OC, p, sym);
            }
        }
    }
}

/* dot4_conv's constants of a whole block of 16 channels, the same values four channels a vector (its scalar loop
 * took about 20 instructions a channel: 5% of a pointwise layer on a 3 x 3 map on cortex-a53, 2% of VWW on
 * cortex-a55). */
static void dot4_block_rq_whole(dot4_block_rq *q, const int32_t *bias, const int32_t *multiplier,
                                const int32_t *shift) {
    const int32x4_t zero = vdupq_n_s32(0);
    uint32x4_t not_right = vdupq_n_u32(0); /* a shift >= 0 or a multiplier < 0 */
    uint32x4_t left = vdupq_n_u32(0); /* a shift > 0 or a multiplier < 0 */
    for (int32_t r = 0; r < DOT4_OCB / 4; ++r) {
        const int32x4_t b = bias ? vld1q_s32(bias + 4 * r) : zero, m = vld1q_s32(multiplier + 4 * r);
        const int32x4_t s = vld1q_s32(shift + 4 * r);
        vst1q_s32(q->bias + 4 * r, b);
        vst1q_s32(q->multiplier + 4 * r, m);
        vst1q_s32(q->shift + 4 * r, s);
        vst1q_s32(q->left + 4 * r, vmaxq_s32(s, zero));
        vst1q_s32(q->right + 4 * r, vminq_s32(s, zero));
#if DOT4_PX == 2
        const int32x4x2_t h = vzipq_s32(b, zero); /* bias[j] at 2j, 0 at 2j + 1 */
        vst1q_s32(q->bias_half + 8 * r, h.val[0]);
        vst1q_s32(q->bias_half + 8 * r + 4, h.val[1]);
#endif
        const uint32x4_t negative = vcltq_s32(m, zero);
        not_right = vorrq_u32(not_right, vorrq_u32(vcgeq_s32(s, zero), negative));
        left = vorrq_u32(left, vorrq_u32(vcgtq_s32(s, zero), negative));
    }
    q->right_only = !edgec_neon_any_u32(not_right);
    q->no_left = !edgec_neon_any_u32(left);
}

static void dot4_conv(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                      const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                      const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                      const edgec_conv2d_s8_params *p, int32_t flags) {
    const int sym = (flags & EDGEC_CONV2D_S8_DOT4_SYM) != 0;
    /* kernel rows padded to whole words in the packed weights (EDGEC_CONV2D_S8_DOT4_ROWS): the same layout when
     * k_w * in_c is a multiple of 4 */
    const int32_t C = p->in_c, OC = p->out_c, run = p->k_w * C;
    const int32_t row = flags & EDGEC_CONV2D_S8_DOT4_ROWS ? (run + 3) / 4 * 4 : run;
    const int32_t K4 = (p->k_h * row + 3) / 4;
    const int32_t pixels = p->out_h * p->out_w;
    const int8_t pad = (int8_t)(-p->input_offset);
    /* taps read straight from the input: whole kernel rows are runs of k_w * C bytes, whole words when C % 4 == 0 */
    const int direct_ok = C % 4 == 0 && p->dil_w == 1;
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
                          p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w && C % 4 == 0 &&
                          pixels >= DOT4_PX;
    const int relu_out = p->requant == EDGEC_REQUANT_FIXED && DOT4_RELU_OUT(p);
#if DOT4_PX == 4 /* ReLU pointwise layers: every block's constants from the arrays themselves, none prepared */
    if (pointwise && relu_out && bias && OC % DOT4_OCB == 0 && dot4_relu_channels(multiplier, shift, OC)) {
        for (int32_t b = 0; b < p->batch; ++b)
            dot4_relu_blocks(input + (size_t)b * pixels * C, C, packed, bias, multiplier, shift, DOT4_OCB,
                             OC / DOT4_OCB, pixels, output + (size_t)b * pixels * OC, OC);
        return;
    }
#endif
#if DOT4_PX == 2 && defined(__aarch64__) /* the same without the dot product: weights within [-127, 127] */
    if (pointwise && relu_out && sym && bias && OC % DOT4_OCB == 0 && C % 8 == 0 &&
        dot4_relu_channels(multiplier, shift, OC)) {
        for (int32_t b = 0; b < p->batch; ++b)
            dot4_sym_relu_blocks(input + (size_t)b * pixels * C, C, packed, bias, multiplier, shift, OC / DOT4_OCB,
                                 pixels, output + (size_t)b * pixels * OC, OC);
        return;
    }
#endif
    int32_t x_lo, x_hi;
    interior_x(p, &x_lo, &x_hi);
    int8_t win[DOT4_PX][EDGEC_CONV2D_S8_DOT4_MAX_K + 16]; /* + 16: dot4_band_window's last stores */
    dot4_band band;
    band.len = dot4_band_len(p);
    /* dot4_band_pixels, `row` bytes a kernel row; rows of one word (KWS's 10 x 4 taps of 1 channel) go faster
     * copied into one flat window */
    const int band_direct = band.len && row % 4 == 0 && row >= 8;
    /* rows of whole tiles whose windows are read in place (from the input, or the band at the borders): each
     * output row one strip (dot4_strip), none of the per-tile bookkeeping */
    const int row_strips = band.len && direct_ok && p->out_w % DOT4_PX == 0;
    dot4_block_rq rq[DOT4_MAX_BLOCKS];
    for (int32_t c0 = 0; c0 < OC; c0 += DOT4_MAX_BLOCKS * DOT4_OCB) {
        int32_t blocks = 0;
        for (int32_t oc0 = c0; oc0 < OC && blocks < DOT4_MAX_BLOCKS; oc0 += DOT4_OCB, ++blocks) {
            dot4_block_rq *q = &rq[blocks];
            if (oc0 + DOT4_OCB <= OC) { /* a whole block: four channels a vector */
                dot4_block_rq_whole(q, bias ? bias + oc0 : NULL, multiplier + oc0, shift + oc0);
                q->relu = q->no_left && relu_out;
                continue;
            }
            q->right_only = 1;
            q->no_left = 1;
            for (int32_t j = 0; j < DOT4_OCB; ++j) {
                const int in = oc0 + j < OC;
                q->bias[j] = in && bias ? bias[oc0 + j] : 0;
                q->multiplier[j] = in ? multiplier[oc0 + j] : 0;
                q->shift[j] = in ? shift[oc0 + j] : -1; /* padding channels: any result, never stored */
                q->left[j] = q->shift[j] > 0 ? q->shift[j] : 0;
                q->right[j] = q->shift[j] < 0 ? q->shift[j] : 0;
#if DOT4_PX == 2
                q->bias_half[2 * j] = q->bias[j];
                q->bias_half[2 * j + 1] = 0;
#endif
                if (q->shift[j] >= 0 || q->multiplier[j] < 0) q->right_only = 0;
                if (q->shift[j] > 0 || q->multiplier[j] < 0) q->no_left = 0;
            }
            q->relu = q->no_left && relu_out;
        }

        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
            int8_t *out_b = output + (size_t)b * pixels * OC;
            if (pointwise && (OC == DOT4_OCB || OC == 2 * DOT4_OCB || OC == 4 * DOT4_OCB)) {
                (OC == DOT4_OCB       ? dot4_pointwise16
                 : OC == 2 * DOT4_OCB ? dot4_pointwise32
                                      : dot4_pointwise64)(in_b, C, packed, rq, pixels, out_b, p, sym);
                continue;
            }
            if (pointwise) {
                (sym ? dot4_pointwise_sym : dot4_pointwise)(in_b, C, packed, rq, c0, blocks, pixels, out_b, p);
                continue;
            }
            band.row[0] = band.row[1] = -1; /* another image */
            if (!direct_ok && dot4_ring_size(&band, p)) {
                dot4_flat(in_b, packed, rq, c0, blocks, out_b, p, &band, pad, K4, row, &win[0][0], sizeof win, sym);
                continue;
            }
            for (int32_t px = 0; px < pixels; px += DOT4_PX) {
                if (row_strips && px % p->out_w == 0) { /* a whole output row: one strip, in place or from the band */
                    const int32_t oy = px / p->out_w, iy0 = oy * p->stride_h - p->pad_top;
                    const int inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h && x_lo == 0 &&
                                       x_hi == p->out_w;
                    const int8_t *x0 = inside ? in_b + (size_t)iy0 * p->in_w * C
                                              : dot4_band_rows(&band, in_b, oy, pad, p);
                    (sym ? dot4_strip_sym : dot4_strip)(x0, (size_t)p->stride_w * C,
                                                        inside ? (size_t)p->dil_h * p->in_w * C : (size_t)band.len,
                                                        p->k_h, run, K4 * 4, packed, rq, c0, blocks, p->out_w,
                                                        out_b + (size_t)px * OC, p);
                    px += p->out_w - DOT4_PX;
                    continue;
                }
                const int32_t n = pixels - px < DOT4_PX ? pixels - px : DOT4_PX;
                const int8_t *x[DOT4_PX];
                int direct = direct_ok;
                const int32_t oy0 = px / p->out_w;
                int32_t oy = oy0, ox = px % p->out_w;
                if (direct && n == DOT4_PX && ox + DOT4_PX <= p->out_w) { /* one row's pixels: one check */
                    const int32_t iy0 = oy * p->stride_h - p->pad_top;
                    direct = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h && ox >= x_lo &&
                             ox + DOT4_PX <= x_hi;
                    if (direct) { /* this tile and the row's next whole tiles inside: one strip */
                        const size_t step = (size_t)p->stride_w * C;
                        const int32_t m = (x_hi - ox) / DOT4_PX * DOT4_PX;
                        (sym ? dot4_strip_sym : dot4_strip)(
                            in_b + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * C, step,
                            (size_t)p->dil_h * p->in_w * C, p->k_h, run, K4 * 4, packed, rq, c0, blocks, m,
                            out_b + (size_t)px * OC, p);
                        px += m - DOT4_PX;
                        continue;
                    }
                } else { /* pixel by pixel: the next pixel, past n the tile's first again */
                    for (int32_t i = 0; i < DOT4_PX && direct; ++i) {
                        if (i > 0 && i < n && ++ox == p->out_w) {
                            ox = 0;
                            ++oy;
                        } else if (i == n) {
                            oy = px / p->out_w;
                            ox = px % p->out_w;
                        }
                        const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
                        direct = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h && ox >= x_lo && ox < x_hi;
                        if (direct) x[i] = in_b + ((size_t)iy0 * p->in_w + (size_t)ix0) * C;
                    }
                }
                size_t stride = (size_t)p->dil_h * p->in_w * C;
                int32_t rows = p->k_h, tile_run = run;
                if (!direct && band_direct && (px + n - 1) / p->out_w - oy0 <= 1) {
                    dot4_band_pixels(in_b, p, px, n, &band, pad, x);
                    stride = (size_t)band.len;
                    tile_run = row; /* up to 3 bytes past a run: the band's next bytes, times zero weights */
                } else if (!direct) {
                    dot4_windows(in_b, p, px, n, &band, pad, K4, row, win);
                    for (int32_t i = 0; i < DOT4_PX; ++i) x[i] = win[i];
                    stride = 0;
                    rows = 1;
                    tile_run = K4 * 4;
                }
                for (int32_t bl = 0; bl < blocks; ++bl) {
                    const int32_t oc0 = c0 + bl * DOT4_OCB, nb = OC - oc0 < DOT4_OCB ? OC - oc0 : DOT4_OCB;
                    dot4_block_any(x, stride, rows, tile_run, packed + (size_t)oc0 * K4 * 4, &rq[bl], n, nb,
                                   out_b + (size_t)px * OC + oc0, (size_t)OC, p, sym);
                }
            }
        }
    }
}

void edgec_conv2d_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                          const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                          const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                          const edgec_conv2d_s8_params *p) {
    dot4_conv(input, packed, bias, multiplier, shift, output, p, 0);
}

void edgec_conv2d_s8_dot4_neon(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p, int32_t flags) {
    dot4_conv(input, packed, bias, multiplier, shift, output, p, flags);
}
