/* int8 bilinear resize, NHWC, as TFLite's ResizeBilinearInteger: sources and weights in 1/1024 steps, the four
 * products summed in 2^20 units and rounded half away from zero. The per-row and per-column source indices and
 * weights are computed by the compiler (frontend/tflite_int8_resize.py) into one table:
 * [y0 x out_h, y1 x out_h, dy x out_h, x0 x out_w, x1 x out_w, dx x out_w]. */
#ifndef EDGEC_RESIZE_BILINEAR_S8_H
#define EDGEC_RESIZE_BILINEAR_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, in_h, in_w, channels, out_h, out_w;
} edgec_resize_bilinear_s8_params;

void edgec_resize_bilinear_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *table, int8_t *EDGEC_RESTRICT out,
                              const edgec_resize_bilinear_s8_params *p);

#endif
