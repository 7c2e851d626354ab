/* edgec runtime: the arithmetic shared by the packed int8 convolution and fully connected kernels of
 * runtimes/cortex-m/ (edgec_conv2d_s8_packed, edgec_fully_connected_s8_packed). Freestanding C99.
 *
 * The compiler (compiler/edgec/ops/quantized_s8.py: encode_weights, packed_bias) stores each group of four int8
 * weights w0..w3 of consecutive k as the word W of bytes (w1 + 128, w0, w3 + 128, w2), and each group of four
 * activations x0..x3 (raw int8, the input offset is folded into the bias) becomes the two words
 *     A = SXTB16(X, ROR #8) = halfwords (x1, x3)
 *     Y = X ^ 0xFF80FF80     = halfwords (x0 - 128 - 256 x1, x2 - 128 - 256 x3)
 * (Y's halfword is the byte x0 ^ 0x80 under the byte ~x1: exactly that value, and always within int16). Read
 * as halfwords, W is ((w1 + 128) + 256 w0, (w3 + 128) + 256 w2), and O = SXTB16(W, ROR #8) is (w0, w2). So
 *     SMLAD(A, W) + SMLAD(Y, O) = x0 w0 + x1 w1 + x2 w2 + x3 w3 + 128 (x1 + x3) - 128 (w0 + w2):
 * four MACs for one SXTB16 on the weight side (rather than two) and one on the activation side (rather than
 * two, plus the offset additions), and the activation words are built once per pixel for all output channels.
 * The two stray terms are constant per output channel (folded into the bias at compile time, with the input
 * offset: bias' = bias + input_offset * sum(w) + 128 * sum(w at even k)) and per pixel (corr = 128 * sum of the
 * A halfwords, subtracted from the accumulators' start value). All sums are exact int32 arithmetic, so the
 * accumulator is the reference kernel's, bit for bit. Padding taps hold the input zero point (-input_offset):
 * (x + input_offset) = 0 there, as the reference skips them; weights padded to whole words are 0, and the
 * activations there may hold anything, as corr is taken over the same words. */
#ifndef EDGEC_PACKED_S8_H
#define EDGEC_PACKED_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define EDGEC_PACKED_DSP 1

/* SXTB16: bytes 0 and 2 as halfwords; with its built-in ROR #8 (GCC does not fold the rotation into the
 * instruction), bytes 1 and 3. */
EDGEC_INLINE uint32_t pk_sxtb16(uint32_t v) { return (uint32_t)__sxtb16((int8x4_t)v); }
EDGEC_INLINE uint32_t pk_sxtb16_ror8(uint32_t v) {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
EDGEC_INLINE int32_t pk_smlad(uint32_t a, uint32_t b, int32_t acc) {
    return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}
/* c + ((a * b + 2^31) >> 32): SMMLAR; c + ((a * b) >> 32): SMMLA. */
EDGEC_INLINE int32_t pk_smmlar(int32_t a, int32_t b, int32_t c) {
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
EDGEC_INLINE int32_t pk_smmla(int32_t a, int32_t b, int32_t c) {
    int32_t r;
    __asm__("smmla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
EDGEC_INLINE int32_t pk_ssat8(int32_t v) { return __ssat(v, 8); }
EDGEC_INLINE int32_t pk_ssat16(int32_t v) { return __ssat(v, 16); }
#else
#define EDGEC_PACKED_DSP 0
/* The same instructions in portable C (the host and cores without the DSP extension). */
EDGEC_INLINE int32_t pk_s8(uint32_t v) { return (int32_t)((v & 0xFFu) ^ 0x80u) - 0x80; }
EDGEC_INLINE int32_t pk_s16(uint32_t v) { return (int32_t)((v & 0xFFFFu) ^ 0x8000u) - 0x8000; }
EDGEC_INLINE uint32_t pk_sxtb16(uint32_t v) {
    return ((uint32_t)pk_s8(v) & 0xFFFFu) | ((uint32_t)pk_s8(v >> 16) << 16);
}
EDGEC_INLINE uint32_t pk_sxtb16_ror8(uint32_t v) {
    return ((uint32_t)pk_s8(v >> 8) & 0xFFFFu) | ((uint32_t)pk_s8(v >> 24) << 16);
}
EDGEC_INLINE int32_t pk_smlad(uint32_t a, uint32_t b, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(pk_s16(a) * pk_s16(b)) + (uint32_t)(pk_s16(a >> 16) * pk_s16(b >> 16)));
}
EDGEC_INLINE int32_t pk_smmlar(int32_t a, int32_t b, int32_t c) {
    return (int32_t)(((int64_t)c * INT64_C(4294967296) + (int64_t)a * b + INT64_C(2147483648)) >> 32);
}
EDGEC_INLINE int32_t pk_smmla(int32_t a, int32_t b, int32_t c) {
    return (int32_t)(((int64_t)c * INT64_C(4294967296) + (int64_t)a * b) >> 32);
}
EDGEC_INLINE int32_t pk_ssat8(int32_t v) { return v < -128 ? -128 : (v > 127 ? 127 : v); }
EDGEC_INLINE int32_t pk_ssat16(int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }
#endif

EDGEC_INLINE uint32_t pk_load_u32(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4); /* one (unaligned) LDR on v7E-M; memcpy is not a builtin under -ffreestanding */
    return v;
}

/* The activation words of n4 groups of four int8 values at src: A, Y to dst[0], dst[1], then dst[stride], ...
 * Returns corr plus 128 * (the sum of the A halfwords). */
EDGEC_INLINE int32_t pk_activations(uint32_t *dst, int32_t stride, const int8_t *src, int32_t n4, int32_t corr) {
    for (int32_t g = 0; g < n4; ++g, dst += stride, src += 4) {
        const uint32_t x = pk_load_u32(src), a = pk_sxtb16_ror8(x);
        dst[0] = a;
        dst[1] = x ^ 0xFF80FF80u;
        corr = pk_smlad(a, 0x00800080u, corr);
    }
    return corr;
}

/* n4 groups of the constant byte v (a padding tap): the same words, each group adding 256 * v to corr. */
EDGEC_INLINE int32_t pk_activations_const(uint32_t *dst, int32_t stride, int8_t v, int32_t n4, int32_t corr) {
    const uint32_t x = (uint32_t)(uint8_t)v * 0x01010101u, a = pk_sxtb16_ror8(x), y = x ^ 0xFF80FF80u;
    for (int32_t g = 0; g < n4; ++g, dst += stride) {
        dst[0] = a;
        dst[1] = y;
    }
    return corr + n4 * 256 * (int32_t)v;
}

/* acc + sum over n4 groups of SMLAD(A, W) + SMLAD(Y, O): one packed weight row (words w[0], w[wstride], ...)
 * against one pixel's activation words (act[0], act[1], act[astride], ...). */
EDGEC_INLINE int32_t pk_dot(const uint32_t *act, int32_t astride, const int32_t *w, int32_t wstride, int32_t n4,
                            int32_t acc) {
    for (int32_t g = 0; g < n4; ++g, act += astride, w += wstride) {
        const uint32_t wg = (uint32_t)w[0];
        acc = pk_smlad(act[0], wg, acc);
        acc = pk_smlad(act[1], pk_sxtb16_ror8(wg), acc);
    }
    return acc;
}

/* Requantisation variants (the compiler's SIGN_FIX, CLAMP, TRUNCATE). */
#define PK_SIGN_FIX 1
#define PK_CLAMP 2
#define PK_TRUNCATE 4

/* The packed kernels' requantisation, from per-channel (or per-tensor) constants the compiler computed
 * (compiler/edgec/ops/quantized_s8.py: pack_conv_s8, fc_requant_constants):
 *   t = acc << l;  u = c + ((t * m + 2^31) >> 32)  [SMMLAR];  (u - sign_fix * (t < 0)) >> e, saturated to int8.
 * TFLite's double rounding (MultiplyByQuantizedMultiplier): with l = left shift + 1, (t * m + 2^31) >> 32 is
 * SaturatingRoundingDoublingHighMul(acc << left, m) exactly (floor((a m + 2^30) / 2^31) for either sign) when
 * |t| < 2^31; c = 2^(e-1) + zp * 2^e turns the shift into RoundingDivideByPOT (ties up) plus the output zero
 * point; subtracting 1 when the product is negative makes the ties go away from zero as TFLite's do. The
 * compiler checks what this needs for every channel: |acc << left| < 2^29, e <= 21, and with sign_fix m > 2^30
 * (then the product is negative exactly when t is) and e >= 1. Without sign_fix (the layer clamps below at or
 * above the zero point) a value that would round differently is below the zero point and clamped anyway.
 * LiteRT's single rounding: (acc * m + 2^(ts-1)) >> ts is c + ((acc * m) >> 32) [SMMLA, truncate] shifted right
 * by e = ts - 32 with c = 2^(e-1) + zp * 2^e, or for ts <= 32 the SMMLAR form with l = 32 - ts, e = 0, c = zp. */
EDGEC_INLINE int32_t pk_requant(int32_t acc, int32_t l, int32_t m, int32_t c, int32_t e, int32_t variant) {
    const int32_t t = (int32_t)((uint32_t)acc << l);
    int32_t u = (variant & PK_TRUNCATE) ? pk_smmla(t, m, c) : pk_smmlar(t, m, c);
    if (variant & PK_SIGN_FIX) u -= (int32_t)((uint32_t)t >> 31);
    return pk_ssat8(u >> e);
}

#endif /* EDGEC_PACKED_S8_H */
