/* Portable reference: int8 average pooling, following TFLite's reference_integer_ops exactly. */
#include "edgec_avg_pool2d_s8.h"

void edgec_avg_pool2d_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                         const edgec_avg_pool2d_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t ky0 = y0 < 0 ? -y0 : 0;
                const int32_t kx0 = x0 < 0 ? -x0 : 0;
                const int32_t ky1 = p->k_h < p->in_h - y0 ? p->k_h : p->in_h - y0;
                const int32_t kx1 = p->k_w < p->in_w - x0 ? p->k_w : p->in_w - x0;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->channels;
                for (int32_t c = 0; c < p->channels; ++c) {
                    int32_t acc = 0, count = 0;
                    for (int32_t ky = ky0; ky < ky1; ++ky) {
                        for (int32_t kx = kx0; kx < kx1; ++kx) {
                            acc += input[(((size_t)b * p->in_h + y0 + ky) * p->in_w + x0 + kx) * p->channels + c];
                            ++count;
                        }
                    }
                    if (count == 0) {
                        out[c] = (int8_t)p->act_min;
                        continue;
                    }
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    out[c] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
