/* What the kernel fuzz harnesses of tests/neon/float_fuzz.c and tests/x86/kernel_fuzz.c share: the random
 * numbers, draws and verdicts (kernel_fuzz_rng.h, which tests/neon/kernel_fuzz.c takes too), the activations, and
 * the cases of the kernels both architectures speed up the same way (the hybrid conv on each one's geometries, the
 * hybrid quantizers, float pooling, the binary ops, mean and transpose). Each harness compiles the reference files
 * with their functions prefixed ref_ and links its twin set; every result must be the same bits (the x86 hybrid
 * conv's within 1e-4). Included once, by the harness's single C file. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_COMMON_H
#define EDGEC_TESTS_KERNEL_FUZZ_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_binary_f32.h"
#include "edgec_conv2d_hybrid.h"
#include "edgec_hybrid_quantize.h"
#include "edgec_pool2d_f32.h"
#include "edgec_transpose_f32.h"
#include "kernel_fuzz_mean_axes.h"
#include "kernel_fuzz_rng.h"

void ref_edgec_conv2d_hybrid(const float *input, const int8_t *weights, const float *w_scale,
                             const int32_t *w_zero_point, const float *bias, float *output, int8_t *qinput,
                             const edgec_conv2d_hybrid_params *p);
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
        if ((memcmp(got, want, n) != 0 || memcmp(&s_got, &s_want, sizeof s_got) != 0 || z_got != z_want) &&
            count_mismatch(&bad))
            printf("  mismatch: %s n %d\n", t % 2 ? "asymmetric" : "symmetric", n);
        free(x); free(got); free(want);
    }
    report("hybrid_quantize", n_cases, bad);
}

/* The start of a hybrid conv geometry: case t's quantization (symmetric, asymmetric, ONNX u8 in turn), batch, groups
 * (2 or 3 every seventh case) and input channels (17 to 90 per group every fifth, else up to 24). */
static void hybrid_quant_and_groups(edgec_conv2d_hybrid_params *p, int32_t t) {
    memset(p, 0, sizeof *p);
    p->quant = t % 3; /* symmetric, asymmetric, ONNX u8 */
    p->batch = uniform(1, 2);
    p->groups = t % 7 == 3 ? uniform(2, 3) : 1;
    p->in_c = p->groups * (t % 5 == 1 ? uniform(17, 90) : uniform(1, 24));
}

/* The rest of a hybrid conv geometry whose quantization, channels and input size are drawn: case t's window (every
 * fourth pointwise, else up to 10 x 5, strides up to 3, dilation 2 down and, if dilate_w, across, padding within
 * the window), the ONNX layouts and scales, the clamp; 0 if the output is empty. */
static int hybrid_window(edgec_conv2d_hybrid_params *p, int32_t t, int dilate_w) {
    const int pointwise = t % 4 == 0;
    p->k_h = pointwise ? 1 : uniform(1, 10); p->k_w = pointwise ? 1 : uniform(1, 5);
    p->stride_h = pointwise ? 1 : uniform(1, 3); p->stride_w = pointwise ? 1 : uniform(1, 3);
    p->dil_h = pointwise ? 1 : uniform(1, 2); p->dil_w = pointwise || !dilate_w ? 1 : uniform(1, 2);
    const int32_t eh = (p->k_h - 1) * p->dil_h + 1, ew = (p->k_w - 1) * p->dil_w + 1;
    p->pad_top = pointwise ? 0 : uniform(0, eh - 1); p->pad_left = pointwise ? 0 : uniform(0, ew - 1);
    const int32_t h = p->in_h + p->pad_top + (pointwise ? 0 : uniform(0, eh - 1)) - eh;
    const int32_t w = p->in_w + p->pad_left + (pointwise ? 0 : uniform(0, ew - 1)) - ew;
    if (h < 0 || w < 0) return 0;
    p->out_h = h / p->stride_h + 1; p->out_w = w / p->stride_w + 1;
    p->scale_per_channel = p->quant == EDGEC_HYBRID_ONNX_U8 && t % 2;
    p->nchw = p->quant == EDGEC_HYBRID_ONNX_U8 && t % 4 == 2;
    p->act_min = t % 3 == 0 ? 0.0f : -INFINITY;
    p->act_max = t % 6 == 0 ? 0.5f : INFINITY;
    return 1;
}

/* The hybrid conv on the harness's random geometries (0: an empty output, the case drawn again): the float outputs
 * the same bits as the reference's (`exact`) or within close_f32 of them; TFLite's NHWC single-group layers also
 * through edgec_conv2d_hybrid_dot4 on the weights packed as compiler/edgec/ops/hybrid.py's pack_conv_hybrid_dot4
 * does, the same bits as the reference. */
static void fuzz_conv_hybrid(int32_t n_cases, int (*geometry)(edgec_conv2d_hybrid_params *, int32_t), int exact) {
    int32_t cases = 0, bad = 0, dot4_cases = 0, dot4_bad = 0;
    for (int32_t t = 0; cases < n_cases; ++t) {
        edgec_conv2d_hybrid_params p;
        if (!geometry(&p, t)) continue;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
        const size_t n_w = (size_t)p.out_c * p.k_h * p.k_w * (p.in_c / p.groups);
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        float *in = malloc(sizeof(float) * n_in), *scale = malloc(sizeof(float) * p.out_c);
        float *bias = malloc(sizeof(float) * p.out_c);
        float *got = malloc(sizeof(float) * n_out), *want = malloc(sizeof(float) * n_out);
        int8_t *wt = malloc(n_w), *q1 = malloc(n_in), *q2 = malloc(n_in);
        int32_t *wz = malloc(sizeof(int32_t) * p.out_c);
        fill_activations(in, n_in, t);
        fill_s8(wt, n_w);
        if (p.quant == EDGEC_HYBRID_TFLITE_SYMMETRIC)
            for (size_t i = 0; i < n_w; ++i) wt[i] = wt[i] == -128 ? -127 : wt[i]; /* LiteRT's symmetric range */
        for (int32_t i = 0; i < p.out_c; ++i) {
            scale[i] = (0.5f + (uniform_f() + 1.0f)) / 256.0f;
            bias[i] = uniform_f();
            wz[i] = p.quant == EDGEC_HYBRID_ONNX_U8 ? uniform(-128, 127) : 0;
        }
        const int32_t *zero_points = p.quant == EDGEC_HYBRID_ONNX_U8 && t % 5 != 0 ? wz : NULL;
        edgec_conv2d_hybrid(in, wt, scale, zero_points, bias, got, q1, &p);
        ref_edgec_conv2d_hybrid(in, wt, scale, zero_points, bias, want, q2, &p);
        if (!(exact ? memcmp(got, want, sizeof(float) * n_out) == 0 : close_f32(got, want, n_out)) &&
            count_mismatch(&bad))
            printf("  mismatch: quant %d in %dx%dx%d k %dx%d s %d,%d d %d,%d groups %d out_c %d\n", p.quant, p.in_h,
                   p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.groups, p.out_c);
        const int32_t K = p.k_h * p.k_w * p.in_c, K4 = (K + 3) / 4, blocks = (p.out_c + 15) / 16;
        if (p.quant != EDGEC_HYBRID_ONNX_U8 && p.groups == 1 && K <= EDGEC_CONV2D_HYBRID_DOT4_MAX_K) {
            int8_t *packed = calloc((size_t)blocks * K4 * 64, 1);
            int32_t *sums = calloc((size_t)blocks * 16, sizeof(int32_t));
            for (int32_t oc = 0; oc < p.out_c; ++oc)
                for (int32_t k = 0; k < K; ++k) {
                    const int8_t v = wt[(size_t)oc * K + k];
                    packed[(((size_t)(oc / 16) * K4 + k / 4) * 16 + oc % 16) * 4 + k % 4] = v;
                    sums[oc] += v;
                }
            memset(got, 0, sizeof(float) * n_out);
            edgec_conv2d_hybrid_dot4(in, packed, sums, scale, bias, got, q1, &p);
            if (memcmp(got, want, sizeof(float) * n_out) != 0 && count_mismatch(&dot4_bad))
                printf("  mismatch: dot4 quant %d in %dx%dx%d k %dx%d s %d,%d d %d,%d out_c %d\n", p.quant, p.in_h,
                       p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.out_c);
            ++dot4_cases;
            free(packed); free(sums);
        }
        ++cases;
        free(in); free(scale); free(bias); free(got); free(want); free(wt); free(q1); free(q2); free(wz);
    }
    report("conv2d_hybrid", cases, bad);
    report("conv2d_hybrid_dot4", dot4_cases, dot4_bad);
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
        if (memcmp(got, want, sizeof(float) * n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: %s %s in %dx%dx%d k %dx%d s %d,%d d %d,%d\n", is_max ? "max" : "avg",
                   p.channels_last ? "nhwc" : "nchw", p.in_h, p.in_w, p.channels, p.k_h, p.k_w, p.stride_h,
                   p.stride_w, p.dil_h, p.dil_w);
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
        size_t n_a, n_b;
        random_broadcast_strides(p.out_shape, p.a_strides, p.b_strides, t, &n_a, &n_b);
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
        if (!same && count_mismatch(&bad))
            printf("  mismatch: binary_f32 op %d n %zu rank %d in place %d\n", p.op, n_out, rank, in_place);
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
        const int32_t nout = mean_over_axes(&m, 4, shp, st, (uint32_t)mask);
        const size_t n_in = (size_t)shp[0] * st[0];
        float *in = malloc(sizeof(float) * n_in), *got = malloc(sizeof(float) * nout);
        float *want = malloc(sizeof(float) * nout);
        fill_activations(in, n_in, t);
        ref_edgec_mean_f32(in, want, &m);
        edgec_mean_f32(in, got, &m);
        if (memcmp(got, want, sizeof(float) * nout) != 0 && count_mismatch(&bad))
            printf("  mismatch: mean_f32 shape %dx%dx%dx%d mask %d\n", shp[0], shp[1], shp[2], shp[3], mask);
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
        if (memcmp(got, want, sizeof(float) * n) != 0 && count_mismatch(&bad))
            printf("  mismatch: transpose %dx%dx%dx%d\n", shp[0], shp[1], shp[2], shp[3]);
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
        if (memcmp(got, want, sizeof(float) * n) != 0 && count_mismatch(&bad_t))
            printf("  transpose mismatch: rank %d shape %d,%d,%d,%d\n", rank, shape[0], rank > 1 ? shape[1] : 0,
                   rank > 2 ? shape[2] : 0, rank > 3 ? shape[3] : 0);
        edgec_mean_params mp;
        const uint32_t reduced = (uint32_t)uniform(1, (1 << rank) - 1);
        const size_t n_out = (size_t)mean_over_axes(&mp, rank, shape, strides, reduced);
        edgec_mean_f32(x, got, &mp);
        ref_edgec_mean_f32(x, want, &mp);
        if (memcmp(got, want, sizeof(float) * n_out) != 0 && count_mismatch(&bad_m))
            printf("  mean mismatch: rank %d reduced mask %u\n", rank, reduced);
        free(x); free(got); free(want);
    }
    report("transpose_f32_any_rank", n_cases, bad_t);
    report("mean_f32_any_axes", n_cases, bad_m);
}

#endif
