/* ArgMax / ArgMin of a float32 tensor along one axis, int64 indices (ONNX). */
#ifndef EDGEC_ARG_REDUCE_F32_H
#define EDGEC_ARG_REDUCE_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis, inner; /* the input viewed as [outer][axis][inner]; the output is [outer][inner] */
    int32_t is_min;             /* 1 = ArgMin, 0 = ArgMax */
    int32_t select_last;        /* on a tie, the last index rather than the first */
} edgec_arg_reduce_params;

/* A NaN is never selected over a number (the first element is kept if every comparison fails). */
void edgec_arg_reduce_f32(const float *EDGEC_RESTRICT input, int64_t *EDGEC_RESTRICT output, const edgec_arg_reduce_params *p);

#endif
