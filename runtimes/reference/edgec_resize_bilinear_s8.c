/* Reference int8 bilinear resize (TFLite's ResizeBilinearInteger). |sum| <= 128 * 2^20, so int32 holds it. */
#include "edgec_resize_bilinear_s8.h"

void edgec_resize_bilinear_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *table, int8_t *EDGEC_RESTRICT out,
                              const edgec_resize_bilinear_s8_params *p) {
    const int32_t oh = p->out_h, ow = p->out_w, c = p->channels;
    const int32_t *y0s = table, *y1s = table + oh, *dys = table + 2 * oh;
    const int32_t *x0s = table + 3 * oh, *x1s = x0s + ow, *dxs = x0s + 2 * ow;
    const size_t row = (size_t)p->in_w * (size_t)c, image = (size_t)p->in_h * row;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *img = in + (size_t)b * image;
        for (int32_t y = 0; y < oh; ++y) {
            const int32_t dy = dys[y];
            const int8_t *r0 = img + (size_t)y0s[y] * row, *r1 = img + (size_t)y1s[y] * row;
            for (int32_t x = 0; x < ow; ++x) {
                const int32_t dx = dxs[x];
                const int32_t wll = (1024 - dy) * (1024 - dx), wlu = dy * (1024 - dx);
                const int32_t wrl = (1024 - dy) * dx, wru = dy * dx;
                const int8_t *ll = r0 + (size_t)x0s[x] * c, *lu = r1 + (size_t)x0s[x] * c;
                const int8_t *rl = r0 + (size_t)x1s[x] * c, *ru = r1 + (size_t)x1s[x] * c;
                for (int32_t k = 0; k < c; ++k) {
                    const int32_t sum = ll[k] * wll + lu[k] * wlu + rl[k] * wrl + ru[k] * wru;
                    *out++ = (int8_t)((sum + (sum > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
                }
            }
        }
    }
}
