/* Convolution, NHWC input and output, OHWI weights (I = in_c / groups), any stride, padding, dilation and
   groups. One work-item per output element; global size N * OH * OW * OC. */
__kernel void edgec_conv2d_nhwc(__global const float *x, __global const float *w, __global const float *b,
                                __global float *y, int x_off, int w_off, int b_off, int y_off, int count,
                                int in_h, int in_w, int in_c, int out_h, int out_w, int out_c, int k_h, int k_w,
                                int stride_h, int stride_w, int pad_top, int pad_left, int dil_h, int dil_w,
                                int groups, int has_bias, float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int4 at = edgec_nhwc_coords(i, out_h, out_w, out_c);
    const int oc = at.x, ox = at.y, oy = at.z, n = at.w;
    const int group_in = in_c / groups, g = oc / (out_c / groups);
    float acc = has_bias ? b[b_off + oc] : 0.0f;
    const __global float *wo = w + w_off + oc * k_h * k_w * group_in;
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= in_h) continue;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ox * stride_w - pad_left + kx * dil_w;
            if (ix < 0 || ix >= in_w) continue;
            const __global float *xp = x + x_off + ((n * in_h + iy) * in_w + ix) * in_c + g * group_in;
            const __global float *wp = wo + (ky * k_w + kx) * group_in;
            for (int c = 0; c < group_in; ++c) acc += xp[c] * wp[c];
        }
    }
    y[y_off + i] = edgec_act(acc, act_lo, act_hi);
}
