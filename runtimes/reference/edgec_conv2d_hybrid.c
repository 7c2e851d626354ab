/* Reference hybrid 2-D convolution: on-the-fly input quantization, int8 x int8 -> int32, float rescale.
 * Direct loops over the quantized input (no im2col buffer): padded positions contribute 0 exactly as
 * LiteRT's zero-filled im2col (symmetric) or skipped taps (asymmetric) do. */
#include <math.h>

#include "edgec_conv2d_hybrid.h"

/* tensor_utils::SymmetricQuantizeFloats; returns the input scale. */
static float quantize_symmetric(const float *x, int32_t n, int8_t *q) {
    float lo = x[0], hi = x[0];
    for (int32_t i = 1; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    const float range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
    if (range == 0.0f) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        return 1.0f;
    }
    const float inv = 127.0f / range;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)roundf(x[i] * inv);
        v = v < -127 ? -127 : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
    return range / 127.0f;
}

/* tensor_utils::AsymmetricQuantizeFloats; returns the input scale and sets *zero_point. */
static float quantize_asymmetric(const float *x, int32_t n, int8_t *q, int32_t *zero_point) {
    float lo = x[0], hi = x[0];
    for (int32_t i = 1; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    const double rmin = (double)(lo < 0.0f ? lo : 0.0f);
    const double rmax = (double)(hi > 0.0f ? hi : 0.0f);
    if (rmin == rmax) {
        for (int32_t i = 0; i < n; ++i) q[i] = 0;
        *zero_point = 0;
        return 1.0f;
    }
    const double qmin = -128.0, qmax = 127.0;
    const double scale = (rmax - rmin) / (qmax - qmin);
    const double zp_from_min = qmin - rmin / scale;
    const double zp_from_max = qmax - rmax / scale;
    const double err_min = fabs(qmin) + fabs(rmin / scale);
    const double err_max = fabs(qmax) + fabs(rmax / scale);
    const double zp_double = err_min < err_max ? zp_from_min : zp_from_max;
    int32_t zp;
    if (zp_double <= qmin) {
        zp = -128;
    } else if (zp_double >= qmax) {
        zp = 127;
    } else {
        zp = (int32_t)round(zp_double);
    }
    const float scale_f = (float)scale;
    const float inv = 1.0f / scale_f;
    for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)roundf((float)zp + x[i] * inv);
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        q[i] = (int8_t)v;
    }
    *zero_point = zp;
    return scale_f;
}

void edgec_conv2d_hybrid_nhwc(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                              float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput,
                              const edgec_conv2d_hybrid_params *p) {
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    for (int32_t n = 0; n < p->batch; ++n) {
        int32_t zp = 0;
        const float *x = input + (size_t)n * in_size;
        const float in_scale = p->per_channel ? quantize_asymmetric(x, in_size, qinput, &zp)
                                              : quantize_symmetric(x, in_size, qinput);
        const float tensor_scale = in_scale * w_scale[0];
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    int32_t acc = 0;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (ix < 0 || ix >= p->in_w) continue;
                            const int8_t *q = qinput + ((size_t)iy * p->in_w + ix) * p->in_c;
                            const int8_t *w = weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ++ic) acc += ((int32_t)q[ic] - zp) * (int32_t)w[ic];
                        }
                    }
                    const float y = p->per_channel ? (float)acc * w_scale[oc] * in_scale + bias[oc]
                                                   : (float)acc * tensor_scale + bias[oc];
                    out_px[oc] = edgec_clampf(y, p->act_min, p->act_max);
                }
            }
        }
    }
}
