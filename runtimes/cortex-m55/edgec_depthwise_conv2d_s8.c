/* Cortex-M55 twin of reference/edgec_depthwise_conv2d_s8.c: 16 channels per step on Helium (MVE).
 *
 * Depth multiplier 1 (the usual case), one output row at a time: the window of valid taps is found once per row
 * (vertically) and per pixel (horizontally, without a division inside the input); then 16 channels at a time walk
 * it: per tap, two widening byte loads of inputs and two of weights (VLDRB.S16), and VMULLB / VMULLT + VADD into
 * four int32x4 accumulators (even and odd channels; MVE has no vector multiply-accumulate); then 8, then the C % 8
 * tail with zeroing predicated loads. For a pixel whose window is the whole kernel, the input offset leaves the tap
 * loop: sum (x + off) * w = sum x * w + off * sum w, with bias + off * sum w computed once per call and channel
 * (up to EDGEC_HL_MAX_C channels); at the borders (fewer taps) the offset is added to each input instead. Full
 * groups are requantised straight from the registers (per-channel tables loaded de-interleaved by VLD2), the rest
 * four channels per step from memory (edgec_helium_s8.h). Integer sums are exact and the requantisation is
 * TFLite's bit for bit: identical to the reference. Depth multipliers other than 1 take a plain loop; without MVE
 * the same loops run on scalar code. */
#include "edgec_depthwise_s8_tap_sum.h"
#include "edgec_helium_s8.h"

#if EDGEC_HELIUM && defined(__GNUC__) && !defined(__clang__)
/* GCC 12's pre-allocation scheduler hoists the four loads of a tap ahead of the multiplies, which needs one more
 * vector register than MVE's eight and spills an accumulator in the tap loop. */
#pragma GCC optimize("no-schedule-insns")
#endif

#ifndef EDGEC_HL_MAX_C /* overridable so that tests can take the path without weight sums on small shapes */
#define EDGEC_HL_MAX_C 512 /* channels of the per-call weight sums on the stack; more take the border path */
#endif

/* First tap index k with 0 <= o + k * d < n, and one past the last (k < k_n). */
EDGEC_INLINE int32_t tap_lo(int32_t o, int32_t d) { return o >= 0 ? 0 : (-o + d - 1) / d; }
EDGEC_INLINE int32_t tap_hi(int32_t o, int32_t d, int32_t n, int32_t k_n) {
    if (o >= n) return 0;
    const int32_t hi = (n - o + d - 1) / d;
    return hi < k_n ? hi : k_n;
}

#if EDGEC_HELIUM
/* Requantises eight channels held as even (e) and odd (o) lanes, as VLD2 loads the per-channel tables; VMOVNB /
 * VMOVNT put them back in order. */
EDGEC_INLINE void rq8(int32x4_t e, int32x4_t o, const int32_t *add, const int32_t *multiplier, const int32_t *shift,
                      int32_t zp, int32_t lo, int32_t hi, int8_t *out) {
    if (add) {
        const int32x4x2_t a = vld2q_s32(add);
        e = vaddq_s32(e, a.val[0]), o = vaddq_s32(o, a.val[1]);
    }
    const int32x4x2_t m = vld2q_s32(multiplier), sh = vld2q_s32(shift);
    e = edgec_hl_rq4(e, m.val[0], sh.val[0], zp, lo, hi);
    o = edgec_hl_rq4(o, m.val[1], sh.val[1], zp, lo, hi);
    vstrbq_s16(out, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), e), o));
}
#endif

/* acc[c] = sum over the nky x nkx taps of (in[c] + off) * w[c] for c < n: n = 16 (`halves` 2), n = 8 (`halves` 1),
 * or n < 8 (`halves` 1, `tail` 1: predicated). Called with constant `halves`, `tail` and `with_off` (else off is
 * taken as 0), so that each use inlines to its own branch-free loop. With `rq` (edgec_hl_rq_fast; not for a tail)
 * the sums are requantised straight from the registers into out (+ add) and it returns 1; else it returns 0. */
EDGEC_INLINE int32_t taps(const int8_t *in, const int8_t *w, int32_t nky, int32_t nkx, size_t in_step,
                          size_t in_row_step, size_t w_row_step, int32_t C, int32_t off, int32_t n, int32_t halves,
                          int32_t tail, int32_t with_off, int32_t *acc, int32_t rq, const int32_t *add,
                          const int32_t *multiplier, const int32_t *shift, int32_t zp, int32_t lo, int32_t hi,
                          int8_t *out) {
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
    if (rq && !tail) {
        rq8(e0, o0, add, multiplier, shift, zp, lo, hi, out);
        if (halves == 2) rq8(e1, o1, add ? add + 8 : 0, multiplier + 8, shift + 8, zp, lo, hi, out + 8);
        return 1;
    }
    const int32x4x2_t lo8 = {{e0, o0}}, hi8 = {{e1, o1}};
    vst2q_s32(acc, lo8);
    if (halves == 2) vst2q_s32(acc + 8, hi8);
    return 0;
#else
    (void)halves, (void)tail, (void)rq, (void)add, (void)multiplier, (void)shift, (void)zp, (void)lo, (void)hi;
    (void)out;
    if (!with_off) off = 0;
    for (int32_t c = 0; c < n; ++c) acc[c] = 0;
    for (int32_t ky = nky; ky > 0; --ky, in += in_row_step, w += w_row_step) {
        const int8_t *ip = in, *wp = w;
        for (int32_t kx = nkx; kx > 0; --kx, ip += in_step, wp += C)
            for (int32_t c = 0; c < n; ++c) acc[c] += ((int32_t)ip[c] + off) * wp[c];
    }
    return 0;
#endif
}

/* Requantises one group of n <= 16 channels (out of line: called from every variant of the tap loop). */
static EDGEC_HL_NOINLINE void requant_group(const int32_t *acc, const int32_t *add, const int32_t *multiplier,
                                            const int32_t *shift, const edgec_conv2d_s8_params *p, int32_t fast,
                                            int8_t *out, int32_t n) {
    edgec_hl_requant_row(acc, add, multiplier, shift, p->requant, fast, p->output_offset, p->act_min, p->act_max,
                         out, n);
}

/* One output row, depth multiplier 1: the vertical window of valid taps is found once per row, the horizontal one
 * per pixel (without a division inside the input). cterm: bias + off * (sum of the channel's weights), or NULL. */
static void dw_row(const int8_t *in_b, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                   const int32_t *shift, int8_t *out, const edgec_conv2d_s8_params *p, int32_t oy,
                   const int32_t *cterm, int32_t fast) {
    int32_t acc[16];
    /* local copies: the int8 output stores may alias *p as far as the compiler knows */
    const int32_t C = p->in_c, k_w = p->k_w, dil_w = p->dil_w, in_w = p->in_w, out_w = p->out_w;
    const int32_t stride_w = p->stride_w, pad_left = p->pad_left, off = p->input_offset;
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t ky0 = tap_lo(y0, p->dil_h), ky1 = tap_hi(y0, p->dil_h, p->in_h, p->k_h);
    const int32_t nky = ky1 > ky0 ? ky1 - ky0 : 0, all_rows = nky == p->k_h, span = (k_w - 1) * dil_w;
    const size_t in_step = (size_t)dil_w * C, in_row_step = (size_t)p->dil_h * in_w * C, w_row_step = (size_t)k_w * C;
    const int8_t *in_y = nky ? in_b + (size_t)(y0 + ky0 * p->dil_h) * in_w * C : in_b;
    const int8_t *w_y = weights + (size_t)ky0 * k_w * C;
    for (int32_t ox = 0; ox < out_w; ++ox, out += C) {
        const int32_t x0 = ox * stride_w - pad_left;
        int32_t kx0 = 0, nkx = k_w;
        if (x0 < 0 || x0 + span >= in_w) {
            const int32_t kx1 = tap_hi(x0, dil_w, in_w, k_w);
            kx0 = tap_lo(x0, dil_w);
            nkx = kx1 > kx0 ? kx1 - kx0 : 0;
        }
        const int32_t whole = cterm && all_rows && nkx == k_w;
        const int8_t *in0 = nky && nkx ? in_y + (size_t)(x0 + kx0 * dil_w) * C : in_b; /* no tap: nothing is read */
        const int8_t *w0 = w_y + (size_t)kx0 * C;
        const int32_t *add = whole ? cterm : bias;
        int32_t c = 0;
#define EDGEC_GROUP(N, HALVES, TAIL, WITH_OFF)                                                                   \
    do {                                                                                                         \
        if (!taps(in0 + c, w0 + c, nky, nkx, in_step, in_row_step, w_row_step, C, off, N, HALVES, TAIL, WITH_OFF, \
                  acc, fast, add ? add + c : 0, multiplier + c, shift + c, zp, lo, hi, out + c))                  \
            requant_group(acc, add ? add + c : 0, multiplier + c, shift + c, p, fast, out + c, N);               \
    } while (0)
        if (whole) {
            for (; c + 16 <= C; c += 16) EDGEC_GROUP(16, 2, 0, 0);
            if (c + 8 <= C) {
                EDGEC_GROUP(8, 1, 0, 0);
                c += 8;
            }
            if (c < C) EDGEC_GROUP(C - c, 1, 1, 0);
        } else {
            for (; c + 16 <= C; c += 16) EDGEC_GROUP(16, 2, 0, 1);
            if (c + 8 <= C) {
                EDGEC_GROUP(8, 1, 0, 1);
                c += 8;
            }
            if (c < C) EDGEC_GROUP(C - c, 1, 1, 1);
        }
#undef EDGEC_GROUP
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
            if (dm1) {
                int8_t *out_row = output + ((size_t)b * p->out_h + oy) * p->out_w * p->out_c;
                dw_row(in_b, weights, bias, multiplier, shift, out_row, p, oy, use_cterm ? cterm : 0, fast);
                continue;
            }
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) /* depth multiplier > 1: the plain loop */
                    out[oc] = edgec_depthwise_s8_channel(in_b, weights, bias, multiplier, shift, y0, x0,
                                                         oc / p->depth_multiplier, oc, p);
            }
        }
    }
}
