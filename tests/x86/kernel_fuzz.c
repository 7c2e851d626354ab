/* The runtimes/x86/ kernels that tests/neon/kernel_fuzz.c does not cover, against runtimes/reference/ on random
 * shapes, natively (tests/test_x86_kernels.py). The reference kernels are compiled with their names prefixed
 * ref_ (-Dedgec_x=ref_edgec_x). int8 outputs must match byte for byte; float within 1e-4 (absolute and
 * relative). The cases it shares with tests/neon/float_fuzz.c are in tests/kernel_fuzz_common.h, the add's (with
 * tests/neon/kernel_fuzz.c) in tests/kernel_fuzz_add_s8.h. Prints one line per kernel: cases run, mismatches; exits
 * 1 on any. */
#define _DEFAULT_SOURCE /* mmap, mprotect: inputs that end at an unreadable page */
#include "../kernel_fuzz_common.h"
#include "../kernel_fuzz_add_s8.h"
#include <sys/mman.h>
#include <unistd.h>

#include "edgec_conv2d_nhwc_f32.h"
#include "edgec_conv2d_s8.h"
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"
#include "edgec_matmul_f32_packed.h"
#include "edgec_qdq_s8.h"

void ref_edgec_fully_connected_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                                  const edgec_fully_connected_s8_params *p);
void ref_edgec_conv2d_nhwc_f32(const float *input, const float *weights, const float *bias, float *output,
                               const edgec_conv2d_params *p);
void ref_edgec_conv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                         const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p);
void ref_edgec_depthwise_conv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                   const int32_t *multiplier, const int32_t *shift, int8_t *output,
                                   const edgec_conv2d_s8_params *p);
void ref_edgec_quantize_s8(const float *x, int8_t *q, const edgec_qdq_s8_params *p);
void ref_edgec_add_q8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_q8_params *p);
void ref_edgec_matmul_f32(const float *a, const float *b, const float *bias, float *out, const edgec_matmul_params *p);
void ref_edgec_matmul_f32_packed(const float *a, const float *packed, const float *bias, float *out,
                                 const edgec_matmul_params *p);
void ref_edgec_depthwise_conv2d_f32(const float *input, const float *weights, const float *bias, float *output,
                                    const edgec_conv2d_params *p);

/* A random hybrid conv geometry: up to 90 channels in up to 3 groups over up to 12 x 12 pixels; 0 if the output
 * is empty. */
static int hybrid_geometry(edgec_conv2d_hybrid_params *p, int32_t t) {
    hybrid_quant_and_groups(p, t);
    p->out_c = p->groups * uniform(1, 40);
    p->in_h = uniform(1, 12); p->in_w = uniform(1, 12);
    return hybrid_window(p, t, 1);
}

/* int8 add's output shapes: rank 1 to 4, every fourth case rows past the kernel's 1024 elements, where it looks the
 * rescaled inputs up (a row length drawn for every dim, kept for the last). */
static int32_t add_s8_shape(int32_t *out_shape, int32_t t) {
    const int32_t rank = uniform(1, 4);
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) out_shape[d] = 1;
    for (int32_t d = EDGEC_MAX_RANK - rank; d < EDGEC_MAX_RANK; ++d) {
        const int32_t last = t % 4 == 3 ? uniform(300, 700) : uniform(1, 40);
        out_shape[d] = d == EDGEC_MAX_RANK - 1 ? last : uniform(1, 5);
    }
    return rank;
}

/* int8 add's scales: right shifts only, now and then a left shift below 20. */
static void add_s8_scales(edgec_add_s8_params *p, int32_t t) {
    p->left_shift = t % 5 == 0 ? uniform(0, 20) : 20;
    random_multiplier(&p->input1_multiplier, &p->input1_shift, -10, 0);
    random_multiplier(&p->input2_multiplier, &p->input2_shift, -10, 0);
    random_multiplier(&p->output_multiplier, &p->output_shift, -24, 1);
}

/* Fully connected layers deeper than tests/neon/kernel_fuzz.c's (up to 300): the x86 kernel's two paths, a
 * shifted copy of the input on its stack up to 8192 values, signed products beyond. */
static void fuzz_fc_deep(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_fully_connected_s8_params p;
        memset(&p, 0, sizeof p);
        p.batches = uniform(1, 2);
        p.depth = t % 2 ? uniform(8150, 8250) : uniform(300, 3000);
        p.units = t % 3 ? uniform(1, 9) : uniform(8, 40); /* groups of 8 units, and a remainder */
        p.input_offset = t % 3 == 0 ? 128 : uniform(-127, 128);
        p.filter_offset = t % 4 == 0 ? uniform(-127, 128) : 0;
        p.output_offset = uniform(-128, 127);
        p.single_rounding = t % 2;
        p.multiplier = (int32_t)(0x40000000u + (next_u32() & 0x3fffffffu));
        p.shift = -uniform(10, 16);
        p.act_min = -128;
        p.act_max = 127;
        const size_t n_in = (size_t)p.batches * p.depth, n_w = (size_t)p.units * p.depth;
        const size_t n_out = (size_t)p.batches * p.units;
        int8_t *in = malloc(n_in), *w = malloc(n_w), *got = malloc(n_out), *want = malloc(n_out);
        int32_t *bias = malloc(sizeof(int32_t) * p.units);
        fill_s8(in, n_in);
        fill_s8(w, n_w);
        for (int32_t i = 0; i < p.units; ++i) bias[i] = uniform(-20000, 20000);
        edgec_fully_connected_s8(in, w, bias, got, &p);
        ref_edgec_fully_connected_s8(in, w, bias, want, &p);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: batches %d depth %d units %d\n", p.batches, p.depth, p.units);
        free(in); free(w); free(got); free(want); free(bias);
    }
    report("fully_connected_s8_deep", n_cases, bad);
}

/* OHWI float weights packed as compiler/edgec/ops/conv.py's pack_conv_f32_x86 does: blocks of 16 output channels,
 * k-major, zero padded. */
static float *pack_conv_f32_x86(const float *w, int32_t oc, int32_t K) {
    float *packed = calloc((size_t)(oc + 15) / 16 * K * 16, sizeof(float));
    for (int32_t o = 0; o < oc; ++o)
        for (int32_t k = 0; k < K; ++k) packed[((size_t)(o / 16) * K + k) * 16 + o % 16] = w[(size_t)o * K + k];
    return packed;
}

/* A float conv case (f32_case) of p, with its weights packed for the x86 kernel. */
static f32_case new_conv_f32_case(const edgec_conv2d_params *p, float **packed) {
    const int32_t K = p->k_h * p->k_w * p->in_c;
    f32_case c = new_f32_case((size_t)p->batch * p->in_h * p->in_w * p->in_c, (size_t)p->out_c * K,
                              (size_t)p->out_c, (size_t)p->batch * p->out_h * p->out_w * p->out_c);
    *packed = pack_conv_f32_x86(c.w, p->out_c, K);
    return c;
}

/* edgec_conv2d_nhwc_f32_packed, weights packed here as compiler/edgec/ops/conv.py's pack_conv_f32_x86 does:
 * borders, strides, dilations, channel counts past one 16-channel block and past the kernel's 256-channel passes,
 * kernels with more taps than one pointer table (32 with AVX-512, else 64) and rows wider than the zero pixel, pointwise layers (read
 * in place, up to 400 channels); output channels past two blocks (AVX-512's 32-channel tiles, 8-channel halves)
 * and pixel counts that leave short last tiles. */
static void fuzz_conv_f32_packed(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_conv2d_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        p.in_c = t % 9 == 4 ? uniform(250, 300) : t % 3 ? uniform(1, 40) : uniform(1, 4);
        p.out_c = t % 5 == 1 ? uniform(17, 70) : uniform(1, 16);
        p.k_h = t % 13 == 7 ? 9 : uniform(1, 3);
        p.k_w = t % 13 == 7 ? 9 : uniform(1, 5);
        if (t % 13 == 7) p.in_c = uniform(1, 12); /* sums of at most ~3,000 products: float within 1e-4 */
        const int pointwise = t % 6 == 5; /* 1 x 1, stride 1, no padding: read in place, any in_c in one pass */
        if (pointwise) {
            p.k_h = p.k_w = 1;
            if (t % 4 == 1) p.in_c = uniform(257, 400);
        }
        p.stride_h = pointwise ? 1 : uniform(1, 3);
        p.stride_w = pointwise ? 1 : uniform(1, 3);
        p.dil_h = t % 4 == 3 ? uniform(1, 3) : 1;
        p.dil_w = t % 4 == 2 ? uniform(1, 3) : 1;
        p.in_h = uniform((p.k_h - 1) * p.dil_h + 1, (p.k_h - 1) * p.dil_h + 12);
        p.in_w = uniform((p.k_w - 1) * p.dil_w + 1, (p.k_w - 1) * p.dil_w + 14);
        p.pad_top = pointwise ? 0 : uniform(0, p.k_h / 2 + 1);
        p.pad_left = pointwise ? 0 : uniform(0, p.k_w / 2 + 1);
        p.out_h = (p.in_h + 2 * p.pad_top - (p.k_h - 1) * p.dil_h - 1) / p.stride_h + 1;
        p.out_w = (p.in_w + 2 * p.pad_left - (p.k_w - 1) * p.dil_w - 1) / p.stride_w + 1;
        p.groups = 1;
        p.act_min = t % 2 ? 0.0f : -INFINITY;
        p.act_max = t % 3 == 0 ? 6.0f : INFINITY;
        float *packed;
        f32_case c = new_conv_f32_case(&p, &packed);
        const float *b = t % 7 == 3 ? NULL : c.bias;
        edgec_conv2d_nhwc_f32_packed(c.in, packed, b, c.got, &p);
        ref_edgec_conv2d_nhwc_f32(c.in, c.w, b, c.want, &p);
        if (!close_f32(c.got, c.want, c.n_out) && count_mismatch(&bad)) {
            float worst = 0.0f;
            for (size_t i = 0; i < c.n_out; ++i) worst = fmaxf(worst, fabsf(c.got[i] - c.want[i]));
            printf("  mismatch (max abs diff %g): in %dx%dx%d out_c %d k %dx%d stride %d,%d dil %d,%d pad %d,%d\n", worst,
                   p.in_h, p.in_w, p.in_c, p.out_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top,
                   p.pad_left);
        }
        free_f32_case(&c);
        free(packed);
    }
    report("conv2d_nhwc_f32_packed", n_cases, bad);
}

/* The float conv's paths for few channels (AVX-512): 1-4 inputs and at most 8 outputs (a network's first layer:
 * two window values x 8 channels a vector, repacked per call), through both entries (weights packed as
 * pack_conv_f32_x86 does, and OHWI): strides 1 and 2, padding on every side, dilated rows, rows of odd and even
 * length, images wide enough for whole 8-pixel tiles and short last ones, and beside it 16-channel layers; and
 * pointwise layers with 8, 16, 24 or 32 inputs to 1-40 outputs, pixel counts past 12-pixel tiles. */
static void fuzz_conv_f32_few_channels(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_conv2d_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        p.in_c = uniform(1, 4);
        p.out_c = t % 4 == 3 ? 16 : t % 2 ? 8 : uniform(1, 8);
        p.k_h = t % 5 == 4 ? 1 : uniform(2, 5);
        p.k_w = t % 5 == 4 ? 1 : uniform(1, 5);
        p.stride_h = uniform(1, 2);
        p.stride_w = uniform(1, 2);
        p.dil_h = t % 6 == 1 ? 2 : 1;
        p.dil_w = 1;
        p.in_h = uniform((p.k_h - 1) * p.dil_h + 1, (p.k_h - 1) * p.dil_h + 9);
        p.in_w = uniform(p.k_w, p.k_w + 40);
        p.pad_top = uniform(0, p.k_h / 2 + (t % 3 == 0));
        p.pad_left = uniform(0, p.k_w / 2 + (t % 3 == 0));
        const int32_t pad_bottom = uniform(0, p.k_h / 2), pad_right = uniform(0, p.k_w / 2);
        const int pointwise = t % 8 == 6; /* 1 x 1 in place with 8-32 inputs: their own path, any out_c */
        if (pointwise) {
            p.in_c = 8 * uniform(1, 4);
            p.out_c = uniform(1, 40);
            p.k_h = p.k_w = p.stride_h = p.stride_w = p.dil_h = 1;
            p.in_h = uniform(1, 6);
            p.pad_top = p.pad_left = 0;
        }
        p.out_h = (p.in_h + p.pad_top + (pointwise ? 0 : pad_bottom) - (p.k_h - 1) * p.dil_h - 1) / p.stride_h + 1;
        p.out_w = (p.in_w + p.pad_left + (pointwise ? 0 : pad_right) - p.k_w) / p.stride_w + 1;
        p.groups = 1;
        p.act_min = t % 2 ? 0.0f : -INFINITY;
        p.act_max = t % 3 == 0 ? 0.5f : INFINITY;
        float *packed;
        f32_case c = new_conv_f32_case(&p, &packed);
        const float *b = t % 7 == 3 ? NULL : c.bias;
        if (t % 2 || pointwise)
            edgec_conv2d_nhwc_f32_packed(c.in, packed, b, c.got, &p);
        else
            edgec_conv2d_nhwc_f32(c.in, c.w, b, c.got, &p);
        ref_edgec_conv2d_nhwc_f32(c.in, c.w, b, c.want, &p);
        if (!close_f32(c.got, c.want, c.n_out) && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d out_c %d k %dx%d stride %d,%d dil_h %d pad %d,%d\n", p.in_h, p.in_w,
                   p.in_c, p.out_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.pad_top, p.pad_left);
        free_f32_case(&c);
        free(packed);
    }
    report("conv2d_nhwc_f32_few_channels", n_cases, bad);
}

/* n bytes ending where an unreadable page begins, so that a kernel reading past its input faults; free with
 * free_guarded(ptr, n). */
static int8_t *alloc_guarded(size_t n) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (n + page - 1) / page * page;
    uint8_t *base = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + span, page, PROT_NONE) != 0) abort();
    return (int8_t *)(base + span - n);
}
static void free_guarded(int8_t *x, size_t n) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (n + page - 1) / page * page;
    munmap((uint8_t *)x + n - span, span + page);
}

/* An output channel's bias and requantisation: with EDGEC_REQUANT_FLOAT a scale of 1 to 1000 float_units (its bits
 * in the multiplier, shift 0), else a fixed-point multiplier with a shift in [-14, 1]. */
static void random_channel_s8(int32_t requant, float float_unit, int32_t *bias, int32_t *multiplier, int32_t *shift) {
    *bias = uniform(-30000, 30000);
    if (requant == EDGEC_REQUANT_FLOAT) {
        const float scale = (float)uniform(1, 1000) * float_unit;
        __builtin_memcpy(multiplier, &scale, 4);
        *shift = 0;
    } else {
        random_multiplier(multiplier, shift, -14, 1);
    }
}

/* edgec_conv2d_s8_dot4, weights and bias packed here as compiler/edgec/ops/quantized_s8.py's pack_conv_s8_dot4
 * does, the input ending at an unreadable page (the short rows' 16-byte loads must not pass it):
 * borders (the padding byte), strides, dilations, several blocks of 16 channels, windows not a multiple of
 * 4, both requantisations (TFLite's fixed point with INT32_MIN / INT32_MAX multipliers and left shifts, and
 * onnxruntime's float), the input offset's whole range. Byte for byte. */
static void fuzz_conv_s8_dot4(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_conv2d_s8_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        p.in_c = t % 9 == 4 ? uniform(100, 300) : t % 3 ? uniform(1, 40) : uniform(1, 4);
        p.out_c = t % 5 == 1 ? uniform(17, 300) : t % 5 == 3 ? 8 : uniform(1, 16); /* 8: pixels requantised in pairs */
        p.k_h = uniform(1, 4);
        p.k_w = uniform(1, 5);
        p.stride_h = uniform(1, 3);
        p.stride_w = uniform(1, 3);
        p.dil_h = t % 4 == 3 ? uniform(1, 3) : 1;
        p.dil_w = t % 4 == 2 ? uniform(1, 3) : 1;
        p.in_h = uniform((p.k_h - 1) * p.dil_h + 1, (p.k_h - 1) * p.dil_h + 10);
        p.in_w = uniform((p.k_w - 1) * p.dil_w + 1, (p.k_w - 1) * p.dil_w + 12);
        p.pad_top = uniform(0, p.k_h / 2 + 1);
        p.pad_left = uniform(0, p.k_w / 2 + 1);
        if (t % 8 == 7) { /* pointwise over whole words of the input: the kernel reads the pixels in place */
            p.k_h = p.k_w = p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
            p.pad_top = p.pad_left = 0;
            p.in_c = 4 * uniform(1, 40);
        }
        p.out_h = (p.in_h + 2 * p.pad_top - (p.k_h - 1) * p.dil_h - 1) / p.stride_h + 1;
        p.out_w = (p.in_w + 2 * p.pad_left - (p.k_w - 1) * p.dil_w - 1) / p.stride_w + 1;
        p.depth_multiplier = 1;
        p.input_offset = t % 7 == 0 ? (t % 2 ? -127 : 128) : uniform(-127, 128);
        p.output_offset = uniform(-128, 127);
        p.act_min = t % 4 == 0 ? uniform(-128, 0) : -128;
        p.act_max = t % 4 == 1 ? uniform(0, 127) : 127;
        p.requant = t % 3 == 2 ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
        const int32_t K = p.k_h * p.k_w * p.in_c, K4 = (K + 3) / 4, OC = p.out_c, blocks = (OC + 15) / 16;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c, n_w = (size_t)OC * K;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * OC;
        int8_t *in = alloc_guarded(n_in), *w = malloc(n_w), *packed = calloc((size_t)blocks * K4 * 64, 1);
        int8_t *got = malloc(n_out), *want = malloc(n_out);
        int32_t *bias = malloc(sizeof(int32_t) * OC), *folded = malloc(sizeof(int32_t) * OC);
        int32_t *mult = malloc(sizeof(int32_t) * OC), *shift = malloc(sizeof(int32_t) * OC);
        fill_s8(in, n_in);
        fill_s8(w, n_w);
        const int with_bias = t % 6 != 5;
        for (int32_t oc = 0; oc < OC; ++oc) {
            random_channel_s8(p.requant, 1e-6f, &bias[oc], &mult[oc], &shift[oc]);
            int32_t sum = 0;
            for (int32_t k = 0; k < K; ++k) {
                const int8_t v = w[(size_t)oc * K + k];
                sum += v;
                packed[(((size_t)(oc / 16) * K4 + k / 4) * 16 + oc % 16) * 4 + k % 4] = v;
            }
            folded[oc] = (with_bias ? bias[oc] : 0) + (p.input_offset - 128) * sum;
        }
        edgec_conv2d_s8_dot4(in, packed, folded, mult, shift, got, &p);
        ref_edgec_conv2d_s8(in, w, with_bias ? bias : NULL, mult, shift, want, &p);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d out_c %d k %dx%d stride %d,%d dil %d,%d pad %d,%d offset %d requant %d\n",
                   p.in_h, p.in_w, p.in_c, OC, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top,
                   p.pad_left, p.input_offset, p.requant);
        free_guarded(in, n_in); free(w); free(packed); free(got); free(want);
        free(bias); free(folded); free(mult); free(shift);
    }
    report("conv2d_s8_dot4", n_cases, bad);
}

/* edgec_depthwise_conv2d_s8's paths: 8 channels with stride 1 (two pixels per vector) and not, multiples of 16
 * and not (the last block overlapping), fewer than 16; 3x3 and 5x5 at stride 1 and 2 (the tiles that load each
 * input vector once), other kernels, dilation (the general tiles); rows wide enough for several tiles and their
 * single-vector tails, edge columns and rows; fixed-point requantisation by vectors, with an INT32_MIN multiplier
 * (lane by lane) and float; input offsets within int16 and past it, depth multipliers (the reference loop); maps
 * taller than wide (taken column by column). The input ends at an unreadable page. */
static void fuzz_depthwise_s8(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_conv2d_s8_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        static const int32_t channels[] = {8, 8, 16, 32, 24, 40, 48};
        p.in_c = t % 4 == 3 ? uniform(1, 70) : channels[t % 7];
        p.k_h = p.k_w = t % 3 == 0 ? 3 : t % 3 == 1 ? 5 : uniform(1, 4);
        if (t % 5 == 4) p.k_h = uniform(1, 5);
        p.stride_h = uniform(1, 2);
        p.stride_w = t % 6 == 5 ? 3 : uniform(1, 2);
        p.dil_h = t % 8 == 6 ? 2 : 1;
        p.dil_w = t % 8 == 7 ? uniform(2, 3) : 1;
        const int32_t eh = (p.k_h - 1) * p.dil_h + 1, ew = (p.k_w - 1) * p.dil_w + 1;
        p.in_h = uniform(eh > 2 ? eh - 2 : 1, eh + 6);
        p.in_w = uniform(ew > 2 ? ew - 2 : 1, ew + 30);
        if (t % 9 == 8) { /* taller than wide: column by column */
            p.in_h = uniform(eh + 8, eh + 30);
            p.in_w = uniform(ew > 2 ? ew - 2 : 1, ew + 8);
        }
        p.pad_top = uniform(0, eh - 1);
        p.pad_left = uniform(0, ew - 1);
        const int32_t h = p.in_h + p.pad_top + uniform(0, eh - 1) - eh;
        const int32_t w = p.in_w + p.pad_left + uniform(0, ew - 1) - ew;
        if (h < 0 || w < 0) { --t; continue; }
        p.out_h = h / p.stride_h + 1;
        p.out_w = w / p.stride_w + 1;
        p.depth_multiplier = t % 13 == 12 ? 2 : 1;
        p.out_c = p.in_c * p.depth_multiplier;
        p.input_offset = t % 11 == 10 ? (t % 2 ? -20000 : 40000) /* past int8: int16, and past int16 */
                         : t % 7 == 0 ? (t % 2 ? -127 : 128)
                                      : uniform(-127, 128);
        p.output_offset = uniform(-128, 127);
        p.act_min = t % 4 == 0 ? uniform(-128, 0) : -128;
        p.act_max = t % 4 == 1 ? uniform(0, 127) : 127;
        p.requant = t % 3 == 2 ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
        const int32_t OC = p.out_c;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c, n_w = (size_t)p.k_h * p.k_w * OC;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * OC;
        int8_t *in = alloc_guarded(n_in), *wt = malloc(n_w), *got = malloc(n_out), *want = malloc(n_out);
        int32_t *bias = malloc(sizeof(int32_t) * OC), *mult = malloc(sizeof(int32_t) * OC);
        int32_t *shift = malloc(sizeof(int32_t) * OC);
        fill_s8(in, n_in);
        fill_s8(wt, n_w);
        const int big_offset = p.input_offset > 1000 || p.input_offset < -1000;
        for (int32_t oc = 0; oc < OC; ++oc)
            random_channel_s8(p.requant, big_offset ? 1e-8f : 1e-5f, &bias[oc], &mult[oc], &shift[oc]);
        if (p.requant == EDGEC_REQUANT_FIXED && t % 10 == 1) mult[uniform(0, OC - 1)] = INT32_MIN;
        const int32_t *b = t % 6 == 5 ? NULL : bias;
        edgec_depthwise_conv2d_s8(in, wt, b, mult, shift, got, &p);
        ref_edgec_depthwise_conv2d_s8(in, wt, b, mult, shift, want, &p);
        if (memcmp(got, want, n_out) != 0 && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%dx%d dm %d k %dx%d stride %d,%d dil %d,%d pad %d,%d offset %d"
                   " requant %d\n", p.batch, p.in_h, p.in_w, p.in_c, p.depth_multiplier, p.k_h, p.k_w,
                   p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_left, p.input_offset, p.requant);
        free_guarded(in, n_in);
        free(wt); free(got); free(want); free(bias); free(mult); free(shift);
    }
    report("depthwise_conv2d_s8_x86", n_cases, bad);
}

/* edgec_quantize_s8 (both roundings, NCHW -> NHWC or not; ties, values past +-1e6, NaN) and edgec_add_q8 (ties
 * and saturation), byte for byte. */
static void fuzz_qdq(int32_t n_cases) {
    int32_t bad_q = 0, bad_add = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_qdq_s8_params p;
        memset(&p, 0, sizeof p);
        p.n = uniform(1, 2);
        p.c = uniform(1, 5);
        p.hw = uniform(1, 70);
        p.nchw_to_nhwc = t % 2;
        p.round_half_away = t % 5 == 0;
        p.scale = (float)uniform(1, 4000) / 1024.0f;
        p.zero_point = uniform(-128, 127);
        const size_t n = (size_t)p.n * p.c * p.hw;
        float *x = malloc(sizeof(float) * n);
        int8_t *got = malloc(n), *want = malloc(n);
        for (size_t i = 0; i < n; ++i) {
            const int32_t kind = uniform(0, 19);
            x[i] = kind == 0 ? ((float)uniform(-200, 200) + 0.5f) * p.scale /* ties */
                 : kind == 1 ? (float)uniform(-3, 3) * 1.0e7f : kind == 2 ? NAN : uniform_f() * 200.0f * p.scale;
        }
        edgec_quantize_s8(x, got, &p);
        ref_edgec_quantize_s8(x, want, &p);
        bad_q += memcmp(got, want, n) != 0;
        free(x); free(got); free(want);

        edgec_add_q8_params a;
        memset(&a, 0, sizeof a);
        a.count = uniform(1, 100);
        a.a_zero_point = uniform(-128, 127);
        a.b_zero_point = uniform(-128, 127);
        a.output_zero_point = uniform(-128, 127);
        a.a_ratio = t % 7 == 0 ? 0.5f : (float)uniform(1, 3000) / 1024.0f;
        a.b_ratio = t % 7 == 0 ? 0.5f : (float)uniform(1, 3000) / 1024.0f;
        int8_t *ia = malloc((size_t)a.count), *ib = malloc((size_t)a.count);
        int8_t *ga = malloc((size_t)a.count), *wa = malloc((size_t)a.count);
        fill_s8(ia, (size_t)a.count);
        fill_s8(ib, (size_t)a.count);
        edgec_add_q8(ia, ib, ga, &a);
        ref_edgec_add_q8(ia, ib, wa, &a);
        bad_add += memcmp(ga, wa, (size_t)a.count) != 0;
        free(ia); free(ib); free(ga); free(wa);
    }
    report("quantize_s8", n_cases, bad_q);
    report("add_q8", n_cases, bad_add);
}

/* The float matmul on B packed at compile time (ops/matmul.py pack_matmul_f32_x86, packed the same way here):
 * column blocks of 64 and of 16, the last padded, odd K, one to three rows, a broadcast batch of A; the x86 kernel
 * within 1e-4 of the reference on B unpacked, the reference on B packed bit for bit. */
static void fuzz_matmul_f32_packed(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_matmul_params p;
        memset(&p, 0, sizeof p);
        const int32_t batch = t % 5 == 4 ? uniform(2, 3) : 1;
        for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) p.batch_shape[d] = 1;
        p.batch_shape[EDGEC_MAX_RANK - 1] = batch;
        p.m = uniform(1, 3);
        p.k = t % 4 == 0 ? uniform(1, 9) : uniform(10, 700);
        p.n = t % 3 == 0 ? uniform(1, 40) : uniform(41, 300);
        p.a_strides[EDGEC_MAX_RANK - 1] = p.m * p.k;
        p.act_min = t % 2 ? 0.0f : -INFINITY;
        p.act_max = t % 3 == 1 ? 0.5f : INFINITY;
        size_t packed_n = 0;
        for (int32_t j = 0; j < p.n;) { const int32_t w = p.n - j >= 64 ? 64 : 16; packed_n += (size_t)p.k * w; j += w; }
        const size_t n_a = (size_t)batch * p.m * p.k, n_b = (size_t)p.k * p.n, n_out = (size_t)batch * p.m * p.n;
        float *a = malloc(sizeof(float) * n_a), *b = malloc(sizeof(float) * n_b), *bias = malloc(sizeof(float) * p.n);
        float *packed = calloc(packed_n, sizeof(float));
        float *got = malloc(sizeof(float) * n_out), *want = malloc(sizeof(float) * n_out);
        fill_activations(a, n_a, t);
        for (size_t i = 0; i < n_b; ++i) b[i] = uniform_f() * 0.2f;
        for (int32_t i = 0; i < p.n; ++i) bias[i] = uniform_f();
        float *blk = packed;
        for (int32_t j = 0; j < p.n;) {
            const int32_t w = p.n - j >= 64 ? 64 : 16;
            for (int32_t k = 0; k < p.k; ++k)
                for (int32_t c = 0; c < w && j + c < p.n; ++c) blk[(size_t)k * w + c] = b[(size_t)k * p.n + j + c];
            blk += (size_t)p.k * w;
            j += w;
        }
        const float *bi = t % 7 == 3 ? NULL : bias;
        ref_edgec_matmul_f32(a, b, bi, want, &p);
        edgec_matmul_f32_packed(a, packed, bi, got, &p);
        int ok = close_f32(got, want, n_out);
        ref_edgec_matmul_f32_packed(a, packed, bi, got, &p); /* the portable twin: the reference's sums exactly */
        ok = ok && memcmp(got, want, sizeof(float) * n_out) == 0;
        if (!ok && count_mismatch(&bad)) printf("  mismatch: batch %d m %d k %d n %d\n", batch, p.m, p.k, p.n);
        free(a); free(b); free(bias); free(packed); free(got); free(want);
    }
    report("matmul_f32_packed", n_cases, bad);
}

/* The float depthwise's 3x3 path (tiles of 8, 4 and 1 pixels, 16 then 8 channels, windows clipped at every
 * border), with some dilated or depth-multiplied cases for the other paths: within 1e-4. */
static void fuzz_depthwise_f32(int32_t n_cases) {
    int32_t bad = 0;
    for (int32_t t = 0; t < n_cases; ++t) {
        edgec_conv2d_params p;
        memset(&p, 0, sizeof p);
        p.batch = uniform(1, 2);
        p.in_c = 8 * uniform(1, t % 4 == 0 ? 12 : 4);
        if (t % 9 == 5) p.in_c = uniform(1, 30);
        p.out_c = t % 11 == 7 ? 2 * p.in_c : p.in_c;
        p.k_h = p.k_w = 3;
        if (t % 13 == 4) p.k_w = uniform(1, 5);
        p.stride_h = uniform(1, 2);
        p.stride_w = t % 10 == 9 ? 3 : uniform(1, 2);
        p.dil_h = p.dil_w = t % 12 == 6 ? 2 : 1;
        p.in_h = uniform(1, t % 3 == 0 ? 24 : 12);
        p.in_w = uniform(1, t % 3 == 1 ? 40 : 20);
        p.pad_top = uniform(0, 2);
        p.pad_left = uniform(0, 2);
        const int32_t eh = 2 * p.dil_h + 1, ew = (p.k_w - 1) * p.dil_w + 1;
        const int32_t h = p.in_h + p.pad_top + uniform(0, 2) - eh, w = p.in_w + p.pad_left + uniform(0, 2) - ew;
        if (h < 0 || w < 0) { --t; continue; }
        p.out_h = h / p.stride_h + 1;
        p.out_w = w / p.stride_w + 1;
        p.groups = p.in_c;
        p.act_min = t % 3 == 0 ? 0.0f : -INFINITY;
        p.act_max = t % 6 == 0 ? 0.5f : INFINITY;
        const size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c, n_w = (size_t)p.k_h * p.k_w * p.out_c;
        const size_t n_out = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        float *in = malloc(sizeof(float) * n_in), *wt = malloc(sizeof(float) * n_w);
        float *bias = malloc(sizeof(float) * p.out_c);
        float *got = malloc(sizeof(float) * n_out), *want = malloc(sizeof(float) * n_out);
        fill_activations(in, n_in, t);
        for (size_t i = 0; i < n_w; ++i) wt[i] = uniform_f();
        for (int32_t i = 0; i < p.out_c; ++i) bias[i] = uniform_f();
        const float *b = t % 7 == 6 ? NULL : bias;
        edgec_depthwise_conv2d_f32(in, wt, b, got, &p);
        ref_edgec_depthwise_conv2d_f32(in, wt, b, want, &p);
        if (!close_f32(got, want, n_out) && count_mismatch(&bad))
            printf("  mismatch: in %dx%dx%d out_c %d k %dx%d stride %d,%d pad %d,%d dil %d\n", p.in_h, p.in_w, p.in_c,
                   p.out_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.dil_h);
        free(in); free(wt); free(bias); free(got); free(want);
    }
    report("depthwise_conv2d_f32_3x3", n_cases, bad);
}

int main(int argc, char **argv) {
    const int32_t n = fuzz_args(argc, argv);
    fuzz_conv_hybrid(n, hybrid_geometry, 0);
    fuzz_quantize(n);
    fuzz_add_s8(n, add_s8_shape, add_s8_scales);
    fuzz_binary_f32(n, 5); /* add, sub, mul, div, max, min: vectorized */
    fuzz_fc_deep(n / 10);
    fuzz_conv_f32_packed(n / 2);
    fuzz_conv_f32_few_channels(n / 2);
    fuzz_conv_s8_dot4(n / 2);
    fuzz_depthwise_s8(n);
    fuzz_qdq(n);
    fuzz_pool_f32(n / 2);
    fuzz_matmul_f32_packed(n / 2);
    fuzz_transpose_mean_f32(n);
    fuzz_mean_f32(n);
    fuzz_transpose_f32(n);
    fuzz_depthwise_f32(n);
    return failures ? 1 : 0;
}
