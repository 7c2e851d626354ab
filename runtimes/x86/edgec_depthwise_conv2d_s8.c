/* int8 depthwise convolution (TFLite DepthwiseConvPerChannel) for desktop / server hosts: sixteen channels at a
 * time (one vector of sixteen int32 sums; the block's weights widened once), the block of channels outermost so
 * that its requantisation constants are prepared once as vectors (edgec_rq16, edgec_x86_requant.h). NHWC input
 * and [kh][kw][C] weights are contiguous along the channels, so each tap is one widened vector multiply-add; taps
 * outside the input are skipped by clipping the tap range. Where the channels are not a multiple of 16, the
 * last block overlaps the one before; fewer than 16 channels are read 8 at a time or one by one (never past the
 * pixel). Depth multipliers other than 1 and kernels
 * above 64 taps take the reference's loop. Integer arithmetic with the same terms: bit-exact with
 * runtimes/reference/edgec_depthwise_conv2d_s8.c. */
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_x86_requant.h"

typedef int32_t v16i __attribute__((vector_size(64)));
#define LANES 16
#define MAX_TAPS 64 /* kernels up to 8 x 8 take the vector path */

static int32_t ceil_div(int32_t a, int32_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

static void dw_channel(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                       const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0,
                       int32_t ic) {
    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
        const int32_t oc = ic * p->depth_multiplier + m;
        int32_t acc = 0;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                const int32_t v = in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic];
                acc += weights[((size_t)ky * p->k_w + kx) * p->out_c + oc] * (v + p->input_offset);
            }
        }
        if (bias) acc += bias[oc];
        out[oc] = (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset, p->act_min,
                                        p->act_max);
    }
}

/* n (<= 16) int8 at x widened to int32 lanes (lanes past n: 0), through an array, which compilers load as one
 * sign-extending move (a vector conversion of the bytes they build lane by lane). */
static inline __attribute__((always_inline)) void load_widen(v16i *dst, const int8_t *x, int32_t n) {
    int32_t xi[LANES];
    for (int32_t j = 0; j < LANES; ++j) xi[j] = j < n ? x[j] : 0;
    __builtin_memcpy(dst, xi, sizeof xi);
}

/* Output pixels' tap ranges: [lo, hi) of the taps inside the input along one axis. */
static void tap_range(int32_t o, int32_t stride, int32_t pad, int32_t dil, int32_t k, int32_t in, int32_t *origin,
                      int32_t *lo, int32_t *hi) {
    *origin = o * stride - pad;
    *lo = ceil_div(-*origin, dil);
    *hi = k;
    while (*hi > *lo && *origin + (*hi - 1) * dil >= in) --*hi;
}

/* One output row of one block: n channels at c stored, `load` bytes read at each tap: 16 (the lanes past n then
 * hold the next pixel's channels: their weights are 0 and they are never stored) or, at the end of the input, n.
 * Both are constants where the caller knows them, so that the loads take no branch. */
static inline __attribute__((always_inline)) void dw_row(const int8_t *in_b, const v16i *wide, const v16i *add,
                                                         const edgec_rq16 *rq, int vector, const int32_t *multiplier,
                                                         const int32_t *shift, int8_t *out_row,
                                                         const edgec_conv2d_s8_params *p, int32_t c, int32_t n,
                                                         int32_t load, int32_t y0, int32_t ky_lo, int32_t ky_hi) {
    const int32_t C = p->in_c;
    const v16i offset = (v16i){0} + p->input_offset;
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
        int32_t x0, kx_lo, kx_hi;
        tap_range(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &x0, &kx_lo, &kx_hi);
        v16i acc = *add;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
            const int8_t *row = in_b + ((ptrdiff_t)(y0 + ky * p->dil_h) * p->in_w + x0) * C;
            const v16i *w = wide + ky * p->k_w;
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
                v16i xv;
                load_widen(&xv, row + (size_t)kx * p->dil_w * C, load);
                acc += (xv + offset) * w[kx];
            }
        }
        int8_t *out = out_row + (size_t)ox * p->out_c + c;
        if (vector) {
            edgec_rq16_apply(rq, &acc, out, n);
            continue;
        }
        int32_t a[LANES];
        __builtin_memcpy(a, &acc, sizeof a);
        if (p->requant == EDGEC_REQUANT_FLOAT) {
            edgec_rqf8_apply(multiplier + c, a, NULL, p->output_offset, p->act_min, p->act_max, out, n < 8 ? n : 8);
            if (n > 8)
                edgec_rqf8_apply(multiplier + c + 8, a + 8, NULL, p->output_offset, p->act_min, p->act_max, out + 8,
                                 n - 8);
        } else {
            for (int32_t j = 0; j < n; ++j)
                out[j] = (int8_t)edgec_requant(a[j], multiplier[c + j], shift[c + j], p->requant, p->output_offset,
                                               p->act_min, p->act_max);
        }
    }
}

/* dw_row's three forms, each compiled on its own (inlined together, compilers spilled the accumulator). */
#define DW_ROW_ARGS                                                                                              \
    const int8_t *in_b, const v16i *wide, const v16i *add, const edgec_rq16 *rq, int vector,                    \
        const int32_t *multiplier, const int32_t *shift, int8_t *out_row, const edgec_conv2d_s8_params *p,      \
        int32_t c, int32_t n, int32_t y0, int32_t ky_lo, int32_t ky_hi
#define DW_ROW_PASS in_b, wide, add, rq, vector, multiplier, shift, out_row, p, c
static __attribute__((noinline)) void dw_row_16(DW_ROW_ARGS) {
    (void)n;
    dw_row(DW_ROW_PASS, LANES, LANES, y0, ky_lo, ky_hi);
}
static __attribute__((noinline)) void dw_row_few(DW_ROW_ARGS) { dw_row(DW_ROW_PASS, n, LANES, y0, ky_lo, ky_hi); }
static __attribute__((noinline)) void dw_row_last(DW_ROW_ARGS) { dw_row(DW_ROW_PASS, n, n, y0, ky_lo, ky_hi); }

/* One block of n channels at c. */
static void dw_block(const int8_t *input, const v16i *wide, const v16i *add, const edgec_rq16 *rq, int vector,
                     const int32_t *multiplier, const int32_t *shift, int8_t *output,
                     const edgec_conv2d_s8_params *p, int32_t c, int32_t n) {
    const int32_t C = p->in_c;
    const ptrdiff_t size = (ptrdiff_t)p->batch * p->in_h * p->in_w * C;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C + c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            int32_t y0, ky_lo, ky_hi;
            tap_range(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &y0, &ky_lo, &ky_hi);
            int8_t *out_row = output + ((size_t)b * p->out_h + oy) * p->out_w * p->out_c;
            /* the last pixel this row's taps can read, and 16 bytes from it: inside the input? */
            const ptrdiff_t last = ((ptrdiff_t)b * p->in_h + y0 + (ky_hi - 1) * p->dil_h) * p->in_w * C
                                   + (ptrdiff_t)(p->in_w - 1) * C + c;
            void (*row)(DW_ROW_ARGS) = n == LANES ? dw_row_16
                                       : ky_hi <= ky_lo || size - last >= LANES ? dw_row_few : dw_row_last;
            row(in_b, wide, add, rq, vector, multiplier, shift, out_row, p, c, n, y0, ky_lo, ky_hi);
        }
    }
}

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, taps = p->k_h * p->k_w;
    if (p->depth_multiplier != 1 || taps > MAX_TAPS) {
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * C;
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) {
                    int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                    for (int32_t ic = 0; ic < C; ++ic)
                        dw_channel(in_b, weights, bias, multiplier, shift, out, p, y0, x0, ic);
                }
        }
        return;
    }
    for (int32_t c0 = 0; c0 < C; c0 += LANES) {
        /* past 16 channels the last block overlaps the one before (the channels there computed twice, the same
         * bytes stored twice), so that every block loads whole vectors */
        const int32_t c = C >= LANES && c0 + LANES > C ? C - LANES : c0, n = C - c < LANES ? C - c : LANES;
        edgec_rq16 rq;
        const int vector = edgec_rq8_usable(multiplier + c, p->requant, n);
        if (vector) edgec_rq16_prepare(&rq, multiplier + c, shift + c, n, p->output_offset, p->act_min, p->act_max);
        v16i add = {0};
        if (bias)
            for (int32_t j = 0; j < n; ++j) add[j] = bias[c + j];
        /* this block's weights widened once: [tap][16] */
        v16i wide[MAX_TAPS];
        for (int32_t t = 0; t < taps; ++t) load_widen(&wide[t], weights + (size_t)t * C + c, n);
        dw_block(input, wide, &add, &rq, vector, multiplier, shift, output, p, c, n);
    }
}
