/* Max / average pooling, NHWC or NCHW, padding, dilation, ceil mode (windows cut at the padded input's end) and
   count_include_pad as the CPU kernel (runtimes/reference/edgec_pool2d_f32.c). Global size: output elements. */
__kernel void edgec_pool2d(__global const float *x, __global float *y, int x_off, int y_off, int count, int channels,
                           int in_h, int in_w, int out_h, int out_w, int k_h, int k_w, int stride_h, int stride_w,
                           int dil_h, int dil_w, int pad_top, int pad_left, int pad_bottom, int pad_right,
                           int channels_last, int count_include_pad, int is_max, float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    int c, oy, ox, n, t;
    if (channels_last) {
        c = i % channels; t = i / channels; ox = t % out_w; t /= out_w; oy = t % out_h; n = t / out_h;
    } else {
        ox = i % out_w; t = i / out_w; oy = t % out_h; t /= out_h; c = t % channels; n = t / channels;
    }
    const int y0 = oy * stride_h - pad_top, x0 = ox * stride_w - pad_left;
    float acc = is_max ? -INFINITY : 0.0f;
    int real = 0, padded = 0;
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = y0 + ky * dil_h;
        if (iy >= in_h + pad_bottom) break;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = x0 + kx * dil_w;
            if (ix >= in_w + pad_right) break;
            ++padded;
            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue;
            const int at = channels_last ? ((n * in_h + iy) * in_w + ix) * channels + c
                                         : ((n * channels + c) * in_h + iy) * in_w + ix;
            const float v = x[x_off + at];
            if (is_max) acc = v > acc ? v : acc;
            else acc += v;
            ++real;
        }
    }
    if (!is_max) {
        const int count = count_include_pad ? padded : real;
        acc = count > 0 ? acc / (float)count : 0.0f;
    }
    y[y_off + i] = edgec_act(acc, act_lo, act_hi);
}
