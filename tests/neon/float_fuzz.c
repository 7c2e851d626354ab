/* The NEON kernels with float activations that tests/neon/kernel_fuzz.c does not cover: the hybrid conv
 * (runtimes/neon/edgec_conv2d_hybrid.c) and the activations' quantization (edgec_hybrid_quantize.c), float pooling,
 * the element-wise binary ops, mean and transpose, against runtimes/reference/ on random shapes, under qemu-aarch64 / qemu-arm
 * (tests/test_neon.py). The reference files are compiled with their functions prefixed ref_. Every result must be
 * the same bits: the quantized input, its scale and zero point, the float outputs of both hybrid entries (the
 * reference's unpacked weights; TFLite's NHWC single-group layers also through edgec_conv2d_hybrid_dot4 on the
 * weights packed as compiler/edgec/ops/hybrid.py's pack_conv_hybrid_dot4 does), the pooled, combined and averaged
 * values. The cases it shares with tests/x86/kernel_fuzz.c are in tests/kernel_fuzz_common.h. Prints one line per
 * kernel: cases run, mismatches; exits 1 on any. */
#include "../kernel_fuzz_common.h"
#include "edgec_conv2d_hybrid.h"

void ref_edgec_conv2d_hybrid(const float *input, const int8_t *weights, const float *w_scale,
                             const int32_t *w_zero_point, const float *bias, float *output, int8_t *qinput,
                             const edgec_conv2d_hybrid_params *p);

/* A random geometry; t % 4 == 0 pointwise, t % 6 == 1 KWS's first layer's shape class (one channel, tall
 * kernel), t % 5 == 2 channels a multiple of 4 (kernel rows read in place), a few large inputs. 0 if the output
 * is empty. */
static int geometry(edgec_conv2d_hybrid_params *p, int32_t t) {
    memset(p, 0, sizeof *p);
    p->quant = t % 3; /* symmetric, asymmetric, ONNX u8 */
    p->batch = uniform(1, 2);
    p->groups = t % 7 == 3 ? uniform(2, 3) : 1;
    p->in_c = p->groups * (t % 5 == 1 ? uniform(17, 90) : uniform(1, 24));
    if (t % 5 == 2) p->in_c = 4 * uniform(1, 20) * p->groups;
    if (t % 6 == 1) p->in_c = 1;
    p->out_c = p->groups * uniform(1, 40);
    p->in_h = uniform(1, 14); p->in_w = uniform(1, 14);
    if (t % 50 == 11 || t % 50 == 36) { /* larger than the NEON kernel's padded copy: windows in place or copied */
        p->groups = 1;
        p->in_c = t % 50 == 11 ? 16 : 3;
        p->out_c = uniform(1, 8);
        p->in_h = uniform(45, 64); p->in_w = uniform(45, 64);
    }
    const int pointwise = t % 4 == 0;
    p->k_h = pointwise ? 1 : uniform(1, 10); p->k_w = pointwise ? 1 : uniform(1, 5);
    p->stride_h = pointwise ? 1 : uniform(1, 3); p->stride_w = pointwise ? 1 : uniform(1, 3);
    p->dil_h = pointwise ? 1 : uniform(1, 2); p->dil_w = pointwise || t % 2 ? 1 : uniform(1, 2);
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

static void fuzz_conv_hybrid(int32_t n_cases) {
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
        if (memcmp(got, want, sizeof(float) * n_out) != 0) {
            if (bad < 5)
                printf("  mismatch: quant %d in %dx%dx%d k %dx%d s %d,%d d %d,%d groups %d out_c %d\n", p.quant, p.in_h,
                       p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.groups, p.out_c);
            ++bad;
        }
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
            if (memcmp(got, want, sizeof(float) * n_out) != 0) {
                if (dot4_bad < 5)
                    printf("  mismatch: dot4 quant %d in %dx%dx%d k %dx%d s %d,%d d %d,%d out_c %d\n", p.quant, p.in_h,
                           p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.out_c);
                ++dot4_bad;
            }
            ++dot4_cases;
            free(packed); free(sums);
        }
        ++cases;
        free(in); free(scale); free(bias); free(got); free(want); free(wt); free(q1); free(q2); free(wz);
    }
    report("conv2d_hybrid", cases, bad);
    report("conv2d_hybrid_dot4", dot4_cases, dot4_bad);
}

int main(int argc, char **argv) {
    const int32_t n = fuzz_args(argc, argv);
    fuzz_conv_hybrid(n);
    fuzz_quantize(n);
    fuzz_pool_f32(n);
    fuzz_binary_f32(n, 3); /* add, sub, mul, div: vectorized */
    fuzz_mean_f32(n);
    fuzz_transpose_f32(n);
    fuzz_transpose_mean_f32(n);
    return failures ? 1 : 0;
}
