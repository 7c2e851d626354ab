/* Arm NEON: on-the-fly input quantization for hybrid kernels, the same results as
 * runtimes/reference/edgec_hybrid_quantize.c (LiteRT's arithmetic). The range search goes sixteen at a time
 * (min_max), the rounding is FCVTAS (round half away from zero into int32: roundf then the conversion, in one),
 * the clamp a saturating narrow and a max. The ONNX (DynamicQuantizeLinear) functions are the reference's loops. */
#include <math.h>

#include "edgec_hybrid_quantize_modes.h"
#include "edgec_neon.h"

/* The smallest and largest of x[0 .. n), n >= 1, as the reference's loop finds them (a NaN is never taken, a
 * NaN x[0] stays: that case takes the scalar loop): on AArch64 FMINNM / FMAXNM, which return the number when one
 * operand is a NaN, sixteen at a time; on Armv7-A compare-and-select. Min and max do not depend on the order (but
 * for the sign of a zero, which no caller sees: they take fabsf, or compare with 0). */
static void min_max(const float *EDGEC_RESTRICT x, int32_t n, float *lo_out, float *hi_out) {
    int32_t i = 0;
    float l = x[0], h = x[0];
    if (x[0] == x[0] && n >= 16) {
        float32x4_t lo0 = vdupq_n_f32(x[0]), hi0 = lo0, lo1 = lo0, hi1 = lo0;
        for (; i + 16 <= n; i += 16) {
            const float32x4x4_t v = edgec_neon_ld4q_f32(x + i);
#if defined(__aarch64__)
            lo0 = vminnmq_f32(vminnmq_f32(lo0, v.val[0]), v.val[1]);
            lo1 = vminnmq_f32(vminnmq_f32(lo1, v.val[2]), v.val[3]);
            hi0 = vmaxnmq_f32(vmaxnmq_f32(hi0, v.val[0]), v.val[1]);
            hi1 = vmaxnmq_f32(vmaxnmq_f32(hi1, v.val[2]), v.val[3]);
#else
            for (int32_t j = 0; j < 4; j += 2) {
                lo0 = vbslq_f32(vcltq_f32(v.val[j], lo0), v.val[j], lo0);
                hi0 = vbslq_f32(vcgtq_f32(v.val[j], hi0), v.val[j], hi0);
                lo1 = vbslq_f32(vcltq_f32(v.val[j + 1], lo1), v.val[j + 1], lo1);
                hi1 = vbslq_f32(vcgtq_f32(v.val[j + 1], hi1), v.val[j + 1], hi1);
            }
#endif
        }
        float lanes_lo[8], lanes_hi[8];
        vst1q_f32(lanes_lo, lo0); vst1q_f32(lanes_lo + 4, lo1);
        vst1q_f32(lanes_hi, hi0); vst1q_f32(lanes_hi + 4, hi1);
        for (int32_t k = 0; k < 8; ++k) {
            if (lanes_lo[k] < l) l = lanes_lo[k];
            if (lanes_hi[k] > h) h = lanes_hi[k];
        }
    }
    for (; i < n; ++i) {
        if (x[i] < l) l = x[i];
        if (x[i] > h) h = x[i];
    }
    *lo_out = l;
    *hi_out = h;
}

/* round(zp + x * inv) on four lanes, into int32: zp + x * inv rounded once per operation as the reference writes
 * it (no fused multiply-add: FMUL then FADD; with_zp 0: the symmetric x * inv). */
EDGEC_INLINE int32x4_t round4(const float *x, float32x4_t inv, float32x4_t zp, int with_zp) {
    float32x4_t v = vmulq_f32(vld1q_f32(x), inv);
    if (with_zp) v = vaddq_f32(zp, v);
#if defined(__aarch64__)
    return vcvtaq_s32_f32(v); /* FCVTAS: roundf, then the conversion */
#else
    float f[4];
    int32_t r[4];
    vst1q_f32(f, v);
    for (int32_t k = 0; k < 4; ++k) r[k] = (int32_t)roundf(f[k]);
    return vld1q_s32(r);
#endif
}

/* Sixteen elements: rounded, narrowed with saturation to [-128, 127], the lower bound lo applied. */
EDGEC_INLINE void quantize16(const float *x, float32x4_t inv, float32x4_t zp, int with_zp, int8x16_t lo, int8_t *q) {
    const int16x8_t a = vcombine_s16(vqmovn_s32(round4(x, inv, zp, with_zp)), vqmovn_s32(round4(x + 4, inv, zp, with_zp)));
    const int16x8_t b = vcombine_s16(vqmovn_s32(round4(x + 8, inv, zp, with_zp)),
                                     vqmovn_s32(round4(x + 12, inv, zp, with_zp)));
    vst1q_s8(q, vmaxq_s8(vcombine_s8(vqmovn_s16(a), vqmovn_s16(b)), lo));
}

/* q[i] = clamp(round(zp + x[i] * inv), lo, 127) for i < n. */
static void quantize_rounded(const float *EDGEC_RESTRICT x, int32_t n, float inv, int32_t zp, int32_t lo,
                             int8_t *EDGEC_RESTRICT q) {
    const float32x4_t vinv = vdupq_n_f32(inv), vzp = vdupq_n_f32((float)zp);
    const int8x16_t vlo = vdupq_n_s8((int8_t)lo);
    int32_t i = 0;
    if (zp != 0)
        for (; i + 16 <= n; i += 16) quantize16(x + i, vinv, vzp, 1, vlo, q + i);
    else
        for (; i + 16 <= n; i += 16) quantize16(x + i, vinv, vzp, 0, vlo, q + i);
    for (; i < n; ++i) {
        int32_t r = (int32_t)roundf((float)zp + x[i] * inv);
        r = r < lo ? lo : (r > 127 ? 127 : r);
        q[i] = (int8_t)r;
    }
}

float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q) {
    return edgec_quantize_symmetric_by(x, n, q, min_max, quantize_rounded);
}

float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point) {
    return edgec_quantize_asymmetric_by(x, n, q, zero_point, min_max, quantize_rounded);
}
