/* int8 reductions that keep the stored values (TFLite Micro requires the input's quantisation on the output, or
 * writes indices): REDUCE_MAX / REDUCE_MIN over a set of axes, ARG_MAX / ARG_MIN along one axis (int32 indices,
 * the first of equal values). The axes are walked as the mean's are (edgec_mean_params). */
#ifndef EDGEC_REDUCE_S8_H
#define EDGEC_REDUCE_S8_H

#include "edgec_common.h"
#include "edgec_mean_f32.h"

typedef struct {
    edgec_mean_params shape; /* kept and reduced dims; ARG_*: one reduced dim, the last */
    int32_t minimum;         /* 1: REDUCE_MIN / ARG_MIN, 0: REDUCE_MAX / ARG_MAX */
} edgec_reduce_s8_params;

/* in and out must not overlap. */
void edgec_reduce_max_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_reduce_s8_params *p);
void edgec_arg_max_s8(const int8_t *EDGEC_RESTRICT in, int32_t *EDGEC_RESTRICT out, const edgec_reduce_s8_params *p);

#endif
