/* The random numbers and the report every kernel fuzz harness on a hosted C library uses (tests/neon/kernel_fuzz.c,
 * and through kernel_fuzz_common.h tests/neon/float_fuzz.c and tests/x86/kernel_fuzz.c): xorshift64* from a fixed
 * seed, so a harness's cases are the same in every run. Included once, by the harness's single C file. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_RNG_H
#define EDGEC_TESTS_KERNEL_FUZZ_RNG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}
static int32_t uniform(int32_t lo, int32_t hi) { return lo + (int32_t)(next_u32() % (uint32_t)(hi - lo + 1)); }
static float uniform_f(void) { return (float)next_u32() / 4294967296.0f * 2.0f - 1.0f; }
static void fill_s8(int8_t *x, size_t n) { for (size_t i = 0; i < n; ++i) x[i] = (int8_t)uniform(-128, 127); }

static int32_t failures;
static void report(const char *kernel, int32_t cases, int32_t bad) {
    printf("%s cases=%d mismatches=%d\n", kernel, cases, bad);
    failures += bad;
}

/* The harness's arguments: [cases per kernel (default 300) [seed, mixed into the fixed one]]. */
static int32_t fuzz_args(int argc, char **argv) {
    if (argc > 2) rng_state ^= (uint64_t)strtoull(argv[2], NULL, 0) * 0x100000001B3ull;
    return argc > 1 ? atoi(argv[1]) : 300;
}

#endif
