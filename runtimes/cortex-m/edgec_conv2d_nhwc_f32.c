/* Cortex-M twin of optimized/edgec_conv2d_nhwc_f32.c (same signature, same results up to float summation
 * order), for the single-precision FPU of the M4 / M7 / M33 / M55 (32 s-registers, VFMA, VLDM).
 *
 * A tile is 4 output pixels x 4 output channels: 16 accumulators held in s-registers. Its dot products run over
 * "runs": stretches where the 4 pixels' inputs and the 4 channels' weights are contiguous. With groups 1 and no
 * horizontal dilation a whole kernel row is one run (NHWC input, OHWI weights: k_w * in_c values), so a 3x3 conv
 * on 3 channels runs 9 values at a time, not 3, and a pointwise layer is one run of in_c. With the FPU, a run
 * steps two values at a time: 8 VLDMs (4 pixels, 4 weight rows, 2 values each) and 32 VFMAs make 32 MACs in 42
 * instructions with the loop; everything stays in registers. Three pixels left over after the last whole tile of a
 * row are covered by one more tile overlapping the previous one (recomputing one pixel costs less than three on
 * the per-pixel path). Border pixels (some taps outside the input) clip their tap range and take a 1 pixel x 4
 * channel tile over the same runs. Without an FPU, the same loops in C. */
#include "edgec_conv2d_nhwc_f32_frame.h"

#include "edgec_cm_fpu.h"

#if EDGEC_CM_FPU_ASM
#define FMA16(xa, xb, xc, xd, wa, wb, wc, wd)                                                                     \
    "vfma.f32 s16, " xa ", " wa "\n\t" "vfma.f32 s17, " xa ", " wb "\n\t"                                         \
    "vfma.f32 s18, " xa ", " wc "\n\t" "vfma.f32 s19, " xa ", " wd "\n\t"                                         \
    "vfma.f32 s20, " xb ", " wa "\n\t" "vfma.f32 s21, " xb ", " wb "\n\t"                                         \
    "vfma.f32 s22, " xb ", " wc "\n\t" "vfma.f32 s23, " xb ", " wd "\n\t"                                         \
    "vfma.f32 s24, " xc ", " wa "\n\t" "vfma.f32 s25, " xc ", " wb "\n\t"                                         \
    "vfma.f32 s26, " xc ", " wc "\n\t" "vfma.f32 s27, " xc ", " wd "\n\t"                                         \
    "vfma.f32 s28, " xd ", " wa "\n\t" "vfma.f32 s29, " xd ", " wb "\n\t"                                         \
    "vfma.f32 s30, " xd ", " wc "\n\t" "vfma.f32 s31, " xd ", " wd "\n\t"

/* One step of a 4 x 4 tile (pixels x channels): two values of each weight row w0..w3 and of each pixel x0..x3,
 * 32 VFMAs into s16-s31 (pixel p, channel c in s(16 + 4p + c)). */
#define STEP_4X4_PAIR                                                                                             \
    "vldmia %[w0]!, {s0-s1}\n\t"                                                                                  \
    "vldmia %[w1]!, {s2-s3}\n\t"                                                                                  \
    "vldmia %[w2]!, {s4-s5}\n\t"                                                                                  \
    "vldmia %[w3]!, {s6-s7}\n\t"                                                                                  \
    "vldmia %[x0]!, {s8-s9}\n\t"                                                                                  \
    "vldmia %[x1]!, {s10-s11}\n\t"                                                                                \
    "vldmia %[x2]!, {s12-s13}\n\t"                                                                                \
    "vldmia %[x3]!, {s14-s15}\n\t"                                                                                \
    FMA16("s8", "s10", "s12", "s14", "s0", "s2", "s4", "s6")                                                      \
    FMA16("s9", "s11", "s13", "s15", "s1", "s3", "s5", "s7")
#endif

/* a[4 * p + c] += sum over i < n of x_p[i] * w_c[i] (4 pixels p, 4 channels c). Out of line: the asm needs ten
 * core registers, which gcc may not find inside a caller at every optimisation level. */
#if EDGEC_CM_FPU_ASM
__attribute__((noinline))
#endif
static void mac_4x4(float *a, const float *x0, const float *x1, const float *x2, const float *x3,
                          const float *w0, const float *w1, const float *w2, const float *w3, int32_t n) {
    int32_t pairs = n >> 1;
#if EDGEC_CM_FPU_ASM
    if (pairs > 0) {
        __asm__ volatile("vldmia %[a], {s16-s31}\n\t"
                "1:\n\t"
                STEP_4X4_PAIR
                "subs %[n], %[n], #1\n\t"
                "bne 1b\n\t"
                "vstmia %[a], {s16-s31}"
                : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3),
                  [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3), [n] "+r"(pairs)
                : [a] "r"(a)
                : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14",
                  "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27",
                  "s28", "s29", "s30", "s31", "cc", "memory");
    }
#else
    for (; pairs > 0; --pairs) {
        for (int32_t i = 0; i < 2; ++i) {
            const float v0 = x0[i], v1 = x1[i], v2 = x2[i], v3 = x3[i];
            const float k0 = w0[i], k1 = w1[i], k2 = w2[i], k3 = w3[i];
            a[0] = EDGEC_FMA(a[0], v0, k0); a[1] = EDGEC_FMA(a[1], v0, k1); a[2] = EDGEC_FMA(a[2], v0, k2); a[3] = EDGEC_FMA(a[3], v0, k3);
            a[4] = EDGEC_FMA(a[4], v1, k0); a[5] = EDGEC_FMA(a[5], v1, k1); a[6] = EDGEC_FMA(a[6], v1, k2); a[7] = EDGEC_FMA(a[7], v1, k3);
            a[8] = EDGEC_FMA(a[8], v2, k0); a[9] = EDGEC_FMA(a[9], v2, k1); a[10] = EDGEC_FMA(a[10], v2, k2); a[11] = EDGEC_FMA(a[11], v2, k3);
            a[12] = EDGEC_FMA(a[12], v3, k0); a[13] = EDGEC_FMA(a[13], v3, k1); a[14] = EDGEC_FMA(a[14], v3, k2); a[15] = EDGEC_FMA(a[15], v3, k3);
        }
        x0 += 2; x1 += 2; x2 += 2; x3 += 2; w0 += 2; w1 += 2; w2 += 2; w3 += 2;
    }
#endif
    if (n & 1) {
        const float v0 = *x0, v1 = *x1, v2 = *x2, v3 = *x3, k0 = *w0, k1 = *w1, k2 = *w2, k3 = *w3;
        a[0] = EDGEC_FMA(a[0], v0, k0); a[1] = EDGEC_FMA(a[1], v0, k1); a[2] = EDGEC_FMA(a[2], v0, k2); a[3] = EDGEC_FMA(a[3], v0, k3);
        a[4] = EDGEC_FMA(a[4], v1, k0); a[5] = EDGEC_FMA(a[5], v1, k1); a[6] = EDGEC_FMA(a[6], v1, k2); a[7] = EDGEC_FMA(a[7], v1, k3);
        a[8] = EDGEC_FMA(a[8], v2, k0); a[9] = EDGEC_FMA(a[9], v2, k1); a[10] = EDGEC_FMA(a[10], v2, k2); a[11] = EDGEC_FMA(a[11], v2, k3);
        a[12] = EDGEC_FMA(a[12], v3, k0); a[13] = EDGEC_FMA(a[13], v3, k1); a[14] = EDGEC_FMA(a[14], v3, k2); a[15] = EDGEC_FMA(a[15], v3, k3);
    }
}

#if EDGEC_CM_FPU_ASM
#if EDGEC_CM_FPV5
#define CLAMP16                                                                                                  \
    "vldr s0, [%[t], %[olo]]\n\t"                                                                                \
    "vldr s1, [%[t], %[ohi]]\n\t"                                                                                \
    "vmaxnm.f32 s16, s16, s0\n\t" "vmaxnm.f32 s17, s17, s0\n\t" "vmaxnm.f32 s18, s18, s0\n\t"                   \
    "vmaxnm.f32 s19, s19, s0\n\t" "vmaxnm.f32 s20, s20, s0\n\t" "vmaxnm.f32 s21, s21, s0\n\t"                   \
    "vmaxnm.f32 s22, s22, s0\n\t" "vmaxnm.f32 s23, s23, s0\n\t" "vmaxnm.f32 s24, s24, s0\n\t"                   \
    "vmaxnm.f32 s25, s25, s0\n\t" "vmaxnm.f32 s26, s26, s0\n\t" "vmaxnm.f32 s27, s27, s0\n\t"                   \
    "vmaxnm.f32 s28, s28, s0\n\t" "vmaxnm.f32 s29, s29, s0\n\t" "vmaxnm.f32 s30, s30, s0\n\t"                   \
    "vmaxnm.f32 s31, s31, s0\n\t"                                                                                \
    "vminnm.f32 s16, s16, s1\n\t" "vminnm.f32 s17, s17, s1\n\t" "vminnm.f32 s18, s18, s1\n\t"                   \
    "vminnm.f32 s19, s19, s1\n\t" "vminnm.f32 s20, s20, s1\n\t" "vminnm.f32 s21, s21, s1\n\t"                   \
    "vminnm.f32 s22, s22, s1\n\t" "vminnm.f32 s23, s23, s1\n\t" "vminnm.f32 s24, s24, s1\n\t"                   \
    "vminnm.f32 s25, s25, s1\n\t" "vminnm.f32 s26, s26, s1\n\t" "vminnm.f32 s27, s27, s1\n\t"                   \
    "vminnm.f32 s28, s28, s1\n\t" "vminnm.f32 s29, s29, s1\n\t" "vminnm.f32 s30, s30, s1\n\t"                   \
    "vminnm.f32 s31, s31, s1\n\t"
#else
#define CLAMP16 ""
#endif

#endif

#if EDGEC_CM_FPV5
#define EDGEC_CM_FUSED_TILE 1
/* What a pointwise tile reads besides its eight data pointers. */
typedef struct {
    const float *b;   /* 4 biases */
    float *o;         /* the first pixel's 4 outputs; the others follow at o_stride */
    int32_t o_stride; /* bytes */
    int32_t pairs;    /* the run is 2 * pairs values */
    float lo, hi;
} pw_tile;
#define PW(field) "i"(offsetof(pw_tile, field))

/* A whole 4 x 4 tile over one run of even length (pointwise layers): accumulators set from the four biases, the
 * run, the clamp (VMAXNM / VMINNM) and the stores, all in one asm block: 42 instructions per 32 MACs in the loop,
 * 46 around it. Ten core registers, so that gcc can always allocate them. */
EDGEC_INLINE void tile_4x4_one_run(const pw_tile *t, const float *x0, const float *x1, const float *x2,
                                   const float *x3, const float *w0, const float *w1, const float *w2,
                                   const float *w3) {
    uint32_t n;
    /* s0-s7: two values of the four weight rows; s8-s15: two values of the four pixels */
    __asm__ volatile(
        "ldr %[n], [%[t], %[ob]]\n\t"
        "vldmia %[n], {s16-s19}\n\t"
        "vldmia %[n], {s20-s23}\n\t"
        "vldmia %[n], {s24-s27}\n\t"
        "vldmia %[n], {s28-s31}\n\t"
        "ldr %[n], [%[t], %[opairs]]\n"
        "1:\n\t"
        STEP_4X4_PAIR
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        CLAMP16
        "ldr %[x0], [%[t], %[oo]]\n\t"
        "ldr %[n], [%[t], %[oos]]\n\t"
        "vstmia %[x0], {s16-s19}\n\t"
        "add %[x0], %[x0], %[n]\n\t"
        "vstmia %[x0], {s20-s23}\n\t"
        "add %[x0], %[x0], %[n]\n\t"
        "vstmia %[x0], {s24-s27}\n\t"
        "add %[x0], %[x0], %[n]\n\t"
        "vstmia %[x0], {s28-s31}"
        : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [w0] "+r"(w0), [w1] "+r"(w1),
          [w2] "+r"(w2), [w3] "+r"(w3), [n] "=&r"(n)
        : [t] "r"(t), [ob] PW(b), [opairs] PW(pairs), [oo] PW(o), [oos] PW(o_stride), [olo] PW(lo), [ohi] PW(hi)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30",
          "s31", "cc", "memory");
}
#else
#define EDGEC_CM_FUSED_TILE 0
#endif

#if EDGEC_CM_FPU_ASM
/* A whole 4 x 4 tile whose kernel rows are runs (no horizontal dilation, all taps inside the input), in one asm
 * block: accumulators set from the four biases, each kernel row's run two values a step (plus one odd value),
 * the input pointers stepped to the next kernel row, then the clamp (FPv5: VMAXNM / VMINNM; FPv4: in C after)
 * and the stores. The weights of the tile's rows are contiguous (OHWI), so the weight pointers just run on.
 * 42 instructions per 32 MACs in the loop, about 8 per kernel row and 45 per tile around it. */
typedef struct {
    const float *x0, *x1, *x2, *x3; /* the four pixels' tap (0, 0) */
    const float *w;                 /* the first channel's weights; the others follow at w_stride */
    int32_t w_stride;               /* bytes: K * 4 */
    int32_t pairs, odd;             /* a run: 2 * pairs + odd values */
    int32_t rows;                   /* kernel rows */
    int32_t x_skip;                 /* bytes from the end of one row's run to the next row's start */
    const float *b;                 /* 4 biases */
    float *o;                       /* the first pixel's 4 outputs; the others follow at o_stride */
    int32_t o_stride;               /* bytes */
    float lo, hi;
} conv_tile;

#define OFF(field) "i"(offsetof(conv_tile, field))
static void tile_4x4_rows(const conv_tile *t) {
    const float *x0, *x1, *x2, *x3, *w0, *w1, *w2, *w3;
    int32_t cnt, rows;
    uint32_t tmp;
    __asm__ volatile(
        "ldr %[x0], [%[t], %[ox0]]\n\t"
        "ldr %[x1], [%[t], %[ox1]]\n\t"
        "ldr %[x2], [%[t], %[ox2]]\n\t"
        "ldr %[x3], [%[t], %[ox3]]\n\t"
        "ldr %[w0], [%[t], %[ow]]\n\t"
        "ldr %[tmp], [%[t], %[ows]]\n\t"
        "add %[w1], %[w0], %[tmp]\n\t"
        "add %[w2], %[w1], %[tmp]\n\t"
        "add %[w3], %[w2], %[tmp]\n\t"
        "ldr %[tmp], [%[t], %[ob]]\n\t"
        "vldmia %[tmp], {s16-s19}\n\t"
        "vldmia %[tmp], {s20-s23}\n\t"
        "vldmia %[tmp], {s24-s27}\n\t"
        "vldmia %[tmp], {s28-s31}\n\t"
        "ldr %[rows], [%[t], %[orows]]\n"
        "3:\n\t"
        "ldr %[cnt], [%[t], %[opairs]]\n\t"
        "cmp %[cnt], #0\n\t"
        "beq 4f\n"
        "1:\n\t"
        STEP_4X4_PAIR
        "subs %[cnt], %[cnt], #1\n\t"
        "bne 1b\n"
        "4:\n\t"
        "ldr %[cnt], [%[t], %[oodd]]\n\t"
        "cmp %[cnt], #0\n\t"
        "beq 5f\n\t"
        "vldmia %[w0]!, {s0}\n\t"
        "vldmia %[w1]!, {s2}\n\t"
        "vldmia %[w2]!, {s4}\n\t"
        "vldmia %[w3]!, {s6}\n\t"
        "vldmia %[x0]!, {s8}\n\t"
        "vldmia %[x1]!, {s10}\n\t"
        "vldmia %[x2]!, {s12}\n\t"
        "vldmia %[x3]!, {s14}\n\t"
        FMA16("s8", "s10", "s12", "s14", "s0", "s2", "s4", "s6")
        "5:\n\t"
        "ldr %[tmp], [%[t], %[oskip]]\n\t"
        "add %[x0], %[x0], %[tmp]\n\t"
        "add %[x1], %[x1], %[tmp]\n\t"
        "add %[x2], %[x2], %[tmp]\n\t"
        "add %[x3], %[x3], %[tmp]\n\t"
        "subs %[rows], %[rows], #1\n\t"
        "bne 3b\n\t"
        CLAMP16
        "ldr %[tmp], [%[t], %[oo]]\n\t"
        "ldr %[cnt], [%[t], %[oos]]\n\t"
        "vstmia %[tmp], {s16-s19}\n\t"
        "add %[tmp], %[tmp], %[cnt]\n\t"
        "vstmia %[tmp], {s20-s23}\n\t"
        "add %[tmp], %[tmp], %[cnt]\n\t"
        "vstmia %[tmp], {s24-s27}\n\t"
        "add %[tmp], %[tmp], %[cnt]\n\t"
        "vstmia %[tmp], {s28-s31}"
        : [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [w0] "=&r"(w0), [w1] "=&r"(w1),
          [w2] "=&r"(w2), [w3] "=&r"(w3), [cnt] "=&r"(cnt), [rows] "=&r"(rows), [tmp] "=&r"(tmp)
        : [t] "r"(t), [ox0] OFF(x0), [ox1] OFF(x1), [ox2] OFF(x2), [ox3] OFF(x3), [ow] OFF(w), [ows] OFF(w_stride),
          [opairs] OFF(pairs), [oodd] OFF(odd), [orows] OFF(rows), [oskip] OFF(x_skip), [ob] OFF(b), [oo] OFF(o),
          [oos] OFF(o_stride), [olo] OFF(lo), [ohi] OFF(hi)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30",
          "s31", "cc", "memory");
#if !EDGEC_CM_FPV5
    for (int32_t px = 0; px < 4; ++px) {
        float *o = (float *)((char *)t->o + (ptrdiff_t)px * t->o_stride);
        for (int32_t c = 0; c < 4; ++c) o[c] = edgec_clampf(o[c], t->lo, t->hi);
    }
#endif
}
#endif

/* a[c] += sum over i < n of x[i] * w_c[i] (1 pixel, 4 channels), four values a step. */
#if EDGEC_CM_FPU_ASM
__attribute__((noinline))
#endif
static void mac_1x4(float *a, const float *x, const float *w0, const float *w1, const float *w2,
                          const float *w3, int32_t n) {
    int32_t quads = n >> 2;
#if EDGEC_CM_FPU_ASM
    if (quads > 0) {
        __asm__ volatile("1:\n\t"
                "vldmia %[w0]!, {s0-s3}\n\t"
                "vldmia %[w1]!, {s4-s7}\n\t"
                "vldmia %[w2]!, {s8-s11}\n\t"
                "vldmia %[w3]!, {s12-s15}\n\t"
                "vldmia %[x]!, {s16-s19}\n\t"
                "vfma.f32 %[a0], s16, s0\n\t"   "vfma.f32 %[a1], s16, s4\n\t"
                "vfma.f32 %[a2], s16, s8\n\t"   "vfma.f32 %[a3], s16, s12\n\t"
                "vfma.f32 %[a0], s17, s1\n\t"   "vfma.f32 %[a1], s17, s5\n\t"
                "vfma.f32 %[a2], s17, s9\n\t"   "vfma.f32 %[a3], s17, s13\n\t"
                "vfma.f32 %[a0], s18, s2\n\t"   "vfma.f32 %[a1], s18, s6\n\t"
                "vfma.f32 %[a2], s18, s10\n\t"  "vfma.f32 %[a3], s18, s14\n\t"
                "vfma.f32 %[a0], s19, s3\n\t"   "vfma.f32 %[a1], s19, s7\n\t"
                "vfma.f32 %[a2], s19, s11\n\t"  "vfma.f32 %[a3], s19, s15\n\t"
                "subs %[n], %[n], #1\n\t"
                "bne 1b"
                : [a0] "+t"(a[0]), [a1] "+t"(a[1]), [a2] "+t"(a[2]), [a3] "+t"(a[3]),
                  [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3), [n] "+r"(quads)
                :
                : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14",
                  "s15", "s16", "s17", "s18", "s19", "cc", "memory");
    }
#else
    for (; quads > 0; --quads) {
        for (int32_t i = 0; i < 4; ++i) {
            const float v = x[i];
            a[0] = EDGEC_FMA(a[0], v, w0[i]); a[1] = EDGEC_FMA(a[1], v, w1[i]);
            a[2] = EDGEC_FMA(a[2], v, w2[i]); a[3] = EDGEC_FMA(a[3], v, w3[i]);
        }
        x += 4; w0 += 4; w1 += 4; w2 += 4; w3 += 4;
    }
#endif
    for (int32_t i = 0; i < (n & 3); ++i) {
        const float v = x[i];
        a[0] = EDGEC_FMA(a[0], v, w0[i]); a[1] = EDGEC_FMA(a[1], v, w1[i]);
        a[2] = EDGEC_FMA(a[2], v, w2[i]); a[3] = EDGEC_FMA(a[3], v, w3[i]);
    }
}

/* The fused activation; VMAXNM / VMINNM where the FPU has them (FPv5). */
EDGEC_INLINE float clamp(float x, float lo, float hi) {
#if EDGEC_CM_FPV5
    return __builtin_fminf(__builtin_fmaxf(x, lo), hi);
#else
    return edgec_clampf(x, lo, hi);
#endif
}

/* The taps of output pixel (oy, ox) inside the input: ky in [*ky_lo, *ky_hi), kx in [*kx_lo, *kx_hi). */
static int32_t first_tap(int32_t start, int32_t dil) { return start >= 0 ? 0 : (-start + dil - 1) / dil; }
static int32_t end_tap(int32_t start, int32_t k, int32_t dil, int32_t size) {
    int32_t end = k;
    while (end > 0 && start + (end - 1) * dil >= size) --end;
    return end;
}

/* Four output pixels whose taps all lie inside the input (edgec_conv2d_f32_tile4_fn). */
static void conv_tile4(const float *in0, const float *in1, const float *in2, const float *in3,
                       float *out0, float *out1, float *out2, float *out3,
                       const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                       const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C;
    const size_t row = (size_t)p->in_w * C;
    const float lo = p->act_min, hi = p->act_max;
    /* a kernel row is one run without horizontal dilation, else each tap is */
    const int32_t runs_x = p->dil_w == 1 ? 1 : p->k_w, run = p->dil_w == 1 ? p->k_w * C : C;
    const size_t run_step = (size_t)p->dil_w * C;
    int32_t oc = 0;
#if EDGEC_CM_FUSED_TILE
    if (K == run && run % 2 == 0) { /* one even run (pointwise): the leanest tile */
        static const float zeros[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        pw_tile t;
        t.o_stride = (int32_t)((out1 - out0) * (ptrdiff_t)sizeof(float));
        t.pairs = K / 2;
        t.lo = lo;
        t.hi = hi;
        for (; oc + 4 <= p->out_c; oc += 4) {
            const float *w = weights + (size_t)oc * K;
            t.b = bias ? bias + oc : zeros;
            t.o = out0 + oc;
            tile_4x4_one_run(&t, in0, in1, in2, in3, w, w + K, w + 2 * (size_t)K, w + 3 * (size_t)K);
        }
    }
#endif
#if EDGEC_CM_FPU_ASM
    if (p->dil_w == 1) { /* every kernel row one run: the whole tile in asm */
        static const float zeros[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        conv_tile t;
        t.x0 = in0; t.x1 = in1; t.x2 = in2; t.x3 = in3;
        t.w_stride = K * (int32_t)sizeof(float);
        t.pairs = run / 2;
        t.odd = run % 2;
        t.rows = p->k_h;
        t.x_skip = (int32_t)(((ptrdiff_t)p->dil_h * (ptrdiff_t)row - run) * (ptrdiff_t)sizeof(float));
        t.o_stride = (int32_t)((out1 - out0) * (ptrdiff_t)sizeof(float));
        t.lo = lo;
        t.hi = hi;
        for (; oc + 4 <= p->out_c; oc += 4) {
            t.w = weights + (size_t)oc * K;
            t.b = bias ? bias + oc : zeros;
            t.o = out0 + oc;
            tile_4x4_rows(&t);
        }
    }
#endif
    for (; oc + 4 <= p->out_c; oc += 4) {
        const float *w0 = weights + (size_t)oc * K;
        float a[16];
        for (int32_t c = 0; c < 4; ++c) {
            const float b = bias ? bias[oc + c] : 0.0f;
            a[c] = b; a[4 + c] = b; a[8 + c] = b; a[12 + c] = b;
        }
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t rx = 0; rx < runs_x; ++rx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)rx * run_step;
                const float *w = w0 + ((size_t)ky * runs_x + rx) * run;
                mac_4x4(a, in0 + off, in1 + off, in2 + off, in3 + off, w, w + K, w + 2 * (size_t)K, w + 3 * (size_t)K, run);
            }
        }
        for (int32_t c = 0; c < 4; ++c) {
            out0[oc + c] = clamp(a[c], lo, hi);
            out1[oc + c] = clamp(a[4 + c], lo, hi);
            out2[oc + c] = clamp(a[8 + c], lo, hi);
            out3[oc + c] = clamp(a[12 + c], lo, hi);
        }
    }
    for (; oc < p->out_c; ++oc) { /* channel remainder: one channel, four pixels */
        const float *w = weights + (size_t)oc * K;
        const float b = bias ? bias[oc] : 0.0f;
        float s0 = b, s1 = b, s2 = b, s3 = b;
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t rx = 0; rx < runs_x; ++rx) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)rx * run_step;
                for (int32_t i = 0; i < run; ++i) {
                    const float k = w[i];
                    s0 = EDGEC_FMA(s0, in0[off + i], k); s1 = EDGEC_FMA(s1, in1[off + i], k);
                    s2 = EDGEC_FMA(s2, in2[off + i], k); s3 = EDGEC_FMA(s3, in3[off + i], k);
                }
                w += run;
            }
        }
        out0[oc] = clamp(s0, lo, hi); out1[oc] = clamp(s1, lo, hi);
        out2[oc] = clamp(s2, lo, hi); out3[oc] = clamp(s3, lo, hi);
    }
}

/* One output pixel of a groups-1 convolution, taps outside the input skipped (borders, leftovers). */
static void conv_pixel(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                       const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                       const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox) {
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C;
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t ky_lo = first_tap(iy0, p->dil_h), ky_hi = end_tap(iy0, p->k_h, p->dil_h, p->in_h);
    const int32_t kx_lo = first_tap(ix0, p->dil_w), kx_hi = end_tap(ix0, p->k_w, p->dil_w, p->in_w);
    const float lo = p->act_min, hi = p->act_max;
    float *out = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
    /* the in-bounds taps of a kernel row: one run without horizontal dilation, else one per tap */
    const int32_t runs_x = p->dil_w == 1 ? (kx_hi > kx_lo ? 1 : 0) : (kx_hi > kx_lo ? kx_hi - kx_lo : 0);
    const int32_t run = p->dil_w == 1 ? (kx_hi - kx_lo) * C : C;
    for (int32_t oc = 0; oc < p->out_c; oc += 4) {
        const int32_t nc = p->out_c - oc < 4 ? p->out_c - oc : 4;
        float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int32_t c = 0; c < nc; ++c) a[c] = bias ? bias[oc + c] : 0.0f;
        for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
            const int32_t iy = iy0 + ky * p->dil_h;
            for (int32_t rx = 0; rx < runs_x; ++rx) {
                const int32_t kx = kx_lo + rx;
                const float *x = input + (((size_t)n * p->in_h + iy) * p->in_w + (ix0 + kx * p->dil_w)) * C;
                const float *w = weights + (size_t)oc * K + ((size_t)ky * p->k_w + kx) * C;
                if (nc == 4) {
                    mac_1x4(a, x, w, w + K, w + 2 * (size_t)K, w + 3 * (size_t)K, run);
                } else {
                    for (int32_t c = 0; c < nc; ++c)
                        for (int32_t i = 0; i < run; ++i) a[c] = EDGEC_FMA(a[c], x[i], w[(size_t)c * K + i]);
                }
            }
        }
        for (int32_t c = 0; c < nc; ++c) out[oc + c] = clamp(a[c], lo, hi);
    }
}

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    edgec_conv2d_f32_frame(input, weights, bias, output, p, conv_tile4, conv_pixel, 1);
}
