/* One call of each kernel on a typical layer shape, each between the two window markers that the QEMU
 * instruction-count plugin (compiler/edgec/board/qemu_plugin/insn_mix.c) watches: windows in the order of
 * SHAPES in benchmarks/neon_aarch64.py. Built once with runtimes/neon/ (-DEDGEC_BENCH_NEON: the packed conv entry
 * points, float and int8, as the compiler emits them for that set, and the fully connected layer's input offset
 * folded into its bias; -DEDGEC_BENCH_DOT4_SYM where the set has the int8 conv's entry with flags, weights within
 * [-127, 127]; -DEDGEC_BENCH_HYBRID_DOT4 where the set has the hybrid conv's packed entry;
 * -DEDGEC_BENCH_FC_DOT4 where it has the fully connected layer's packed entry) and once with
 * runtimes/reference/. */
#include <stdlib.h>
#include <string.h>

#include "edgec_conv2d_hybrid.h"
#include "edgec_conv2d_nhwc_f32.h"
#include "edgec_conv2d_s8.h"
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"
#if defined(EDGEC_BENCH_FC_DOT4)
#include "edgec_fully_connected_s8_dot4.h"
#endif
#include "edgec_hybrid_quantize.h"
#include "edgec_matmul_f32.h"

__attribute__((noinline)) void edgec_bench_window_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void edgec_bench_window_end(void) { __asm__ volatile("nop" ::: "memory"); }

static void *buffer(size_t bytes) {
    unsigned char *p = malloc(bytes);
    for (size_t i = 0; i < bytes; ++i) p[i] = (unsigned char)(i * 2654435761u >> 13); /* not all zero */
    return p;
}

static void conv_s8(int32_t hw, int32_t cin, int32_t cout, int32_t k, int depthwise) {
    edgec_conv2d_s8_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1; p.in_h = p.in_w = p.out_h = p.out_w = hw; p.in_c = cin; p.out_c = cout; p.k_h = p.k_w = k;
    p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1; p.pad_top = p.pad_left = k / 2;
    p.depth_multiplier = 1; p.input_offset = 3; p.output_offset = -2; p.act_min = -128; p.act_max = 127;
    p.requant = EDGEC_REQUANT_FIXED;
    int8_t *in = buffer((size_t)hw * hw * cin), *out = buffer((size_t)hw * hw * cout);
    int8_t *w = buffer((size_t)cout * k * k * (depthwise ? 1 : cin));
    int32_t *bias = calloc((size_t)cout, 4), *mult = malloc((size_t)cout * 4), *shift = malloc((size_t)cout * 4);
    for (int32_t i = 0; i < cout; ++i) { mult[i] = 1 << 30; shift[i] = -8; }
#if defined(EDGEC_BENCH_NEON) /* the entry point the compiler emits: weights interleaved, offset in the bias */
    const size_t n_packed = (size_t)(cout + 15) / 16 * 16 * ((k * k * cin + 3) / 4 * 4);
    int8_t *packed = buffer(n_packed);
#if defined(EDGEC_BENCH_DOT4_SYM) /* TFLite's int8 weights are within [-127, 127]: the compiler says so (flags) */
    for (size_t i = 0; i < n_packed; ++i) packed[i] = packed[i] == -128 ? -127 : packed[i];
#endif
    edgec_bench_window_begin();
    if (depthwise) edgec_depthwise_conv2d_s8(in, w, bias, mult, shift, out, &p);
#if defined(EDGEC_BENCH_DOT4_SYM)
    else edgec_conv2d_s8_dot4_neon(in, packed, bias, mult, shift, out, &p, EDGEC_CONV2D_S8_DOT4_SYM);
#else
    else edgec_conv2d_s8_dot4(in, packed, bias, mult, shift, out, &p);
#endif
    edgec_bench_window_end();
#else
    edgec_bench_window_begin();
    if (depthwise) edgec_depthwise_conv2d_s8(in, w, bias, mult, shift, out, &p);
    else edgec_conv2d_s8(in, w, bias, mult, shift, out, &p);
    edgec_bench_window_end();
#endif
}

static void fc_s8(int32_t depth, int32_t units) {
    edgec_fully_connected_s8_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1; p.depth = depth; p.units = units; p.input_offset = 5; p.multiplier = 1 << 30; p.shift = -8;
#if defined(EDGEC_BENCH_NEON) /* the compiler folds input_offset * each row's weight sum into the bias for this set */
    p.input_offset = 0;
#endif
    p.act_min = -128; p.act_max = 127;
    int8_t *in = buffer((size_t)depth), *w = buffer((size_t)depth * units), *out = buffer((size_t)units);
    int32_t *bias = calloc((size_t)(units + 15) / 16 * 16, 4);
#if defined(EDGEC_BENCH_FC_DOT4) /* the bytes taken as dot4 blocks (the same size), within [-127, 127] (TFLite's) */
    for (size_t i = 0; i < (size_t)depth * units; ++i) w[i] = w[i] == -128 ? -127 : w[i];
    edgec_bench_window_begin();
    edgec_fully_connected_s8_dot4(in, w, bias, out, &p, EDGEC_FULLY_CONNECTED_S8_DOT4_SYM);
    edgec_bench_window_end();
#else
    edgec_bench_window_begin();
    edgec_fully_connected_s8(in, w, bias, out, &p);
    edgec_bench_window_end();
#endif
}

static void conv_f32(int32_t hw, int32_t cin, int32_t cout, int32_t k, int depthwise) {
    edgec_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1; p.in_h = p.in_w = p.out_h = p.out_w = hw; p.in_c = cin; p.out_c = cout; p.k_h = p.k_w = k;
    p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1; p.pad_top = p.pad_left = k / 2;
    p.groups = depthwise ? cin : 1; p.act_min = 0.0f; p.act_max = 6.0f;
    float *in = calloc((size_t)hw * hw * cin, 4), *out = calloc((size_t)hw * hw * cout, 4);
    float *w = calloc((size_t)cout * k * k * (depthwise ? 1 : cin), 4), *bias = calloc((size_t)cout, 4);
#if defined(EDGEC_BENCH_NEON) /* the NEON build runs the entry point the compiler emits: weights packed */
    const int32_t k_all = k * k * cin, padded = cout / 16 * 16 + (cout % 16 + 3) / 4 * 4;
    float *packed = depthwise ? NULL : calloc((size_t)padded * k_all, 4);
    edgec_bench_window_begin();
    if (depthwise) edgec_depthwise_conv2d_f32(in, w, bias, out, &p);
    else edgec_conv2d_nhwc_f32_packed(in, packed, bias, out, &p);
    edgec_bench_window_end();
#else
    edgec_bench_window_begin();
    if (depthwise) edgec_depthwise_conv2d_f32(in, w, bias, out, &p);
    else edgec_conv2d_nhwc_f32(in, w, bias, out, &p);
    edgec_bench_window_end();
#endif
}

/* TFLite's hybrid conv (float in and out, int8 weights within [-127, 127], the input quantized per call), 1x1 taps
 * over an h x w map: KWS float's pointwise layers. */
static void conv_hybrid(int32_t h, int32_t w, int32_t cin, int32_t cout) {
    edgec_conv2d_hybrid_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1; p.in_h = p.out_h = h; p.in_w = p.out_w = w; p.in_c = cin; p.out_c = cout; p.k_h = p.k_w = 1;
    p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1; p.groups = 1; p.quant = EDGEC_HYBRID_TFLITE_SYMMETRIC;
    p.act_min = 0.0f; p.act_max = 1e30f;
    float *in = malloc((size_t)h * w * cin * 4), *out = calloc((size_t)h * w * cout, 4);
    for (int32_t i = 0; i < h * w * cin; ++i) in[i] = (float)(i % 29) * 0.25f - 3.0f;
    int8_t *wt = buffer((size_t)cout * cin), *q = buffer((size_t)h * w * cin);
    for (int32_t i = 0; i < cout * cin; ++i) wt[i] = wt[i] == -128 ? -127 : wt[i];
    float *scale = malloc((size_t)cout * 4), *bias = calloc((size_t)cout, 4);
    for (int32_t i = 0; i < cout; ++i) scale[i] = 0.01f;
#if defined(EDGEC_BENCH_HYBRID_DOT4) /* the entry the compiler emits: weights packed, their sums */
    const int32_t k4 = (cin + 3) / 4, blocks = (cout + 15) / 16;
    int8_t *packed = calloc((size_t)blocks * k4 * 64, 1);
    int32_t *sums = calloc((size_t)blocks * 16, 4);
    for (int32_t oc = 0; oc < cout; ++oc)
        for (int32_t k = 0; k < cin; ++k) {
            packed[(((size_t)(oc / 16) * k4 + k / 4) * 16 + oc % 16) * 4 + k % 4] = wt[(size_t)oc * cin + k];
            sums[oc] += wt[(size_t)oc * cin + k];
        }
    edgec_bench_window_begin();
    edgec_conv2d_hybrid_dot4(in, packed, sums, scale, bias, out, q, &p);
    edgec_bench_window_end();
#else
    edgec_bench_window_begin();
    edgec_conv2d_hybrid(in, wt, scale, NULL, bias, out, q, &p);
    edgec_bench_window_end();
#endif
}

static void matmul_f32(int32_t m, int32_t k, int32_t n) {
    edgec_matmul_params p;
    memset(&p, 0, sizeof p);
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) p.batch_shape[d] = 1;
    p.m = m; p.k = k; p.n = n; p.act_min = -1e30f; p.act_max = 1e30f;
    float *a = calloc((size_t)m * k, 4), *b = calloc((size_t)k * n, 4), *out = calloc((size_t)m * n, 4);
    edgec_bench_window_begin();
    edgec_matmul_f32(a, b, NULL, out, &p);
    edgec_bench_window_end();
}

int main(void) {
    conv_s8(16, 64, 64, 1, 0);
    conv_s8(16, 32, 32, 3, 0);
    conv_s8(16, 64, 64, 3, 1);
    fc_s8(1024, 256);
    conv_f32(16, 64, 64, 1, 0);
    conv_f32(16, 32, 32, 3, 0);
    conv_f32(16, 64, 64, 3, 1);
    matmul_f32(64, 256, 64);
    matmul_f32(1, 1024, 256);
    conv_hybrid(25, 5, 64, 64);
    return 0;
}
