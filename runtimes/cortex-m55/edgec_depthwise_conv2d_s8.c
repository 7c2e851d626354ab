/* Cortex-M55 twin of reference/edgec_depthwise_conv2d_s8.c: 16 channels per step on Helium (MVE).
 *
 * Depth multiplier 1 (the usual case): for one output pixel the window of valid taps is found once, then 16
 * channels at a time walk it: per tap, two widening byte loads of inputs and two of weights (VLDRB.S16), and
 * VMULLB / VMULLT + VADD into four int32x4 accumulators (even and odd channels; MVE has no vector
 * multiply-accumulate); then 8, then the C % 8 tail with zeroing predicated loads. For a pixel whose window is
 * the whole kernel, the input offset leaves the tap loop: sum (x + off) * w = sum x * w + off * sum w, with
 * bias + off * sum w computed once per call and channel (up to EDGEC_HL_MAX_C channels); at the borders (fewer
 * taps) the offset is added to each input instead. Requantisation goes four channels per step (edgec_helium_s8.h).
 * Integer sums are exact: bit-identical to the reference. Depth multipliers other than 1 take a plain loop;
 * without MVE the same loops run on scalar code. */
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_helium_s8.h"

#if EDGEC_HELIUM && defined(__GNUC__) && !defined(__clang__)
/* GCC 12's pre-allocation scheduler hoists the four loads of a tap ahead of the multiplies, which needs one more
 * vector register than MVE's eight and spills an accumulator in the tap loop. */
#pragma GCC optimize("no-schedule-insns")
#endif

#ifndef EDGEC_HL_MAX_C /* overridable so that tests can make every shape take several chunks */
#define EDGEC_HL_MAX_C 512 /* channels of the per-call weight sums and the per-pixel accumulator row on the stack */
#endif

/* First tap index k with 0 <= o + k * d < n, and one past the last (k < k_n). */
EDGEC_INLINE int32_t tap_lo(int32_t o, int32_t d) { return o >= 0 ? 0 : (-o + d - 1) / d; }
EDGEC_INLINE int32_t tap_hi(int32_t o, int32_t d, int32_t n, int32_t k_n) {
    if (o >= n) return 0;
    const int32_t hi = (n - o + d - 1) / d;
    return hi < k_n ? hi : k_n;
}

/* acc[c] = sum over the nky x nkx taps of (in[c] + off) * w[c] for c < n: n = 16 (`halves` 2), n = 8 (`halves` 1),
 * or n < 8 (`halves` 1, `tail` 1: predicated). Called with constant `halves`, `tail` and `with_off` (else off is
 * taken as 0), so that each use inlines to its own branch-free loop. */
EDGEC_INLINE void taps(const int8_t *in, const int8_t *w, int32_t nky, int32_t nkx, size_t in_step,
                       size_t in_row_step, size_t w_row_step, int32_t C, int32_t off, int32_t n, int32_t halves,
                       int32_t tail, int32_t with_off, int32_t *acc) {
#if EDGEC_HELIUM
    /* MVE has no vector multiply-accumulate: widen to int16 lanes (VLDRB.S16), multiply into int32 even and odd
     * lanes (VMULLB / VMULLT), add; VST2 puts the even and odd channels back in order. */
    const mve_pred16_t pr = vctp16q((uint32_t)n);
    int32x4_t e0 = vdupq_n_s32(0), o0 = e0, e1 = e0, o1 = e0;
    for (int32_t ky = nky; ky > 0; --ky, in += in_row_step, w += w_row_step) {
        const int8_t *ip = in, *wp = w;
        for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C) {
            int16x8_t x, v;
            if (halves == 2) { /* the upper eight first: GCC then keeps offset addressing for both halves */
                x = vldrbq_s16(ip + 8), v = vldrbq_s16(wp + 8);
                if (with_off) x = vaddq_n_s16(x, (int16_t)off);
                e1 = vaddq_s32(e1, vmullbq_int_s16(x, v));
                o1 = vaddq_s32(o1, vmulltq_int_s16(x, v));
            }
            if (tail) { /* zeroing loads: inactive lanes read nothing and add 0 */
                x = vldrbq_z_s16(ip, pr), v = vldrbq_z_s16(wp, pr);
            } else {
                x = vldrbq_s16(ip), v = vldrbq_s16(wp);
            }
            if (with_off) x = vaddq_n_s16(x, (int16_t)off);
            e0 = vaddq_s32(e0, vmullbq_int_s16(x, v));
            o0 = vaddq_s32(o0, vmulltq_int_s16(x, v));
        }
    }
    const int32x4x2_t lo8 = {{e0, o0}}, hi8 = {{e1, o1}};
    vst2q_s32(acc, lo8);
    if (halves == 2) vst2q_s32(acc + 8, hi8);
#else
    (void)halves, (void)tail;
    if (!with_off) off = 0;
    for (int32_t c = 0; c < n; ++c) acc[c] = 0;
    for (int32_t ky = nky; ky > 0; --ky, in += in_row_step, w += w_row_step) {
        const int8_t *ip = in, *wp = w;
        for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C)
            for (int32_t c = 0; c < n; ++c) acc[c] += ((int32_t)ip[c] + off) * wp[c];
    }
#endif
}

/* One output pixel, depth multiplier 1. cterm: bias + off * (sum of the channel's weights), or NULL. */
static void dw_pixel(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                     const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p, int32_t y0, int32_t x0,
                     const int32_t *cterm, int32_t fast) {
    int32_t acc[EDGEC_HL_MAX_C + 8]; /* the last group of 8 may run past C */
    const int32_t C = p->in_c;
    const int32_t ky0 = tap_lo(y0, p->dil_h), ky1 = tap_hi(y0, p->dil_h, p->in_h, p->k_h);
    const int32_t kx0 = tap_lo(x0, p->dil_w), kx1 = tap_hi(x0, p->dil_w, p->in_w, p->k_w);
    const int32_t nky = ky1 > ky0 ? ky1 - ky0 : 0, nkx = kx1 > kx0 ? kx1 - kx0 : 0;
    const int32_t whole = cterm && nky == p->k_h && nkx == p->k_w, off = p->input_offset;
    const size_t in_step = (size_t)p->dil_w * C, in_row_step = (size_t)p->dil_h * p->in_w * C;
    const size_t w_row_step = (size_t)p->k_w * C;
    const int8_t *in0 = in_b + ((size_t)(y0 + ky0 * p->dil_h) * p->in_w + (x0 + kx0 * p->dil_w)) * C;
    const int8_t *w0 = weights + ((size_t)ky0 * p->k_w + kx0) * C;
    if (nky == 0 || nkx == 0) in0 = in_b, w0 = weights; /* no valid tap: nothing is read */
    for (int32_t c0 = 0; c0 < C; c0 += EDGEC_HL_MAX_C) { /* EDGEC_HL_MAX_C channels per accumulator row */
        const int32_t nc = C - c0 < EDGEC_HL_MAX_C ? C - c0 : EDGEC_HL_MAX_C;
        int32_t c = 0;
#define EDGEC_TAPS(N, HALVES, TAIL, WITH_OFF)                                                                 \
    taps(in0 + c0 + c, w0 + c0 + c, nky, nkx, in_step, in_row_step, w_row_step, C, off, N, HALVES, TAIL, WITH_OFF, \
         acc + c)
        if (whole) {
            for (; c + 16 <= nc; c += 16) EDGEC_TAPS(16, 2, 0, 0);
            if (c + 8 <= nc) EDGEC_TAPS(8, 1, 0, 0), c += 8;
            if (c < nc) EDGEC_TAPS(nc - c, 1, 1, 0);
        } else {
            for (; c + 16 <= nc; c += 16) EDGEC_TAPS(16, 2, 0, 1);
            if (c + 8 <= nc) EDGEC_TAPS(8, 1, 0, 1), c += 8;
            if (c < nc) EDGEC_TAPS(nc - c, 1, 1, 1);
        }
#undef EDGEC_TAPS
        edgec_hl_requant_row(acc, whole ? cterm + c0 : (bias ? bias + c0 : 0), multiplier + c0, shift + c0,
                             p->requant, fast, p->output_offset, p->act_min, p->act_max, out + c0, nc);
    }
}

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    int32_t cterm[EDGEC_HL_MAX_C];
    const int32_t dm1 = p->depth_multiplier == 1, use_cterm = dm1 && p->in_c <= EDGEC_HL_MAX_C;
    const int32_t fast = edgec_hl_rq_fast(multiplier, p->out_c, p->requant);
    for (int32_t c = 0; use_cterm && c < p->in_c; ++c) {
        int32_t s = 0;
        for (int32_t t = 0; t < p->k_h * p->k_w; ++t) s += weights[(size_t)t * p->out_c + c];
        cterm[c] = (bias ? bias[c] : 0) + p->input_offset * s;
    }
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                if (dm1) {
                    dw_pixel(in_b, weights, bias, multiplier, shift, out, p, y0, x0, use_cterm ? cterm : 0, fast);
                    continue;
                }
                for (int32_t oc = 0; oc < p->out_c; ++oc) { /* depth multiplier > 1: the plain loop */
                    const int32_t ic = oc / p->depth_multiplier;
                    int32_t acc = bias ? bias[oc] : 0;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            acc += weights[((size_t)ky * p->k_w + kx) * p->out_c + oc] *
                                   ((int32_t)in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic] + p->input_offset);
                        }
                    }
                    out[oc] = (int8_t)edgec_requant(acc, multiplier[oc], shift[oc], p->requant, p->output_offset,
                                                    p->act_min, p->act_max);
                }
            }
        }
    }
}
