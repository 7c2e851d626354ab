/* A hybrid layer's activation range, first step: the largest |x| of each chunk of n floats (the last chunk may be
   short). Maxima are exact, so any split gives the CPU kernel's max|x|. One work-item per chunk. */
__kernel void edgec_absmax_partial(__global const float *x, __global float *partial, int x_off, int partial_off,
                                   int count, int n, int chunk) {
    const int j = (int)get_global_id(0);
    if (j >= count) return; /* the range is rounded up to whole work-groups */
    const int end = min(n, (j + 1) * chunk);
    float m = 0.0f;
    for (int i = j * chunk; i < end; ++i) m = fmax(m, fabs(x[x_off + i]));
    partial[partial_off + j] = m;
}
