/* Arm NEON: hybrid 2-D convolution (float in and out, int8 weights, the input quantized at run time), the
 * integer sums of runtimes/reference/edgec_conv2d_hybrid.c and its float scaling, so the same bits.
 *
 * edgec_conv2d_hybrid_dot4 (TFLite's modes, NHWC, one group, no weight zero point) takes the weights packed at
 * compile time as for the x86 kernel (compiler/edgec/ops/hybrid.py, pack_conv_hybrid_dot4: blocks of 16 output
 * channels, [K4][16][4] bytes, and each channel's weight sum). The quantized input stays signed:
 * sum (x - zp) w = sum x w - zp sum w, the second term the accumulators' start; a tap outside the input reads
 * x = zp, which adds exactly 0 as the reference's skipped tap does. With the dot product (cortex-a55, a76) one SDOT
 * by element multiplies 4 k of 4 channels by 4 bytes of one pixel, a tile is 4 pixels x 16 channels (each 64-byte
 * weight load feeds 16 SDOTs); without it (cortex-a53, Armv7-A) SMULL + SADALP into pairs of half sums, 2 pixels
 * x 16 channels. A pixel's window is read in place when it is the pixel's own channels (pointwise) or whole kernel
 * rows of whole words inside the input; otherwise copied k-major (zp outside the input). The float epilogue is
 * the reference's expressions, operation by operation (FMUL then FADD: the C99 builds do not contract them), the
 * clamp by compare-and-select as edgec_clampf.
 *
 * edgec_conv2d_hybrid (every mode: ONNX's NCHW, groups, weight zero points) runs the reference's loops with the
 * runs of a kernel row as NEON dot products: sum (x - zp)(w - wz) = sum x w - wz sum x - zp sum w + n zp wz,
 * the same int32 sum. */
#include <float.h>

#include "edgec_conv2d_hybrid_batch.h"
#include "edgec_neon.h"

#define OCB 16
#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
#define TILE_PX 4
#else
#define TILE_PX 2
#endif

/* ---- the float epilogue -------------------------------------------------------------------------------------- */

/* A block's float constants for the epilogue, prepared once per block: the reference's expressions, TFLite
 * symmetric acc * tensor_scale + bias, asymmetric acc * w_scale * in_scale + bias, then edgec_clampf (by
 * compare-and-select: NaN and the sign of zero as the scalar code; an infinite bound is no clamp). */
typedef struct {
    int32x4_t init[4]; /* the accumulators' start: -zp * each channel's weight sum */
    float32x4_t scale[4], bias[4], lo, hi;
    float in_scale;
    int asym, has_lo, has_hi;
} block_out;

static void block_constants(const edgec_hybrid_out *o, int32_t c, int32_t nb, block_out *b) {
    const edgec_conv2d_hybrid_params *p = o->p;
    float scale[OCB], bias[OCB];
    b->asym = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC;
    for (int32_t j = 0; j < OCB; ++j) {
        scale[j] = j >= nb ? 0.0f : b->asym ? o->w_scale[c + j] : o->in_scale * o->w_scale[0];
        bias[j] = j < nb ? o->bias[c + j] : 0.0f;
    }
    for (int32_t r = 0; r < 4; ++r) {
        b->scale[r] = vld1q_f32(scale + 4 * r);
        b->bias[r] = vld1q_f32(bias + 4 * r);
    }
    b->in_scale = o->in_scale;
    b->lo = vdupq_n_f32(p->act_min);
    b->hi = vdupq_n_f32(p->act_max);
    b->has_lo = p->act_min >= -FLT_MAX; /* not -inf (nor NaN, which clamps nothing either) */
    b->has_hi = p->act_max <= FLT_MAX;
}

EDGEC_INLINE float32x4_t scale4(int32x4_t acc, float32x4_t scale, float32x4_t bias, float in_scale, float32x4_t lo,
                                float32x4_t hi, int asym, int has_lo, int has_hi) {
    float32x4_t f = vcvtq_f32_s32(acc);
    f = asym ? vmulq_n_f32(vmulq_f32(f, scale), in_scale) : vmulq_f32(f, scale);
    f = vaddq_f32(f, bias);
    if (has_lo) f = vbslq_f32(vcltq_f32(f, lo), lo, f);
    if (has_hi) f = vbslq_f32(vcgtq_f32(f, hi), hi, f);
    return f;
}

/* A tile's n pixels' 16 channel sums scaled, nb channels of each stored, pixel i at out + i * out_step; the
 * block's constants in registers, the mode's branches taken once (the flags are constants in each copy). */
EDGEC_INLINE void store_tile_body(const block_out *b, const int32x4_t acc[TILE_PX][4], int32_t n, int32_t nb,
                                  float *out, size_t out_step, int asym, int has_lo, int has_hi) {
    const float32x4_t s0 = b->scale[0], s1 = b->scale[1], s2 = b->scale[2], s3 = b->scale[3];
    const float32x4_t b0 = b->bias[0], b1 = b->bias[1], b2 = b->bias[2], b3 = b->bias[3], lo = b->lo, hi = b->hi;
    const float in_scale = b->in_scale;
    for (int32_t i = 0; i < n; ++i, out += out_step) {
        const float32x4_t y0 = scale4(acc[i][0], s0, b0, in_scale, lo, hi, asym, has_lo, has_hi);
        const float32x4_t y1 = scale4(acc[i][1], s1, b1, in_scale, lo, hi, asym, has_lo, has_hi);
        const float32x4_t y2 = scale4(acc[i][2], s2, b2, in_scale, lo, hi, asym, has_lo, has_hi);
        const float32x4_t y3 = scale4(acc[i][3], s3, b3, in_scale, lo, hi, asym, has_lo, has_hi);
        if (nb == OCB) {
            vst1q_f32(out, y0); vst1q_f32(out + 4, y1); vst1q_f32(out + 8, y2); vst1q_f32(out + 12, y3);
            continue;
        }
        float y[OCB];
        vst1q_f32(y, y0); vst1q_f32(y + 4, y1); vst1q_f32(y + 8, y2); vst1q_f32(y + 12, y3);
        for (int32_t j = 0; j < nb; ++j) out[j] = y[j];
    }
}

static void store_tile(const block_out *b, const int32x4_t acc[TILE_PX][4], int32_t n, int32_t nb, float *out,
                       size_t out_step) {
    switch (b->asym * 4 + b->has_lo * 2 + b->has_hi) {
    case 0: store_tile_body(b, acc, n, nb, out, out_step, 0, 0, 0); return;
    case 1: store_tile_body(b, acc, n, nb, out, out_step, 0, 0, 1); return;
    case 2: store_tile_body(b, acc, n, nb, out, out_step, 0, 1, 0); return;
    case 3: store_tile_body(b, acc, n, nb, out, out_step, 0, 1, 1); return;
    case 4: store_tile_body(b, acc, n, nb, out, out_step, 1, 0, 0); return;
    case 5: store_tile_body(b, acc, n, nb, out, out_step, 1, 0, 1); return;
    case 6: store_tile_body(b, acc, n, nb, out, out_step, 1, 1, 0); return;
    default: store_tile_body(b, acc, n, nb, out, out_step, 1, 1, 1); return;
    }
}

/* ---- the integer tile ---------------------------------------------------------------------------------------- */

/* Four words of packed weights (4 k of 16 channels) at w. */
EDGEC_INLINE int8x16x4_t weights64(const int8_t *w) {
#if defined(__aarch64__)
    return vld1q_s8_x4(w);
#else
    int8x16x4_t k;
    k.val[0] = vld1q_s8(w); k.val[1] = vld1q_s8(w + 16); k.val[2] = vld1q_s8(w + 32); k.val[3] = vld1q_s8(w + 48);
    return k;
#endif
}

/* The 4 bytes at x repeated in each 32-bit lane (LD1R on AArch64). */
EDGEC_INLINE int8x16_t quad(const int8_t *x) {
#if defined(__aarch64__)
    typedef int32_t word_alias __attribute__((may_alias));
    return vreinterpretq_s8_s32(vld1q_dup_s32((const word_alias *)(const void *)x));
#else
    int32_t word;
    __builtin_memcpy(&word, x, 4);
    return vreinterpretq_s8_s32(vdupq_n_s32(word));
#endif
}

/* GCC's scheduling before register allocation hoists the next weights' loads over the products and spills the
 * accumulators (the vector file is full); without it the loop keeps them in registers. */
#if defined(__GNUC__) && !defined(__clang__)
#define NOSCHED __attribute__((noinline, optimize("no-schedule-insns")))
#else
#define NOSCHED __attribute__((noinline))
#endif

#if TILE_PX == 4
#define DOT_LANE(v0, v1, v2, v3, lane)                                                                   \
    do {                                                                                                 \
        const int8x16x4_t k_ = weights64(w);                                                             \
        w += 64;                                                                                         \
        a00 = vdotq_laneq_s32(a00, k_.val[0], v0, lane); a01 = vdotq_laneq_s32(a01, k_.val[1], v0, lane); \
        a02 = vdotq_laneq_s32(a02, k_.val[2], v0, lane); a03 = vdotq_laneq_s32(a03, k_.val[3], v0, lane); \
        a10 = vdotq_laneq_s32(a10, k_.val[0], v1, lane); a11 = vdotq_laneq_s32(a11, k_.val[1], v1, lane); \
        a12 = vdotq_laneq_s32(a12, k_.val[2], v1, lane); a13 = vdotq_laneq_s32(a13, k_.val[3], v1, lane); \
        a20 = vdotq_laneq_s32(a20, k_.val[0], v2, lane); a21 = vdotq_laneq_s32(a21, k_.val[1], v2, lane); \
        a22 = vdotq_laneq_s32(a22, k_.val[2], v2, lane); a23 = vdotq_laneq_s32(a23, k_.val[3], v2, lane); \
        a30 = vdotq_laneq_s32(a30, k_.val[0], v3, lane); a31 = vdotq_laneq_s32(a31, k_.val[1], v3, lane); \
        a32 = vdotq_laneq_s32(a32, k_.val[2], v3, lane); a33 = vdotq_laneq_s32(a33, k_.val[3], v3, lane); \
    } while (0)

/* acc[i][r] = init[r] + the block's weights . pixel i's window: `rows` runs of `run` bytes (a multiple of 4),
 * `stride` bytes apart, from x[i]. */
NOSCHED static void tile(const int8_t *const x[TILE_PX], size_t stride, int32_t rows, int32_t run, const int8_t *w,
                         const int32x4_t init[4], int32x4_t acc[TILE_PX][4]) {
    int32x4_t a00 = init[0], a01 = init[1], a02 = init[2], a03 = init[3];
    int32x4_t a10 = a00, a11 = a01, a12 = a02, a13 = a03, a20 = a00, a21 = a01, a22 = a02, a23 = a03;
    int32x4_t a30 = a00, a31 = a01, a32 = a02, a33 = a03;
    for (int32_t ky = 0; ky < rows; ++ky) {
        const size_t off = (size_t)ky * stride;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
        int32_t c = 0;
        for (; c + 16 <= run; c += 16) {
            const int8x16_t v0 = vld1q_s8(x0 + c), v1 = vld1q_s8(x1 + c), v2 = vld1q_s8(x2 + c), v3 = vld1q_s8(x3 + c);
            DOT_LANE(v0, v1, v2, v3, 0);
            DOT_LANE(v0, v1, v2, v3, 1);
            DOT_LANE(v0, v1, v2, v3, 2);
            DOT_LANE(v0, v1, v2, v3, 3);
        }
        for (; c < run; c += 4) {
            const int8x16_t v0 = quad(x0 + c), v1 = quad(x1 + c), v2 = quad(x2 + c), v3 = quad(x3 + c);
            DOT_LANE(v0, v1, v2, v3, 0);
        }
    }
    acc[0][0] = a00; acc[0][1] = a01; acc[0][2] = a02; acc[0][3] = a03;
    acc[1][0] = a10; acc[1][1] = a11; acc[1][2] = a12; acc[1][3] = a13;
    acc[2][0] = a20; acc[2][1] = a21; acc[2][2] = a22; acc[2][3] = a23;
    acc[3][0] = a30; acc[3][1] = a31; acc[3][2] = a32; acc[3][3] = a33;
}
#else
/* SMULL + SADALP: h[i][2r] holds channels 4r, 4r + 1 as pairs of half sums (lanes 0, 1 and 2, 3), h[i][2r + 1]
 * channels 4r + 2, 4r + 3; the quad of input bytes repeated in each 32-bit lane. */
#if defined(__aarch64__)
#define MULL_HI(k, v) vmull_high_s8(k, v)
#else
#define MULL_HI(k, v) vmull_s8(vget_high_s8(k), vget_high_s8(v))
#endif
#define HALF(h0, h1, k, v) \
    (h0 = vpadalq_s16(h0, vmull_s8(vget_low_s8(k), vget_low_s8(v))), h1 = vpadalq_s16(h1, MULL_HI(k, v)))

/* {a0 + a1, a2 + a3, b0 + b1, b2 + b3} */
EDGEC_INLINE int32x4_t pairs(int32x4_t a, int32x4_t b) {
#if defined(__aarch64__)
    return vpaddq_s32(a, b);
#else
    return vcombine_s32(vpadd_s32(vget_low_s32(a), vget_high_s32(a)), vpadd_s32(vget_low_s32(b), vget_high_s32(b)));
#endif
}

NOSCHED static void tile(const int8_t *const x[TILE_PX], size_t stride, int32_t rows, int32_t run, const int8_t *w,
                         const int32x4_t init[4], int32x4_t acc[TILE_PX][4]) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t h00 = z, h01 = z, h02 = z, h03 = z, h04 = z, h05 = z, h06 = z, h07 = z;
    int32x4_t h10 = z, h11 = z, h12 = z, h13 = z, h14 = z, h15 = z, h16 = z, h17 = z;
    for (int32_t ky = 0; ky < rows; ++ky) {
        const size_t off = (size_t)ky * stride;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off;
        for (int32_t c = 0; c < run; c += 4) {
            const int8x16_t v0 = quad(x0 + c), v1 = quad(x1 + c);
            const int8x16x4_t k = weights64(w);
            w += 64;
            HALF(h00, h01, k.val[0], v0); HALF(h02, h03, k.val[1], v0);
            HALF(h04, h05, k.val[2], v0); HALF(h06, h07, k.val[3], v0);
            HALF(h10, h11, k.val[0], v1); HALF(h12, h13, k.val[1], v1);
            HALF(h14, h15, k.val[2], v1); HALF(h16, h17, k.val[3], v1);
        }
    }
    acc[0][0] = vaddq_s32(init[0], pairs(h00, h01)); acc[0][1] = vaddq_s32(init[1], pairs(h02, h03));
    acc[0][2] = vaddq_s32(init[2], pairs(h04, h05)); acc[0][3] = vaddq_s32(init[3], pairs(h06, h07));
    acc[1][0] = vaddq_s32(init[0], pairs(h10, h11)); acc[1][1] = vaddq_s32(init[1], pairs(h12, h13));
    acc[1][2] = vaddq_s32(init[2], pairs(h14, h15)); acc[1][3] = vaddq_s32(init[3], pairs(h16, h17));
}

/* Weights within [-127, 127] (TFLite's symmetric ones, checked per call): |w * x| <= 127 * 128, so two quads'
 * products fit one int16 lane before the widening add: SMULL + SMLAL + SADALP, 3 instructions per 16 MACs instead
 * of 4; the two pixels' 16 sums, 2 weight and 4 input registers. */
#if defined(__aarch64__)
#define MLAL_HI(a, k, v) vmlal_high_s8(a, k, v)
#else
#define MLAL_HI(a, k, v) vmlal_s8(a, vget_high_s8(k), vget_high_s8(v))
#endif
#define HALF2(h0, h1, k, v, l, u)                                                                           \
    (h0 = vpadalq_s16(h0, vmlal_s8(vmull_s8(vget_low_s8(k), vget_low_s8(v)), vget_low_s8(l), vget_low_s8(u))), \
     h1 = vpadalq_s16(h1, MLAL_HI(MULL_HI(k, v), l, u)))

#if defined(__aarch64__)
/* AArch64: both pixels over the whole window in one assembly loop (EDGEC_NEON_SYM_LOOP2: each pair of weight
 * quads loaded once for both, 52 instructions a pair of quads and two pixels), the sums started from zero. */
static void tile_sym(const int8_t *const x[TILE_PX], size_t stride, int32_t rows, int32_t run, const int8_t *w,
                     const int32x4_t init[4], int32x4_t acc[TILE_PX][4]) {
    static const int32_t zero[32];
    int32x4_t h00, h01, h02, h03, h04, h05, h06, h07, h10, h11, h12, h13, h14, h15, h16, h17;
    const int8_t *p0 = x[0], *p1 = x[1];
    int32_t r = rows;
    EDGEC_NEON_SYM_LOOP2(p0, p1, w, zero, r, run / 8, run % 8, (int64_t)stride - run, h00, h01, h02, h03, h04, h05,
                         h06, h07, h10, h11, h12, h13, h14, h15, h16, h17);
    acc[0][0] = vaddq_s32(init[0], pairs(h00, h01)); acc[0][1] = vaddq_s32(init[1], pairs(h02, h03));
    acc[0][2] = vaddq_s32(init[2], pairs(h04, h05)); acc[0][3] = vaddq_s32(init[3], pairs(h06, h07));
    acc[1][0] = vaddq_s32(init[0], pairs(h10, h11)); acc[1][1] = vaddq_s32(init[1], pairs(h12, h13));
    acc[1][2] = vaddq_s32(init[2], pairs(h14, h15)); acc[1][3] = vaddq_s32(init[3], pairs(h16, h17));
}
#else
NOSCHED static void tile_sym(const int8_t *const x[TILE_PX], size_t stride, int32_t rows, int32_t run,
                             const int8_t *w, const int32x4_t init[4], int32x4_t acc[TILE_PX][4]) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t h00 = z, h01 = z, h02 = z, h03 = z, h04 = z, h05 = z, h06 = z, h07 = z;
    int32x4_t h10 = z, h11 = z, h12 = z, h13 = z, h14 = z, h15 = z, h16 = z, h17 = z;
    for (int32_t ky = 0; ky < rows; ++ky) {
        const size_t off = (size_t)ky * stride;
        const int8_t *x0 = x[0] + off, *x1 = x[1] + off;
        int32_t c = 0;
        for (; c + 8 <= run; c += 8) {
            const int8x16_t v0 = quad(x0 + c), u0 = quad(x0 + c + 4), v1 = quad(x1 + c), u1 = quad(x1 + c + 4);
            int8x16_t k = vld1q_s8(w), l = vld1q_s8(w + 64);
            HALF2(h00, h01, k, v0, l, u0); HALF2(h10, h11, k, v1, l, u1);
            k = vld1q_s8(w + 16); l = vld1q_s8(w + 80);
            HALF2(h02, h03, k, v0, l, u0); HALF2(h12, h13, k, v1, l, u1);
            k = vld1q_s8(w + 32); l = vld1q_s8(w + 96);
            HALF2(h04, h05, k, v0, l, u0); HALF2(h14, h15, k, v1, l, u1);
            k = vld1q_s8(w + 48); l = vld1q_s8(w + 112);
            HALF2(h06, h07, k, v0, l, u0); HALF2(h16, h17, k, v1, l, u1);
            w += 128;
        }
        for (; c < run; c += 4) {
            const int8x16_t v0 = quad(x0 + c), v1 = quad(x1 + c);
            const int8x16x4_t k = weights64(w);
            w += 64;
            HALF(h00, h01, k.val[0], v0); HALF(h02, h03, k.val[1], v0);
            HALF(h04, h05, k.val[2], v0); HALF(h06, h07, k.val[3], v0);
            HALF(h10, h11, k.val[0], v1); HALF(h12, h13, k.val[1], v1);
            HALF(h14, h15, k.val[2], v1); HALF(h16, h17, k.val[3], v1);
        }
    }
    acc[0][0] = vaddq_s32(init[0], pairs(h00, h01)); acc[0][1] = vaddq_s32(init[1], pairs(h02, h03));
    acc[0][2] = vaddq_s32(init[2], pairs(h04, h05)); acc[0][3] = vaddq_s32(init[3], pairs(h06, h07));
    acc[1][0] = vaddq_s32(init[0], pairs(h10, h11)); acc[1][1] = vaddq_s32(init[1], pairs(h12, h13));
    acc[1][2] = vaddq_s32(init[2], pairs(h14, h15)); acc[1][3] = vaddq_s32(init[3], pairs(h16, h17));
}

#endif

/* 1 if no weight of the n packed bytes is -128. */
static int symmetric_weights(const int8_t *w, size_t n) {
    int8x16_t lo = vdupq_n_s8(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) lo = vminq_s8(lo, vld1q_s8(w + i));
    int8_t m[16];
    vst1q_s8(m, lo);
    int ok = 1;
    for (int32_t j = 0; j < 16; ++j) ok &= m[j] != -128;
    for (; i < n; ++i) ok &= w[i] != -128;
    return ok;
}
#endif


/* ---- windows ------------------------------------------------------------------------------------------------- */

/* Pixel (oy, ox)'s window k-major as the packed weights, K4 * 4 bytes: zp outside the input (and past K, where the
 * weights are 0). */
static void window(const int8_t *q, const edgec_conv2d_hybrid_params *p, int32_t oy, int32_t ox, int8_t zp,
                   int32_t K4, int8_t *dst) {
    const int32_t C = p->in_c, y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    int8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        const int8_t *row = q + (size_t)iy * p->in_w * C;
        for (int32_t kx = 0; kx < p->k_w; ++kx, d += C) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < C; ++c) d[c] = zp;
                continue;
            }
            const int8_t *s = row + (size_t)ix * C;
            int32_t c = 0;
            for (; c + 16 <= C; c += 16) vst1q_s8(d + c, vld1q_s8(s + c));
            for (; c < C; ++c) d[c] = s[c];
        }
    }
    for (int8_t *end = dst + (size_t)K4 * 4; d < end; ++d) *d = zp;
}

/* Output x range [*lo, *hi) whose horizontal taps all fall inside the input. */
static void interior_x(const edgec_conv2d_hybrid_params *p, int32_t *lo, int32_t *hi) {
    const int32_t span = (p->k_w - 1) * p->dil_w;
    int32_t a = (p->pad_left + p->stride_w - 1) / p->stride_w;
    int32_t b = p->in_w - 1 - span + p->pad_left; /* largest ox * stride allowed */
    b = b < 0 ? 0 : b / p->stride_w + 1;
    if (b > p->out_w) b = p->out_w;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

/* The quantized input with zp bytes around it (pad_top rows above, enough below and to the sides for every
 * window), so that every window's kernel rows are runs in place; 0 if it needs more than `cap` bytes. Returns the
 * padded width. */
static int32_t padded_input(const int8_t *q, const edgec_conv2d_hybrid_params *p, int8_t zp, int8_t *img,
                            int32_t cap) {
    const int32_t C = p->in_c;
    int32_t Hp;
    const int32_t Wp = edgec_hybrid_padded_size(p, &Hp);
    if ((int64_t)Hp * Wp * C > cap) return 0;
    const int8x16_t pad = vdupq_n_s8(zp);
    for (int32_t y = 0; y < Hp; ++y) {
        int8_t *d = img + (size_t)y * Wp * C;
        const int32_t iy = y - p->pad_top;
        const int32_t left = iy < 0 || iy >= p->in_h ? Wp : p->pad_left; /* pad pixels before the row's input */
        const int32_t inside = left == Wp ? 0 : p->in_w;
        int32_t i = 0, n = left * C;
        for (; i + 16 <= n; i += 16) vst1q_s8(d + i, pad);
        for (; i < n; ++i) d[i] = zp;
        const int8_t *src = q + (size_t)(iy < 0 ? 0 : iy) * p->in_w * C;
        int32_t j = 0;
        n = inside * C;
        for (; j + 16 <= n; j += 16, i += 16) vst1q_s8(d + i, vld1q_s8(src + j));
        for (; j < n; ++j, ++i) d[i] = src[j];
        n = Wp * C;
        for (; i + 16 <= n; i += 16) vst1q_s8(d + i, pad);
        for (; i < n; ++i) d[i] = zp;
    }
    return Wp;
}

#define MAX_BLOCKS 16 /* blocks whose constants are prepared at once */
#define PADDED_CAP 32768

/* Every pixel of one batch against the packed blocks. */
static void dot4_batch(const int8_t *q, const int8_t *packed, const int32_t *w_sum, const edgec_hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t C = p->in_c, OC = p->out_c, K = p->k_h * p->k_w * C, K4 = (K + 3) / 4;
    const int32_t pixels = p->out_h * p->out_w;
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
                          p->pad_left == 0 && C % 4 == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
    /* kernel rows of whole words: every window in place in a padded copy of the input if it fits, else the
     * interior windows in place in the input (C % 4 == 0), the others copied */
    const int rows_ok = p->dil_w == 1 && p->k_w * C % 4 == 0;
    int8_t img[PADDED_CAP];
    const int32_t Wp = !pointwise && rows_ok ? padded_input(q, p, (int8_t)o->zp, img, PADDED_CAP) : 0;
    const int in_place_ok = rows_ok && C % 4 == 0;
    int32_t x_lo, x_hi;
    interior_x(p, &x_lo, &x_hi);
    const int32x4_t nzp = vdupq_n_s32(-o->zp);
    int8_t win[TILE_PX][EDGEC_CONV2D_HYBRID_DOT4_MAX_K];
    block_out bo[MAX_BLOCKS];
#if TILE_PX == 2
    const int sym = symmetric_weights(packed, (size_t)(OC + OCB - 1) / OCB * OCB * K4 * 4);
#endif
    for (int32_t c0 = 0; c0 < OC; c0 += MAX_BLOCKS * OCB) {
        int32_t blocks = 0;
        for (int32_t c = c0; c < OC && blocks < MAX_BLOCKS; c += OCB, ++blocks) {
            block_constants(o, c, OC - c < OCB ? OC - c : OCB, &bo[blocks]);
            for (int32_t r = 0; r < 4; ++r) bo[blocks].init[r] = vmulq_s32(vld1q_s32(w_sum + c + 4 * r), nzp);
        }
        for (int32_t px = 0; px < pixels; px += TILE_PX) {
            const int32_t n = pixels - px < TILE_PX ? pixels - px : TILE_PX;
            const int8_t *x[TILE_PX];
            size_t stride = (size_t)p->dil_h * (Wp ? Wp : p->in_w) * C;
            int32_t rows = p->k_h, run = p->k_w * C;
            int direct = 1;
            for (int32_t i = 0; i < TILE_PX && direct; ++i) {
                const int32_t pi = px + (i < n ? i : 0), oy = pi / p->out_w, ox = pi % p->out_w;
                if (pointwise) {
                    x[i] = q + (size_t)pi * C;
                } else if (Wp) {
                    x[i] = img + ((size_t)oy * p->stride_h * Wp + (size_t)ox * p->stride_w) * C;
                } else {
                    const int32_t iy0 = oy * p->stride_h - p->pad_top;
                    direct = in_place_ok && iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h && ox >= x_lo &&
                             ox < x_hi;
                    x[i] = q + ((size_t)iy0 * p->in_w + (size_t)(ox * p->stride_w - p->pad_left)) * C;
                }
            }
            if (!direct) {
                for (int32_t i = 0; i < TILE_PX; ++i) {
                    const int32_t pi = px + (i < n ? i : 0);
                    if (i < n) window(q, p, pi / p->out_w, pi % p->out_w, (int8_t)o->zp, K4, win[i]);
                    x[i] = win[i < n ? i : 0];
                }
                stride = 0;
                rows = 1;
                run = K4 * 4;
            }
            if (pointwise) {
                stride = 0;
                rows = 1;
                run = C;
            }
#if TILE_PX == 2
            if (sym && direct && rows > 1 && run < 16) {
                /* short kernel rows (KWS's first layer: 4 bytes): the rows gathered into one run, so that the
                 * quads pair up in tile_sym (copying 4-byte rows costs less than the single quads' tiles) */
                for (int32_t i = 0; i < TILE_PX; ++i) {
                    for (int32_t r = 0; r < rows; ++r)
                        for (int32_t j = 0; j < run; j += 4)
                            __builtin_memcpy(win[i] + r * run + j, x[i] + (size_t)r * stride + j, 4);
                    x[i] = win[i];
                }
                run *= rows;
                rows = 1;
                stride = 0;
            }
#endif
            for (int32_t b = 0; b < blocks; ++b) {
                const int32_t c = c0 + b * OCB, nb = OC - c < OCB ? OC - c : OCB;
                int32x4_t acc[TILE_PX][4];
#if TILE_PX == 2
                if (sym && run >= 8) tile_sym(x, stride, rows, run, packed + (size_t)c * K4 * 4, bo[b].init, acc);
                else
#endif
                    tile(x, stride, rows, run, packed + (size_t)c * K4 * 4, bo[b].init, acc);
                store_tile(&bo[b], (const int32x4_t (*)[4])acc, n, nb, o->output + (size_t)px * OC + c, (size_t)OC);
            }
        }
    }
}

void edgec_conv2d_hybrid_dot4(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                              const int32_t *EDGEC_RESTRICT w_sum, const float *EDGEC_RESTRICT w_scale,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                              int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    edgec_hybrid_out o = {p, w_scale, bias, output, 1.0f, 0};
    for (int32_t n = 0; n < p->batch; ++n) {
        edgec_hybrid_quantize_batch(input, output, qinput, n, &o);
        dot4_batch(qinput, packed, w_sum, &o);
    }
}

/* ---- every mode: the reference's loops ----------------------------------------------------------------------- */

/* sum over n of (q[i] - zp)(w[i] - wz), in wrapping int32 lanes as the reference's sum. */
static int32_t run_dot(const int8_t *q, const int8_t *w, int32_t n, int32_t zp, int32_t wz) {
    uint32_t t = (uint32_t)edgec_neon_dot1_s8(q, w, n) - (uint32_t)zp * (uint32_t)edgec_neon_sum_s8(w, n);
    if (wz != 0)
        t += (uint32_t)wz * ((uint32_t)n * (uint32_t)zp - (uint32_t)edgec_neon_sum_s8(q, n));
    return (int32_t)t;
}

/* acc plus that: the reference's loops' dot (run_dot apart: five arguments, Armv7-A passes four in registers). */
EDGEC_INLINE int32_t run_dot_acc(const int8_t *q, const int8_t *w, int32_t n, int32_t zp, int32_t wz, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)run_dot(q, w, n, zp, wz));
}
#define EDGEC_HYBRID_REF_DOT run_dot_acc
#include "edgec_conv2d_hybrid_ref.h"

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p) {
    edgec_conv2d_hybrid_ref(input, weights, w_scale, w_zero_point, bias, output, qinput, p);
}
