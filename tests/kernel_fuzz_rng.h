/* The random numbers, the draws and the verdicts every kernel fuzz harness on a hosted C library uses
 * (tests/neon/kernel_fuzz.c, and through kernel_fuzz_common.h tests/neon/float_fuzz.c and tests/x86/kernel_fuzz.c):
 * xorshift64* from a fixed seed, so a harness's cases are the same in every run. Included once, by the harness's
 * single C file. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_RNG_H
#define EDGEC_TESTS_KERNEL_FUZZ_RNG_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "edgec_common.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}
static int32_t uniform(int32_t lo, int32_t hi) { return lo + (int32_t)(next_u32() % (uint32_t)(hi - lo + 1)); }
static float uniform_f(void) { return (float)next_u32() / 4294967296.0f * 2.0f - 1.0f; }
static void fill_s8(int8_t *x, size_t n) { for (size_t i = 0; i < n; ++i) x[i] = (int8_t)uniform(-128, 127); }
/* inline: not every harness draws these, and an unused static function would fail -Werror */
static inline void fill_f32(float *x, size_t n) { for (size_t i = 0; i < n; ++i) x[i] = uniform_f(); }

/* A multiplier of TFLite's range [2^30, 2^31), now and then INT32_MAX or INT32_MIN (SQRDMULH's saturating case,
 * which the x86 kernels leave to the reference), and a shift in [lo_shift, hi_shift]. */
static inline void random_multiplier(int32_t *multiplier, int32_t *shift, int32_t lo_shift, int32_t hi_shift) {
    const int32_t pick = uniform(0, 19);
    *multiplier = pick == 0 ? INT32_MAX : pick == 1 ? INT32_MIN : (int32_t)(0x40000000u + (next_u32() & 0x3fffffffu));
    *shift = uniform(lo_shift, hi_shift);
}

/* The element strides of two inputs over a right-aligned output shape: each dense over the output, or (t % 3 == 1
 * for a, 2 for b) broadcast along some dims (stride 0); *n_a and *n_b get their element counts. */
static void random_broadcast_strides(const int32_t *out_shape, int32_t *a_strides, int32_t *b_strides, int32_t t,
                                     size_t *n_a, size_t *n_b) {
    *n_a = *n_b = 1;
    for (int32_t d = EDGEC_MAX_RANK - 1; d >= 0; --d) {
        const int32_t dim = out_shape[d];
        const int a_bc = t % 3 == 1 && uniform(0, 1), b_bc = t % 3 == 2 && uniform(0, 1);
        a_strides[d] = a_bc || dim == 1 ? 0 : (int32_t)*n_a;
        b_strides[d] = b_bc || dim == 1 ? 0 : (int32_t)*n_b;
        if (!a_bc) *n_a *= (size_t)dim;
        if (!b_bc) *n_b *= (size_t)dim;
    }
}

static int32_t failures;
static void report(const char *kernel, int32_t cases, int32_t bad) {
    printf("%s cases=%d mismatches=%d\n", kernel, cases, bad);
    failures += bad;
}

/* A float case's buffers: a random input, weights and bias, drawn in that order, and the kernel's and the
 * reference's outputs. */
typedef struct {
    float *in, *w, *bias, *got, *want;
    size_t n_out;
} f32_case;

static inline f32_case new_f32_case(size_t n_in, size_t n_w, size_t n_bias, size_t n_out) {
    f32_case c;
    c.n_out = n_out;
    c.in = malloc(sizeof(float) * n_in);
    c.w = malloc(sizeof(float) * n_w);
    c.bias = malloc(sizeof(float) * n_bias);
    c.got = malloc(sizeof(float) * n_out);
    c.want = malloc(sizeof(float) * n_out);
    fill_f32(c.in, n_in);
    fill_f32(c.w, n_w);
    fill_f32(c.bias, n_bias);
    return c;
}

static inline void free_f32_case(f32_case *c) { free(c->in); free(c->w); free(c->bias); free(c->got); free(c->want); }

/* Counts a mismatching case in *bad; true for the first five, which the harness describes. */
static int count_mismatch(int32_t *bad) { return (*bad)++ < 5; }

/* Float outputs within 1e-4, absolute and relative (NaN never is). */
static int close_f32(const float *got, const float *want, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!(fabsf(got[i] - want[i]) <= 1e-4f + 1e-4f * fabsf(want[i]))) return 0;
    return 1;
}

/* The harness's arguments: [cases per kernel (default 300) [seed, mixed into the fixed one]]. */
static int32_t fuzz_args(int argc, char **argv) {
    if (argc > 2) rng_state ^= (uint64_t)strtoull(argv[2], NULL, 0) * 0x100000001B3ull;
    return argc > 1 ? atoi(argv[1]) : 300;
}

#endif
