/* Transpose (permute the dimensions of) a dense float32 tensor of rank <= EDGEC_MAX_RANK. */
#ifndef EDGEC_TRANSPOSE_F32_H
#define EDGEC_TRANSPOSE_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK];  /* right-aligned; leading dims are 1 */
    int32_t in_strides[EDGEC_MAX_RANK]; /* element stride in the input of a step along each output dim */
} edgec_transpose_params;

/* out[i0..i5] = in[sum(ik * in_strides[k])]; in and out must not overlap. */
void edgec_transpose_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_transpose_params *p);

#endif
