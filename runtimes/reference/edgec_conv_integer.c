/* Reference ONNX ConvInteger: direct loops, exact int32 accumulation. */
#include "edgec_conv_integer.h"

void edgec_conv_integer(const void *EDGEC_RESTRICT x, const void *EDGEC_RESTRICT w,
                        const void *EDGEC_RESTRICT x_zero_point, const void *EDGEC_RESTRICT w_zero_point,
                        int32_t *EDGEC_RESTRICT y, const edgec_conv_integer_params *p) {
    const int32_t xz = edgec_load_q8(x_zero_point, 0, p->x_signed);
    const int32_t in_per_group = p->in_c / p->groups, out_per_group = p->out_c / p->groups;
    for (int32_t n = 0; n < p->batch; ++n)
        for (int32_t m = 0; m < p->out_c; ++m) {
            const int32_t wz = edgec_load_q8(w_zero_point, p->w_zp_per_channel ? (size_t)m : 0, p->w_signed);
            const int32_t c0 = m / out_per_group * in_per_group;
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) {
                    int32_t acc = 0;
                    for (int32_t c = 0; c < in_per_group; ++c) {
                        const size_t x_plane = ((size_t)n * p->in_c + c0 + c) * p->in_h;
                        const size_t w_plane = ((size_t)m * in_per_group + c) * p->k_h;
                        for (int32_t ky = 0; ky < p->k_h; ++ky) {
                            const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                            if (iy < 0 || iy >= p->in_h) continue;
                            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                                const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                                if (ix < 0 || ix >= p->in_w) continue;
                                const int32_t xv = edgec_load_q8(x, (x_plane + iy) * p->in_w + ix, p->x_signed);
                                const int32_t wv = edgec_load_q8(w, (w_plane + ky) * p->k_w + kx, p->w_signed);
                                acc += (xv - xz) * (wv - wz);
                            }
                        }
                    }
                    y[(((size_t)n * p->out_c + m) * p->out_h + oy) * p->out_w + ox] = acc;
                }
        }
}
