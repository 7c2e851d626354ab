/* On-the-fly input quantization for hybrid kernels on x86 hosts: the reference's arithmetic (LiteRT's), with the
 * range search sixteen lanes at a time and roundf replaced by its exact integer form (truncate, then step away from
 * zero when the remainder is half or more; the value is clamped to the int8 range first, which commutes with the
 * rounding). No libm call in the loops: glibc's roundf is legacy SSE code, which costs a state transition per call
 * when the caller's AVX registers are live. Same results as runtimes/reference/edgec_hybrid_quantize.c. */
#include "edgec_hybrid_quantize_modes.h"

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef int8_t v16b __attribute__((vector_size(16)));
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
#define LOAD16(ptr) (*(const v16f_unaligned *)(const void *)(ptr))
#define SELECT16(mask, a, b) ((v16f)(((v16i)(a) & (mask)) | ((v16i)(b) & ~(mask))))

/* The smallest and largest of x[0 .. n), n >= 1: four lanes of sixteen at a time (independent chains, so the
 * compare-and-select latency hides; vectors: the scalar selects did not vectorize), then the lanes folded. Min and
 * max do not depend on the order (a NaN is never taken, as in the reference's loop). */
static void min_max(const float *EDGEC_RESTRICT x, int32_t n, float *lo_out, float *hi_out) {
    v16f lo[4], hi[4];
    for (int32_t j = 0; j < 4; ++j) lo[j] = hi[j] = (v16f){0} + x[0];
    int32_t i = 0;
    for (; i + 64 <= n; i += 64)
        for (int32_t j = 0; j < 4; ++j) {
            const v16f v = LOAD16(x + i + 16 * j);
            lo[j] = SELECT16(v < lo[j], v, lo[j]);
            hi[j] = SELECT16(v > hi[j], v, hi[j]);
        }
    for (; i + 16 <= n; i += 16) {
        const v16f v = LOAD16(x + i);
        lo[0] = SELECT16(v < lo[0], v, lo[0]);
        hi[0] = SELECT16(v > hi[0], v, hi[0]);
    }
    float l = x[0], h = x[0];
    for (int32_t j = 0; j < 4; ++j)
        for (int32_t k = 0; k < 16; ++k) {
            if (lo[j][k] < l) l = lo[j][k];
            if (hi[j][k] > h) h = hi[j][k];
        }
    for (; i < n; ++i) {
        if (x[i] < l) l = x[i];
        if (x[i] > h) h = x[i];
    }
    *lo_out = l;
    *hi_out = h;
}

/* roundf(v) for v already clamped to an int8 range: exact (v - trunc(v) is exact below 2^23). */
static inline int32_t round_away(float v) {
    const int32_t t = (int32_t)v;
    const float f = v - (float)t;
    return t + (f >= 0.5f) - (f <= -0.5f);
}

/* q[i] = round_away(clamp(zp + x[i] * inv, lo, 127)) for i < n, sixteen at a time, then one at a time: the
 * expression as the reference writes it (zp 0: the symmetric one's x[i] * inv). */
static void quantize_rounded(const float *EDGEC_RESTRICT x, int32_t n, float inv, int32_t zp_int, int32_t lo_int,
                             int8_t *EDGEC_RESTRICT q) {
    const float zp = (float)zp_int, lo = (float)lo_int, hi = 127.0f;
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v16f v = zp + LOAD16(x + i) * inv;
        const v16i below = v < lo, above = v > hi;
        v = (v16f)(((v16i)v & ~below) | ((v16i)((v16f){0} + lo) & below));
        v = (v16f)(((v16i)v & ~above) | ((v16i)((v16f){0} + hi) & above));
        v16i t = __builtin_convertvector(v, v16i);
        const v16f f = v - __builtin_convertvector(t, v16f);
        t = t - (f >= 0.5f) + (f <= -0.5f); /* a true comparison is -1 */
        const v16b bytes = __builtin_convertvector(t, v16b); /* within the int8 range: exact */
        __builtin_memcpy(q + i, &bytes, 16);
    }
    for (; i < n; ++i) {
        float v = zp + x[i] * inv;
        v = v < lo ? lo : (v > hi ? hi : v);
        q[i] = (int8_t)round_away(v);
    }
}

float edgec_quantize_symmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q) {
    return edgec_quantize_symmetric_by(x, n, q, min_max, quantize_rounded);
}

float edgec_quantize_asymmetric_s8(const float *EDGEC_RESTRICT x, int32_t n, int8_t *EDGEC_RESTRICT q,
                                   int32_t *zero_point) {
    return edgec_quantize_asymmetric_by(x, n, q, zero_point, min_max, quantize_rounded);
}
