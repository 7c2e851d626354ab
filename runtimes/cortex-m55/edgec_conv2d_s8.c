/* Cortex-M55 twin of reference/edgec_conv2d_s8.c: im2col + a 2-pixel GEMM on Helium (MVE).
 *
 * Two output pixels at a time: each receptive field becomes one contiguous int8 row of K = k_h * k_w * in_c (a
 * pointwise pixel inside the input is used in place; otherwise the row is gathered, one predicated copy per kernel
 * row, padding taps holding the input zero point; K > EDGEC_HL_K_CHUNK goes in chunks). The input offset then
 * leaves the inner loop: sum_k (x + off) * w = sum_k x * w + off * sum_k w, exact because a padding tap has
 * x + off = 0, and bias + off * sum_k w is computed once per call and channel (EDGEC_HL_OC_CHUNK channels at a
 * time). Rows of up to 48 taps stay in registers while every channel's weights stream past (one load and two
 * VMLADAV, int8 dot products into int32, per 16 taps); longer rows take 16 taps of two pixels and two channels
 * per step: four loads, four VMLADAVA. Tails use zeroing predicated loads. Both pixels are requantised in one pass,
 * four channels per step (edgec_helium_s8.h). Integer sums are exact and the requantisation reproduces TFLite's
 * bit for bit: the results are the reference's on every path. Without MVE the same loops run on scalar code. */
#include "edgec_conv2d_s8.h"
#include "edgec_helium_s8.h"

#ifndef EDGEC_HL_K_CHUNK /* overridable so that tests can make every shape take several chunks */
#define EDGEC_HL_K_CHUNK 1024 /* bytes of one receptive-field row gathered at a time (at most two rows on the stack) */
#endif
#ifndef EDGEC_HL_OC_CHUNK
#define EDGEC_HL_OC_CHUNK 256 /* output channels (at most) whose accumulators and weight sums sit on the stack */
#endif

/* s[2 * channel + pixel] = sum_{k < n} pixel_row[k] * channel_row[k] for pixel rows a0, a1, weight rows w0, w1. */
EDGEC_INLINE void dot_2x2(const int8_t *a0, const int8_t *a1, const int8_t *w0, const int8_t *w1, int32_t n,
                          int32_t *s) {
    int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
#if EDGEC_HELIUM
    for (int32_t g = n >> 4; g > 0; --g) {
        const int8x16_t x0 = vld1q_s8(a0), x1 = vld1q_s8(a1), v0 = vld1q_s8(w0), v1 = vld1q_s8(w1);
        a0 += 16, a1 += 16, w0 += 16, w1 += 16;
        s00 = vmladavaq_s8(s00, x0, v0);
        s01 = vmladavaq_s8(s01, x1, v0);
        s10 = vmladavaq_s8(s10, x0, v1);
        s11 = vmladavaq_s8(s11, x1, v1);
    }
    if (n & 15) { /* zeroing loads: inactive lanes read nothing and add 0 */
        const mve_pred16_t pr = vctp8q((uint32_t)(n & 15));
        const int8x16_t x0 = vld1q_z_s8(a0, pr), x1 = vld1q_z_s8(a1, pr);
        const int8x16_t v0 = vld1q_z_s8(w0, pr), v1 = vld1q_z_s8(w1, pr);
        s00 = vmladavaq_s8(s00, x0, v0);
        s01 = vmladavaq_s8(s01, x1, v0);
        s10 = vmladavaq_s8(s10, x0, v1);
        s11 = vmladavaq_s8(s11, x1, v1);
    }
#else
    for (int32_t k = 0; k < n; ++k) {
        s00 += (int32_t)a0[k] * w0[k];
        s01 += (int32_t)a1[k] * w0[k];
        s10 += (int32_t)a0[k] * w1[k];
        s11 += (int32_t)a1[k] * w1[k];
    }
#endif
    s[0] = s00, s[1] = s01, s[2] = s10, s[3] = s11;
}

#if EDGEC_HELIUM
/* gemm_2xn_impl for rows of n <= 16 * nv taps (nv constant, 1 to 3): both rows stay in registers, the last
 * vector zero-predicated, and each channel's weights are loaded once. */
EDGEC_INLINE void gemm_2xn_short(const int8_t *a, const int8_t *b, const int8_t *w, size_t K, int32_t n,
                                 int32_t noc, int32_t more, int32_t *acc0, int32_t *acc1, int32_t nv) {
    const mve_pred16_t pr = vctp8q((uint32_t)(n - 16 * (nv - 1))); /* the last vector's lanes */
    const int8x16_t x0 = nv == 1 ? vld1q_z_s8(a, pr) : vld1q_s8(a), y0 = nv == 1 ? vld1q_z_s8(b, pr) : vld1q_s8(b);
    int8x16_t x1 = x0, y1 = y0, x2 = x0, y2 = y0;
    if (nv >= 2) x1 = nv == 2 ? vld1q_z_s8(a + 16, pr) : vld1q_s8(a + 16);
    if (nv >= 2) y1 = nv == 2 ? vld1q_z_s8(b + 16, pr) : vld1q_s8(b + 16);
    if (nv == 3) x2 = vld1q_z_s8(a + 32, pr), y2 = vld1q_z_s8(b + 32, pr);
    for (int32_t oc = 0; oc < noc; ++oc) {
        const int8_t *w0 = w + (size_t)oc * K;
        const int8x16_t v0 = nv == 1 ? vld1q_z_s8(w0, pr) : vld1q_s8(w0);
        int32_t s0 = vmladavq_s8(x0, v0), s1 = vmladavq_s8(y0, v0);
        if (nv >= 2) {
            const int8x16_t v1 = nv == 2 ? vld1q_z_s8(w0 + 16, pr) : vld1q_s8(w0 + 16);
            s0 = vmladavaq_s8(s0, x1, v1), s1 = vmladavaq_s8(s1, y1, v1);
        }
        if (nv == 3) {
            const int8x16_t v2 = vld1q_z_s8(w0 + 32, pr);
            s0 = vmladavaq_s8(s0, x2, v2), s1 = vmladavaq_s8(s1, y2, v2);
        }
        if (more) s0 += acc0[oc], s1 += acc1[oc];
        acc0[oc] = s0, acc1[oc] = s1;
    }
}
#endif

/* For the rows a (pixel 0) and b (pixel 1) of n taps and each of the noc weight rows w + oc * K:
 * acc0[oc] (+)= sum a * w_oc, acc1[oc] (+)= sum b * w_oc; `more` (a constant) adds to what they hold. */
EDGEC_INLINE void gemm_2xn_impl(const int8_t *a, const int8_t *b, const int8_t *w, size_t K, int32_t n,
                                int32_t noc, int32_t more, int32_t *acc0, int32_t *acc1) {
    int32_t s[4], oc = 0;
#if EDGEC_HELIUM
    if (n <= 48) { /* up to three vectors of taps: both pixel rows loaded once for all channels */
        if (n <= 16)
            gemm_2xn_short(a, b, w, K, n, noc, more, acc0, acc1, 1);
        else if (n <= 32)
            gemm_2xn_short(a, b, w, K, n, noc, more, acc0, acc1, 2);
        else
            gemm_2xn_short(a, b, w, K, n, noc, more, acc0, acc1, 3);
        return;
    }
#endif
    for (; oc + 2 <= noc; oc += 2, acc0 += 2, acc1 += 2) {
        const int8_t *w0 = w + (size_t)oc * K;
        dot_2x2(a, b, w0, w0 + K, n, s);
        if (more) s[0] += acc0[0], s[1] += acc1[0], s[2] += acc0[1], s[3] += acc1[1];
        acc0[0] = s[0], acc1[0] = s[1], acc0[1] = s[2], acc1[1] = s[3];
    }
    if (oc < noc) { /* odd channel count: the last one */
        const int8_t *w0 = w + (size_t)oc * K;
        dot_2x2(a, b, w0, w0, n, s);
        if (more) s[0] += acc0[0], s[1] += acc1[0];
        acc0[0] = s[0], acc1[0] = s[1];
    }
}

/* Out of line: the GEMM gets the registers to itself. */
static EDGEC_HL_NOINLINE void gemm_2xn(const int8_t *a, const int8_t *b, const int8_t *w, size_t K, int32_t n,
                                        int32_t noc, int32_t more, int32_t *acc0, int32_t *acc1) {
    if (more)
        gemm_2xn_impl(a, b, w, K, n, noc, 1, acc0, acc1);
    else
        gemm_2xn_impl(a, b, w, K, n, noc, 0, acc0, acc1);
}

EDGEC_INLINE int32_t sum_s8(const int8_t *w, int32_t n) {
    int32_t s = 0;
#if EDGEC_HELIUM
    for (; n >= 16; n -= 16, w += 16) s = vaddvaq_s8(s, vld1q_s8(w));
    if (n > 0) s = vaddvaq_s8(s, vld1q_z_s8(w, vctp8q((uint32_t)n)));
#else
    for (int32_t k = 0; k < n; ++k) s += w[k];
#endif
    return s;
}

/* dst[0, len) = src[0, len), or the padding value where src is NULL. */
EDGEC_INLINE void copy_or_fill(int8_t *dst, const int8_t *src, int8_t pad, int32_t len) {
#if EDGEC_HELIUM
    const int8x16_t padv = vdupq_n_s8(pad);
    for (int32_t i = 0; i < len; i += 16) { /* predicated: bytes past len are neither read nor written */
        const mve_pred16_t pr = vctp8q((uint32_t)(len - i));
        vst1q_p_s8(dst + i, src ? vld1q_z_s8(src + i, pr) : padv, pr);
    }
#else
    for (int32_t i = 0; i < len; ++i) dst[i] = src ? src[i] : pad;
#endif
}

/* The receptive-field row of output pixel `pix` when it lies inside the input and dil_w is 1: one copy per kernel
 * row (a short function of its own: the common case). Returns 0, doing nothing, otherwise. */
static int32_t gather_inside(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t pix, int8_t *dst) {
    const int32_t C = p->in_c, k_h = p->k_h, k_w = p->k_w, dil_h = p->dil_h, in_w = p->in_w;
    const int32_t y0 = (pix / p->out_w) * p->stride_h - p->pad_top, x0 = (pix % p->out_w) * p->stride_w - p->pad_left;
    if (p->dil_w != 1 || y0 < 0 || y0 + (k_h - 1) * dil_h >= p->in_h || x0 < 0 || x0 + k_w > in_w) return 0;
    const int8_t *src = in_b + ((size_t)y0 * in_w + x0) * C;
    const size_t src_step = (size_t)dil_h * in_w * C;
    const int32_t row = k_w * C;
    for (int32_t ky = k_h; ky > 0; --ky, dst += row, src += src_step) {
#if EDGEC_HELIUM
        for (int32_t i = 0; i < row; i += 16) { /* predicated: bytes past the row are neither read nor written */
            const mve_pred16_t pr = vctp8q((uint32_t)(row - i));
            vst1q_p_s8(dst + i, vld1q_z_s8(src + i, pr), pr);
        }
#else
        for (int32_t i = 0; i < row; ++i) dst[i] = src[i];
#endif
    }
    return 1;
}

/* The receptive-field row of output pixel `pix`, K bytes (padding taps: the zero point). A run of taps along a
 * kernel row that lies inside the input is contiguous there when dil_w is 1: one copy. */
static void gather(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t pix, int8_t *dst) {
    /* local copies: the int8 stores may alias *p as far as the compiler knows */
    const int32_t C = p->in_c, k_h = p->k_h, k_w = p->k_w, dil_h = p->dil_h, dil_w = p->dil_w;
    const int32_t in_h = p->in_h, in_w = p->in_w;
    const int32_t y0 = (pix / p->out_w) * p->stride_h - p->pad_top, x0 = (pix % p->out_w) * p->stride_w - p->pad_left;
    const int8_t pad = (int8_t)(-p->input_offset);
    const int32_t row = k_w * C;
    /* taps [kx0, kx1) of a kernel row are inside the input horizontally */
    int32_t kx0 = 0, kx1 = 0;
    while (kx0 < k_w && x0 + kx0 * dil_w < 0) ++kx0;
    for (kx1 = kx0; kx1 < k_w && x0 + kx1 * dil_w < in_w; ++kx1) {}
    for (int32_t ky = 0; ky < k_h; ++ky, dst += row) {
        const int32_t iy = y0 + ky * dil_h;
        if (iy < 0 || iy >= in_h || kx1 <= kx0) {
            copy_or_fill(dst, 0, pad, row);
            continue;
        }
        const int8_t *src = in_b + ((size_t)iy * in_w + x0) * C;
        copy_or_fill(dst, 0, pad, kx0 * C);
        if (dil_w == 1) {
            copy_or_fill(dst + kx0 * C, src + kx0 * C, pad, (kx1 - kx0) * C);
        } else {
            for (int32_t kx = kx0; kx < kx1; ++kx) copy_or_fill(dst + kx * C, src + (size_t)kx * dil_w * C, pad, C);
        }
        copy_or_fill(dst + kx1 * C, 0, pad, (k_w - kx1) * C);
    }
}

/* Bytes [k0, k0 + n) of the receptive-field row of output pixel `pix` (K > EDGEC_HL_K_CHUNK). */
static void gather_chunk(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t pix, int32_t k0, int32_t n,
                         int8_t *dst) {
    const int32_t C = p->in_c, k_w = p->k_w, dil_h = p->dil_h, dil_w = p->dil_w, in_h = p->in_h, in_w = p->in_w;
    const int32_t y0 = (pix / p->out_w) * p->stride_h - p->pad_top, x0 = (pix % p->out_w) * p->stride_w - p->pad_left;
    const int8_t pad = (int8_t)(-p->input_offset);
    int32_t ky = (k0 / C) / k_w, kx = (k0 / C) % k_w, c = k0 % C;
    while (n > 0) {
        const int32_t iy = y0 + ky * dil_h, ix = x0 + kx * dil_w;
        const int32_t len = C - c < n ? C - c : n;
        const int32_t inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
        copy_or_fill(dst, inside ? in_b + ((size_t)iy * in_w + ix) * C + c : 0, pad, len);
        dst += len, n -= len, c = 0;
        if (++kx == k_w) kx = 0, ++ky;
    }
}

/* The pixel itself when the receptive field is one in-bounds pixel (pointwise), else NULL. */
EDGEC_INLINE const int8_t *in_place(const int8_t *in_b, const edgec_conv2d_s8_params *p, int32_t pix) {
    const int32_t y0 = (pix / p->out_w) * p->stride_h - p->pad_top, x0 = (pix % p->out_w) * p->stride_w - p->pad_left;
    if (y0 < 0 || y0 >= p->in_h || x0 < 0 || x0 >= p->in_w) return 0;
    return in_b + ((size_t)y0 * p->in_w + x0) * p->in_c;
}

/* Both pixels' rows requantised in one pass: each channel's tables are loaded once (out1 may equal out0). */
static EDGEC_HL_NOINLINE void requant_2rows(const int32_t *acc0, const int32_t *acc1, const int32_t *add,
                                            const int32_t *multiplier, const int32_t *shift, int32_t mode,
                                            int32_t fast, int32_t zp, int32_t lo, int32_t hi, int8_t *out0,
                                            int8_t *out1, int32_t n) {
#if EDGEC_HELIUM
    if (fast) {
        int32_t c = 0;
        for (; c + 4 <= n; c += 4) {
            const int32x4_t a = vld1q_s32(add + c), m = vld1q_s32(multiplier + c), sh = vld1q_s32(shift + c);
            vstrbq_s32(out0 + c, edgec_hl_rq4(vaddq_s32(vld1q_s32(acc0 + c), a), m, sh, zp, lo, hi));
            vstrbq_s32(out1 + c, edgec_hl_rq4(vaddq_s32(vld1q_s32(acc1 + c), a), m, sh, zp, lo, hi));
        }
        if (c < n) {
            edgec_hl_requant_row(acc0 + c, add + c, multiplier + c, shift + c, mode, fast, zp, lo, hi, out0 + c, n - c);
            edgec_hl_requant_row(acc1 + c, add + c, multiplier + c, shift + c, mode, fast, zp, lo, hi, out1 + c, n - c);
        }
        return;
    }
#endif
    edgec_hl_requant_row(acc0, add, multiplier, shift, mode, fast, zp, lo, hi, out0, n);
    edgec_hl_requant_row(acc1, add, multiplier, shift, mode, fast, zp, lo, hi, out1, n);
}

void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p) {
    const int32_t K = p->k_h * p->k_w * p->in_c, n_pix = p->out_h * p->out_w, out_c = p->out_c;
    /* Scratch on the stack sized to the call (the loads are tail-predicated: nothing is read past K or out_c). */
    const int32_t k_room = K < EDGEC_HL_K_CHUNK ? K : EDGEC_HL_K_CHUNK;
    const int32_t oc_room = out_c < EDGEC_HL_OC_CHUNK ? out_c : EDGEC_HL_OC_CHUNK;
    int8_t col[2][k_room];
    int32_t cterm[oc_room], acc[2][oc_room];
    /* local copies: the int8 output stores may alias *p as far as the compiler knows */
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max, mode = p->requant;
    const int32_t fast = edgec_hl_rq_fast(multiplier, out_c, mode), pointwise = p->k_h == 1 && p->k_w == 1;
    for (int32_t oc0 = 0; oc0 < out_c; oc0 += EDGEC_HL_OC_CHUNK) {
        const int32_t noc = out_c - oc0 < EDGEC_HL_OC_CHUNK ? out_c - oc0 : EDGEC_HL_OC_CHUNK;
        const int8_t *w_chunk = weights + (size_t)oc0 * K;
        for (int32_t oc = 0; oc < noc; ++oc)
            cterm[oc] = (bias ? bias[oc0 + oc] : 0) + p->input_offset * sum_s8(w_chunk + (size_t)oc * K, K);
        for (int32_t b = 0; b < p->batch; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
            int8_t *out_b = output + (size_t)b * n_pix * out_c + oc0;
            for (int32_t n = 0; n < n_pix; n += 2) {
                const int32_t nb = n + 1 < n_pix ? n + 1 : n; /* odd pixel count: the last one twice */
                const int8_t *ra = pointwise ? in_place(in_b, p, n) : 0, *rb = pointwise ? in_place(in_b, p, nb) : 0;
                const int32_t direct = ra && rb, step = direct ? K : EDGEC_HL_K_CHUNK;
                for (int32_t k0 = 0; k0 < K; k0 += step) {
                    const int32_t nk = K - k0 < step ? K - k0 : step;
                    if (!direct && K <= EDGEC_HL_K_CHUNK) {
                        if (!gather_inside(in_b, p, n, col[0])) gather(in_b, p, n, col[0]);
                        if (!gather_inside(in_b, p, nb, col[1])) gather(in_b, p, nb, col[1]);
                        ra = col[0], rb = col[1];
                    } else if (!direct) {
                        gather_chunk(in_b, p, n, k0, nk, col[0]);
                        gather_chunk(in_b, p, nb, k0, nk, col[1]);
                        ra = col[0], rb = col[1];
                    }
                    gemm_2xn(ra, rb, w_chunk + k0, (size_t)K, nk, noc, k0 > 0, acc[0], acc[1]);
                }
                requant_2rows(acc[0], acc[1], cterm, multiplier + oc0, shift + oc0, mode, fast, zp, lo, hi,
                              out_b + (size_t)n * out_c, out_b + (size_t)nb * out_c, noc);
            }
        }
    }
}
