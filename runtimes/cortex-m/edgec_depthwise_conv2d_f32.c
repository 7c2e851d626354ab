/* Cortex-M twin of optimized/edgec_depthwise_conv2d_f32.c (same signature, same results up to float summation
 * order), for the single-precision FPU of the M4 / M7 / M33 / M55.
 *
 * Depth multiplier 1 (every MobileNet): a tile is 8 channels x 2 output pixels, 16 accumulators in s16-s31.
 * Per tap one VLDM brings the 8 channels' weights (NHWC weights [kh][kw][C] are contiguous along channels), two
 * VLDMs the two pixels' inputs, and 16 VFMAs use them: 24 instructions per 16 MACs with the pointer steps and the
 * loop. Taps outside the input are never visited: each output row clips its kernel rows, each pixel its kernel
 * columns, so border pixels run the same loop over fewer taps (one pixel at a time when a pair's columns differ).
 * Channels beyond a multiple of 8, and depth multipliers above 1, take plain loops. Without an FPU the tile's
 * loops are C (what the host tests run under the sanitizers). */
#include "edgec_depthwise_conv2d_f32.h"

#include "edgec_cm_fpu.h"

/* One tile: 8 channels of 1 or 2 output pixels over n_ky x n_kx taps. Pointers and byte steps, read by the asm. */
typedef struct {
    const float *w;       /* weights of the first tap, first channel */
    const float *x0, *x1; /* first tap's input, pixels 0 and 1 */
    const float *b;       /* 8 biases */
    float *o0, *o1;       /* outputs of pixels 0 and 1 */
    int32_t n_ky, n_kx;   /* taps */
    int32_t w_step;       /* bytes from one tap's weights to the next: C * 4 */
    int32_t x_step;       /* bytes from one tap's input to the next in a row: dil_w * C * 4 */
    int32_t x_row_skip;   /* bytes added to the input pointers after a kernel row: dil_h * row - n_kx * x_step */
    int32_t w_row_skip;   /* bytes added to the weight pointer after a kernel row: (k_w - n_kx) * w_step */
    float lo, hi;         /* fused activation */
} dw_tile;

#define OFF(field) "i"(offsetof(dw_tile, field))

#if EDGEC_CM_FPU_ASM
/* One tap of a tile's 8 channels for pixel 0: the weights into s0-s7 and its input into s8-s15 (w and x0 then
 * step to the next tap), 8 VFMAs into s16-s23. Its weights stay in s0-s7 for pixel 1. */
#define TAP8_PIXEL0                                                                                             \
    "vldmia %[w], {s0-s7}\n\t"                                                                                 \
    "add %[w], %[w], %[ws]\n\t"                                                                                \
    "vldmia %[x0], {s8-s15}\n\t"                                                                               \
    "add %[x0], %[x0], %[xs]\n\t"                                                                              \
    "vfma.f32 s16, s8, s0\n\t" "vfma.f32 s17, s9, s1\n\t" "vfma.f32 s18, s10, s2\n\t" "vfma.f32 s19, s11, s3\n\t" \
    "vfma.f32 s20, s12, s4\n\t" "vfma.f32 s21, s13, s5\n\t" "vfma.f32 s22, s14, s6\n\t" "vfma.f32 s23, s15, s7\n\t"

#if EDGEC_CM_FPV5
#define CLAMP8(a, b, c, d, e, f, g, h)                                                                          \
    "vmaxnm.f32 " a ", " a ", s0\n\t" "vmaxnm.f32 " b ", " b ", s0\n\t" "vmaxnm.f32 " c ", " c ", s0\n\t"      \
    "vmaxnm.f32 " d ", " d ", s0\n\t" "vmaxnm.f32 " e ", " e ", s0\n\t" "vmaxnm.f32 " f ", " f ", s0\n\t"      \
    "vmaxnm.f32 " g ", " g ", s0\n\t" "vmaxnm.f32 " h ", " h ", s0\n\t"                                        \
    "vminnm.f32 " a ", " a ", s1\n\t" "vminnm.f32 " b ", " b ", s1\n\t" "vminnm.f32 " c ", " c ", s1\n\t"      \
    "vminnm.f32 " d ", " d ", s1\n\t" "vminnm.f32 " e ", " e ", s1\n\t" "vminnm.f32 " f ", " f ", s1\n\t"      \
    "vminnm.f32 " g ", " g ", s1\n\t" "vminnm.f32 " h ", " h ", s1\n\t"
#else
#define CLAMP8(a, b, c, d, e, f, g, h) "" /* FPv4: clamped in C after the stores */
#endif
#endif

/* 2 pixels. */
static void tile2(const dw_tile *t) {
#if EDGEC_CM_FPU_ASM
    const float *w, *x0, *x1, *tmp;
    int32_t ky, kx, ws, xs;
    __asm__ volatile(
        "ldr %[w], [%[t], %[ow]]\n\t"
        "ldr %[x0], [%[t], %[ox0]]\n\t"
        "ldr %[x1], [%[t], %[ox1]]\n\t"
        "ldr %[tmp], [%[t], %[ob]]\n\t"
        "ldr %[ky], [%[t], %[oky]]\n\t"
        "ldr %[ws], [%[t], %[ows]]\n\t"
        "ldr %[xs], [%[t], %[oxs]]\n\t"
        "vldmia %[tmp], {s16-s23}\n\t"
        "vldmia %[tmp], {s24-s31}\n"
        "2:\n\t"
        "ldr %[kx], [%[t], %[okx]]\n"
        "1:\n\t"
        TAP8_PIXEL0
        "vldmia %[x1], {s8-s15}\n\t"
        "add %[x1], %[x1], %[xs]\n\t"
        "vfma.f32 s24, s8, s0\n\t" "vfma.f32 s25, s9, s1\n\t" "vfma.f32 s26, s10, s2\n\t" "vfma.f32 s27, s11, s3\n\t"
        "vfma.f32 s28, s12, s4\n\t" "vfma.f32 s29, s13, s5\n\t" "vfma.f32 s30, s14, s6\n\t" "vfma.f32 s31, s15, s7\n\t"
        "subs %[kx], %[kx], #1\n\t"
        "bne 1b\n\t"
        "ldr %[tmp], [%[t], %[oxr]]\n\t"
        "add %[x0], %[x0], %[tmp]\n\t"
        "add %[x1], %[x1], %[tmp]\n\t"
        "ldr %[tmp], [%[t], %[owr]]\n\t"
        "add %[w], %[w], %[tmp]\n\t"
        "subs %[ky], %[ky], #1\n\t"
        "bne 2b\n\t"
        "vldr s0, [%[t], %[olo]]\n\t"
        "vldr s1, [%[t], %[ohi]]\n\t"
        CLAMP8("s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23")
        CLAMP8("s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31")
        "ldr %[tmp], [%[t], %[oo0]]\n\t"
        "vstmia %[tmp], {s16-s23}\n\t"
        "ldr %[tmp], [%[t], %[oo1]]\n\t"
        "vstmia %[tmp], {s24-s31}"
        : [w] "=&r"(w), [x0] "=&r"(x0), [x1] "=&r"(x1), [tmp] "=&r"(tmp), [ky] "=&r"(ky), [kx] "=&r"(kx),
          [ws] "=&r"(ws), [xs] "=&r"(xs)
        : [t] "r"(t), [ow] OFF(w), [ox0] OFF(x0), [ox1] OFF(x1), [ob] OFF(b), [oky] OFF(n_ky), [okx] OFF(n_kx),
          [ows] OFF(w_step), [oxs] OFF(x_step), [oxr] OFF(x_row_skip), [owr] OFF(w_row_skip), [olo] OFF(lo),
          [ohi] OFF(hi), [oo0] OFF(o0), [oo1] OFF(o1)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30",
          "s31", "cc", "memory");
#if !EDGEC_CM_FPV5
    for (int32_t c = 0; c < 8; ++c) {
        t->o0[c] = edgec_clampf(t->o0[c], t->lo, t->hi);
        t->o1[c] = edgec_clampf(t->o1[c], t->lo, t->hi);
    }
#endif
#else
    float a0[8], a1[8];
    for (int32_t c = 0; c < 8; ++c) a0[c] = a1[c] = t->b[c];
    const char *w = (const char *)t->w, *x0 = (const char *)t->x0, *x1 = (const char *)t->x1;
    for (int32_t ky = 0; ky < t->n_ky; ++ky) {
        for (int32_t kx = 0; kx < t->n_kx; ++kx) {
            const float *wf = (const float *)w, *xf0 = (const float *)x0, *xf1 = (const float *)x1;
            for (int32_t c = 0; c < 8; ++c) {
                a0[c] = EDGEC_FMA(a0[c], xf0[c], wf[c]);
                a1[c] = EDGEC_FMA(a1[c], xf1[c], wf[c]);
            }
            w += t->w_step; x0 += t->x_step; x1 += t->x_step;
        }
        w += t->w_row_skip; x0 += t->x_row_skip; x1 += t->x_row_skip;
    }
    for (int32_t c = 0; c < 8; ++c) {
        t->o0[c] = edgec_clampf(a0[c], t->lo, t->hi);
        t->o1[c] = edgec_clampf(a1[c], t->lo, t->hi);
    }
#endif
}

/* 1 pixel (x1 and o1 unused). */
static void tile1(const dw_tile *t) {
#if EDGEC_CM_FPU_ASM
    const float *w, *x0, *tmp;
    int32_t ky, kx, ws, xs;
    __asm__ volatile(
        "ldr %[w], [%[t], %[ow]]\n\t"
        "ldr %[x0], [%[t], %[ox0]]\n\t"
        "ldr %[tmp], [%[t], %[ob]]\n\t"
        "ldr %[ky], [%[t], %[oky]]\n\t"
        "ldr %[ws], [%[t], %[ows]]\n\t"
        "ldr %[xs], [%[t], %[oxs]]\n\t"
        "vldmia %[tmp], {s16-s23}\n"
        "2:\n\t"
        "ldr %[kx], [%[t], %[okx]]\n"
        "1:\n\t"
        TAP8_PIXEL0
        "subs %[kx], %[kx], #1\n\t"
        "bne 1b\n\t"
        "ldr %[tmp], [%[t], %[oxr]]\n\t"
        "add %[x0], %[x0], %[tmp]\n\t"
        "ldr %[tmp], [%[t], %[owr]]\n\t"
        "add %[w], %[w], %[tmp]\n\t"
        "subs %[ky], %[ky], #1\n\t"
        "bne 2b\n\t"
        "vldr s0, [%[t], %[olo]]\n\t"
        "vldr s1, [%[t], %[ohi]]\n\t"
        CLAMP8("s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23")
        "ldr %[tmp], [%[t], %[oo0]]\n\t"
        "vstmia %[tmp], {s16-s23}"
        : [w] "=&r"(w), [x0] "=&r"(x0), [tmp] "=&r"(tmp), [ky] "=&r"(ky), [kx] "=&r"(kx), [ws] "=&r"(ws),
          [xs] "=&r"(xs)
        : [t] "r"(t), [ow] OFF(w), [ox0] OFF(x0), [ob] OFF(b), [oky] OFF(n_ky), [okx] OFF(n_kx),
          [ows] OFF(w_step), [oxs] OFF(x_step), [oxr] OFF(x_row_skip), [owr] OFF(w_row_skip), [olo] OFF(lo),
          [ohi] OFF(hi), [oo0] OFF(o0)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "cc", "memory");
#if !EDGEC_CM_FPV5
    for (int32_t c = 0; c < 8; ++c) t->o0[c] = edgec_clampf(t->o0[c], t->lo, t->hi);
#endif
#else
    float a0[8];
    for (int32_t c = 0; c < 8; ++c) a0[c] = t->b[c];
    const char *w = (const char *)t->w, *x0 = (const char *)t->x0;
    for (int32_t ky = 0; ky < t->n_ky; ++ky) {
        for (int32_t kx = 0; kx < t->n_kx; ++kx) {
            const float *wf = (const float *)w, *xf0 = (const float *)x0;
            for (int32_t c = 0; c < 8; ++c) a0[c] = EDGEC_FMA(a0[c], xf0[c], wf[c]);
            w += t->w_step; x0 += t->x_step;
        }
        w += t->w_row_skip; x0 += t->x_row_skip;
    }
    for (int32_t c = 0; c < 8; ++c) t->o0[c] = edgec_clampf(a0[c], t->lo, t->hi);
#endif
}

static int32_t first_tap(int32_t start, int32_t dil) { return start >= 0 ? 0 : (-start + dil - 1) / dil; }
static int32_t end_tap(int32_t start, int32_t k, int32_t dil, int32_t size) {
    int32_t end = k;
    while (end > 0 && start + (end - 1) * dil >= size) --end;
    return end;
}

/* Output channels [c_begin, OC) of one pixel, plain loops over its in-bounds taps (any depth multiplier). */
static void pixel_channels(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_conv2d_params *p,
                           int32_t n, int32_t iy0, int32_t ix0, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo,
                           int32_t kx_hi, int32_t c_begin) {
    const int32_t C = p->in_c, OC = p->out_c, mult = OC / C;
    for (int32_t oc = c_begin; oc < OC; ++oc) {
        float acc = bias ? bias[oc] : 0.0f;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
            const float *row = input + (((size_t)n * p->in_h + (iy0 + ky * p->dil_h)) * p->in_w) * C + oc / mult;
            for (int32_t kx = kx_lo; kx < kx_hi; ++kx)
                acc = EDGEC_FMA(acc, row[(size_t)(ix0 + kx * p->dil_w) * C], weights[((size_t)ky * p->k_w + kx) * OC + oc]);
        }
        out[oc] = edgec_clampf(acc, p->act_min, p->act_max);
    }
}

void edgec_depthwise_conv2d_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                                const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c;
    const int32_t c8 = OC == C ? C - C % 8 : 0; /* channels the tiles cover */
    static const float zeros[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    dw_tile t;
    t.w_step = C * (int32_t)sizeof(float);
    t.x_step = p->dil_w * C * (int32_t)sizeof(float);
    t.lo = p->act_min;
    t.hi = p->act_max;
    for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int32_t ky_lo = first_tap(iy0, p->dil_h), ky_hi = end_tap(iy0, p->k_h, p->dil_h, p->in_h);
        float *out_row = output + ((size_t)n * p->out_h + oy) * p->out_w * OC;
        /* the input row of the first kernel row inside the input (unused when there is none) */
        const float *in_tap_row = input + (((size_t)n * p->in_h + (ky_hi > ky_lo ? iy0 + ky_lo * p->dil_h : 0)) * p->in_w) * C;
        t.n_ky = ky_hi - ky_lo;
        for (int32_t ox = 0; ox < p->out_w;) {
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            const int32_t kx_lo = first_tap(ix0, p->dil_w), kx_hi = end_tap(ix0, p->k_w, p->dil_w, p->in_w);
            float *out = out_row + (size_t)ox * OC;
            int32_t pixels = 1;
            if (ox + 1 < p->out_w) { /* a pair when the next pixel has the same kernel columns */
                const int32_t ix1 = ix0 + p->stride_w;
                if (first_tap(ix1, p->dil_w) == kx_lo && end_tap(ix1, p->k_w, p->dil_w, p->in_w) == kx_hi) pixels = 2;
            }
            if (c8 > 0 && ky_hi > ky_lo && kx_hi > kx_lo) {
                t.n_kx = kx_hi - kx_lo;
                t.x_row_skip = (p->dil_h * p->in_w * C - t.n_kx * p->dil_w * C) * (int32_t)sizeof(float);
                t.w_row_skip = (p->k_w - t.n_kx) * C * (int32_t)sizeof(float);
                const float *x = in_tap_row + (ptrdiff_t)(ix0 + kx_lo * p->dil_w) * C;
                const float *w = weights + ((size_t)ky_lo * p->k_w + kx_lo) * C;
                for (int32_t c = 0; c < c8; c += 8) {
                    t.w = w + c;
                    t.x0 = x + c;
                    t.x1 = pixels == 2 ? x + c + (size_t)p->stride_w * C : t.x0;
                    t.b = bias ? bias + c : zeros;
                    t.o0 = out + c;
                    t.o1 = out + OC + c;
                    if (pixels == 2) tile2(&t); else tile1(&t);
                }
                for (int32_t i = 0; i < pixels; ++i)
                    pixel_channels(input, weights, bias, out + (size_t)i * OC, p, n, iy0, ix0 + i * p->stride_w,
                                   ky_lo, ky_hi, kx_lo, kx_hi, c8);
            } else {
                for (int32_t i = 0; i < pixels; ++i)
                    pixel_channels(input, weights, bias, out + (size_t)i * OC, p, n, iy0, ix0 + i * p->stride_w,
                                   ky_lo, ky_hi, kx_lo, kx_hi, 0);
            }
            ox += pixels;
        }
    }
}
