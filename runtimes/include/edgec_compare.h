/* Comparisons of float32 tensors and boolean logic, NumPy broadcasting (the binary kernel's parameters);
 * bool tensors are bytes holding 0 or 1. */
#ifndef EDGEC_COMPARE_H
#define EDGEC_COMPARE_H

#include "edgec_binary_f32.h"

enum { EDGEC_EQUAL = 16, EDGEC_LESS = 17, EDGEC_LESS_EQUAL = 18, EDGEC_GREATER = 19, EDGEC_GREATER_EQUAL = 20,
       EDGEC_AND = 21, EDGEC_OR = 22, EDGEC_XOR = 23, EDGEC_NOT_EQUAL = 24 };

/* out = a OP b (EDGEC_EQUAL ... EDGEC_GREATER_EQUAL, EDGEC_NOT_EQUAL; IEEE: any comparison with a NaN is
 * false but for not-equal, which is true). */
void edgec_compare_f32(const float *a, const float *b, uint8_t *out, const edgec_binary_params *p);
/* out = a OP b (EDGEC_AND, EDGEC_OR, EDGEC_XOR); Not is xor with 1. out may alias a or b. */
void edgec_logic_u8(const uint8_t *a, const uint8_t *b, uint8_t *out, const edgec_binary_params *p);

#endif
