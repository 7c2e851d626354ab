#include "edgec_resize2d_f32.h"

void edgec_resize2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const int32_t *idx_h,
                        const float *w_h, const int32_t *idx_w, const float *w_w, const edgec_resize2d_params *p) {
    const size_t c_n = (size_t)p->channels;
    /* Element strides of a step along c, y and x of the input, and of the output, in either layout. */
    const size_t in_c = p->channels_last ? 1 : (size_t)p->in_h * (size_t)p->in_w;
    const size_t in_x = p->channels_last ? c_n : 1, in_y = in_x * (size_t)p->in_w;
    const size_t out_c = p->channels_last ? 1 : (size_t)p->out_h * (size_t)p->out_w;
    const size_t out_x = p->channels_last ? c_n : 1, out_y = out_x * (size_t)p->out_w;
    const size_t in_image = c_n * (size_t)p->in_h * (size_t)p->in_w, out_image = c_n * (size_t)p->out_h * (size_t)p->out_w;
    for (int32_t n = 0; n < p->batch; ++n) {
        const float *src = input + (size_t)n * in_image;
        float *dst = output + (size_t)n * out_image;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t *ry = idx_h + (size_t)oy * (size_t)p->taps_h;
            const float *wy = w_h + (size_t)oy * (size_t)p->taps_h;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t *rx = idx_w + (size_t)ox * (size_t)p->taps_w;
                const float *wx = w_w + (size_t)ox * (size_t)p->taps_w;
                float *o = dst + (size_t)oy * out_y + (size_t)ox * out_x;
                if (ry[0] < 0 || rx[0] < 0) {
                    for (size_t c = 0; c < c_n; ++c) o[c * out_c] = p->extrapolation_value;
                    continue;
                }
                for (size_t c = 0; c < c_n; ++c) {
                    const float *s = src + c * in_c;
                    float acc = 0.0f;
                    for (int32_t i = 0; i < p->taps_h; ++i) {
                        const float *row = s + (size_t)ry[i] * in_y;
                        float across = wx[0] * row[(size_t)rx[0] * in_x];
                        for (int32_t j = 1; j < p->taps_w; ++j) across += wx[j] * row[(size_t)rx[j] * in_x];
                        acc = i == 0 ? wy[0] * across : acc + wy[i] * across;
                    }
                    o[c * out_c] = acc;
                }
            }
        }
    }
}
