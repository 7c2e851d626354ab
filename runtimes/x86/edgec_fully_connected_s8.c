/* int8 fully connected (TFLite reference_integer_ops::FullyConnected) for x86 hosts, bit-exact with
 * runtimes/reference/edgec_fully_connected_s8.c.
 *
 * The input is shifted once to unsigned bytes, X = x + 128, so that the dot products are unsigned x signed bytes,
 * the pattern compilers vectorise to vpdpbusd where the build enables AVX-VNNI (pmaddwd otherwise):
 *   sum (w + fo)(x + io) = sum w X + (io - 128) sum w + fo (sum X + depth (io - 128)),
 * eight units per pass as explicit byte dot products (dot8_u8s8) requantised as one vector (TFLite's double
 * rounding), else four units per pass so that each input vector loaded feeds four weight rows; the sums of w and of
 * X only where their factor is not 0 (TFLite's weights are symmetric: fo = 0; an input zero point of -128: io - 128 = 0). All
 * in wrapping uint32, the same bits as the reference's int32 sum; then the reference's requantisation. Inputs
 * deeper than MAX_DEPTH take signed x signed dot products. */
#include "edgec_fully_connected_s8.h"
#include "edgec_x86_dot4.h"
#include "edgec_x86_requant.h"

#define MAX_DEPTH 8192 /* bytes of shifted input on the stack */

static uint32_t sum_s8(const int8_t *x, int32_t n) {
    int32_t s = 0;
    for (int32_t i = 0; i < n; ++i) s += x[i];
    return (uint32_t)s;
}

static uint32_t sum_u8(const uint8_t *x, int32_t n) {
    uint32_t s = 0;
    for (int32_t i = 0; i < n; ++i) s += x[i];
    return s;
}

/* dots[j] = sum X[d] * w_j[d] for four weight rows w + j * n. */
static void dot4_u8s8(const uint8_t *EDGEC_RESTRICT X, const int8_t *EDGEC_RESTRICT w, int32_t n, uint32_t dots[4]) {
    const int8_t *w0 = w, *w1 = w + n, *w2 = w1 + n, *w3 = w2 + n;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t d = 0; d < n; ++d) {
        const int32_t x = X[d];
        a0 += x * w0[d]; a1 += x * w1[d]; a2 += x * w2[d]; a3 += x * w3[d];
    }
    dots[0] = (uint32_t)a0; dots[1] = (uint32_t)a1; dots[2] = (uint32_t)a2; dots[3] = (uint32_t)a3;
}

static uint32_t dot1_u8s8(const uint8_t *EDGEC_RESTRICT X, const int8_t *EDGEC_RESTRICT w, int32_t n) {
    int32_t a = 0;
    for (int32_t d = 0; d < n; ++d) a += (int32_t)X[d] * w[d];
    return (uint32_t)a;
}

/* sum (w + fo)(x + io) for one unit, signed bytes (the deep inputs' path). */
static uint32_t dot_offsets(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT w, int32_t n, uint32_t io,
                            uint32_t fo) {
    int32_t a = 0;
    for (int32_t d = 0; d < n; ++d) a += (int32_t)x[d] * w[d];
    return (uint32_t)a + io * sum_s8(w, n) + fo * sum_s8(x, n) + (uint32_t)n * fo * io;
}

/* The lanes of eight accumulators summed: out[j] = the sum of a_j's lanes. */
#if defined(__AVX2__)
#define EDGEC_FC_REDUCE8(out, a0, a1, a2, a3, a4, a5, a6, a7)                                                       \
    do {                                                                                                         \
        const __m256i h01_ = _mm256_hadd_epi32((__m256i)(a0), (__m256i)(a1));                                   \
        const __m256i h23_ = _mm256_hadd_epi32((__m256i)(a2), (__m256i)(a3));                                   \
        const __m256i h45_ = _mm256_hadd_epi32((__m256i)(a4), (__m256i)(a5));                                   \
        const __m256i h67_ = _mm256_hadd_epi32((__m256i)(a6), (__m256i)(a7));                                   \
        /* lo_: rows 0-3 over lanes 0-3, then over lanes 4-7; hi_: rows 4-7 alike */                             \
        const __m256i lo_ = _mm256_hadd_epi32(h01_, h23_), hi_ = _mm256_hadd_epi32(h45_, h67_);                  \
        const __m256i s_ = _mm256_add_epi32(_mm256_permute2x128_si256(lo_, hi_, 0x20),                           \
                                            _mm256_permute2x128_si256(lo_, hi_, 0x31));                          \
        __builtin_memcpy((out), &s_, sizeof s_);                                                                 \
    } while (0)
#else
#define EDGEC_FC_REDUCE8(out, a0, a1, a2, a3, a4, a5, a6, a7)                                                       \
    do {                                                                                                         \
        const edgec_x86_v8i *acc_[8] = {&(a0), &(a1), &(a2), &(a3), &(a4), &(a5), &(a6), &(a7)};                \
        for (int32_t j_ = 0; j_ < 8; ++j_) {                                                                     \
            uint32_t t_ = 0;                                                                                     \
            for (int32_t l_ = 0; l_ < 8; ++l_) t_ += (uint32_t)(*acc_[j_])[l_];                                  \
            (out)[j_] = (int32_t)t_;                                                                             \
        }                                                                                                        \
    } while (0)
#endif

/* dots[j] = sum X[d] * w_j[d] for eight weight rows w + j * n, 32 bytes of X against each row per step as byte
 * dot products (EDGEC_X86_DOT4_ACC: vpdpbusd with AVX-VNNI); the last n % 32 bytes by masked loads with AVX-512,
 * else copied to zero-padded blocks first (past the weights a row's end is not the next one's start). With sums (not
 * NULL): sums[j] = the sum of w_j's bytes, as dot products with ones on the weights already loaded (the correction
 * an input offset other than 128 needs, without another pass over the weights). */
static inline __attribute__((always_inline)) void dot8_u8s8(const uint8_t *EDGEC_RESTRICT X,
                                                            const int8_t *EDGEC_RESTRICT w, int32_t n,
                                                            int32_t dots[8], int32_t *sums) {
    typedef edgec_x86_v8i v8i;
    typedef int32_t v8iu __attribute__((vector_size(32), aligned(1))); /* rows start at any byte */
    const v8i ones = (v8i){0} + 0x01010101;
    v8i a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
    v8i s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0}, s5 = {0}, s6 = {0}, s7 = {0};
    const size_t row = (size_t)n;
/* one step: x against the eight rows' 32 bytes LOAD(0) .. LOAD(7) */
#define EDGEC_FC_STEP(x, LOAD)                                                                                   \
    do {                                                                                                         \
        const v8i k0_ = LOAD(0), k1_ = LOAD(1), k2_ = LOAD(2), k3_ = LOAD(3);                                    \
        const v8i k4_ = LOAD(4), k5_ = LOAD(5), k6_ = LOAD(6), k7_ = LOAD(7);                                    \
        EDGEC_X86_DOT4_ACC(a0, x, k0_); EDGEC_X86_DOT4_ACC(a1, x, k1_);                                           \
        EDGEC_X86_DOT4_ACC(a2, x, k2_); EDGEC_X86_DOT4_ACC(a3, x, k3_);                                           \
        EDGEC_X86_DOT4_ACC(a4, x, k4_); EDGEC_X86_DOT4_ACC(a5, x, k5_);                                           \
        EDGEC_X86_DOT4_ACC(a6, x, k6_); EDGEC_X86_DOT4_ACC(a7, x, k7_);                                           \
        if (sums) {                                                                                              \
            EDGEC_X86_DOT4_ACC(s0, ones, k0_); EDGEC_X86_DOT4_ACC(s1, ones, k1_);                                 \
            EDGEC_X86_DOT4_ACC(s2, ones, k2_); EDGEC_X86_DOT4_ACC(s3, ones, k3_);                                 \
            EDGEC_X86_DOT4_ACC(s4, ones, k4_); EDGEC_X86_DOT4_ACC(s5, ones, k5_);                                 \
            EDGEC_X86_DOT4_ACC(s6, ones, k6_); EDGEC_X86_DOT4_ACC(s7, ones, k7_);                                 \
        }                                                                                                        \
    } while (0)
#define EDGEC_FC_LOAD(r) (*(const v8iu *)(const void *)(wd + (size_t)(r) * stride))
    int32_t d = 0;
    for (; d + 32 <= n; d += 32) {
        const v8i x = *(const v8iu *)(const void *)(X + d);
        const int8_t *wd = w + d;
        const size_t stride = row;
        EDGEC_FC_STEP(x, EDGEC_FC_LOAD);
    }
    if (d < n) {
#if defined(__AVX512BW__) && defined(__AVX512VL__)
        /* masked loads: the bytes past the row are neither read nor faulted on */
        const __mmask32 m = (__mmask32)((UINT64_C(1) << (n - d)) - 1);
        const int8_t *wd = w + d;
#define EDGEC_FC_LOAD_MASKED(r) ((v8i)_mm256_maskz_loadu_epi8(m, wd + (size_t)(r) * row))
        const v8i x = (v8i)_mm256_maskz_loadu_epi8(m, X + d);
        EDGEC_FC_STEP(x, EDGEC_FC_LOAD_MASKED);
#undef EDGEC_FC_LOAD_MASKED
#else
        int8_t wt[8][32] = {{0}};
        v8i x = {0};
        __builtin_memcpy(&x, X + d, (size_t)(n - d));
        for (int32_t j = 0; j < 8; ++j) __builtin_memcpy(wt[j], w + (size_t)j * row + d, (size_t)(n - d));
        const int8_t *wd = &wt[0][0];
        const size_t stride = 32;
        EDGEC_FC_STEP(x, EDGEC_FC_LOAD);
#endif
    }
#undef EDGEC_FC_LOAD
#undef EDGEC_FC_STEP
    EDGEC_FC_REDUCE8(dots, a0, a1, a2, a3, a4, a5, a6, a7);
    if (sums) EDGEC_FC_REDUCE8(sums, s0, s1, s2, s3, s4, s5, s6, s7);
}

static int8_t requantize(uint32_t sum, const int32_t *bias, int32_t u, const edgec_fully_connected_s8_params *p) {
    int32_t acc = (int32_t)sum;
    if (bias) acc += bias[u];
    acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                              : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
    return (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
}

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    const int32_t depth = p->depth;
    const uint32_t io = (uint32_t)p->input_offset, fo = (uint32_t)p->filter_offset, io128 = io - 128u;
    if (depth > MAX_DEPTH) {
        for (int32_t b = 0; b < p->batches; ++b)
            for (int32_t u = 0; u < p->units; ++u)
                output[(size_t)b * p->units + u] = requantize(
                    dot_offsets(input + (size_t)b * depth, weights + (size_t)u * depth, depth, io, fo), bias, u, p);
        return;
    }
    uint8_t X[MAX_DEPTH];
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        for (int32_t d = 0; d < depth; ++d) X[d] = (uint8_t)(in[d] + 128);
        const uint32_t constant = fo ? fo * (sum_u8(X, depth) + (uint32_t)depth * io128) : 0u;
        int8_t *out = output + (size_t)b * p->units;
        int32_t u = 0;
        if (!p->single_rounding && p->multiplier != INT32_MIN) { /* eight units at a time, requantised at once */
            edgec_rq8 rq;
            int32_t m8[8], s8[8];
            for (int32_t j = 0; j < 8; ++j) {
                m8[j] = p->multiplier;
                s8[j] = p->shift;
            }
            edgec_rq8_prepare(&rq, m8, s8, 8);
            for (; u + 8 <= p->units; u += 8) {
                const int8_t *w = weights + (size_t)u * depth;
                int32_t dots[8], sums[8] = {0};
                if (io128) dot8_u8s8(X, w, depth, dots, sums);
                else dot8_u8s8(X, w, depth, dots, NULL);
                /* as whole vectors: eight scalar stores read back as one vector would stall the load */
                edgec_v8u acc, sum, b = {0};
                __builtin_memcpy(&acc, dots, sizeof acc);
                __builtin_memcpy(&sum, sums, sizeof sum);
                if (bias) __builtin_memcpy(&b, bias + u, sizeof b);
                acc += io128 * sum + constant + b;
                edgec_rq8_apply(&rq, (const int32_t *)&acc, NULL, p->output_offset, p->act_min, p->act_max, out + u, 8);
            }
        }
        while (u < p->units) {
            const int32_t rows = u + 4 <= p->units ? 4 : 1;
            const int8_t *w = weights + (size_t)u * depth;
            uint32_t dots[4];
            if (rows == 4) dot4_u8s8(X, w, depth, dots);
            else dots[0] = dot1_u8s8(X, w, depth);
            for (int32_t j = 0; j < rows; ++j) {
                const uint32_t w_sum = io128 ? io128 * sum_s8(w + (size_t)j * depth, depth) : 0u;
                out[u + j] = requantize(dots[j] + w_sum + constant, bias, u + j, p);
            }
            u += rows;
        }
    }
}
