/* ONNX Cast of an integer tensor to float32: y[i] = (float)x[i] (int32: rounded to nearest, ties to even;
 * int8 / uint8: exact). */
#ifndef EDGEC_CAST_H
#define EDGEC_CAST_H

#include "edgec_common.h"

#define EDGEC_CAST_FROM_INT32 0
#define EDGEC_CAST_FROM_INT8 1
#define EDGEC_CAST_FROM_UINT8 2

void edgec_cast_to_f32(const void *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, int32_t n, int32_t from);

#endif
