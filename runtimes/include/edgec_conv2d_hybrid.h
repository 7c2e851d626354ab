/* Hybrid (dynamic-range quantized) 2-D convolution: float input and output, int8 weights in flash.
 *
 * The input is quantized at run time (edgec_hybrid_quantize.h), multiplied with the int8 weights into int32
 * and the sum scaled back to float. `quant` says how, per source format:
 *
 * LiteRT (tensorflow/lite/kernels/conv.cc), per batch of the input:
 *   EDGEC_HYBRID_TFLITE_SYMMETRIC (EvalHybrid): symmetric input quantization over the whole batch,
 *       range = max|x|; x_q = clamp(round(x * (127 / range)), -127, 127); in_scale = range / 127
 *       (x_q = 0 and in_scale = 1 when range is 0); acc = sum x_q * w_q (padding adds 0);
 *       y = acc * (in_scale * w_scale[0]) + bias[oc], clamped to [act_min, act_max].
 *   EDGEC_HYBRID_TFLITE_ASYMMETRIC (EvalHybridPerChannel): asymmetric input quantization to [-128, 127] with a
 *       nudged zero point z (AsymmetricQuantizeFloats); acc = sum (x_q - z) * w_q over the in-bounds window;
 *       y = acc * w_scale[oc] * in_scale + bias[oc], clamped.
 * ONNX (onnxruntime.quantization.quantize_dynamic: DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul -> Add):
 *   EDGEC_HYBRID_ONNX_U8: the whole input tensor (every batch) is quantized by DynamicQuantizeLinear to uint8
 *       with zero point z; acc = sum (x_q - z) * (w_q - w_zero_point[oc]) over the in-bounds window (padding
 *       is x = z, which adds 0); y = (float)acc * (in_scale * w_scale[oc]) + bias[oc] (two roundings, as the
 *       Mul and Add nodes), clamped. w_scale has out_c entries if scale_per_channel, else 1.
 *
 * Weights are OHWI int8 ([out_c][k_h][k_w][in_c / groups]); output channel oc reads input channels
 * [g * in_c / groups, (g + 1) * in_c / groups) with g = oc / (out_c / groups). w_zero_point (out_c entries)
 * may be NULL (all 0; LiteRT's weights are symmetric). uint8 ONNX weights are stored as w - 128 with
 * w_zero_point - 128. bias has out_c entries. Input and output are NHWC, or NCHW if nchw (ONNX's layout; the
 * quantized copy of the input is channels-last either way).
 * qinput is scratch for the quantized input: in_h * in_w * in_c bytes (LiteRT: one batch at a time), or
 * batch times that (ONNX). */
#ifndef EDGEC_CONV2D_HYBRID_H
#define EDGEC_CONV2D_HYBRID_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t groups;
    int32_t quant;             /* EDGEC_HYBRID_* (edgec_hybrid_quantize.h) */
    int32_t scale_per_channel; /* EDGEC_HYBRID_ONNX_U8: w_scale has out_c entries */
    int32_t nchw;              /* input and output NCHW instead of NHWC */
    float act_min, act_max;
} edgec_conv2d_hybrid_params;

void edgec_conv2d_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                         const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                         int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p);

/* The same convolution in TFLite's modes (NHWC, groups = 1, no weight zero point) with the weights packed at
 * compile time as bytes: blocks of 16 output channels, each [K / 4 rounded up][16][4] int8 (zeros past K and
 * out_c), and w_sum[oc] the sum of channel oc's weights (out_c rounded up to 16 entries, zeros past out_c), which
 * takes out the kernel's +128 on the input bytes and the input zero point (compiler/edgec/ops/hybrid.py,
 * pack_conv_hybrid_dot4). K = k_h * k_w * in_c at most EDGEC_CONV2D_HYBRID_DOT4_MAX_K. runtimes/x86/ and
 * runtimes/neon/ implement it; the compiler calls it only when it ships one of them. */
#define EDGEC_CONV2D_HYBRID_DOT4_MAX_K 8192
void edgec_conv2d_hybrid_dot4(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                              const int32_t *EDGEC_RESTRICT w_sum, const float *EDGEC_RESTRICT w_scale,
                              const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                              int8_t *EDGEC_RESTRICT qinput, const edgec_conv2d_hybrid_params *p);

#endif
