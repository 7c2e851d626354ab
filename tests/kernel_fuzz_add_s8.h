/* The int8 add cases tests/neon/kernel_fuzz.c and tests/x86/kernel_fuzz.c share: edgec_add_s8 (and the other kinds,
 * which take the reference's row) with broadcasting against the reference, byte for byte. Each harness draws the
 * output shape and the inputs' scales its kernel's paths want; the strides, offsets, clamp, kind and data are drawn
 * here, in that order. Included once, after kernel_fuzz_rng.h, by the harness's single C file. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_ADD_S8_H
#define EDGEC_TESTS_KERNEL_FUZZ_ADD_S8_H

#include "edgec_add_s8.h"

void ref_edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p,
                      int32_t *scratch);

/* draw_shape: case t's rank and right-aligned output shape (leading dims 1), returns the rank; draw_scales: its
 * left shift and the three multipliers and shifts. */
static void fuzz_add_s8(int32_t n_cases, int32_t (*draw_shape)(int32_t *out_shape, int32_t t),
                        void (*draw_scales)(edgec_add_s8_params *p, int32_t t)) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_add_s8_params p;
        memset(&p, 0, sizeof p);
        const int32_t rank = draw_shape(p.shape.out_shape, t);
        size_t n_out = 1, n_a, n_b;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) n_out *= (size_t)p.shape.out_shape[d];
        random_broadcast_strides(p.shape.out_shape, p.shape.a_strides, p.shape.b_strides, t, &n_a, &n_b);
        p.input1_offset = uniform(-127, 128);
        p.input2_offset = uniform(-127, 128);
        p.output_offset = uniform(-128, 127);
        draw_scales(&p, t);
        p.act_min = t % 4 == 0 ? uniform(-128, 0) : -128;
        p.act_max = t % 4 == 1 ? uniform(0, 127) : 127;
        p.kind = t % 6 == 5 ? uniform(1, 8) : EDGEC_ADD_S8_ADD;
        int8_t *a = malloc(n_a), *b = malloc(n_b), *got = malloc(n_out), *want = malloc(n_out);
        fill_s8(a, n_a);
        fill_s8(b, n_b);
        edgec_add_s8(a, b, got, &p, NULL);
        ref_edgec_add_s8(a, b, want, &p, NULL);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: kind %d n %zu rank %d\n", p.kind, n_out, rank);
        free(a); free(b); free(got); free(want);
    }
    report("add_s8", n_cases, bad);
}

#endif
