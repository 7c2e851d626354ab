/* Casts: an integer tensor to float32 (ONNX Cast): y[i] = (float)x[i] (int32: rounded to nearest, ties to even;
 * int8 / uint8: exact); float32 or int64 to int32 (TFLite CAST, ArgMax's int32 output). */
#ifndef EDGEC_CAST_H
#define EDGEC_CAST_H

#include "edgec_common.h"

#define EDGEC_CAST_FROM_INT32 0
#define EDGEC_CAST_FROM_INT8 1
#define EDGEC_CAST_FROM_UINT8 2

#define EDGEC_CAST_FROM_FLOAT32 3
#define EDGEC_CAST_FROM_INT64 4

void edgec_cast_to_f32(const void *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, int32_t n, int32_t from);

/* Cast to int32 (TFLite CAST): float32 truncated toward zero, as C's cast does, but saturated at the int32 range
 * and NaN -> 0 where C leaves the result undefined; int64 keeps its low 32 bits (two's complement). */
void edgec_cast_to_i32(const void *EDGEC_RESTRICT x, int32_t *EDGEC_RESTRICT y, int32_t n, int32_t from);

#endif
