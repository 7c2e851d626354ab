/* Pointwise convolution (1x1 kernel, no padding, one group), NHWC, weights [out_c][in_c]: a matrix product of the
   pixels by the weights, read with vload4 along the channels. Global size N * OH * OW * OC. */
__kernel void edgec_conv2d_1x1_nhwc(__global const float *x, __global const float *w, __global const float *b,
                                    __global float *y, int x_off, int w_off, int b_off, int y_off, int count,
                                    int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
                                    int stride_h, int stride_w, int has_bias, float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int4 at = edgec_nhwc_coords(i, out_h, out_w, out_c);
    const int oc = at.x, ox = at.y, oy = at.z, n = at.w;
    const __global float *xp = x + x_off + ((n * in_h + oy * stride_h) * in_w + ox * stride_w) * in_c;
    const __global float *wp = w + w_off + oc * in_c;
    float4 acc4 = (float4)(0.0f);
    int c = 0;
    for (; c + 4 <= in_c; c += 4) acc4 += vload4(0, xp + c) * vload4(0, wp + c);
    float acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
    for (; c < in_c; ++c) acc += xp[c] * wp[c];
    if (has_bias) acc += b[b_off + oc];
    y[y_off + i] = edgec_act(acc, act_lo, act_hi);
}
