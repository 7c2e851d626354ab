/* Concatenation, float32 or int8: one call copies one input into its slot of the output. */
#ifndef EDGEC_CONCAT_H
#define EDGEC_CONCAT_H

#include "edgec_common.h"

typedef struct {
    int32_t outer;     /* product of the dims before the axis */
    int32_t in_row;    /* elements of this input from the axis on: in.shape[axis] * inner */
    int32_t out_row;   /* elements of the output from the axis on: out.shape[axis] * inner */
    int32_t offset;    /* where this input starts within an output row: (sum of earlier inputs' axis dims) * inner */
} edgec_concat_params;

/* out[o * out_row + offset + j] = in[o * in_row + j]; in and out must not overlap. */
void edgec_concat_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_concat_params *p);
void edgec_concat_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_concat_params *p);

#endif
