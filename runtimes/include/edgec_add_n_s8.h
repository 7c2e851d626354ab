/* TFLite ADD_N on int8 (TFLite Micro's add_n.cc and reference_integer_ops AddN): every input shares one
 * quantisation; each is rescaled with a left shift of 20, the rescaled values summed, the sum requantised once.
 * As there, the sum starts from the rescaled input offset itself, not from 0. */
#ifndef EDGEC_ADD_N_S8_H
#define EDGEC_ADD_N_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t count; /* inputs, >= 2 */
    int32_t size;  /* elements per input and of the output */
    int32_t input_offset, output_offset, left_shift;
    int32_t input_multiplier, input_shift, output_multiplier, output_shift;
    int32_t act_min, act_max;
} edgec_add_n_s8_params;

void edgec_add_n_s8(const int8_t *const *inputs, int8_t *output, const edgec_add_n_s8_params *p);

#endif
