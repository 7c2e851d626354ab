/* Batched matrix product y[..][m][n] = sum_k a[..][m][k] * b[..][k][n] (+ bias[n]), the batch dims broadcast
   (right-aligned shape and per-operand element strides of each matrix, 0 where broadcast). Global size
   batch * M * N. */
__kernel void edgec_matmul(__global const float *a, __global const float *bm, __global const float *bias,
                           __global float *y, int a_off, int b_off, int bias_off, int y_off, int count, int m, int k, int n,
                           int s0, int s1, int s2, int s3, int s4, int s5,
                           int as0, int as1, int as2, int as3, int as4, int as5,
                           int bs0, int bs1, int bs2, int bs3, int bs4, int bs5, int has_bias,
                           float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int col = i % n, row = (i / n) % m;
    int batch = i / (m * n);
    const int shape[EDGEC_RANK] = {s0, s1, s2, s3, s4, s5};
    const int astr[EDGEC_RANK] = {as0, as1, as2, as3, as4, as5}, bstr[EDGEC_RANK] = {bs0, bs1, bs2, bs3, bs4, bs5};
    int ao = a_off, bo = b_off;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = batch % shape[d];
        batch /= shape[d];
        ao += idx * astr[d];
        bo += idx * bstr[d];
    }
    const __global float *ap = a + ao + row * k;
    const __global float *bp = bm + bo + col;
    float acc = 0.0f;
    for (int j = 0; j < k; ++j) acc += ap[j] * bp[j * n];
    if (has_bias) acc += bias[bias_off + col];
    y[y_off + i] = edgec_act(acc, act_lo, act_hi);
}
