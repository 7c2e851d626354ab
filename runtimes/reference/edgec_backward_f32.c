/* Reference backward kernels of frozen layers: direct loops (scatter form for the convolution). */
#include "edgec_backward_f32.h"

static float masked(const float *dy, const uint8_t *mask, size_t i) {
    return (mask == NULL || (mask[i >> 3] >> (i & 7u)) & 1u) ? dy[i] : 0.0f;
}

void edgec_act_mask_f32(const float *EDGEC_RESTRICT y, uint8_t *EDGEC_RESTRICT mask, int32_t n, float act_min,
                        float act_max) {
    for (int32_t i = 0; i < (n + 7) / 8; ++i) mask[i] = 0;
    for (int32_t i = 0; i < n; ++i)
        if (y[i] > act_min && y[i] < act_max) mask[i >> 3] = (uint8_t)(mask[i >> 3] | (1u << (i & 7)));
}

void edgec_act_mask_s8(const int8_t *EDGEC_RESTRICT y, uint8_t *EDGEC_RESTRICT mask, int32_t n, int32_t act_min,
                       int32_t act_max) {
    for (int32_t i = 0; i < (n + 7) / 8; ++i) mask[i] = 0;
    for (int32_t i = 0; i < n; ++i)
        if (y[i] > act_min && y[i] < act_max) mask[i >> 3] = (uint8_t)(mask[i >> 3] | (1u << (i & 7)));
}

void edgec_conv2d_backward_input_f32(const float *EDGEC_RESTRICT dy, const uint8_t *EDGEC_RESTRICT mask,
                                     const float *EDGEC_RESTRICT weights, float *EDGEC_RESTRICT dx,
                                     const edgec_conv2d_params *p) {
    const int32_t cin_g = p->in_c / p->groups, cout_g = p->out_c / p->groups;
    const size_t in_elems = (size_t)p->batch * p->in_h * p->in_w * p->in_c;
    for (size_t i = 0; i < in_elems; ++i) dx[i] = 0.0f;
    for (int32_t n = 0; n < p->batch; ++n) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const size_t out_px = (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const float g = masked(dy, mask, out_px + (size_t)oc);
                    if (g == 0.0f) continue;
                    const int32_t grp = oc / cout_g;
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h) continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w) continue;
                            float *dx_px = dx + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c + (size_t)grp * cin_g;
                            const float *w = weights + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * cin_g;
                            for (int32_t ic = 0; ic < cin_g; ++ic) dx_px[ic] += g * w[ic];
                        }
                    }
                }
            }
        }
    }
}

void edgec_matmul_backward_input_f32(const float *EDGEC_RESTRICT dy, const uint8_t *EDGEC_RESTRICT mask,
                                     const float *EDGEC_RESTRICT b, float *EDGEC_RESTRICT dx, int32_t k, int32_t n) {
    for (int32_t kk = 0; kk < k; ++kk) {
        float acc = 0.0f;
        for (int32_t j = 0; j < n; ++j) acc += b[(size_t)kk * n + j] * masked(dy, mask, (size_t)j);
        dx[kk] = acc;
    }
}

void edgec_mean_backward_f32(const float *EDGEC_RESTRICT dy, float *EDGEC_RESTRICT dx, int32_t pixels,
                             int32_t channels) {
    for (int32_t px = 0; px < pixels; ++px)
        for (int32_t c = 0; c < channels; ++c) dx[(size_t)px * channels + c] = dy[c] / (float)pixels;
}
