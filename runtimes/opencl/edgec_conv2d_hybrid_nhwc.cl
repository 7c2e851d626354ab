/* Hybrid convolution (runtimes/include/edgec_conv2d_hybrid.h, LiteRT's symmetric EvalHybrid): the int8 input q
   (quantised from x by edgec_quantize_symmetric_s8, scale range / 127) times the OHWI int8 weights into an int32
   sum over the in-bounds window, then y = acc * (in_scale * w_scale[0]) + bias[oc], clamped. NHWC, any stride,
   padding, dilation and groups. One work-item per output element; global size OH * OW * OC (one batch). */
__kernel void edgec_conv2d_hybrid_nhwc(__global const char *q, __global const char *w, __global const float *w_scale,
                                       __global const float *b, __global const float *range, __global float *y,
                                       int q_off, int w_off, int ws_off, int b_off, int range_off, int y_off,
                                       int count, int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
                                       int k_h, int k_w, int stride_h, int stride_w, int pad_top, int pad_left,
                                       int dil_h, int dil_w, int groups, float act_lo, float act_hi) {
#pragma OPENCL FP_CONTRACT OFF
    /* the rescale rounds its product and its sum apart, as the C kernel does */
    const int i = (int)get_global_id(0);
    if (i >= count) return;
    const int oc = i % out_c;
    const int t = i / out_c;
    const int ox = t % out_w, oy = t / out_w;
    const int group_in = in_c / groups, g = oc / (out_c / groups);
    const __global char *wo = w + w_off + oc * k_h * k_w * group_in;
    int acc = 0;
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = oy * stride_h - pad_top + ky * dil_h;
        if (iy < 0 || iy >= in_h) continue;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ox * stride_w - pad_left + kx * dil_w;
            if (ix < 0 || ix >= in_w) continue;
            const __global char *qp = q + q_off + (iy * in_w + ix) * in_c + g * group_in;
            const __global char *wp = wo + (ky * k_w + kx) * group_in;
            for (int c = 0; c < group_in; ++c) acc += (int)qp[c] * (int)wp[c];
        }
    }
    const float r = range[range_off];
    const float in_scale = r == 0.0f ? 1.0f : r / 127.0f;
    const float scale = in_scale * w_scale[ws_off];
    y[y_off + i] = edgec_act((float)acc * scale + b[b_off + oc], act_lo, act_hi);
}
