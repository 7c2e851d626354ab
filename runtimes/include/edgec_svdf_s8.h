/* TFLite SVDF on int8, as TFLite Micro's EvalIntegerSvdfReference (svdf_common.cc) computes it. The state holds
 * each filter's last `memory` feature values (int16 with int16 time weights, or int8 with int8 ones) and shifts
 * one step to the left per run; the newest feature, weights_feature . (x - input_zero_point) requantised by
 * (multiplier_1, shift_1) and clamped to the state type, goes into the last column plus the state's zero point.
 * Each filter's time sum (state row - state zero point) . weights_time adds into its unit (rank filters per unit)
 * after the unit's bias; the sum is requantised by (multiplier_2, shift_2) to int8. TFLite Micro applies no fused
 * activation in its integer SVDF, so neither does this. */
#ifndef EDGEC_SVDF_S8_H
#define EDGEC_SVDF_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t batch, input, units, rank, memory; /* filters = units * rank */
    int32_t input_zero_point, state_zero_point, output_zero_point;
    int32_t multiplier_1, shift_1; /* input_scale * feature_scale / state_scale */
    int32_t multiplier_2, shift_2; /* state_scale * time_scale / output_scale */
} edgec_svdf_s8_params;

/* weights_feature [filters][input], weights_time [filters][memory], bias [units] (or NULL), state
 * [batch][filters][memory] (kept between runs), out [batch][units]. */
void edgec_svdf_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                   const int8_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p);

/* The same with an int16 state and int16 time weights (what TensorFlow's converter writes). */
void edgec_svdf_s8_s16(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT weights_feature,
                       const int16_t *EDGEC_RESTRICT weights_time, const int32_t *EDGEC_RESTRICT bias,
                       int16_t *EDGEC_RESTRICT state, int8_t *EDGEC_RESTRICT out, const edgec_svdf_s8_params *p);

#endif
