/* LiteRT's symmetric input quantisation (runtimes/reference/edgec_hybrid_quantize.c, SymmetricQuantizeFloats):
   q = clamp(round(x * (127 / range)), -127, 127), round() halfway cases away from zero as roundf; all zero when
   range is 0. Four elements per work-item, as the Vulkan twin, which writes one 32-bit word of int8. */
__kernel void edgec_quantize_symmetric_s8(__global const float *x, __global const float *range, __global char *q,
                                          int x_off, int range_off, int q_off, int count, int n) {
    const int i = (int)get_global_id(0);
    if (i >= count) return;
    const float r = range[range_off];
    const float inv = 127.0f / r;
    const int end = min(n, 4 * i + 4);
    for (int k = 4 * i; k < end; ++k) {
        /* clamped as a float first: the conversion of an out-of-range float is undefined */
        const float v = r == 0.0f ? 0.0f : clamp(round(x[x_off + k] * inv), -127.0f, 127.0f);
        q[q_off + k] = (char)(int)v;
    }
}
