/* GATHER with indices known at run time (TFLite's gather.cc, batch_dims 0): for each outer position and each
 * index, one run of `inner` int8 values copied from row indices[k] of the axis. An index outside [0, axis_size)
 * gives a run of zeros (TFLite Micro would read outside the input). */
#ifndef EDGEC_GATHER_S8_H
#define EDGEC_GATHER_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis_size, count, inner; /* count: the number of indices */
} edgec_gather_s8_params;

void edgec_gather_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *indices, int8_t *EDGEC_RESTRICT out,
                     const edgec_gather_s8_params *p);

#endif
