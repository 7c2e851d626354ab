/* y[i] = x[sum idx_d * stride_d] over the output's right-aligned shape: transposes, slices, broadcasts. One
   work-item per output element. */
__kernel void edgec_strided_copy(__global const float *x, __global float *y, int x_off, int y_off, int count,
                                 int s0, int s1, int s2, int s3, int s4, int s5,
                                 int t0, int t1, int t2, int t3, int t4, int t5) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int shape[EDGEC_RANK] = {s0, s1, s2, s3, s4, s5}, str[EDGEC_RANK] = {t0, t1, t2, t3, t4, t5};
    int rest = i, at = x_off;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        at += (rest % shape[d]) * str[d];
        rest /= shape[d];
    }
    y[y_off + i] = x[at];
}
