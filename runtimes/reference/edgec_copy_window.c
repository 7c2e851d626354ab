/* Reference window copy: one memcpy-like loop per row of the window (a row is contiguous in NHWC). */
#include "edgec_copy_window.h"

void edgec_copy_window(const void *EDGEC_RESTRICT src, void *EDGEC_RESTRICT dst, const edgec_copy_window_params *p) {
    const uint8_t *s = (const uint8_t *)src;
    uint8_t *d = (uint8_t *)dst;
    const size_t row_bytes = (size_t)p->cols * (size_t)p->pixel_bytes;
    for (int32_t y = 0; y < p->rows; ++y) {
        const uint8_t *from = s + ((size_t)(p->src_y + y) * (size_t)p->src_w + (size_t)p->src_x) * (size_t)p->pixel_bytes;
        uint8_t *to = d + ((size_t)(p->dst_y + y) * (size_t)p->dst_w + (size_t)p->dst_x) * (size_t)p->pixel_bytes;
        for (size_t i = 0; i < row_bytes; ++i) to[i] = from[i];
    }
}
