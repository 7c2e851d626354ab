/* Reductions over a set of axes with an op code (ReduceSum/Max/Min/Prod, GlobalMaxPool), float32. The mean has
 * its own kernel (edgec_mean_f32.h, shared with the int8 mean); the dims are described the same way. */
#ifndef EDGEC_REDUCE_F32_H
#define EDGEC_REDUCE_F32_H

#include "edgec_mean_f32.h"

enum { EDGEC_REDUCE_SUM = 0, EDGEC_REDUCE_MAX = 1, EDGEC_REDUCE_MIN = 2, EDGEC_REDUCE_PROD = 3 };

typedef struct {
    int32_t op;
    edgec_mean_params shape; /* kept and reduced dims (count unused) */
} edgec_reduce_params;

/* out[k] = the reduction of the input over the reduced dims at kept index k; in and out must not overlap.
 * Every reduced dim is >= 1 (an empty reduction is a constant, folded by the compiler). MAX / MIN propagate NaN. */
void edgec_reduce_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_reduce_params *p);

#endif
