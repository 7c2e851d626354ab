/* Copy a window of rows x cols pixels between two dense NHWC tensors of batch 1 (patch-based scheduling,
 * passes/patch_schedule.py): `crop` reads a window of a larger tensor into a contiguous tile, `paste` writes a
 * tile into its window of a larger tensor. A pixel is pixel_bytes bytes (channels x element size). */
#ifndef EDGEC_COPY_WINDOW_H
#define EDGEC_COPY_WINDOW_H

#include "edgec_common.h"

typedef struct {
    int32_t rows, cols, pixel_bytes;
    int32_t src_w, src_y, src_x; /* source width (pixels) and the window's top-left pixel in it */
    int32_t dst_w, dst_y, dst_x; /* likewise in the destination */
} edgec_copy_window_params;

/* src and dst must not overlap. */
void edgec_copy_window(const void *EDGEC_RESTRICT src, void *EDGEC_RESTRICT dst, const edgec_copy_window_params *p);

#endif /* EDGEC_COPY_WINDOW_H */
