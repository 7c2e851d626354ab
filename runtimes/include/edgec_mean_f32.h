/* Mean over a set of axes (ReduceMean, GlobalAveragePool), float32, rank <= EDGEC_MAX_RANK. */
#ifndef EDGEC_MEAN_F32_H
#define EDGEC_MEAN_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK];   /* the kept dims, right-aligned; leading dims are 1 */
    int32_t out_strides[EDGEC_MAX_RANK]; /* input element stride of a step along each kept dim */
    int32_t red_shape[EDGEC_MAX_RANK];   /* the reduced dims, right-aligned; leading dims are 1 */
    int32_t red_strides[EDGEC_MAX_RANK]; /* input element stride of a step along each reduced dim */
    int32_t count;                       /* product of red_shape: the divisor */
} edgec_mean_params;

/* out[k] = mean of the input over the reduced dims at kept index k; in and out must not overlap. */
void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p);

#endif
