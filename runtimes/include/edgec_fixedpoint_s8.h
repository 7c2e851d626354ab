/* edgec runtime: TFLite's integer requantisation arithmetic, bit for bit. Freestanding C99.
 *
 * real = scale * (q - zero_point). A requantisation multiplies an int32 accumulator by a real factor given as a
 * Q31 multiplier and a power-of-two shift (shift > 0: left). TFLite (and TFLite Micro) round twice: a saturating
 * rounding doubling high multiply, then a rounding divide by a power of two (round half away from zero). */
#ifndef EDGEC_FIXEDPOINT_S8_H
#define EDGEC_FIXEDPOINT_S8_H

#include "edgec_common.h"

/* (a * b * 2) >> 32 rounded to nearest, ties away from zero; saturates the one overflow case. */
EDGEC_INLINE int32_t edgec_srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t v = ab + (ab >= 0 ? (int64_t)(1 << 30) : (int64_t)(1 - (1 << 30)));
    /* v / 2^31 truncated toward zero, without a 64-bit division. */
    return (int32_t)(v >= 0 ? (v >> 31) : -((-v) >> 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero; 0 <= exponent <= 31. */
EDGEC_INLINE int32_t edgec_rdbpot(int32_t x, int32_t exponent) {
    const int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier: x * multiplier * 2^shift with TFLite's double rounding. */
EDGEC_INLINE int32_t edgec_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    return edgec_rdbpot(edgec_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

/* The same product rounded once (TFLITE_SINGLE_ROUNDING; LiteRT's int8 fully connected): shift <= 30. */
EDGEC_INLINE int32_t edgec_mbqm_single(int32_t x, int32_t multiplier, int32_t shift) {
    const int32_t total_shift = 31 - shift;
    const int64_t round = INT64_C(1) << (total_shift - 1);
    return (int32_t)(((int64_t)x * (int64_t)multiplier + round) >> total_shift);
}

EDGEC_INLINE int32_t edgec_clamp_i32(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Requantisation modes of the conv kernels: TFLite's fixed point, or onnxruntime's (MLAS) float scale. */
#define EDGEC_REQUANT_FIXED 0
#define EDGEC_REQUANT_FLOAT 1

/* MLAS: float(acc) * scale, clamped to the output range, rounded half to even. `scale_bits` holds the
 * IEEE-754 bits of the float scale (so that one int32 table serves both modes). */
EDGEC_INLINE int32_t edgec_requant_float(int32_t acc, int32_t scale_bits, int32_t zero_point, int32_t lo, int32_t hi) {
    union { int32_t bits; float value; } pun; /* type punning through a union: defined in C99 */
    pun.bits = scale_bits;
    float f = (float)acc * pun.value;
    const float flo = (float)(lo - zero_point), fhi = (float)(hi - zero_point);
    f = f < flo ? flo : (f > fhi ? fhi : f);
    f = (f + 12582912.0f) - 12582912.0f; /* round half to even: 1.5 * 2^23 */
    return (int32_t)f + zero_point;
}

/* acc -> clamped output value, in either mode. */
EDGEC_INLINE int32_t edgec_requant(int32_t acc, int32_t multiplier, int32_t shift, int32_t mode, int32_t zero_point,
                                   int32_t lo, int32_t hi) {
    if (mode == EDGEC_REQUANT_FLOAT) return edgec_requant_float(acc, multiplier, zero_point, lo, hi);
    return edgec_clamp_i32(edgec_mbqm(acc, multiplier, shift) + zero_point, lo, hi);
}

/* edgec_requant in EDGEC_REQUANT_FIXED mode with the per-channel work hoisted (left/right shift, rounding mask),
 * for a multiplier other than INT32_MIN (the one saturating SRDHM case, left to edgec_requant). The same bits:
 * TFLite's SRDHM nudge (+2^30, or 1 - 2^30 then truncation toward zero) is floor((ab + 2^30) / 2^31) for either
 * sign, and the rounding divide is edgec_rdbpot's remainder test with the threshold (mask >> 1) + (h < 0). */
typedef struct {
    int32_t multiplier, left, right, mask, half;
} rq_channel;

EDGEC_INLINE rq_channel rq_prepare(int32_t multiplier, int32_t shift) {
    rq_channel c;
    c.multiplier = multiplier;
    c.left = shift > 0 ? shift : 0;
    c.right = shift > 0 ? 0 : -shift;
    c.mask = (int32_t)((INT64_C(1) << c.right) - 1);
    c.half = c.mask >> 1;
    return c;
}

EDGEC_INLINE int32_t rq_apply(int32_t acc, rq_channel c, int32_t zero_point, int32_t lo, int32_t hi) {
    const int32_t x = (int32_t)((uint32_t)acc << c.left);
    const int32_t h = (int32_t)(((int64_t)x * c.multiplier + (INT64_C(1) << 30)) >> 31);
    const int32_t v = (h >> c.right) + ((h & c.mask) > c.half - (h >> 31) ? 1 : 0) + zero_point;
    return v < lo ? lo : (v > hi ? hi : v);
}

#endif /* EDGEC_FIXEDPOINT_S8_H */
