/* ONNX CumSum along one axis, float32: inclusive or exclusive, forward or reverse. */
#ifndef EDGEC_CUMSUM_F32_H
#define EDGEC_CUMSUM_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis, inner; /* the tensor viewed as [outer][axis][inner] */
    int32_t exclusive;          /* element k sums the elements before k, not through k */
    int32_t reverse;            /* sum from the end of the axis */
} edgec_cumsum_params;

void edgec_cumsum_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_cumsum_params *p);

#endif
