/* 2-D convolution, int8 (TFLite ConvPerChannel).
 * NHWC activations; per-output-channel symmetric int8 weights, int32 bias, fixed-point requantisation. */
#ifndef EDGEC_CONV2D_S8_H
#define EDGEC_CONV2D_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t depth_multiplier; /* depthwise only */
    int32_t input_offset;     /* -input zero point */
    int32_t output_offset;    /* output zero point */
    int32_t act_min, act_max;
    int32_t requant; /* EDGEC_REQUANT_FIXED (TFLite) or EDGEC_REQUANT_FLOAT (onnxruntime: multiplier = float bits) */
} edgec_conv2d_s8_params;

/* weights OHWI with I = in_c (groups = 1); bias, multiplier and shift have out_c entries. */
void edgec_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p);

/* The same convolution (groups = 1, EDGEC_REQUANT_FIXED) with weights, bias and requantisation packed at compile
 * time for the Cortex-M kernels (compiler/edgec/ops/quantized_s8.py, pack_conv_s8). Only runtimes/cortex-m/
 * implements it; the compiler calls it only when it ships that file. scratch: 24 * k4 + 16 * k4 / k_h bytes
 * (compiler/edgec/ops/quantized_s8.py: conv_packed_scratch_bytes), word-aligned (k4 = packed[0]), or NULL for
 * the stack. */
void edgec_conv2d_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT packed,
                            int8_t *EDGEC_RESTRICT output, const edgec_conv2d_s8_params *p, void *scratch);

/* The same convolution (groups = 1) with the weights packed at compile time as bytes: blocks of 16 output
 * channels, each [K / 4 rounded up][16][4] int8 (zeros past K and out_c), and the bias (out_c entries) plus
 * (input_offset - shift) * the channel's sum of weights, shift being what the set's kernel adds to each input
 * byte: 128 for runtimes/x86/ (unsigned bytes), 0 for runtimes/neon/ (compiler/edgec/ops/quantized_s8.py,
 * pack_conv_s8_dot4, DOT4_INPUT_SHIFT). K = k_h * k_w * in_c at most EDGEC_CONV2D_S8_DOT4_MAX_K, input_offset
 * within [-127, 128]. Only those two sets implement it; the compiler calls it only when it ships their file. */
#define EDGEC_CONV2D_S8_DOT4_MAX_K 8192
void edgec_conv2d_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                          const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                          const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                          const edgec_conv2d_s8_params *p);

/* edgec_conv2d_s8_dot4 of runtimes/neon/ with what the compiler knows of the packed weights (flags):
 * EDGEC_CONV2D_S8_DOT4_SYM: every weight within [-127, 127] (TFLite's symmetric int8: no -128), so that cores
 * without the dot product may sum two products in int16 (SMULL + SMLAL) before widening;
 * EDGEC_CONV2D_S8_DOT4_ROWS: each kernel row's k_w * in_c bytes padded with zeros to whole words (K4 = k_h *
 * those words), so that every window reads its rows in place (first layers: in_c = 3). Only runtimes/neon/. */
#define EDGEC_CONV2D_S8_DOT4_SYM 1
#define EDGEC_CONV2D_S8_DOT4_ROWS 2
void edgec_conv2d_s8_dot4_neon(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p, int32_t flags);

#endif /* EDGEC_CONV2D_S8_H */
