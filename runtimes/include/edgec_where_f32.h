/* ONNX Where: out = cond ? x : y, float32 with a bool (byte) condition, NumPy broadcasting of all three. */
#ifndef EDGEC_WHERE_F32_H
#define EDGEC_WHERE_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK]; /* right-aligned; leading dims are 1 */
    int32_t c_strides[EDGEC_MAX_RANK]; /* element strides per output dim; 0 = broadcast */
    int32_t x_strides[EDGEC_MAX_RANK];
    int32_t y_strides[EDGEC_MAX_RANK];
} edgec_where_params;

void edgec_where_f32(const uint8_t *cond, const float *x, const float *y, float *out, const edgec_where_params *p);

#endif
