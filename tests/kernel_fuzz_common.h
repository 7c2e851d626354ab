/* What the kernel fuzz harnesses of tests/neon/float_fuzz.c and tests/x86/kernel_fuzz.c share: the random
 * numbers and the report (kernel_fuzz_rng.h, which tests/neon/kernel_fuzz.c takes too), the activations, and the
 * cases of the kernels both architectures speed up the same way (the hybrid quantizers, float pooling, the binary
 * ops, mean and transpose). Each harness compiles the
 * reference files with their functions prefixed ref_ and links its twin set; every result must be the same bits.
 * Included once, by the harness's single C file. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_COMMON_H
#define EDGEC_TESTS_KERNEL_FUZZ_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_binary_f32.h"
#include "edgec_hybrid_quantize.h"
#include "edgec_mean_f32.h"
#include "edgec_pool2d_f32.h"
#include "edgec_transpose_f32.h"
#include "kernel_fuzz_rng.h"

float ref_edgec_quantize_symmetric_s8(const float *x, int32_t n, int8_t *q);
float ref_edgec_quantize_asymmetric_s8(const float *x, int32_t n, int8_t *q, int32_t *zero_point);
void ref_edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p);
void ref_edgec_mean_f32(const float *in, float *out, const edgec_mean_params *p);
void ref_edgec_transpose_f32(const float *in, float *out, const edgec_transpose_params *p);
void ref_edgec_max_pool2d_f32(const float *input, float *output, const edgec_pool2d_params *p);
void ref_edgec_avg_pool2d_f32(const float *input, float *output, const edgec_pool2d_params *p);

/* Activations with the shapes the quantizers meet: signed or all positive (after ReLU), sometimes all zero,
 * sometimes with values on the rounding boundary. */
static void fill_activations(float *x, size_t n, int32_t t) {
    const float gain = (float)uniform(1, 40) / 8.0f;
    for (size_t i = 0; i < n; ++i) {
        x[i] = uniform_f() * gain;
        if (t % 3 == 1 && x[i] < 0.0f) x[i] = 0.0f;
        if (t % 11 == 5) x[i] = (float)uniform(-8, 8) * 0.25f; /* halves: ties in the rounding */
        if (t % 17 == 9) x[i] = 0.0f;
    }
}


static void fuzz_quantize(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        const int32_t n = t % 4 == 0 ? uniform(1, 9) : uniform(1, 700);
        float *x = malloc(sizeof(float) * n);
        int8_t *got = malloc(n), *want = malloc(n);
        fill_activations(x, n, t);
        float s_got, s_want;
        int32_t z_got = 0, z_want = 0;
        if (t % 2) {
            s_got = edgec_quantize_asymmetric_s8(x, n, got, &z_got);
            s_want = ref_edgec_quantize_asymmetric_s8(x, n, want, &z_want);
        } else {
            s_got = edgec_quantize_symmetric_s8(x, n, got);
            s_want = ref_edgec_quantize_symmetric_s8(x, n, want);
        }
        if (memcmp(got, want, n) != 0 || memcmp(&s_got, &s_want, sizeof s_got) != 0 || z_got != z_want) {
            if (bad < 5) printf("  mismatch: %s n %d\n", t % 2 ? "asymmetric" : "symmetric", n);
            ++bad;
        }
        free(x); free(got); free(want);
    }
    report("hybrid_quantize", n_cases, bad);
}

/* Max and average pooling, both layouts, every padding and ceil-mode overhang. */
static void fuzz_pool_f32(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_pool2d_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        p.channels = t % 3 == 0 ? uniform(1, 7) : uniform(8, 70);
        p.in_h = uniform(1, 12); p.in_w = uniform(1, 12);
        const int global = t % 5 == 0;
        p.k_h = global ? p.in_h : uniform(1, 4); p.k_w = global ? p.in_w : uniform(1, 4);
        p.stride_h = uniform(1, 3); p.stride_w = uniform(1, 3);
        p.dil_h = uniform(1, 2); p.dil_w = uniform(1, 2);
        const int32_t eh = (p.k_h - 1) * p.dil_h + 1, ew = (p.k_w - 1) * p.dil_w + 1;
        p.pad_top = global ? 0 : uniform(0, eh - 1); p.pad_left = global ? 0 : uniform(0, ew - 1);
        p.pad_bottom = global ? 0 : uniform(0, eh - 1); p.pad_right = global ? 0 : uniform(0, ew - 1);
        const int32_t h = p.in_h + p.pad_top + p.pad_bottom - eh, w = p.in_w + p.pad_left + p.pad_right - ew;
        if (h < 0 || w < 0) { --t; continue; }
        const int ceil_mode = t % 4 == 1;
        p.out_h = (h + (ceil_mode ? p.stride_h - 1 : 0)) / p.stride_h + 1;
        p.out_w = (w + (ceil_mode ? p.stride_w - 1 : 0)) / p.stride_w + 1;
        p.channels_last = t % 4 != 3;
        p.count_include_pad = t % 2;
        p.act_min = t % 3 == 2 ? 0.0f : -INFINITY;
        p.act_max = t % 7 == 3 ? 0.5f : INFINITY;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.channels;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.channels;
        float *x = malloc(sizeof(float) * n_in), *got = malloc(sizeof(float) * n_out);
        float *want = malloc(sizeof(float) * n_out);
        fill_activations(x, n_in, t);
        const int is_max = t % 2 == 0;
        if (is_max) {
            edgec_max_pool2d_f32(x, got, &p);
            ref_edgec_max_pool2d_f32(x, want, &p);
        } else {
            edgec_avg_pool2d_f32(x, got, &p);
            ref_edgec_avg_pool2d_f32(x, want, &p);
        }
        if (memcmp(got, want, sizeof(float) * n_out) != 0) {
            if (bad < 5)
                printf("  mismatch: %s %s in %dx%dx%d k %dx%d s %d,%d d %d,%d\n", is_max ? "max" : "avg",
                       p.channels_last ? "nhwc" : "nchw", p.in_h, p.in_w, p.channels, p.k_h, p.k_w, p.stride_h,
                       p.stride_w, p.dil_h, p.dil_w);
            ++bad;
        }
        free(x); free(got); free(want);
    }
    report("pool2d_f32", n_cases, bad);
}

/* edgec_binary_f32: random ranks and broadcasts, every op (0 .. last_fast_op, the twin's vectorized ones, most
 * often), clamps, in place over the first input; NaNs compare equal. */
static void fuzz_binary_f32(int32_t n_cases, int32_t last_fast_op) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_binary_params p;
        memset(&p, 0, sizeof p);
        const int32_t rank = uniform(1, 4);
        size_t n_out = 1;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) p.out_shape[d] = 1;
        for (int32_t d = EDGEC_MAX_RANK - rank; d < EDGEC_MAX_RANK; ++d) {
            p.out_shape[d] = d == EDGEC_MAX_RANK - 1 ? uniform(1, 40) : uniform(1, 5);
            n_out *= (size_t)p.out_shape[d];
        }
        size_t n_a = 1, n_b = 1;
        for (int32_t d = EDGEC_MAX_RANK - 1; d >= 0; --d) {
            const int32_t dim = p.out_shape[d];
            const int a_bc = t % 3 == 1 && uniform(0, 1), b_bc = t % 3 == 2 && uniform(0, 1);
            p.a_strides[d] = a_bc || dim == 1 ? 0 : (int32_t)n_a;
            p.b_strides[d] = b_bc || dim == 1 ? 0 : (int32_t)n_b;
            if (!a_bc) n_a *= (size_t)dim;
            if (!b_bc) n_b *= (size_t)dim;
        }
        p.op = t % 4 == 3 ? uniform(0, 10) : uniform(0, last_fast_op);
        p.act_min = t % 3 == 0 ? 0.0f : -INFINITY;
        p.act_max = t % 5 == 0 ? 0.5f : INFINITY;
        const int in_place = t % 4 == 1 && n_a == n_out;
        float *a = malloc(sizeof(float) * n_a), *b = malloc(sizeof(float) * n_b);
        float *a2 = malloc(sizeof(float) * n_a), *got = malloc(sizeof(float) * n_out);
        float *want = malloc(sizeof(float) * n_out);
        for (size_t i = 0; i < n_a; ++i) a[i] = t % 7 == 0 && uniform(0, 3) == 0 ? 0.0f : uniform_f() * 4.0f;
        for (size_t i = 0; i < n_b; ++i) b[i] = t % 7 == 0 && uniform(0, 3) == 0 ? 0.0f : uniform_f() * 4.0f;
        memcpy(a2, a, sizeof(float) * n_a);
        ref_edgec_binary_f32(a, b, want, &p);
        if (in_place) {
            edgec_binary_f32(a2, b, a2, &p);
            memcpy(got, a2, sizeof(float) * n_out);
        } else {
            edgec_binary_f32(a, b, got, &p);
        }
        int same = 1;
        for (size_t i = 0; i < n_out; ++i)
            if (memcmp(&got[i], &want[i], sizeof(float)) != 0 && !(isnan(got[i]) && isnan(want[i]))) same = 0;
        if (!same) {
            if (bad < 5) printf("  mismatch: binary_f32 op %d n %zu rank %d in place %d\n", p.op, n_out, rank, in_place);
            ++bad;
        }
        free(a); free(b); free(a2); free(got); free(want);
    }
    report("binary_f32", n_cases, bad);
}

/* Mean over a random set of a 4-D tensor's axes, the kept innermost dim short or long. */
static void fuzz_mean_f32(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        int32_t shp[4] = {uniform(1, 2), uniform(1, 5), uniform(1, 5), t % 2 ? uniform(1, 6) : uniform(8, 70)};
        int32_t st[4] = {0, 0, 0, 1};
        for (int32_t d = 2; d >= 0; --d) st[d] = st[d + 1] * shp[d + 1];
        const int32_t mask = t % 3 == 0 ? 6 : uniform(1, 15); /* 6: NHWC's global average pool */
        edgec_mean_params m;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) {
            m.out_shape[d] = m.red_shape[d] = 1;
            m.out_strides[d] = m.red_strides[d] = 0;
        }
        int32_t ko = EDGEC_MAX_RANK, kr = EDGEC_MAX_RANK, nout = 1;
        m.count = 1;
        for (int32_t d = 3; d >= 0; --d) {
            if (mask & (1 << d)) { --kr; m.red_shape[kr] = shp[d]; m.red_strides[kr] = st[d]; m.count *= shp[d]; }
            else { --ko; m.out_shape[ko] = shp[d]; m.out_strides[ko] = st[d]; nout *= shp[d]; }
        }
        const size_t n_in = (size_t)shp[0] * st[0];
        float *in = malloc(sizeof(float) * n_in), *got = malloc(sizeof(float) * nout);
        float *want = malloc(sizeof(float) * nout);
        fill_activations(in, n_in, t);
        ref_edgec_mean_f32(in, want, &m);
        edgec_mean_f32(in, got, &m);
        if (memcmp(got, want, sizeof(float) * nout) != 0) {
            if (bad < 5) printf("  mismatch: mean_f32 shape %dx%dx%dx%d mask %d\n", shp[0], shp[1], shp[2], shp[3], mask);
            ++bad;
        }
        free(in); free(got); free(want);
    }
    report("mean_f32", n_cases, bad);
}

/* Transpose: a random permutation of a 4-D tensor, half the cases NCHW -> NHWC with 1 to 5 channels (the
 * interleaving path for 2 to 4). */
static void fuzz_transpose_f32(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        int32_t shp[4] = {uniform(1, 3), uniform(1, 6), uniform(1, 12), uniform(1, 14)}, st[4] = {0, 0, 0, 1};
        int32_t perm[4] = {0, 1, 2, 3};
        if (t % 2) {
            shp[1] = uniform(1, 5);
            perm[1] = 2; perm[2] = 3; perm[3] = 1; /* NCHW -> NHWC */
        }
        for (int32_t d = 2; d >= 0; --d) st[d] = st[d + 1] * shp[d + 1];
        if (t % 2 == 0)
            for (int32_t d = 3; d > 0; --d) { const int32_t e = uniform(0, d), x = perm[d]; perm[d] = perm[e]; perm[e] = x; }
        edgec_transpose_params p;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) { p.out_shape[d] = 1; p.in_strides[d] = 0; }
        for (int32_t d = 0; d < 4; ++d) {
            p.out_shape[EDGEC_MAX_RANK - 4 + d] = shp[perm[d]];
            p.in_strides[EDGEC_MAX_RANK - 4 + d] = st[perm[d]];
        }
        const size_t n = (size_t)shp[0] * st[0];
        float *in = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n), *want = malloc(sizeof(float) * n);
        fill_activations(in, n, t);
        ref_edgec_transpose_f32(in, want, &p);
        edgec_transpose_f32(in, got, &p);
        if (memcmp(got, want, sizeof(float) * n) != 0) {
            if (bad < 5) printf("  mismatch: transpose %dx%dx%dx%d\n", shp[0], shp[1], shp[2], shp[3]);
            ++bad;
        }
        free(in); free(got); free(want);
    }
    report("transpose_f32", n_cases, bad);
}

/* A random dense shape of rank 1..4 (small dims, a long one at times) and its row-major element strides. */
static int32_t random_shape(int32_t *shape, int32_t *strides, int32_t t) {
    const int32_t rank = uniform(1, 4);
    for (int32_t d = 0; d < rank; ++d) shape[d] = t % 3 == 0 && d == uniform(0, rank - 1) ? uniform(20, 300) : uniform(1, 9);
    if (t % 5 == 2) shape[uniform(0, rank - 1)] = uniform(2, 4); /* the transpose's 2..4 interleaves */
    int32_t stride = 1;
    for (int32_t d = rank - 1; d >= 0; --d) { strides[d] = stride; stride *= shape[d]; }
    return rank;
}

/* Transpose (every permutation of rank <= 4) and mean (every subset of axes reduced): bit for bit. */
static void fuzz_transpose_mean_f32(int32_t n_cases) {
    int32_t bad_t = 0, bad_m = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        int32_t shape[4], strides[4], perm[4];
        const int32_t rank = random_shape(shape, strides, t);
        size_t n = 1;
        for (int32_t d = 0; d < rank; ++d) n *= (size_t)shape[d];
        float *x = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n), *want = malloc(sizeof(float) * n);
        fill_activations(x, n, t);
        for (int32_t d = 0; d < rank; ++d) perm[d] = d;
        for (int32_t d = rank - 1; d > 0; --d) { const int32_t e = uniform(0, d), tmp = perm[d]; perm[d] = perm[e]; perm[e] = tmp; }
        edgec_transpose_params tp;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) { tp.out_shape[d] = 1; tp.in_strides[d] = 0; }
        for (int32_t d = 0; d < rank; ++d) {
            tp.out_shape[EDGEC_MAX_RANK - rank + d] = shape[perm[d]];
            tp.in_strides[EDGEC_MAX_RANK - rank + d] = strides[perm[d]];
        }
        edgec_transpose_f32(x, got, &tp);
        ref_edgec_transpose_f32(x, want, &tp);
        if (memcmp(got, want, sizeof(float) * n) != 0) {
            if (bad_t < 5) printf("  transpose mismatch: rank %d shape %d,%d,%d,%d\n", rank, shape[0], rank > 1 ? shape[1] : 0,
                                  rank > 2 ? shape[2] : 0, rank > 3 ? shape[3] : 0);
            ++bad_t;
        }
        edgec_mean_params mp;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) mp.out_shape[d] = mp.red_shape[d] = 1, mp.out_strides[d] = mp.red_strides[d] = 0;
        const uint32_t reduced = (uint32_t)uniform(1, (1 << rank) - 1);
        int32_t kept_n = 0, red_n = 0;
        for (int32_t d = 0; d < rank; ++d) kept_n += !(reduced >> d & 1), red_n += reduced >> d & 1;
        int32_t ko = EDGEC_MAX_RANK - kept_n, ro = EDGEC_MAX_RANK - red_n;
        mp.count = 1;
        for (int32_t d = 0; d < rank; ++d) {
            if (reduced >> d & 1) { mp.red_shape[ro] = shape[d]; mp.red_strides[ro++] = strides[d]; mp.count *= shape[d]; }
            else { mp.out_shape[ko] = shape[d]; mp.out_strides[ko++] = strides[d]; }
        }
        const size_t n_out = n / (size_t)mp.count;
        edgec_mean_f32(x, got, &mp);
        ref_edgec_mean_f32(x, want, &mp);
        if (memcmp(got, want, sizeof(float) * n_out) != 0) {
            if (bad_m < 5) printf("  mean mismatch: rank %d reduced mask %u\n", rank, reduced);
            ++bad_m;
        }
        free(x); free(got); free(want);
    }
    report("transpose_f32_any_rank", n_cases, bad_t);
    report("mean_f32_any_axes", n_cases, bad_m);
}

#endif
