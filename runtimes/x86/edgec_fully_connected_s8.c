/* int8 fully connected (TFLite reference_integer_ops::FullyConnected) for x86 hosts, bit-exact with
 * runtimes/reference/edgec_fully_connected_s8.c.
 *
 * The input is shifted once to unsigned bytes, X = x + 128, so that the dot products are unsigned x signed bytes,
 * the pattern compilers vectorise to vpdpbusd where the build enables AVX-VNNI (pmaddwd otherwise):
 *   sum (w + fo)(x + io) = sum w X + (io - 128) sum w + fo (sum X + depth (io - 128)),
 * four units per pass so that each input vector loaded feeds four weight rows; the sums of w and of X only where
 * their factor is not 0 (TFLite's weights are symmetric: fo = 0; an input zero point of -128: io - 128 = 0). All
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

/* dots[j] = sum X[d] * w_j[d] for eight weight rows w + j * n: 32 bytes of X against each row per step as byte dot
 * products (EDGEC_X86_DOT4_ACC: vpdpbusd with AVX-VNNI), the lanes of the eight accumulators summed at the end, the
 * last n % 32 bytes one by one. */
static inline __attribute__((always_inline)) void dot8_u8s8(const uint8_t *EDGEC_RESTRICT X,
                                                            const int8_t *EDGEC_RESTRICT w, int32_t n,
                                                            int32_t dots[8]) {
    typedef edgec_x86_v8i v8i;
    typedef edgec_x86_v8i_unaligned v8iu;
    v8i a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
    const size_t row = (size_t)n;
    int32_t d = 0;
    for (; d + 32 <= n; d += 32) {
        const v8i x = *(const v8iu *)(const void *)(X + d);
        const int8_t *wd = w + d;
        EDGEC_X86_DOT4_ACC(a0, x, *(const v8iu *)(const void *)wd);
        EDGEC_X86_DOT4_ACC(a1, x, *(const v8iu *)(const void *)(wd + row));
        EDGEC_X86_DOT4_ACC(a2, x, *(const v8iu *)(const void *)(wd + 2 * row));
        EDGEC_X86_DOT4_ACC(a3, x, *(const v8iu *)(const void *)(wd + 3 * row));
        EDGEC_X86_DOT4_ACC(a4, x, *(const v8iu *)(const void *)(wd + 4 * row));
        EDGEC_X86_DOT4_ACC(a5, x, *(const v8iu *)(const void *)(wd + 5 * row));
        EDGEC_X86_DOT4_ACC(a6, x, *(const v8iu *)(const void *)(wd + 6 * row));
        EDGEC_X86_DOT4_ACC(a7, x, *(const v8iu *)(const void *)(wd + 7 * row));
    }
#if defined(__AVX2__)
    const __m256i h01 = _mm256_hadd_epi32((__m256i)a0, (__m256i)a1), h23 = _mm256_hadd_epi32((__m256i)a2, (__m256i)a3);
    const __m256i h45 = _mm256_hadd_epi32((__m256i)a4, (__m256i)a5), h67 = _mm256_hadd_epi32((__m256i)a6, (__m256i)a7);
    const __m256i lo = _mm256_hadd_epi32(h01, h23), hi = _mm256_hadd_epi32(h45, h67);
    /* lo: rows 0-3 over lanes 0-3, then over lanes 4-7; hi: rows 4-7 alike */
    const __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_permute2x128_si256(lo, hi, 0x31));
    __builtin_memcpy(dots, &sums, sizeof sums);
#else
    const v8i *acc[8] = {&a0, &a1, &a2, &a3, &a4, &a5, &a6, &a7};
    for (int32_t j = 0; j < 8; ++j) {
        uint32_t total = 0;
        for (int32_t l = 0; l < 8; ++l) total += (uint32_t)(*acc[j])[l];
        dots[j] = (int32_t)total;
    }
#endif
    for (int32_t j = 0; j < 8; ++j) {
        int32_t t = 0;
        for (int32_t e = d; e < n; ++e) t += (int32_t)X[e] * w[(size_t)j * row + e];
        dots[j] = (int32_t)((uint32_t)dots[j] + (uint32_t)t);
    }
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
                int32_t dots[8], add[8];
                dot8_u8s8(X, w, depth, dots);
                for (int32_t j = 0; j < 8; ++j) {
                    const uint32_t w_sum = io128 ? io128 * sum_s8(w + (size_t)j * depth, depth) : 0u;
                    add[j] = (int32_t)(w_sum + constant + (bias ? (uint32_t)bias[u + j] : 0u));
                }
                edgec_rq8_apply(&rq, dots, add, p->output_offset, p->act_min, p->act_max, out + u, 8);
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
