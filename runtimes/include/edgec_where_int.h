/* ONNX Where on integer tensors of any width (1, 2, 4 or 8 bytes; the values are copied, never computed):
 * out = cond ? x : y with a bool (byte) condition, NumPy broadcasting of all three. */
#ifndef EDGEC_WHERE_INT_H
#define EDGEC_WHERE_INT_H

#include "edgec_where_f32.h"

void edgec_where_int(const uint8_t *cond, const void *x, const void *y, void *out, int32_t element_bytes,
                     const edgec_where_params *p);

#endif
