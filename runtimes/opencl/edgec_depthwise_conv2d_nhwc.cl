/* Depthwise convolution, NHWC, weights [k_h][k_w][out_c] (out_c = in_c * multiplier). Global size N * OH * OW * OC. */
__kernel void edgec_depthwise_conv2d_nhwc(__global const float *x, __global const float *w, __global const float *b,
                                          __global float *y, int x_off, int w_off, int b_off, int y_off, int count,
                                          int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
                                          int k_h, int k_w, int stride_h, int stride_w, int pad_top, int pad_left,
                                          int dil_h, int dil_w, int has_bias, float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int4 at = edgec_nhwc_coords(i, out_h, out_w, out_c);
    const int oc = at.x, ox = at.y, oy = at.z, n = at.w;
    const int ic = oc / (out_c / in_c);
    float acc = has_bias ? b[b_off + oc] : 0.0f;
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= in_h) continue;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ox * stride_w - pad_left + kx * dil_w;
            if (ix < 0 || ix >= in_w) continue;
            acc += x[x_off + ((n * in_h + iy) * in_w + ix) * in_c + ic] * w[w_off + (ky * k_w + kx) * out_c + oc];
        }
    }
    y[y_off + i] = edgec_act(acc, act_lo, act_hi);
}
