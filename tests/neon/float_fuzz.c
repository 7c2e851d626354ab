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

/* A random hybrid conv geometry; t % 6 == 1 KWS's first layer's shape class (one channel, tall
 * kernel), t % 5 == 2 channels a multiple of 4 (kernel rows read in place), a few large inputs. 0 if the output
 * is empty. */
static int hybrid_geometry(edgec_conv2d_hybrid_params *p, int32_t t) {
    hybrid_quant_and_groups(p, t);
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
    return hybrid_window(p, t, t % 2 == 0);
}

int main(int argc, char **argv) {
    const int32_t n = fuzz_args(argc, argv);
    fuzz_conv_hybrid(n, hybrid_geometry, 1);
    fuzz_quantize(n);
    fuzz_pool_f32(n);
    fuzz_binary_f32(n, 3); /* add, sub, mul, div: vectorized */
    fuzz_mean_f32(n);
    fuzz_transpose_f32(n);
    fuzz_transpose_mean_f32(n);
    return failures ? 1 : 0;
}
