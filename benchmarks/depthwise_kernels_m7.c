/* Firmware of benchmarks/depthwise_kernels_m7.py: one int8 depthwise layer (shape and requantisation mode from -D
 * flags), random data, run once between the window markers that edgec's QEMU plugin counts; exit code: a hash of
 * the output, so that two builds (the Cortex-M set, the reference) can be compared. DW_ACT_MAX < 127: a ReLU6. */
#include <stdint.h>
#include <string.h>
#include "edgec_depthwise_conv2d_s8.h"
#define EDGEC_SEMIHOST_LIBC
#include "boot.h"

#define OUT_H ((DW_H + 2 * DW_PAD - DW_K) / DW_S + 1)
#define OUT_W ((DW_W + 2 * DW_PAD - DW_K) / DW_S + 1)
static int8_t in[DW_H * DW_W * DW_C], w[DW_K * DW_K * DW_C], out[OUT_H * OUT_W * DW_C];
static int32_t bias[DW_C], mul[DW_C], sh[DW_C];
static uint32_t s = 1;
static uint32_t rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }
__attribute__((noinline)) void edgec_bench_window_begin(void) { __asm__ volatile(""); }
__attribute__((noinline)) void edgec_bench_window_end(void) { __asm__ volatile(""); }

int main(void) {
    edgec_conv2d_s8_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1; p.in_h = DW_H; p.in_w = DW_W; p.in_c = DW_C; p.depth_multiplier = 1; p.out_c = DW_C;
    p.k_h = DW_K; p.k_w = DW_K; p.stride_h = DW_S; p.stride_w = DW_S; p.dil_h = 1; p.dil_w = 1;
    p.pad_top = DW_PAD; p.pad_left = DW_PAD; p.out_h = OUT_H; p.out_w = OUT_W;
    p.input_offset = 128; p.output_offset = -128; p.act_min = -128; p.act_max = DW_ACT_MAX;
    p.requant = DW_FLOAT ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
    for (int i = 0; i < DW_H * DW_W * DW_C; ++i) in[i] = (int8_t)rnd();
    for (int i = 0; i < DW_K * DW_K * DW_C; ++i) w[i] = (int8_t)rnd();
    for (int i = 0; i < DW_C; ++i) {
        bias[i] = (int32_t)(rnd() % 20000) - 10000;
        mul[i] = (int32_t)((rnd() >> 1) | (1u << 30));
        sh[i] = -7 - (int32_t)(rnd() % 4);
        if (DW_FLOAT) { union { float f; int32_t b; } u; u.f = (float)(rnd() % 1000 + 1) / 2000000.0f; mul[i] = u.b; }
    }
    edgec_bench_window_begin();
    edgec_depthwise_conv2d_s8(in, w, bias, mul, sh, out, &p);
    edgec_bench_window_end();
    uint32_t h = 0;
    for (int i = 0; i < OUT_H * OUT_W * DW_C; ++i) h = h * 31u + (uint8_t)out[i];
    return (int)(h % 251u);
}
