/* ONNX BitShift with NumPy broadcasting, any integer type of 1, 2, 4 or 8 bytes.
 * A shift by a negative amount or by the type's width or more gives what the fill alone gives (ONNX opset 28,
 * NumPy, onnxruntime): 0, or -1 for a right shift of a negative signed value. Right shifts of signed values are
 * arithmetic; left shifts drop the bits shifted out (two's complement, no undefined behaviour). */
#ifndef EDGEC_BITSHIFT_H
#define EDGEC_BITSHIFT_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK]; /* right-aligned; leading dims are 1 */
    int32_t x_strides[EDGEC_MAX_RANK]; /* element strides of x per output dim; 0 = broadcast */
    int32_t y_strides[EDGEC_MAX_RANK];
    int32_t element_bytes;             /* 1, 2, 4 or 8: x, y and the output share the type */
    int32_t is_signed;
    int32_t left;                      /* 1: LEFT, 0: RIGHT */
} edgec_bitshift_params;

void edgec_bitshift(const void *x, const void *y, void *out, const edgec_bitshift_params *p);

#endif
