/* Cortex-M twin of reference/edgec_conv2d_hybrid.c, bit-identical to it (integer sums, the same float epilogue).
 * LiteRT's hybrid convolutions (groups 1: KWS's DS-CNN) whose window has at most EDGEC_HYBRID_COLUMN_MAX values
 * take four output pixels at a time over widened int16 columns (conv_4px below: 17 instructions per 16 MACs, and
 * on FPv5 every channel's rescale in the same asm block). Larger windows without horizontal dilation take four
 * output channels at a time: a kernel row's in-bounds taps are one contiguous run of the quantized input and of
 * each channel's weights (NHWC, OHWI), and with the DSP extension each word of four inputs is widened once (two
 * SXTB16, the zero point subtracted with SADD16) and feeds eight SMLADs, 16 MACs, against the four channels'
 * weight words (in a hand-written loop when the zero point is 0); windows of several kernel rows up to
 * EDGEC_HYBRID_WINDOW_MAX values are first gathered into one run. ONNX's mode, grouped and other dilated layers
 * take the reference loops. */
#include "edgec_conv2d_hybrid_ref.h"

#define EDGEC_HYBRID_WINDOW_MAX 512 /* bytes of stack for a gathered window (k_h * k_w * in_c) */

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>

EDGEC_INLINE uint32_t load_u32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4); /* one unaligned LDR on v7E-M (memcpy is not a builtin under -ffreestanding) */
    return v;
}
EDGEC_INLINE uint32_t ror8(uint32_t v) { return (v >> 8) | (v << 24); } /* SXTB16's ROR #8 operand */
#endif

/* acc[c] += sum over i < n of (q[i] - zp) * w[c * w_stride + i], for 4 channels c. */
EDGEC_INLINE void dot4(const int8_t *q, int32_t zp, const int8_t *w, size_t w_stride, int32_t n, int32_t *acc) {
    /* with the DSP extension and a zero zero point, a hand-written loop (gcc neither fuses SXTB16's rotation nor
     * keeps the four weight pointers in registers); else the intrinsics' loop, then C for the tail */
    const int8_t *w0 = w, *w1 = w + w_stride, *w2 = w + 2 * w_stride, *w3 = w + 3 * w_stride;
    int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3], i = 0;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__thumb2__) && defined(__OPTIMIZE__)
    if (zp == 0 && n >= 4) { /* LiteRT's symmetric mode: 25 instructions per 16 MACs, all in registers */
        const int8_t *w2r = w2;
        int32_t quads = n >> 2;
        uint32_t v, t, q02, q13;
        __asm__ volatile(
            "1:\n\t"
            "ldr %[v], [%[q]], #4\n\t"
            "sxtb16 %[q02], %[v]\n\t"
            "sxtb16 %[q13], %[v], ror #8\n\t"
            "ldr %[v], [%[w0], %[ws]]\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[s1], %[q02], %[t], %[s1]\n\t"
            "smlad %[s1], %[q13], %[v], %[s1]\n\t"
            "ldr %[v], [%[w0]], #4\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[s0], %[q02], %[t], %[s0]\n\t"
            "smlad %[s0], %[q13], %[v], %[s0]\n\t"
            "ldr %[v], [%[w2], %[ws]]\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[s3], %[q02], %[t], %[s3]\n\t"
            "smlad %[s3], %[q13], %[v], %[s3]\n\t"
            "ldr %[v], [%[w2]], #4\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[s2], %[q02], %[t], %[s2]\n\t"
            "smlad %[s2], %[q13], %[v], %[s2]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [q] "+r"(q), [w0] "+r"(w0),
              [w2] "+r"(w2r), [n] "+r"(quads), [v] "=&r"(v), [t] "=&r"(t), [q02] "=&r"(q02), [q13] "=&r"(q13)
            : [ws] "r"(w_stride)
            : "cc", "memory");
        w1 += n & ~3; w2 += n & ~3; w3 += n & ~3; /* q and w0 were advanced by the loop */
        n &= 3;
    }
    const int16x2_t off2 = (int16x2_t)(((uint32_t)-zp & 0xFFFFu) | ((uint32_t)-zp << 16));
    for (; i + 4 <= n; i += 4) {
        const uint32_t q4 = load_u32(q + i);
        const int16x2_t q02 = __sadd16(__sxtb16((int8x4_t)q4), off2);
        const int16x2_t q13 = __sadd16(__sxtb16((int8x4_t)ror8(q4)), off2);
        uint32_t v;
        v = load_u32(w0 + i); s0 = __smlad(q02, __sxtb16((int8x4_t)v), s0); s0 = __smlad(q13, __sxtb16((int8x4_t)ror8(v)), s0);
        v = load_u32(w1 + i); s1 = __smlad(q02, __sxtb16((int8x4_t)v), s1); s1 = __smlad(q13, __sxtb16((int8x4_t)ror8(v)), s1);
        v = load_u32(w2 + i); s2 = __smlad(q02, __sxtb16((int8x4_t)v), s2); s2 = __smlad(q13, __sxtb16((int8x4_t)ror8(v)), s2);
        v = load_u32(w3 + i); s3 = __smlad(q02, __sxtb16((int8x4_t)v), s3); s3 = __smlad(q13, __sxtb16((int8x4_t)ror8(v)), s3);
    }
#endif
    for (; i < n; ++i) {
        const int32_t x = (int32_t)q[i] - zp;
        s0 += x * (int32_t)w0[i];
        s1 += x * (int32_t)w1[i];
        s2 += x * (int32_t)w2[i];
        s3 += x * (int32_t)w3[i];
    }
    acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3;
}

/* -- Four output pixels x one channel over widened columns -------------------------------------------------------
 * A LiteRT layer (groups 1) whose window fits EDGEC_HYBRID_COLUMN_MAX values: four output pixels' windows are
 * widened once into int16 columns with the zero point already subtracted (padding is 0, which adds 0), laid out so
 * that for every four k the four pixels' (k0, k2) and (k1, k3) halfword pairs follow each other. Each output
 * channel then loads a word of four weights once, widens it (two SXTB16) and feeds eight SMLADs, one per pixel and
 * pair, with the pixels' pairs coming in one LDRD each: 17 instructions per 16 MACs with the loop, everything in
 * registers. The columns cost about one instruction per input value and are shared by all output channels. */
#define EDGEC_HYBRID_COLUMN_MAX 128 /* k_h * k_w * in_c: 4 x 128 halfwords = 1 KiB of stack */
typedef int16_t __attribute__((may_alias)) column_t; /* halfwords of the uint32_t column words */

/* The halfword of column k of pixel px (see above: quad k / 4, then pixel, then (k0, k2) | (k1, k3)). */
EDGEC_INLINE size_t column_index(int32_t px, int32_t k) {
    return ((((size_t)(k >> 2) * 4 + (size_t)px) * 2 + (size_t)(k & 1)) * 2) + (size_t)((k >> 1) & 1);
}

/* Pixel px's window (output position oy, ox) widened into cols, q - zp, 0 outside the input. A 1x1 window inside
 * the input is read in place; others are first gathered as bytes (the zero point outside the input), a kernel
 * row's in-bounds taps at a time, so that the widening always runs over whole words. */
static void widen_window(column_t *cols, int32_t px, const int8_t *q, int32_t zp, int32_t oy, int32_t ox,
                         const edgec_conv2d_hybrid_params *p) {
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    const int32_t K = p->k_h * p->k_w * p->in_c;
    int8_t window[EDGEC_HYBRID_COLUMN_MAX];
    const int8_t *src = window;
    if (p->k_h == 1 && p->k_w == 1 && y0 >= 0 && y0 < p->in_h && x0 >= 0 && x0 < p->in_w) {
        src = q + ((size_t)y0 * p->in_w + x0) * p->in_c;
    } else {
        const int32_t run = p->k_w * p->in_c;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = y0 + ky * p->dil_h;
            int8_t *dst = window + (size_t)ky * run;
            if (iy < 0 || iy >= p->in_h) {
                for (int32_t i = 0; i < run; ++i) dst[i] = (int8_t)zp;
                continue;
            }
            const int8_t *row = q + (size_t)iy * p->in_w * p->in_c;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = x0 + kx * p->dil_w;
                int8_t *d = dst + (size_t)kx * p->in_c;
                if (ix < 0 || ix >= p->in_w) {
                    for (int32_t c = 0; c < p->in_c; ++c) d[c] = (int8_t)zp;
                } else {
                    const int8_t *s = row + (size_t)ix * p->in_c;
                    for (int32_t c = 0; c < p->in_c; ++c) d[c] = s[c];
                }
            }
        }
    }
    int32_t k = 0;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    const int16x2_t zp2 = (int16x2_t)(((uint32_t)zp & 0xFFFFu) | ((uint32_t)zp << 16));
    uint32_t *dst = (uint32_t *)(void *)cols + column_index(px, 0) / 2;
    for (; k + 4 <= K; k += 4, dst += 8) { /* one word in, two words out */
        const uint32_t v = load_u32(src + k);
        dst[0] = (uint32_t)__ssub16(__sxtb16((int8x4_t)v), zp2);
        dst[1] = (uint32_t)__ssub16(__sxtb16((int8x4_t)ror8(v)), zp2);
    }
#endif
    for (; k < K; ++k) cols[column_index(px, k)] = (column_t)((int32_t)src[k] - zp);
}

/* acc[px] = sum over k < 4 * quads of column k of pixel px times w[k], for the four pixels. */
EDGEC_INLINE void dot_4px(const uint32_t *cols, const int8_t *w, int32_t quads, int32_t *acc) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__thumb2__) && defined(__OPTIMIZE__)
    if (quads > 0) {
        uint32_t v, t, a, b;
        __asm__ volatile(
            "1:\n\t"
            "ldr %[v], [%[w]], #4\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "ldrd %[a], %[b], [%[c], #8]\n\t"
            "smlad %[s1], %[a], %[t], %[s1]\n\t"
            "smlad %[s1], %[b], %[v], %[s1]\n\t"
            "ldrd %[a], %[b], [%[c], #16]\n\t"
            "smlad %[s2], %[a], %[t], %[s2]\n\t"
            "smlad %[s2], %[b], %[v], %[s2]\n\t"
            "ldrd %[a], %[b], [%[c], #24]\n\t"
            "smlad %[s3], %[a], %[t], %[s3]\n\t"
            "smlad %[s3], %[b], %[v], %[s3]\n\t"
            "ldrd %[a], %[b], [%[c]], #32\n\t"
            "smlad %[s0], %[a], %[t], %[s0]\n\t"
            "smlad %[s0], %[b], %[v], %[s0]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [c] "+r"(cols), [w] "+r"(w),
              [n] "+r"(quads), [v] "=&r"(v), [t] "=&r"(t), [a] "=&r"(a), [b] "=&r"(b)
            :
            : "cc", "memory");
    }
#else
    const column_t *c16 = (const column_t *)(const void *)cols;
    for (int32_t k = 0; k < 4 * quads; ++k) {
        const int32_t wk = w[k];
        s0 += c16[column_index(0, k)] * wk;
        s1 += c16[column_index(1, k)] * wk;
        s2 += c16[column_index(2, k)] * wk;
        s3 += c16[column_index(3, k)] * wk;
    }
#endif
    acc[0] = s0; acc[1] = s1; acc[2] = s2; acc[3] = s3;
}

#if defined(__arm__) && defined(__ARM_FP) && (__ARM_ARCH >= 8 || (__ARM_FP & 8)) && defined(__GNUC__)
#define EDGEC_HYBRID_FPV5 1 /* VMAXNM / VMINNM */
#else
#define EDGEC_HYBRID_FPV5 0
#endif
#if EDGEC_HYBRID_FPV5 && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__thumb2__) && defined(__OPTIMIZE__)
#define EDGEC_HYBRID_CHANNELS_ASM 1
#else
#define EDGEC_HYBRID_CHANNELS_ASM 0
#endif

/* edgec_clampf, as VMAXNM / VMINNM where the FPU has them (FPv5): they differ only for a NaN or a -0, and y is
 * neither (acc * positive scale + bias is -0 only if both terms are). */
EDGEC_INLINE float clamp_(float y, float lo, float hi) {
#if EDGEC_HYBRID_FPV5
    return __builtin_fminf(__builtin_fmaxf(y, lo), hi);
#else
    return edgec_clampf(y, lo, hi);
#endif
}

#if EDGEC_HYBRID_CHANNELS_ASM
/* What channels_4px reads besides its registers (the asm keeps the loop's state here between channels). */
typedef struct {
    const uint32_t *cols;
    int32_t pairs;     /* pairs of quads per channel */
    const float *bias; /* the next channel's */
    float *o;          /* the next channel's output for the first pixel */
    int32_t o_stride;  /* bytes between the pixels' outputs */
    int32_t left;      /* channels */
    float scale, lo, hi;
} channels_job;
#define JOB(field) "i"(offsetof(channels_job, field))
#define QUAD_4PX                                     \
    "ldr %[v], [%[w]], #4\n\t"                       \
    "sxtb16 %[t], %[v]\n\t"                          \
    "sxtb16 %[v], %[v], ror #8\n\t"                  \
    "ldrd %[a], %[b], [%[c], #8]\n\t"                \
    "smlad %[s1], %[a], %[t], %[s1]\n\t"             \
    "smlad %[s1], %[b], %[v], %[s1]\n\t"             \
    "ldrd %[a], %[b], [%[c], #16]\n\t"               \
    "smlad %[s2], %[a], %[t], %[s2]\n\t"             \
    "smlad %[s2], %[b], %[v], %[s2]\n\t"             \
    "ldrd %[a], %[b], [%[c], #24]\n\t"               \
    "smlad %[s3], %[a], %[t], %[s3]\n\t"             \
    "smlad %[s3], %[b], %[v], %[s3]\n\t"             \
    "ldrd %[a], %[b], [%[c]], #32\n\t"               \
    "smlad %[s0], %[a], %[t], %[s0]\n\t"             \
    "smlad %[s0], %[b], %[v], %[s0]\n\t"

/* LiteRT's symmetric mode, four whole pixels, K a multiple of 8: every channel in one asm block, the dot products
 * (two quads per loop, 33 instructions per 32 MACs) and then the rescale, bias, clamp and the four stores, about 50
 * instructions per channel besides the MACs, where the C loop around dot_4px takes 85. The weights of consecutive
 * channels are consecutive, so w runs on. */
static void channels_4px(channels_job *job, const int8_t *w) {
    int32_t s0, s1, s2, s3, n;
    const uint32_t *c;
    uint32_t v, t, a, b;
    __asm__ volatile(
        "vldr s16, [%[job], %[oscale]]\n\t"
        "vldr s17, [%[job], %[olo]]\n\t"
        "vldr s18, [%[job], %[ohi]]\n\t"
        "2:\n\t"
        "ldr %[c], [%[job], %[ocols]]\n\t"
        "ldr %[n], [%[job], %[opairs]]\n\t"
        "movs %[s0], #0\n\t"
        "movs %[s1], #0\n\t"
        "movs %[s2], #0\n\t"
        "movs %[s3], #0\n\t"
        "1:\n\t"
        QUAD_4PX
        QUAD_4PX
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "vmov s0, s1, %[s0], %[s1]\n\t"
        "vmov s2, s3, %[s2], %[s3]\n\t"
        "vcvt.f32.s32 s0, s0\n\t"
        "vcvt.f32.s32 s1, s1\n\t"
        "vcvt.f32.s32 s2, s2\n\t"
        "vcvt.f32.s32 s3, s3\n\t"
        "ldr %[a], [%[job], %[obias]]\n\t"
        "vldmia %[a]!, {s4}\n\t"
        "str %[a], [%[job], %[obias]]\n\t"
        "vmul.f32 s0, s0, s16\n\t"
        "vmul.f32 s1, s1, s16\n\t"
        "vmul.f32 s2, s2, s16\n\t"
        "vmul.f32 s3, s3, s16\n\t"
        "vadd.f32 s0, s0, s4\n\t"
        "vadd.f32 s1, s1, s4\n\t"
        "vadd.f32 s2, s2, s4\n\t"
        "vadd.f32 s3, s3, s4\n\t"
        "vmaxnm.f32 s0, s0, s17\n\t"
        "vmaxnm.f32 s1, s1, s17\n\t"
        "vmaxnm.f32 s2, s2, s17\n\t"
        "vmaxnm.f32 s3, s3, s17\n\t"
        "vminnm.f32 s0, s0, s18\n\t"
        "vminnm.f32 s1, s1, s18\n\t"
        "vminnm.f32 s2, s2, s18\n\t"
        "vminnm.f32 s3, s3, s18\n\t"
        "ldr %[a], [%[job], %[oo]]\n\t"
        "ldr %[b], [%[job], %[ostride]]\n\t"
        "adds %[v], %[a], #4\n\t"
        "str %[v], [%[job], %[oo]]\n\t"
        "vstr s0, [%[a]]\n\t"
        "add %[a], %[a], %[b]\n\t"
        "vstr s1, [%[a]]\n\t"
        "add %[a], %[a], %[b]\n\t"
        "vstr s2, [%[a]]\n\t"
        "add %[a], %[a], %[b]\n\t"
        "vstr s3, [%[a]]\n\t"
        "ldr %[n], [%[job], %[oleft]]\n\t"
        "subs %[n], %[n], #1\n\t"
        "str %[n], [%[job], %[oleft]]\n\t"
        "bne 2b"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [c] "=&r"(c), [w] "+r"(w),
          [n] "=&r"(n), [v] "=&r"(v), [t] "=&r"(t), [a] "=&r"(a), [b] "=&r"(b)
        : [job] "r"(job), [ocols] JOB(cols), [opairs] JOB(pairs), [obias] JOB(bias), [oo] JOB(o),
          [ostride] JOB(o_stride), [oleft] JOB(left), [oscale] JOB(scale), [olo] JOB(lo), [ohi] JOB(hi)
        : "s0", "s1", "s2", "s3", "s4", "s16", "s17", "s18", "cc", "memory");
}
#endif

/* The whole batch's output through the widened columns, four output pixels (in raster order) at a time. */
static void conv_4px(const int8_t *q, int32_t zp, const int8_t *weights, const float *w_scale, float in_scale,
                     const float *bias, float *out, const edgec_conv2d_hybrid_params *p) {
    const int32_t K = p->k_h * p->k_w * p->in_c, quads = K >> 2, pixels = p->out_h * p->out_w;
    const float tensor_scale = in_scale * w_scale[0];
    const int asymmetric = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC;
    uint32_t cols32[(EDGEC_HYBRID_COLUMN_MAX / 4) * 4 * 2];
    column_t *cols = (column_t *)(void *)cols32;
    for (int32_t pix = 0; pix < pixels; pix += 4) {
        const int32_t count = pixels - pix < 4 ? pixels - pix : 4;
        for (int32_t px = 0; px < 4; ++px) {
            if (px < count) {
                widen_window(cols, px, q, zp, (pix + px) / p->out_w, (pix + px) % p->out_w, p);
            } else { /* a last group of fewer than 4 pixels: the others' columns are 0 and their sums unused */
                for (int32_t k = 0; k < K; ++k) cols[column_index(px, k)] = 0;
            }
        }
        float *o = out + (size_t)pix * p->out_c;
#if EDGEC_HYBRID_CHANNELS_ASM
        if (!asymmetric && count == 4 && (K & 7) == 0 && p->out_c > 0) { /* the asm counts channels down */
            channels_job job = {cols32, K >> 3, bias, o, p->out_c * (int32_t)sizeof(float), p->out_c, tensor_scale,
                                p->act_min, p->act_max};
            channels_4px(&job, weights);
            continue;
        }
#endif
        for (int32_t oc = 0; oc < p->out_c; ++oc) {
            const int8_t *w = weights + (size_t)oc * K;
            int32_t acc[4];
            dot_4px(cols32, w, quads, acc);
            for (int32_t k = quads * 4; k < K; ++k)
                for (int32_t px = 0; px < 4; ++px) acc[px] += cols[column_index(px, k)] * (int32_t)w[k];
            const float b = bias[oc], lo = p->act_min, hi = p->act_max;
            if (asymmetric) {
                const float ws = w_scale[oc];
                for (int32_t px = 0; px < count; ++px)
                    o[(size_t)px * p->out_c + oc] = clamp_(((float)acc[px] * ws) * in_scale + b, lo, hi);
            } else if (count == 4) {
                o[oc] = clamp_((float)acc[0] * tensor_scale + b, lo, hi);
                o[(size_t)p->out_c + oc] = clamp_((float)acc[1] * tensor_scale + b, lo, hi);
                o[(size_t)2 * p->out_c + oc] = clamp_((float)acc[2] * tensor_scale + b, lo, hi);
                o[(size_t)3 * p->out_c + oc] = clamp_((float)acc[3] * tensor_scale + b, lo, hi);
            } else {
                for (int32_t px = 0; px < count; ++px)
                    o[(size_t)px * p->out_c + oc] = clamp_((float)acc[px] * tensor_scale + b, lo, hi);
            }
        }
    }
}

/* LiteRT's layers without horizontal dilation (groups 1), batch n: channels 0 .. out_c & ~3 of every pixel, four
 * at a time (LiteRT's weights have no zero point); edgec_conv2d_hybrid_ref_batch does the rest. */
static void channels_by_4(const int8_t *qbatch, int32_t zp, float in_scale, const int8_t *weights,
                          const float *w_scale, const float *bias, float *output, const edgec_conv2d_hybrid_params *p,
                          int32_t n) {
    const float tensor_scale = in_scale * w_scale[0];
    const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
    /* A small window with several kernel rows (KWS's 10x4 first layer: rows of 4 bytes) is gathered once into one
     * run, padding as the zero point ((zp - zp) * w adds 0), so that every channel block is one long dot product. */
    const int gathered = p->k_h > 1 && K <= EDGEC_HYBRID_WINDOW_MAX;
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        for (int32_t ox = 0; ox < p->out_w; ++ox) {
            const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
            const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->in_w - x0 < p->k_w ? p->in_w - x0 : p->k_w;
            int8_t window[EDGEC_HYBRID_WINDOW_MAX];
            if (gathered) {
                const size_t run = (size_t)p->k_w * p->in_c;
                for (int32_t ky = 0; ky < p->k_h; ++ky) {
                    const int32_t iy = y0 + ky * p->dil_h;
                    int8_t *dst = window + (size_t)ky * run;
                    for (int32_t kx = 0; kx < p->k_w; ++kx) {
                        const int32_t ix = x0 + kx;
                        const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
                        const int8_t *src = qbatch + ((size_t)(inside ? iy : 0) * p->in_w + (inside ? ix : 0)) * p->in_c;
                        for (int32_t c = 0; c < p->in_c; ++c) dst[(size_t)kx * p->in_c + c] = inside ? src[c] : (int8_t)zp;
                    }
                }
            }
            for (int32_t oc = 0; oc + 4 <= p->out_c; oc += 4) {
                int32_t acc[4] = {0, 0, 0, 0};
                if (gathered) {
                    dot4(window, zp, weights + (size_t)oc * K, K, (int32_t)K, acc);
                } else if (kx0 < kx1) {
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        dot4(qbatch + ((size_t)iy * p->in_w + (x0 + kx0)) * p->in_c, zp,
                             weights + (size_t)oc * K + ((size_t)ky * p->k_w + kx0) * p->in_c, K,
                             (kx1 - kx0) * p->in_c, acc);
                    }
                }
                for (int32_t c = 0; c < 4; ++c) {
                    const float y = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC
                                        ? (float)acc[c] * w_scale[oc + c] * in_scale + bias[oc + c]
                                        : (float)acc[c] * tensor_scale + bias[oc + c];
                    output[(((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c + oc + c] =
                        edgec_clampf(y, p->act_min, p->act_max);
                }
            }
        }
    }
}

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    int32_t zp = 0;
    float in_scale = 1.0f;
    const int litert = p->quant != EDGEC_HYBRID_ONNX_U8 && p->groups == 1;
    for (int32_t n = 0; n < p->batch; ++n) {
        const int8_t *qbatch = edgec_conv2d_hybrid_ref_quantize(input, qinput, p, n, &zp, &in_scale);
        if (litert && p->k_h * p->k_w * p->in_c <= EDGEC_HYBRID_COLUMN_MAX) {
            conv_4px(qbatch, zp, weights, w_scale, in_scale, bias,
                     output + (size_t)n * p->out_h * p->out_w * p->out_c, p);
            continue;
        }
        int32_t oc0 = 0; /* the reference loops' first channel (those before it: channels_by_4's) */
        if (litert && p->dil_w == 1) {
            channels_by_4(qbatch, zp, in_scale, weights, w_scale, bias, output, p, n);
            oc0 = p->out_c & ~3;
        }
        if (oc0 < p->out_c)
            edgec_conv2d_hybrid_ref_batch(qbatch, zp, in_scale, n, weights, w_scale, w_zero_point, bias, output, p,
                                          oc0);
    }
}
