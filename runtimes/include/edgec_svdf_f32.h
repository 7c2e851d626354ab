/* TFLite SVDF (singular value decomposition filter: keyword spotting, time series), float32, as LiteRT's
 * svdf.cc computes it. The state holds each filter's last `memory` feature values; per run it shifts one step
 * to the left, the newest (weights_feature . x) goes into the last column, and each filter's output is its
 * state row . weights_time; a unit sums its `rank` filters, adds its bias and clamps. */
#ifndef EDGEC_SVDF_F32_H
#define EDGEC_SVDF_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t batch, input, units, rank, memory; /* filters = units * rank */
    float act_min, act_max;
} edgec_svdf_params;

/* weights_feature [filters][input], weights_time [filters][memory], bias [units] (or NULL), state
 * [batch][filters][memory] (kept between runs), out [batch][units]. */
void edgec_svdf_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT weights_feature,
                    const float *EDGEC_RESTRICT weights_time, const float *EDGEC_RESTRICT bias,
                    float *EDGEC_RESTRICT state, float *EDGEC_RESTRICT out, const edgec_svdf_params *p);

#endif
