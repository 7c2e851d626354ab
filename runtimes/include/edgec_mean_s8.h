/* Mean over a set of axes, int8, as TFLite Micro computes MEAN (reference_ops::QuantizedMeanOrSum): an integer
 * window sum, then one fixed-point requantisation whose multiplier already holds 1 / count. */
#ifndef EDGEC_MEAN_S8_H
#define EDGEC_MEAN_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"
#include "edgec_mean_f32.h"

typedef struct {
    edgec_mean_params shape; /* kept and reduced dims, as for the float mean */
    int32_t multiplier, shift; /* input_scale / (output_scale * count), folded as TFLite Micro folds it */
    int32_t input_zero_point, output_zero_point;
} edgec_mean_s8_params;

/* out = saturate(mbqm(sum - count * input_zero_point) + output_zero_point), sum over the window's raw int8
 * values; in and out must not overlap. */
void edgec_mean_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_mean_s8_params *p);

#endif
