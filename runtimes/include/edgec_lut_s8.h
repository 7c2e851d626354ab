/* int8 elementwise operator as a 256-entry table (frontend/tflite_lut.py builds it): out[i] = table[in[i] + 128].
 * out may be the same buffer as in (each element is read before it is written). */
#ifndef EDGEC_LUT_S8_H
#define EDGEC_LUT_S8_H

#include "edgec_common.h"

void edgec_lut_s8(const int8_t *in, const int8_t *EDGEC_RESTRICT table, int8_t *out, int32_t count);

#endif /* EDGEC_LUT_S8_H */
