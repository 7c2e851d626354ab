/* The runtimes/neon/ kernels against runtimes/reference/ on random shapes, in one process (run under
 * qemu-aarch64 / qemu-arm by tests/test_neon.py). The reference kernels are compiled with their names prefixed
 * ref_ (-Dedgec_x=ref_edgec_x), so both sets link into this one executable. int8 must match byte for byte;
 * float within 1e-4 (absolute and relative). The add's cases are tests/kernel_fuzz_add_s8.h's, shared with
 * tests/x86/kernel_fuzz.c. Prints one line per kernel: cases run, mismatches; exits 1 on any. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_avg_pool2d_s8.h"
#include "edgec_conv2d_nhwc_f32.h"
#include "edgec_conv2d_s8.h"
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"
#include "edgec_fully_connected_s8_dot4.h"
#include "edgec_matmul_f32.h"
#include "../kernel_fuzz_rng.h"
#include "../kernel_fuzz_add_s8.h"

void ref_edgec_avg_pool2d_s8(const int8_t *input, int8_t *output, const edgec_avg_pool2d_s8_params *p);
void ref_edgec_conv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                         const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p);
void ref_edgec_depthwise_conv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                   const int32_t *multiplier, const int32_t *shift, int8_t *output,
                                   const edgec_conv2d_s8_params *p);
void ref_edgec_fully_connected_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                                  const edgec_fully_connected_s8_params *p);
void ref_edgec_conv2d_nhwc_f32(const float *input, const float *weights, const float *bias, float *output,
                               const edgec_conv2d_params *p);
void ref_edgec_depthwise_conv2d_f32(const float *input, const float *weights, const float *bias, float *output,
                                    const edgec_conv2d_params *p);
void ref_edgec_matmul_f32(const float *a, const float *b, const float *bias, float *out, const edgec_matmul_params *p);

/* A random convolution geometry: input size, kernel, stride, dilation, padding; 0 if the output is empty. */
static int random_geometry(edgec_conv2d_s8_params *p, int pointwise, int big_channels) {
    memset(p, 0, sizeof *p);
    p->batch = uniform(1, 2);
    p->in_h = uniform(1, 9); p->in_w = uniform(1, 9);
    p->in_c = big_channels ? uniform(17, 80) : uniform(1, 24);
    p->out_c = uniform(1, 13);
    p->k_h = pointwise ? 1 : uniform(1, 5); p->k_w = pointwise ? 1 : uniform(1, 5);
    p->stride_h = pointwise ? 1 : uniform(1, 3); p->stride_w = pointwise ? 1 : uniform(1, 3);
    p->dil_h = pointwise ? 1 : uniform(1, 2); p->dil_w = pointwise ? 1 : uniform(1, 2);
    const int32_t eh = (p->k_h - 1) * p->dil_h + 1, ew = (p->k_w - 1) * p->dil_w + 1;
    p->pad_top = pointwise ? 0 : uniform(0, eh - 1); p->pad_left = pointwise ? 0 : uniform(0, ew - 1);
    const int32_t pad_bottom = pointwise ? 0 : uniform(0, eh - 1), pad_right = pointwise ? 0 : uniform(0, ew - 1);
    const int32_t h = p->in_h + p->pad_top + pad_bottom - eh, w = p->in_w + p->pad_left + pad_right - ew;
    if (h < 0 || w < 0) return 0;
    p->out_h = h / p->stride_h + 1; p->out_w = w / p->stride_w + 1;
    return 1;
}

/* The geometry made a 3x3 kernel without dilation over a larger input (up to 20 x 20), random stride and padding
 * kept within the window; 0 if the output is empty. */
static int square_3x3(edgec_conv2d_s8_params *p) {
    p->k_h = p->k_w = 3; p->dil_h = p->dil_w = 1;
    p->in_h = uniform(1, 20); p->in_w = uniform(1, 20);
    p->pad_top = uniform(0, 2); p->pad_left = uniform(0, 2);
    const int32_t h = p->in_h + p->pad_top + uniform(0, 2) - 3, w = p->in_w + p->pad_left + uniform(0, 2) - 3;
    if (h < 0 || w < 0) return 0;
    p->out_h = h / p->stride_h + 1; p->out_w = w / p->stride_w + 1;
    return 1;
}

/* The geometry made a K x K kernel (5 or 7: NEON's path through bands of padded lines) without dilation over an
 * input up to 24 x 24 (tall: up to 40 x 130, rows wider than one band of lines holds all of), stride 1 or 2 across
 * (sometimes 3), any down, padding kept within the window; 0 if the output is empty. */
static int square_kxk(edgec_conv2d_s8_params *p, int32_t k, int tall) {
    p->k_h = p->k_w = k; p->dil_h = p->dil_w = 1;
    p->in_h = tall ? uniform(20, 40) : uniform(1, 24); p->in_w = tall ? uniform(60, 130) : uniform(1, 24);
    p->stride_w = uniform(0, 7) == 0 ? 3 : uniform(1, 2);
    p->pad_top = uniform(0, k - 1); p->pad_left = uniform(0, k - 1);
    const int32_t h = p->in_h + p->pad_top + uniform(0, k - 1) - k, w = p->in_w + p->pad_left + uniform(0, k - 1) - k;
    if (h < 0 || w < 0) return 0;
    p->out_h = h / p->stride_h + 1; p->out_w = w / p->stride_w + 1;
    return 1;
}

static void print_conv_s8_mismatch(const edgec_conv2d_s8_params *p) {
    printf("  mismatch: in %dx%dx%d k %dx%d s %d,%d d %d,%d pad %d,%d out_c %d\n", p->in_h, p->in_w, p->in_c, p->k_h,
           p->k_w, p->stride_h, p->stride_w, p->dil_h, p->dil_w, p->pad_top, p->pad_left, p->out_c);
}

static void random_requant(edgec_conv2d_s8_params *p, int32_t *multiplier, int32_t *shift, int32_t n,
                           int32_t reduction) {
    p->input_offset = uniform(-127, 128);
    p->output_offset = uniform(-128, 127);
    p->act_min = uniform(0, 3) == 0 ? uniform(-128, 0) : -128;
    p->act_max = uniform(0, 3) == 0 ? uniform(0, 127) : 127;
    p->requant = uniform(0, 3) == 0 ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
    for (int32_t i = 0; i < n; ++i) {
        /* scale about 1 / (64 * sqrt(reduction)): outputs spread over the int8 range, not all saturated */
        const float scale = (0.5f + 0.5f * (uniform_f() + 1.0f)) / (64.0f * sqrtf((float)reduction));
        if (p->requant == EDGEC_REQUANT_FLOAT) {
            union { float f; int32_t i; } pun;
            pun.f = scale;
            multiplier[i] = pun.i;
            shift[i] = 0;
        } else {
            int32_t e = 0;
            float m = scale;
            while (m < 0.5f) { m *= 2.0f; --e; }
            multiplier[i] = (int32_t)(m * 2147483648.0f) - (int32_t)(next_u32() % 1024u);
            shift[i] = e;
            if (uniform(0, 7) == 0) shift[i] = uniform(-1, 2); /* no right shift, or a left shift (saturating) */
            if (uniform(0, 15) == 0) shift[i] = -uniform(24, 31); /* a channel of near-zero weights: deep shifts */
        }
    }
}

static void fuzz_conv_s8(int32_t n_cases, int depthwise) {
    int32_t cases = 0, bad = 0;
    for (int32_t t = 0; cases < n_cases; ++t) {
        edgec_conv2d_s8_params p;
        if (!random_geometry(&p, !depthwise && t % 3 == 0, t % 5 == 1)) continue;
        /* a quarter of those: stride 1 or 2 across, weights within [-127, 127], every shift right (the usual
         * TFLite layer: NEON's two-pixel loop) */
        const int usual = depthwise && t % 8 == 4;
        if (usual) p.stride_w = 1 + t / 8 % 2;
        if (depthwise && t % 2 == 0 && !square_3x3(&p)) continue; /* half the cases: NEON's 3x3 path */
        if (depthwise && t % 16 == 0) { /* rows wider than the NEON 3x3 paths' row buffers: column strips, each
                                          * with its own ring of rows (several rows, any stride down) */
            p.in_h = uniform(1, 8); p.in_w = uniform(240, 600); p.in_c = uniform(8, 72);
            p.stride_w = uniform(1, 2);
            const int32_t h = p.in_h + p.pad_top + uniform(0, 2) - 3, w = p.in_w + p.pad_left + uniform(0, 2) - 3;
            if (h < 0) continue;
            p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
        }
        if (depthwise && t % 16 == 8) p.in_c = uniform(120, 300); /* more than one pass of 128 channels (SDOT path) */
        if (depthwise && t % 16 == 2) p.in_c = t % 32 == 2 ? 8 : 24; /* a group of 8 channels (SDOT: two pixels) */
        if (usual && t % 24 == 20) p.in_c = uniform(100, 260); /* runs of several 16-channel groups (SMULL path) */
        if (usual && t % 48 == 12) { /* a map whose padded image outgrows the SMULL path's buffer: its ring of rows */
            p.in_h = uniform(34, 40); p.in_w = uniform(34, 600);
            const int32_t h = p.in_h + p.pad_top + uniform(0, 2) - 3, w = p.in_w + p.pad_left + uniform(0, 2) - 3;
            p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
        }
        if (usual && t % 64 == 36) p.in_c = 8;  /* stride 1, 8 channels in all: four pixels' outputs side by side */
        if (usual && t % 64 == 52) p.in_c = 24; /* stride 1, a group of 16 then one of 8 */
        if (usual && t % 64 == 44) p.in_c = 16; /* stride 2, 16 channels in all: rows copied as runs of bytes */
        if (usual && t % 32 == 28) { /* KWS-like small maps: 1-3 rows of 1, 3, 5 or 7 pixels (odd-pixel tails every
                                       * row), one to nine groups of 16, some with a group of 8 after */
            p.in_h = uniform(1, 3); p.in_w = 2 * uniform(0, 3) + 1; p.in_c = 16 * uniform(1, 9) + 8 * uniform(0, 1);
            p.stride_w = uniform(1, 2);
            p.pad_top = uniform(0, 1); p.pad_left = uniform(0, 1);
            const int32_t h = p.in_h + 2 * p.pad_top - 3, w = p.in_w + 2 * p.pad_left - 3;
            if (h < 0 || w < 0) continue;
            p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
        }
        p.depth_multiplier = depthwise ? (t % 4 == 3 ? uniform(2, 3) : 1) : 1;
        if (depthwise) p.out_c = p.in_c * p.depth_multiplier;
        const int32_t K = p.k_h * p.k_w * (depthwise ? 1 : p.in_c);
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
        const size_t n_w = depthwise ? (size_t)p.k_h * p.k_w * p.out_c : (size_t)p.out_c * K;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        int8_t *in = malloc(n_in), *w = malloc(n_w), *got = malloc(n_out), *want = malloc(n_out);
        int32_t *bias = malloc(sizeof(int32_t) * p.out_c), *mult = malloc(sizeof(int32_t) * p.out_c);
        int32_t *shift = malloc(sizeof(int32_t) * p.out_c);
        fill_s8(in, n_in);
        fill_s8(w, n_w);
        for (int32_t i = 0; i < p.out_c; ++i) bias[i] = uniform(-20000, 20000);
        random_requant(&p, mult, shift, p.out_c, K);
        if (depthwise && t % 3 == 1) { /* TFLite's ReLU outputs (the SDOT path's unsigned narrowing) */
            p.output_offset = -128; p.act_min = -128; p.act_max = 127;
        }
        if (depthwise && t % 64 == 2) { /* 8 channels in all, ReLU's outputs (SDOT: two pixels a vector, one store) */
            p.output_offset = -128; p.act_min = -128; p.act_max = 127;
        }
        if (usual) {
            for (size_t i = 0; i < n_w; ++i) w[i] = w[i] == -128 ? -127 : w[i];
            for (int32_t i = 0; i < p.out_c; ++i) shift[i] = shift[i] < 0 ? shift[i] : -1;
            if (t / 8 % 4 >= 2) { p.output_offset = -128; p.act_min = -128; } /* TFLite's ReLU: unsigned narrowing */
        }
        if (depthwise && t % 32 == 6) { /* the SDOT set-up's extremes: -input_offset -128 or 127, shifts 0 at most */
            p.input_offset = t % 64 == 6 ? 128 : -127;
            for (int32_t i = 0; i < p.out_c; ++i) shift[i] = shift[i] < 0 ? shift[i] : 0;
        }
        if (depthwise && t % 32 == 10) { /* every tap -128 in half the channels over mostly -128 inputs: a pair of
                                           * such products overflows int16 (the SMULL paths must not pair them) */
            for (size_t i = 0; i < n_w; ++i) w[i] = i % p.out_c % 2 ? w[i] : -128;
            for (size_t i = 0; i < n_in; ++i) in[i] = i / p.in_c % 3 ? -128 : in[i];
            if (t % 64 == 42) { /* every shift right: the SMULL path's usual mode, its pairs ruled out by the -128s */
                p.requant = EDGEC_REQUANT_FIXED;
                for (int32_t i = 0; i < p.out_c; ++i) shift[i] = shift[i] < 0 ? shift[i] : -1;
            }
        }
        const int32_t *b = t % 7 == 6 ? NULL : bias;
        if (depthwise) {
            edgec_depthwise_conv2d_s8(in, w, b, mult, shift, got, &p);
            ref_edgec_depthwise_conv2d_s8(in, w, b, mult, shift, want, &p);
        } else {
            edgec_conv2d_s8(in, w, b, mult, shift, got, &p);
            ref_edgec_conv2d_s8(in, w, b, mult, shift, want, &p);
        }
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad)) print_conv_s8_mismatch(&p);
        ++cases;
        free(in); free(w); free(got); free(want); free(bias); free(mult); free(shift);
    }
    report(depthwise ? "depthwise_conv2d_s8" : "conv2d_s8", cases, bad);
}

/* int8 add's output shapes: rank 1 to 4, rows of up to 40. */
static int32_t add_s8_shape(int32_t *out_shape, int32_t t) {
    (void)t;
    const int32_t rank = uniform(1, 4);
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) out_shape[d] = 1;
    for (int32_t d = EDGEC_MAX_RANK - rank; d < EDGEC_MAX_RANK; ++d)
        out_shape[d] = d == EDGEC_MAX_RANK - 1 ? uniform(1, 40) : uniform(1, 5);
    return rank;
}

/* int8 add's scales: now and then a left shift up to 23 or input 1 shifted left, every fourth case TFLite's
 * rescaling of the input of the larger scale (exactly 1/2). */
static void add_s8_scales(edgec_add_s8_params *p, int32_t t) {
    p->left_shift = t % 5 == 0 ? uniform(0, 23) : 20;
    random_multiplier(&p->input1_multiplier, &p->input1_shift, -10, t % 9 == 0 ? 2 : 0);
    random_multiplier(&p->input2_multiplier, &p->input2_shift, -10, 0);
    if (t % 4 == 3) {
        p->input2_multiplier = 1 << 30;
        p->input2_shift = 0;
    }
    random_multiplier(&p->output_multiplier, &p->output_shift, -24, 1);
}

/* int8 average pooling: windows up to 20 x 20 (past 256 taps: the NEON int16 sums' flush), inputs random or all
 * -128 or all 127 (the extreme sums), channels up to 40 or 60 to 90 (a 64-channel pass), padded windows; global
 * pools up to 26 x 26 of up to 300 channels (one run of pixels, flushed mid-run; one tap: the scalar division). */
static void fuzz_avg_pool_s8(int32_t n_cases) {
    int32_t cases = 0, bad = 0;
    while (cases < n_cases) {
        edgec_avg_pool2d_s8_params p;
        p.batch = uniform(1, 2);
        const int big = cases % 4 == 0; /* 144 to 400 taps */
        const int global = cases % 4 == 1; /* one window of whole rows (VWW 3 x 3 x 256, KWS 25 x 5 x 64) */
        p.channels = global ? (uniform(0, 1) ? 16 * uniform(1, 18) : uniform(1, 300))
                            : uniform(0, 3) ? uniform(1, 40) : uniform(60, 90);
        p.k_h = big ? uniform(12, 20) : uniform(1, 5); p.k_w = big ? uniform(12, 20) : uniform(1, 5);
        p.in_h = uniform(big ? p.k_h : 1, 22); p.in_w = uniform(big ? p.k_w : 1, 22);
        p.stride_h = uniform(1, 3); p.stride_w = uniform(1, 3);
        p.pad_top = uniform(0, p.k_h - 1); p.pad_left = uniform(0, p.k_w - 1);
        if (global) {
            p.k_h = p.in_h = uniform(1, 26); p.k_w = p.in_w = uniform(1, 26);
            p.pad_top = p.pad_left = 0;
        }
        const int32_t h = p.in_h + 2 * p.pad_top - p.k_h, w = p.in_w + 2 * p.pad_left - p.k_w;
        if (h < 0 || w < 0) continue;
        p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
        p.act_min = uniform(0, 3) == 0 ? uniform(-128, 0) : -128;
        p.act_max = uniform(0, 3) == 0 ? uniform(0, 127) : 127;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.channels;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.channels;
        int8_t *in = malloc(n_in), *got = malloc(n_out), *want = malloc(n_out);
        fill_s8(in, n_in);
        if (cases % 3) memset(in, cases % 3 == 1 ? -128 : 127, n_in); /* the extreme sums */
        edgec_avg_pool2d_s8(in, got, &p);
        ref_edgec_avg_pool2d_s8(in, want, &p);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d k %dx%d\n", p.in_h, p.in_w, p.channels, p.k_h, p.k_w);
        ++cases;
        free(in); free(got); free(want);
    }
    report("avg_pool2d_s8", cases, bad);
}

#ifdef __ARM_NEON
static int8_t *pack_conv_s8_dot4(const int8_t *w, const int32_t *bias, int32_t input_offset, int32_t oc, int32_t k,
                                 int32_t run, int32_t row, int32_t *bias_out);
#endif

/* The int8 fully connected layer on random shapes. dot4 (NEON only): edgec_fully_connected_s8_dot4 on the weights
 * packed as the compiler packs them (pack_fc_s8_dot4: the conv's dot4 blocks, a last block of at most 8 units a
 * half one, the bias padded to whole blocks of 16 units), up to 45 units (whole, partial and half blocks, 8 of them
 * as ad01's bottleneck), depths of every remainder mod 16 up to 700, a sixth of the cases depths of whole 32s or
 * of whole 8s (8 to 40: the pair paths' 16- and 8-byte steps, one pair of quads) over up to 80 units (blocks two
 * at a time), half with EDGEC_FULLY_CONNECTED_S8_DOT4_SYM (weights within [-127, 127], a fifth of them at the
 * extremes: the int16 sums of two products at their bounds), two thirds of those without a left shift with
 * TFLite's ReLU (zero point -128, int8's bounds: the unsigned narrowing without the rounding fix-up). */
static void fuzz_fc_s8(int32_t n_cases, int dot4) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_fully_connected_s8_params p;
        p.batches = uniform(1, 3);
        p.depth = t % 4 == 0 ? uniform(1, 20) : uniform(1, dot4 && t % 4 == 1 ? 700 : 300);
        p.units = dot4 ? (t % 6 == 5 ? 8 : t % 6 == 4 ? 16 * uniform(1, 2) : uniform(1, 45)) : uniform(1, 19);
        if (dot4 && t % 6 == 2) { /* TFLite Micro's usual layer: the kernel's blocks in pairs, no tails (whole 32s;
                                   * on cortex-a53 whole 8s, from a single pair of quads) */
            p.depth = t % 4 == 2 ? 32 * uniform(1, 8) : 8 * uniform(1, 5);
            p.units = uniform(17, 80);
        }
        p.input_offset = uniform(-127, 128);
        p.filter_offset = !dot4 && t % 3 == 0 ? uniform(-127, 128) : 0;
        p.output_offset = uniform(-128, 127);
        p.single_rounding = t % 2;
        const float scale = 1.0f / (256.0f * sqrtf((float)p.depth));
        int32_t e = 0;
        float m = scale;
        while (m < 0.5f) { m *= 2.0f; --e; }
        p.multiplier = (int32_t)(m * 2147483648.0f) - (int32_t)(next_u32() % 1024u);
        p.shift = e;
        if (t % 8 == 7) random_multiplier(&p.multiplier, &p.shift, -3, 2); /* a left shift, saturating cases */
        if (!dot4 && t % 5 == 3) p.input_offset = 0; /* eight rows a pass */
        p.act_min = t % 5 == 0 ? 0 : -128;
        p.act_max = 127;
        if (dot4 && t % 8 != 7 && uniform(0, 2) != 0) { /* TFLite's ReLU: the unsigned narrowing */
            p.output_offset = -128;
            p.act_min = -128;
        }
        const size_t n_in = (size_t)p.batches * p.depth, n_w = (size_t)p.units * p.depth;
        int8_t *in = malloc(n_in), *w = malloc(n_w);
        int8_t *got = malloc((size_t)p.batches * p.units), *want = malloc((size_t)p.batches * p.units);
        int32_t *bias = malloc(sizeof(int32_t) * p.units);
        fill_s8(in, n_in);
        fill_s8(w, n_w);
        const int sym = dot4 && t % 2 == 0, extremes = sym && t % 5 == 2;
        for (size_t i = 0; sym && i < n_w; ++i) w[i] = extremes ? (w[i] < 0 ? -127 : 127) : w[i] == -128 ? -127 : w[i];
        for (size_t i = 0; extremes && i < n_in; ++i) in[i] = in[i] < 0 ? -128 : 127;
        for (int32_t i = 0; i < p.units; ++i) bias[i] = uniform(-20000, 20000);
        const int32_t *b = t % 7 == 6 ? NULL : bias;
#ifdef __ARM_NEON
        if (dot4) {
            const int32_t blocks = (p.units + 15) / 16;
            int32_t *bias2 = calloc((size_t)blocks * 16, sizeof(int32_t));
            int8_t *packed = pack_conv_s8_dot4(w, b, p.input_offset, p.units, p.depth, p.depth, p.depth, bias2);
            const int32_t head = EDGEC_FC_DOT4_HEAD(p.units), k4 = (p.depth + 3) / 4;
            int8_t *half = packed + (size_t)head * k4 * 4; /* a last half block: its quads' first 32 bytes */
            for (int32_t i = 0; head < p.units && i < k4; ++i) memmove(half + 32 * i, half + 64 * i, 32);
            edgec_fully_connected_s8_params q = p;
            q.input_offset = 0; /* folded into bias2 */
            edgec_fully_connected_s8_dot4(in, packed, bias2, got, &q, sym ? EDGEC_FULLY_CONNECTED_S8_DOT4_SYM : 0);
            free(bias2); free(packed);
        } else
#endif
        {
            edgec_fully_connected_s8(in, w, b, got, &p);
        }
        ref_edgec_fully_connected_s8(in, w, b, want, &p);
        if (memcmp(got, want, (size_t)p.batches * p.units) != 0 && count_mismatch(&bad))
            printf("  mismatch: batches %d depth %d units %d\n", p.batches, p.depth, p.units);
        free(in); free(w); free(got); free(want); free(bias);
    }
    report(dot4 ? "fully_connected_s8_dot4" : "fully_connected_s8", n_cases, bad);
}

/* The float conv of an int8 geometry: out_c output channels in `groups` groups, case t's clamp (a ReLU every third
 * case, an upper bound every sixth). */
static edgec_conv2d_params conv_f32_params(const edgec_conv2d_s8_params *g, int32_t out_c, int32_t groups, int32_t t) {
    edgec_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.batch = g->batch; p.in_h = g->in_h; p.in_w = g->in_w; p.in_c = g->in_c;
    p.out_h = g->out_h; p.out_w = g->out_w; p.out_c = out_c;
    p.k_h = g->k_h; p.k_w = g->k_w; p.stride_h = g->stride_h; p.stride_w = g->stride_w;
    p.pad_top = g->pad_top; p.pad_left = g->pad_left; p.dil_h = g->dil_h; p.dil_w = g->dil_w;
    p.groups = groups;
    p.act_min = t % 3 == 0 ? 0.0f : -INFINITY;
    p.act_max = t % 6 == 0 ? 0.5f : INFINITY;
    return p;
}

static void fuzz_conv_f32(int32_t n_cases, int depthwise) {
    int32_t cases = 0, bad = 0;
    for (int32_t t = 0; cases < n_cases; ++t) {
        edgec_conv2d_s8_params g;
        if (!random_geometry(&g, !depthwise && t % 3 == 0, t % 5 == 1)) continue;
        if (depthwise && t % 2 == 0 && !square_3x3(&g)) continue; /* half the cases: NEON's 3x3 row path */
        if (depthwise && t % 4 == 1 && !square_kxk(&g, t % 8 == 1 ? 5 : 7, t % 64 == 1 || t % 64 == 5))
            continue; /* a quarter: 5x5 / 7x7 */
        const edgec_conv2d_params p =
            conv_f32_params(&g, depthwise ? g.in_c * (t % 4 == 3 ? 2 : 1) : g.out_c, depthwise ? g.in_c : 1, t);
        const size_t n_w = depthwise ? (size_t)p.k_h * p.k_w * p.out_c : (size_t)p.out_c * p.k_h * p.k_w * p.in_c;
        f32_case c = new_f32_case((size_t)p.batch * p.in_h * p.in_w * p.in_c, n_w, (size_t)p.out_c,
                                  (size_t)p.batch * p.out_h * p.out_w * p.out_c);
        const float *b = t % 7 == 6 ? NULL : c.bias;
        if (depthwise) {
            edgec_depthwise_conv2d_f32(c.in, c.w, b, c.got, &p);
            ref_edgec_depthwise_conv2d_f32(c.in, c.w, b, c.want, &p);
        } else {
            edgec_conv2d_nhwc_f32(c.in, c.w, b, c.got, &p);
            ref_edgec_conv2d_nhwc_f32(c.in, c.w, b, c.want, &p);
        }
        if (!close_f32(c.got, c.want, c.n_out) && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d k %dx%d out_c %d\n", p.in_h, p.in_w, p.in_c, p.k_h, p.k_w, p.out_c);
        ++cases;
        free_f32_case(&c);
    }
    report(depthwise ? "depthwise_conv2d_f32" : "conv2d_nhwc_f32", cases, bad);
}

#ifdef __ARM_NEON /* the NEON set's packed layout; run natively on x86 (tests/test_x86_kernels.py), this file
                    leaves the x86 packed kernel, whose layout differs, to tests/x86/kernel_fuzz.c */
/* The compile-time packing of compiler/edgec/ops/conv.py (pack_conv_f32_neon), OHWI -> blocks of 16 / 4 channels,
 * k-major, zero padded. */
static float *pack_conv_f32(const float *w, int32_t oc, int32_t k) {
    const int32_t padded = oc / 16 * 16 + (oc % 16 + 3) / 4 * 4;
    float *packed = calloc((size_t)padded * k, sizeof(float));
    for (int32_t start = 0; start < oc;) {
        const int32_t width = oc - start >= 16 ? 16 : 4;
        for (int32_t j = 0; j < width && start + j < oc; ++j)
            for (int32_t i = 0; i < k; ++i) packed[(size_t)start * k + (size_t)i * width + j] = w[(size_t)(start + j) * k + i];
        start += width;
    }
    return packed;
}

/* edgec_conv2d_nhwc_f32_packed (NEON only) against the reference's unpacked kernel: up to 45 output channels, so
 * that 16-channel blocks, 4-channel blocks and a padded last block all occur. */
static void fuzz_conv_f32_packed(int32_t n_cases) {
    int32_t cases = 0, bad = 0;
    for (int32_t t = 0; cases < n_cases; ++t) {
        edgec_conv2d_s8_params g;
        if (!random_geometry(&g, t % 3 == 0, t % 5 == 1)) continue;
        const edgec_conv2d_params p = conv_f32_params(&g, uniform(1, 45), 1, t);
        const int32_t k = p.k_h * p.k_w * p.in_c;
        f32_case c = new_f32_case((size_t)p.batch * p.in_h * p.in_w * p.in_c, (size_t)p.out_c * k, (size_t)p.out_c,
                                  (size_t)p.batch * p.out_h * p.out_w * p.out_c);
        float *packed = pack_conv_f32(c.w, p.out_c, k);
        const float *b = t % 7 == 6 ? NULL : c.bias;
        edgec_conv2d_nhwc_f32_packed(c.in, packed, b, c.got, &p);
        ref_edgec_conv2d_nhwc_f32(c.in, c.w, b, c.want, &p);
        if (!close_f32(c.got, c.want, c.n_out) && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d k %dx%d s %d,%d d %d,%d out_c %d\n", p.in_h, p.in_w, p.in_c, p.k_h,
                   p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.out_c);
        ++cases;
        free_f32_case(&c);
        free(packed);
    }
    report("conv2d_nhwc_f32_packed", cases, bad);
}

/* The compile-time packing of compiler/edgec/ops/quantized_s8.py (pack_conv_s8_dot4 for the NEON set): OHWI ->
 * blocks of 16 channels, [K4][16][4] bytes, zero padded; bias + input_offset * each channel's weight sum. With
 * `run` < `row` (EDGEC_CONV2D_S8_DOT4_ROWS) each kernel row's run bytes take row bytes, zeros after them. */
static int8_t *pack_conv_s8_dot4(const int8_t *w, const int32_t *bias, int32_t input_offset, int32_t oc, int32_t k,
                                 int32_t run, int32_t row, int32_t *bias_out) {
    const int32_t k4 = (k / run * row + 3) / 4, blocks = (oc + 15) / 16;
    int8_t *packed = calloc((size_t)blocks * 16 * k4 * 4, 1);
    for (int32_t o = 0; o < oc; ++o) {
        int32_t sum = 0;
        for (int32_t j = 0; j < k; ++j) {
            const int32_t i = j / run * row + j % run;
            packed[(((size_t)(o / 16) * k4 + i / 4) * 16 + o % 16) * 4 + i % 4] = w[(size_t)o * k + j];
            sum += w[(size_t)o * k + j];
        }
        bias_out[o] = (bias ? bias[o] : 0) + input_offset * sum;
    }
    return packed;
}

/* edgec_conv2d_s8_dot4 (NEON) against the reference's unpacked kernel: up to 45 output channels (full and padded
 * blocks), in_c multiples of 4 half the time (windows read straight from the input), the rest through the flat
 * window copies (a sixth of the cases 3x3 over 1 to 3 channels, as first layers are); pointwise, 3x3 interior
 * tiles and random geometries (strips of any length: their last one or two pixels on their own with the dot
 * product), a ninth of them whole 16-channel blocks only. Half the cases have only right shifts (every block
 * on the short rounding, dot4_round4_right), the others a few left or no shifts among them (an eighth right or
 * no shifts only: dot4_round4_noleft), a fifth an output zero point of -128 (ReLU's, narrowed unsigned when the
 * bounds are int8's). neon:
 * edgec_conv2d_s8_dot4_neon, half the cases EDGEC_CONV2D_S8_DOT4_SYM (weights within [-127, 127], a fifth of
 * them all extremes, weights +-127 and inputs -128 or 127: the int16 sums of two products at their bounds), a
 * third EDGEC_CONV2D_S8_DOT4_ROWS (kernel rows padded to words); a tenth in_c of 16, 32 or 48; a twelfth 1 to 3
 * input channels into 8 output channels, sym, right shifts only (VWW's first layer); an eighth 3 x 3 x 3 (or 5 x 5 x 1)
 * into 8 channels (a third 16 to 40), right shifts, fixed point, sym or not (the 8-channel loop over flat windows
 * of 7 quads); a sixteenth 9 to 12 kernel rows of 4 taps of one channel (KWS's first layer: the windows gathered by
 * TBL; a third of them ReLU into whole blocks: dot4_relu_tiles over the windows); of the others, a seventh ReLU
 * pointwise layers (zero point -128, int8's bounds: dot4_round4_relu) on maps up to 7 x 7 (odd pixel counts,
 * tails), in_c 8, 16 or up to 160, half of them with channels of no shift (in_c 8 and a quarter of the sym ones,
 * right shifts only otherwise: a53's ReLU blocks read in place, dot4_sym_relu_blocks; in_c 8: fixed point,
 * whole blocks of 16 or 32 channels: a55's contiguous and strided stores, a53's 8-byte rows), and a 32nd more
 * of the sym ones with right shifts only and in_c 8 or 16 to 136 by 8 (a53's one-lane tiles of 4 pixels, the
 * pixels % 4 on their own, up to 9 blocks). */
static void fuzz_conv_s8_dot4(int32_t n_cases, int neon) {
    int32_t cases = 0, bad = 0;
    for (int32_t t = 0; cases < n_cases; ++t) {
        edgec_conv2d_s8_params p;
        if (!random_geometry(&p, t % 3 == 0, t % 5 == 1)) continue;
        if (t % 3 == 1 && !square_3x3(&p)) continue;
        p.depth_multiplier = 1;
        if (t % 2 == 0) p.in_c = (p.in_c + 3) / 4 * 4;
        if (t % 6 == 1) p.in_c = uniform(1, 3); /* a first layer's 3 x 3 windows: three 16-byte copies each */
        else if (t % 10 == 7) p.in_c = 16 * uniform(1, 3); /* whole 16-byte runs (sym: a53's two pairs a pass) */
        p.out_c = uniform(1, 45);
        if (t % 9 == 3) p.out_c = 16 * uniform(1, 4); /* whole blocks only */
        else if (t % 12 == 1) p.out_c = 8; /* VWW's first layer: a53's 8-channel sym strip (right shifts only) */
        const int vww = t % 16 == 5 || t % 16 == 10; /* odd t: sym */
        if (vww) { /* VWW's first layer, 3 x 3 x 3 (a sixth 5 x 5 x 1) into 8 channels, right shifts, fixed point:
                    * the 8-channel loop over flat windows of 7 quads (dot4_flat8_q7), the TBL windows */
            const int32_t k = t % 48 == 10 ? 5 : 3;
            p.in_c = k == 5 ? 1 : 3;
            p.k_h = p.k_w = k; p.dil_h = p.dil_w = 1;
            p.stride_h = uniform(1, 2); p.stride_w = uniform(1, 2);
            p.in_h = uniform(3, 14); p.in_w = uniform(3, 14);
            if (t % 32 == 5) { /* rows past the first slot's 8 KB (VWW's 96 x 96): the ring, not the whole image */
                p.in_h = uniform(30, 40);
                p.in_w = uniform(90, 110);
            }
            if (t % 48 == 37) { /* a map of one to four pixels (one: the tile path, the windows as packed) */
                p.in_h = uniform(k, k + 1);
                p.in_w = k;
            }
            p.pad_top = uniform(0, 1); p.pad_left = uniform(0, 1);
            const int32_t h = p.in_h + p.pad_top + uniform(0, 1) - k, w = p.in_w + p.pad_left + uniform(0, 1) - k;
            if (h < 0 || w < 0) continue;
            p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
            p.out_c = t % 3 ? 8 : 8 * uniform(2, 5); /* 8 channels at a time */
        }
        const int kws_relu = neon && t % 16 == 7 && t % 3 == 0; /* whole ReLU blocks: dot4_relu_tiles' windows */
        if (t % 16 == 7) { /* KWS's first layer: 9 to 12 kernel rows of 4 taps of one channel (TBL's word windows) */
            p.in_c = 1; p.k_w = 4; p.k_h = uniform(9, 12); p.dil_w = 1; p.dil_h = uniform(0, 3) == 0 ? 2 : 1;
            p.stride_h = uniform(1, 2); p.stride_w = uniform(1, 3);
            p.in_h = uniform(5, 30); p.in_w = uniform(3, 16);
            if (t % 96 == 23) { /* too many rows for the whole image: the ring */
                p.in_h = uniform(40, 60);
                p.in_w = uniform(220, 260);
            }
            const int32_t eh = (p.k_h - 1) * p.dil_h + 1;
            p.pad_top = uniform(0, eh - 1); p.pad_left = uniform(0, 3);
            const int32_t h = p.in_h + p.pad_top + uniform(0, eh - 1) - eh, w = p.in_w + p.pad_left + uniform(0, 3) - 4;
            if (h < 0 || w < 0) continue;
            p.out_h = h / p.stride_h + 1; p.out_w = w / p.stride_w + 1;
            if (kws_relu) p.out_c = 16 * uniform(1, 4);
        }
        /* ReLU pointwise layers on small maps (VWW's 6 x 6, 3 x 3) */
        const int eo_pw = neon && t % 32 == 9; /* a53's one-lane tiles: K = 16 .. 136 (one or two passes) */
        const int relu_pw = neon && (t % 7 == 5 || eo_pw) && !vww && t % 16 != 7;
        if (relu_pw) {
            p.k_h = p.k_w = p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
            p.pad_top = p.pad_left = 0;
            p.in_h = p.out_h = uniform(1, 7);
            p.in_w = p.out_w = uniform(1, 7);
            p.in_c = t % 3 == 0 ? 8 : t % 3 == 1 ? 4 * uniform(1, 40) : 16 * uniform(1, 2); /* small K: 8, 16, 32 */
            if (eo_pw && p.in_c != 8) p.in_c = 8 * uniform(2, 17);
            p.out_c = uniform(0, 2) ? 16 * uniform(1, 9) : uniform(1, 45);
            if (p.in_c == 8) { /* whole blocks: a53's 8-byte rows (dot4_sym_k8_relu), rows of odd widths; 16
                                * channels: a55's tile outputs contiguous (dot4_relu_tiles_k8), 32: strided */
                p.out_c = 16 * uniform(1, 2);
                p.in_w = p.out_w = 2 * uniform(1, 3) + 1;
            }
        }
        /* a53's one-lane tiles over rows of 1 x k_w windows read in place (pixels stride_w * in_c apart, not one
         * row's bytes: the last step's pointer to the next tile), whole rows of 2 to 11 pixels, half of them of
         * 1 x 1 windows of 8 channels at stride 2 (one step) */
        const int eo_row = neon && t % 32 == 25 && !relu_pw;
        if (eo_row) {
            p.k_h = p.stride_h = p.dil_h = p.dil_w = 1;
            p.k_w = uniform(2, 3); p.stride_w = uniform(1, 2);
            p.pad_top = p.pad_left = 0;
            p.in_c = 8 * uniform(1, 3);
            if (t % 64 == 25) { /* rows of one step, 16 bytes apart (n = 1 outside the 8-byte rows' path) */
                p.in_c = 8;
                p.k_w = 1;
                p.stride_w = 2;
            }
            p.in_h = p.out_h = uniform(1, 3);
            p.out_w = uniform(2, 11);
            p.in_w = (p.out_w - 1) * p.stride_w + p.k_w;
            p.out_c = 16 * uniform(1, 5);
        }
        const int32_t K = p.k_h * p.k_w * p.in_c;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c, n_w = (size_t)p.out_c * K;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        int8_t *in = malloc(n_in), *w = malloc(n_w), *got = malloc(n_out), *want = malloc(n_out);
        int32_t *bias = malloc(sizeof(int32_t) * p.out_c), *mult = malloc(sizeof(int32_t) * p.out_c);
        int32_t *shift = malloc(sizeof(int32_t) * p.out_c), *bias2 = malloc(sizeof(int32_t) * p.out_c);
        fill_s8(in, n_in);
        fill_s8(w, n_w);
        const int32_t flags =
            neon ? (t % 2 ? EDGEC_CONV2D_S8_DOT4_SYM : 0) | (t % 3 == 2 && !vww ? EDGEC_CONV2D_S8_DOT4_ROWS : 0) : 0;
        const int32_t run = p.k_w * p.in_c, row = flags & EDGEC_CONV2D_S8_DOT4_ROWS ? (run + 3) / 4 * 4 : run;
        if (flags & EDGEC_CONV2D_S8_DOT4_SYM) {
            const int extremes = t % 5 == 0;
            for (size_t i = 0; i < n_w; ++i) w[i] = extremes ? (w[i] < 0 ? -127 : 127) : w[i] == -128 ? -127 : w[i];
            for (size_t i = 0; extremes && i < n_in; ++i) in[i] = in[i] < 0 ? -128 : 127;
        }
        for (int32_t i = 0; i < p.out_c; ++i) bias[i] = uniform(-20000, 20000);
        random_requant(&p, mult, shift, p.out_c, K);
        const int k8 = relu_pw && p.in_c == 8; /* fixed point, no left shifts: every block a ReLU block */
        const int sym_relu = (relu_pw || eo_row) && t % 4 == 1; /* sym, right shifts only: a53's one-lane tiles */
        while ((vww || k8 || kws_relu || sym_relu) && p.requant != EDGEC_REQUANT_FIXED)
            random_requant(&p, mult, shift, p.out_c, K);
        for (int32_t i = 0; (t % 4 < 2 || vww) && i < p.out_c; ++i)
            if (shift[i] >= 0) shift[i] = -uniform(1, 3);
        if (t % 5 == 2) p.output_offset = -128; /* ReLU's zero point (the unsigned narrowing with int8's bounds) */
        if (vww && t / 16 % 2) { /* VWW's first layer is ReLU's: a53's flat8 loop without the rounding's fix-up */
            p.output_offset = -128;
            p.act_min = -128;
            p.act_max = 127;
        }
        if (relu_pw || kws_relu || eo_row) { /* ReLU's bounds (dot4_round4_relu), a few channels of no shift in half */
            p.output_offset = -128;
            p.act_min = -128;
            p.act_max = 127;
            for (int32_t i = 0; (t % 2 == 0 || t % 8 == 5 || k8 || kws_relu) && i < p.out_c; ++i)
                if (shift[i] > 0 || uniform(0, 7) == 0) shift[i] = 0;
        }
        for (int32_t i = 0; t % 8 == 2 && i < p.out_c; ++i) /* right or no shifts (dot4_round4_noleft) */
            if (shift[i] > 0 || uniform(0, 15) == 0) shift[i] = 0;
        const int32_t *b = t % 7 == 6 ? NULL : bias;
        int8_t *packed = pack_conv_s8_dot4(w, b, p.input_offset, p.out_c, K, run, row, bias2);
        if (neon) edgec_conv2d_s8_dot4_neon(in, packed, bias2, mult, shift, got, &p, flags);
        else edgec_conv2d_s8_dot4(in, packed, bias2, mult, shift, got, &p);
        ref_edgec_conv2d_s8(in, w, b, mult, shift, want, &p);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad)) print_conv_s8_mismatch(&p);
        ++cases;
        free(in); free(w); free(got); free(want); free(bias); free(mult); free(shift); free(bias2); free(packed);
    }
    report(neon ? "conv2d_s8_dot4_neon" : "conv2d_s8_dot4", cases, bad);
}
#endif

static void fuzz_matmul_f32(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_matmul_params p;
        memset(&p, 0, sizeof p);
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) p.batch_shape[d] = 1;
        p.batch_shape[EDGEC_MAX_RANK - 1] = uniform(1, 2);
        p.m = t % 3 == 0 ? 1 : uniform(1, 11);
        p.k = uniform(1, 70);
        p.n = uniform(1, 40);
        p.a_strides[EDGEC_MAX_RANK - 1] = p.m * p.k;
        p.b_strides[EDGEC_MAX_RANK - 1] = t % 2 ? p.k * p.n : 0; /* 0: one B for every batch (a layer's weights) */
        p.act_min = t % 3 == 1 ? 0.0f : -INFINITY;
        p.act_max = INFINITY;
        const int32_t nb = p.batch_shape[EDGEC_MAX_RANK - 1];
        /* in: A, w: B */
        f32_case c = new_f32_case((size_t)nb * p.m * p.k, (size_t)nb * p.k * p.n, (size_t)p.n, (size_t)nb * p.m * p.n);
        const float *b = t % 5 == 4 ? NULL : c.bias;
        edgec_matmul_f32(c.in, c.w, b, c.got, &p);
        ref_edgec_matmul_f32(c.in, c.w, b, c.want, &p);
        if (!close_f32(c.got, c.want, c.n_out) && count_mismatch(&bad))
            printf("  mismatch: m %d k %d n %d\n", p.m, p.k, p.n);
        free_f32_case(&c);
    }
    report("matmul_f32", n_cases, bad);
}

int main(int argc, char **argv) {
    const int32_t n = fuzz_args(argc, argv);
    fuzz_conv_s8(n, 0);
    fuzz_conv_s8(n, 1);
    fuzz_fc_s8(n, 0);
    fuzz_add_s8(n, add_s8_shape, add_s8_scales);
    fuzz_avg_pool_s8(n);
    fuzz_conv_f32(n, 0);
    fuzz_conv_f32(n, 1);
#ifdef __ARM_NEON
    fuzz_conv_f32_packed(n);
    fuzz_conv_s8_dot4(n, 0);
    fuzz_conv_s8_dot4(n, 1);
    fuzz_fc_s8(n, 1);
#endif
    fuzz_matmul_f32(n);
    return failures ? 1 : 0;
}
