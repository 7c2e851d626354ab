/* edgec runtime, host kernel set (runtimes/x86/): TFLite's fixed-point requantisation of eight channels at once
 * on GNU C vectors, the same bits as rq_apply (edgec_fixedpoint_s8.h) lane by lane. The vectors live inside
 * these functions only (arrays in and out): a 256-bit vector by value would change the ABI where AVX is off. */
#ifndef EDGEC_X86_REQUANT_H
#define EDGEC_X86_REQUANT_H

#include "edgec_fixedpoint_s8.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

typedef int32_t edgec_v8i __attribute__((vector_size(32)));
typedef uint32_t edgec_v8u __attribute__((vector_size(32)));
typedef int64_t edgec_v8l __attribute__((vector_size(64)));
typedef int8_t edgec_v8b __attribute__((vector_size(8)));

/* The first n (<= 8) lanes of v to out: one 8-byte store when n is 8. */
#define EDGEC_X86_STORE8_S8(out, v, n)                                              \
    do {                                                                            \
        const edgec_v8b packed_ = __builtin_convertvector((v), edgec_v8b);          \
        if ((n) == 8) {                                                             \
            __builtin_memcpy((out), &packed_, 8);                                   \
        } else {                                                                    \
            int8_t bytes_[8];                                                       \
            __builtin_memcpy(bytes_, &packed_, 8);                                  \
            for (int32_t j_ = 0; j_ < (n); ++j_) (out)[j_] = bytes_[j_];            \
        }                                                                           \
    } while (0)

/* Eight channels' rq_prepare, lanes past n zero. */
typedef struct {
    int32_t multiplier[8], left[8], right[8], mask[8], half[8];
} edgec_rq8;

/* 1 if channels [c, c + n) can take edgec_rq8_apply: fixed-point mode, no INT32_MIN multiplier (the one
 * saturating case, left to edgec_requant). */
static inline int edgec_rq8_usable(const int32_t *multiplier, int32_t mode, int32_t n) {
    if (mode != EDGEC_REQUANT_FIXED) return 0;
    for (int32_t j = 0; j < n; ++j)
        if (multiplier[j] == INT32_MIN) return 0;
    return 1;
}

static inline void edgec_rq8_prepare(edgec_rq8 *r, const int32_t *multiplier, const int32_t *shift, int32_t n) {
    for (int32_t j = 0; j < 8; ++j) {
        const rq_channel c = rq_prepare(j < n ? multiplier[j] : 0, j < n ? shift[j] : 0);
        r->multiplier[j] = c.multiplier;
        r->left[j] = c.left;
        r->right[j] = c.right;
        r->mask[j] = c.mask;
        r->half[j] = c.half;
    }
}

/* out[j] = rq_apply(acc[j] + add[j], channel j) for j < n (add may be NULL). */
static inline void edgec_rq8_apply(const edgec_rq8 *r, const int32_t *acc, const int32_t *add, int32_t zero_point,
                                   int32_t lo, int32_t hi, int8_t *out, int32_t n) {
    edgec_v8i a, b = {0}, mult, left, right, mask, half;
    __builtin_memcpy(&a, acc, sizeof a);
    if (add) __builtin_memcpy(&b, add, sizeof b);
    __builtin_memcpy(&mult, r->multiplier, sizeof mult);
    __builtin_memcpy(&left, r->left, sizeof left);
    __builtin_memcpy(&right, r->right, sizeof right);
    __builtin_memcpy(&mask, r->mask, sizeof mask);
    __builtin_memcpy(&half, r->half, sizeof half);
    const edgec_v8i x = (edgec_v8i)((edgec_v8u)(a + b) << (edgec_v8u)left);
    const edgec_v8l prod = __builtin_convertvector(x, edgec_v8l) * __builtin_convertvector(mult, edgec_v8l)
                           + (INT64_C(1) << 30);
    const edgec_v8i h = __builtin_convertvector(prod >> 31, edgec_v8i);
    /* a comparison is -1 where true: subtracting it adds the rounding 1 */
    edgec_v8i v = (h >> right) - ((h & mask) > (half - (h >> 31))) + zero_point;
    const edgec_v8i below = v < lo, above = v > hi;
    v = (v & ~below) | (lo & below);
    v = (v & ~above) | (hi & above);
    EDGEC_X86_STORE8_S8(out, v, n);
}

/* out[j] = edgec_requant_float(acc[j] + add[j], scale_bits[j], ...) for j < n (add may be NULL; lanes past n
 * read scale_bits 0): onnxruntime's float requantisation, the same steps lane by lane (the clamp between the
 * product and the rounding keeps them two roundings, as in the scalar code). */
typedef float edgec_v8f __attribute__((vector_size(32)));
static inline void edgec_rqf8_apply(const int32_t *scale_bits, const int32_t *acc, const int32_t *add,
                                    int32_t zero_point, int32_t lo, int32_t hi, int8_t *out, int32_t n) {
    edgec_v8i a = {0}, b = {0}, sb = {0};
    if (n == 8) {
        __builtin_memcpy(&a, acc, sizeof a);
        if (add) __builtin_memcpy(&b, add, sizeof b);
        __builtin_memcpy(&sb, scale_bits, sizeof sb);
    } else {
        for (int32_t j = 0; j < n; ++j) {
            a[j] = acc[j];
            b[j] = add ? add[j] : 0;
            sb[j] = scale_bits[j];
        }
    }
    a += b;
    edgec_v8f f = __builtin_convertvector(a, edgec_v8f) * (edgec_v8f)sb;
    const edgec_v8f flo = (edgec_v8f){0} + (float)(lo - zero_point), fhi = (edgec_v8f){0} + (float)(hi - zero_point);
    const edgec_v8i below = f < flo, above = f > fhi;
    f = (edgec_v8f)(((edgec_v8i)f & ~below) | ((edgec_v8i)flo & below));
    f = (edgec_v8f)(((edgec_v8i)f & ~above) | ((edgec_v8i)fhi & above));
    f = (f + 12582912.0f) - 12582912.0f; /* round half to even: 1.5 * 2^23 */
    const edgec_v8i v = __builtin_convertvector(f, edgec_v8i) + zero_point;
    EDGEC_X86_STORE8_S8(out, v, n);
}


/* ---- Sixteen channels at once, the constants prepared once as vectors -----------------------------------------
 * The same bits as edgec_rq8_apply (and rq_apply lane by lane). The 32 x 32 -> 64-bit products are taken on the
 * even and the odd lanes of the vector read as eight 64-bit lanes (each lane's int32 sign-extended in place), so
 * they need no widening of the whole vector: pmuldq where the target has it. */
typedef int32_t edgec_v16i __attribute__((vector_size(64)));
typedef uint32_t edgec_v16u __attribute__((vector_size(64)));
typedef int64_t edgec_v8q __attribute__((vector_size(64)));
typedef uint64_t edgec_v8uq __attribute__((vector_size(64)));
typedef int8_t edgec_v16b __attribute__((vector_size(16)));

typedef struct {
    edgec_v8q mult_even, mult_odd; /* multipliers of the even / odd lanes, sign-extended to 64 bits */
    edgec_v16i left, right, mask, half, zero_point, lo, hi;
} edgec_rq16;

/* Channels [0, n) of multiplier / shift (n <= 16; lanes past n compute garbage that is never stored): rq_prepare
 * lane by lane, as vector operations (a block's preparation weighs on small layers). */
static inline void edgec_rq16_prepare(edgec_rq16 *r, const int32_t *multiplier, const int32_t *shift, int32_t n,
                                      int32_t zero_point, int32_t lo, int32_t hi) {
    edgec_v16i m = {0}, s = {0};
    if (n == 16) {
        __builtin_memcpy(&m, multiplier, sizeof m);
        __builtin_memcpy(&s, shift, sizeof s);
    } else {
        for (int32_t j = 0; j < n; ++j) {
            m[j] = multiplier[j];
            s[j] = shift[j];
        }
    }
    const edgec_v16i positive = s > 0, right = -s & ~positive;
    r->mult_even = (edgec_v8q)((edgec_v8uq)m << 32) >> 32;
    r->mult_odd = (edgec_v8q)m >> 32;
    r->left = s & positive;
    r->right = right;
    /* (1 << right) - 1 in 64 bits, as int32: all ones from 32 on (unsigned lanes: 1 << 31 less 1 must not overflow) */
    r->mask = (edgec_v16i)((((edgec_v16u){0} + 1) << (edgec_v16u)(right & 31)) - 1) | (right > 31);
    r->half = r->mask >> 1;
    r->zero_point = (edgec_v16i){0} + zero_point;
    r->lo = (edgec_v16i){0} + lo;
    r->hi = (edgec_v16i){0} + hi;
}

/* out[j] = rq_apply(acc[j], channel j) for j < n (n <= 16): one store when n is 16 or 8. */
static inline __attribute__((always_inline)) void edgec_rq16_apply(const edgec_rq16 *r, const edgec_v16i *acc,
                                                                   int8_t *out, int32_t n) {
#if defined(__AVX512F__)
    /* The same steps in fewer instructions than compilers make of the portable form: vpmuldq (the low 32 bits of
     * each 64-bit lane, signed, times the multiplier's), the odd lanes' bits 31..62 moved up by doubling and
     * blended with the even lanes', the rounding 1 as a masked subtraction, the clamp as max / min. */
    const __m512i x = _mm512_sllv_epi32((__m512i)*acc, (__m512i)r->left), nudge = _mm512_set1_epi64(INT64_C(1) << 30);
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, (__m512i)r->mult_even), nudge);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), (__m512i)r->mult_odd), nudge);
    const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_add_epi64(odd, odd));
    const __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(h, (__m512i)r->mask),
                                                 _mm512_sub_epi32((__m512i)r->half, _mm512_srai_epi32(h, 31)));
    __m512i q = _mm512_srav_epi32(h, (__m512i)r->right);
    q = _mm512_add_epi32(_mm512_mask_sub_epi32(q, up, q, _mm512_set1_epi32(-1)), (__m512i)r->zero_point);
    const edgec_v16i v = (edgec_v16i)_mm512_min_epi32(_mm512_max_epi32(q, (__m512i)r->lo), (__m512i)r->hi);
#else
    const edgec_v16i a = *acc;
    const edgec_v8q x = (edgec_v8q)((edgec_v16u)a << (edgec_v16u)r->left);
    const edgec_v8q bias = (edgec_v8q){0} + (INT64_C(1) << 30);
    const edgec_v8q even = (((edgec_v8q)((edgec_v8uq)x << 32) >> 32) * r->mult_even + bias) >> 31;
    const edgec_v8q odd = ((x >> 32) * r->mult_odd + bias) >> 31;
    const edgec_v16i h = (edgec_v16i)((even & 0xffffffff) | (odd << 32));
    edgec_v16i v = (h >> r->right) - ((h & r->mask) > (r->half - (h >> 31))) + r->zero_point;
    const edgec_v16i below = v < r->lo, above = v > r->hi;
    v = (v & ~below) | (r->lo & below);
    v = (v & ~above) | (r->hi & above);
#endif
    const edgec_v16b packed = __builtin_convertvector(v, edgec_v16b);
    if (n == 16) {
        __builtin_memcpy(out, &packed, 16);
    } else if (n == 8) {
        __builtin_memcpy(out, &packed, 8);
    } else {
        int8_t bytes[16];
        __builtin_memcpy(bytes, &packed, 16);
        for (int32_t j = 0; j < n; ++j) out[j] = bytes[j];
    }
}

/* ---- onnxruntime's float requantisation sixteen channels at once (edgec_rqf8_apply's steps) ------------------ */
typedef float edgec_v16f __attribute__((vector_size(64)));
typedef struct {
    edgec_v16f scale, lo, hi; /* the scales, and the clamp bounds less the zero point */
    edgec_v16i zero_point;
} edgec_rqf16;

/* Channels [0, 16) of scale_bits (float bits). */
static inline void edgec_rqf16_prepare(edgec_rqf16 *r, const int32_t *scale_bits, int32_t zero_point, int32_t lo,
                                       int32_t hi) {
    __builtin_memcpy(&r->scale, scale_bits, sizeof r->scale);
    r->lo = (edgec_v16f){0} + (float)(lo - zero_point);
    r->hi = (edgec_v16f){0} + (float)(hi - zero_point);
    r->zero_point = (edgec_v16i){0} + zero_point;
}

/* out[j] = edgec_requant_float(acc[j], ...) for j < 16: one 16-byte store. */
static inline __attribute__((always_inline)) void edgec_rqf16_apply(const edgec_rqf16 *r, const edgec_v16i *acc,
                                                                    int8_t *out) {
    edgec_v16f f = __builtin_convertvector(*acc, edgec_v16f) * r->scale;
    const edgec_v16i below = f < r->lo, above = f > r->hi;
    f = (edgec_v16f)(((edgec_v16i)f & ~below) | ((edgec_v16i)r->lo & below));
    f = (edgec_v16f)(((edgec_v16i)f & ~above) | ((edgec_v16i)r->hi & above));
    f = (f + 12582912.0f) - 12582912.0f; /* round half to even: 1.5 * 2^23 */
    const edgec_v16i v = __builtin_convertvector(f, edgec_v16i) + r->zero_point;
    const edgec_v16b packed = __builtin_convertvector(v, edgec_v16b);
    __builtin_memcpy(out, &packed, 16);
}

#endif /* EDGEC_X86_REQUANT_H */
