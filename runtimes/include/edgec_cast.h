/* Casts: an integer tensor of any width to float32 (ONNX Cast, Pow's run-time integer exponent): y[i] = (float)x[i]
 * (rounded to nearest, ties to even, above 2^24; 8- and 16-bit values are exact); float32 or int64 to int32
 * (TFLite CAST, ArgMax's int32 output). */
#ifndef EDGEC_CAST_H
#define EDGEC_CAST_H

#include "edgec_common.h"

#define EDGEC_CAST_FROM_INT32 0
#define EDGEC_CAST_FROM_INT8 1
#define EDGEC_CAST_FROM_UINT8 2

#define EDGEC_CAST_FROM_FLOAT32 3
#define EDGEC_CAST_FROM_INT64 4
#define EDGEC_CAST_FROM_INT16 5
#define EDGEC_CAST_FROM_UINT16 6
#define EDGEC_CAST_FROM_UINT32 7
#define EDGEC_CAST_FROM_UINT64 8

void edgec_cast_to_f32(const void *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, int32_t n, int32_t from);

/* Cast to int32 (TFLite CAST): float32 truncated toward zero, as C's cast does, but saturated at the int32 range
 * and NaN -> 0 where C leaves the result undefined; int64 keeps its low 32 bits (two's complement). */
void edgec_cast_to_i32(const void *EDGEC_RESTRICT x, int32_t *EDGEC_RESTRICT y, int32_t n, int32_t from);

#endif
