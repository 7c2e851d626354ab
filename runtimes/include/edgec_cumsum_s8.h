/* TFLite CUMSUM on int8 (TFLite Micro's cumsum.cc and reference_ops::CumSum): each input rescaled with a left
 * shift of 20, the running sum requantised at every step; as there, the sum starts from the rescaled input
 * offset, not from 0. Inclusive or exclusive, forward or reverse. */
#ifndef EDGEC_CUMSUM_S8_H
#define EDGEC_CUMSUM_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis, inner; /* the tensor viewed as [outer][axis][inner] */
    int32_t exclusive, reverse;
    int32_t input_offset, output_offset, left_shift;
    int32_t input_multiplier, input_shift, output_multiplier, output_shift;
    int32_t act_min, act_max;
} edgec_cumsum_s8_params;

void edgec_cumsum_s8(const int8_t *EDGEC_RESTRICT input, int8_t *EDGEC_RESTRICT output,
                     const edgec_cumsum_s8_params *p);

#endif
