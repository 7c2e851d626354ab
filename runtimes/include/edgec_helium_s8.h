/* edgec runtime: what the Helium (MVE) int8 kernels of runtimes/cortex-m55/ share. Freestanding C99.
 *
 * EDGEC_HELIUM is 1 where the M-profile Vector Extension's integer half is available (<arm_mve.h>); the kernels
 * then run their inner loops on 128-bit vectors and requantise four channels per instruction. Elsewhere (a host
 * build, a Cortex-M55 configured without MVE) the same loops run on scalar twins of each helper, so the two
 * builds differ only in these primitives. The vector requantisation reproduces rq_apply (edgec_fixedpoint_s8.h)
 * bit for bit:
 *   - VQRDMULH is (2ab + 2^31) >> 32 = floor((ab + 2^30) / 2^31), TFLite's SRDHM, which saturates only for
 *     a = b = INT32_MIN (a multiplier of INT32_MIN is left to the scalar edgec_requant);
 *   - VRSHL by -r rounds half up, TFLite's rounding divide rounds half away from zero: subtracting 1 from a
 *     negative value first (when r > 0; saturating, for INT32_MIN) turns one into the other. */
#ifndef EDGEC_HELIUM_S8_H
#define EDGEC_HELIUM_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define EDGEC_HELIUM 1
#else
#define EDGEC_HELIUM 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EDGEC_HL_NOINLINE __attribute__((noinline))
#else
#define EDGEC_HL_NOINLINE
#endif

/* 1 when every channel can take rq_apply's arithmetic: fixed-point mode and no INT32_MIN multiplier. */
EDGEC_INLINE int32_t edgec_hl_rq_fast(const int32_t *multiplier, int32_t n, int32_t mode) {
    if (mode != EDGEC_REQUANT_FIXED) return 0;
    for (int32_t c = 0; c < n; ++c)
        if (multiplier[c] == INT32_MIN) return 0;
    return 1;
}

#if EDGEC_HELIUM
/* rq_apply on four lanes: x = acc + add, requantised, clamped. */
EDGEC_INLINE int32x4_t edgec_hl_rq4(int32x4_t x, int32x4_t multiplier, int32x4_t shift, int32_t zp, int32_t lo,
                                   int32_t hi) {
    x = vshlq_s32(x, vmaxq_s32(shift, vdupq_n_s32(0)));
    x = vqrdmulhq_s32(x, multiplier);
    const int32x4_t right = vminq_s32(shift, vdupq_n_s32(0)); /* -r: negative exactly when r > 0 */
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31)); /* -1 where x < 0 and r > 0 */
    x = vaddq_n_s32(vrshlq_s32(x, right), zp);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(lo)), vdupq_n_s32(hi));
}
#endif

/* out[c] = requantised acc[c] + add[c] (add may be NULL) for c < n, per-channel multiplier and shift; `fast`
 * from edgec_hl_rq_fast. */
EDGEC_INLINE void edgec_hl_requant_row(const int32_t *acc, const int32_t *add, const int32_t *multiplier,
                                       const int32_t *shift, int32_t mode, int32_t fast, int32_t zp, int32_t lo,
                                       int32_t hi, int8_t *out, int32_t n) {
#if EDGEC_HELIUM
    if (fast) {
        int32_t c = 0;
        for (; c + 4 <= n; c += 4) {
            int32x4_t x = vld1q_s32(acc + c);
            if (add) x = vaddq_s32(x, vld1q_s32(add + c));
            vstrbq_s32(out + c, edgec_hl_rq4(x, vld1q_s32(multiplier + c), vld1q_s32(shift + c), zp, lo, hi));
        }
        if (c < n) { /* zeroing loads and a predicated store: lanes past n are neither read nor written */
            const mve_pred16_t pr = vctp32q((uint32_t)(n - c));
            int32x4_t x = vld1q_z_s32(acc + c, pr);
            if (add) x = vaddq_s32(x, vld1q_z_s32(add + c, pr));
            vstrbq_p_s32(out + c, edgec_hl_rq4(x, vld1q_z_s32(multiplier + c, pr), vld1q_z_s32(shift + c, pr), zp,
                                               lo, hi), pr);
        }
        return;
    }
#endif
    for (int32_t c = 0; c < n; ++c) {
        const int32_t x = acc[c] + (add ? add[c] : 0);
        out[c] = (int8_t)(fast ? rq_apply(x, rq_prepare(multiplier[c], shift[c]), zp, lo, hi)
                               : edgec_requant(x, multiplier[c], shift[c], mode, zp, lo, hi));
    }
}

#endif /* EDGEC_HELIUM_S8_H */
