/* Transpose (permute the dimensions of) a dense int8 tensor of rank <= EDGEC_MAX_RANK: the float32 kernel's
 * walk over bytes (a QDQ Transpose keeps its quantization, so it only moves values). */
#ifndef EDGEC_TRANSPOSE_S8_H
#define EDGEC_TRANSPOSE_S8_H

#include "edgec_transpose_f32.h"

/* out[i0..i5] = in[sum(ik * in_strides[k])]; in and out must not overlap. */
void edgec_transpose_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_transpose_params *p);

#endif
