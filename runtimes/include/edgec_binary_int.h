/* Element-wise binary operators and comparisons on integer tensors (ONNX Add, Sub, Mul, Div, Mod, Max, Min, Pow,
 * Equal, Less, ... of int8..int64 and uint8..uint64), NumPy broadcasting, one kernel for every width: the
 * parameters carry the element size and signedness, and values are computed in 64 bits.
 * Semantics (ONNX, NumPy, onnxruntime):
 * - add, sub, mul, pow wrap around (two's complement, the low bits of the exact result);
 * - div truncates toward zero (C); EDGEC_FLOOR_DIV rounds toward minus infinity;
 * - EDGEC_FMOD is C's remainder (the sign of a; ONNX Mod fmod=1), EDGEC_FLOOR_MOD has the sign of b (fmod=0);
 * - pow by squaring; a negative exponent gives the truncated real result (1 for a base of 1, +-1 for -1, else 0);
 * - a division or remainder by zero gives 0 and the most negative value divided by -1 wraps to itself (C leaves
 *   both undefined, onnxruntime traps);
 * - comparisons (the codes of edgec_compare.h) write bytes 0 or 1. */
#ifndef EDGEC_BINARY_INT_H
#define EDGEC_BINARY_INT_H

#include "edgec_compare.h"

typedef struct {
    int32_t op;                        /* EDGEC_ADD ... EDGEC_FLOOR_DIV, EDGEC_EQUAL ... EDGEC_NOT_EQUAL */
    int32_t out_shape[EDGEC_MAX_RANK]; /* right-aligned; leading dims are 1 */
    int32_t a_strides[EDGEC_MAX_RANK]; /* element strides of a per output dim; 0 = broadcast */
    int32_t b_strides[EDGEC_MAX_RANK];
    int32_t element_bytes;             /* 1, 2, 4 or 8: a and b share the type, and the output unless it is bool */
    int32_t is_signed;
} edgec_binary_int_params;

/* out may alias a or b when it has the same shape and type. */
void edgec_binary_int(const void *a, const void *b, void *out, const edgec_binary_int_params *p);

#endif
