/* Add, int8, with rescaling of both inputs (TFLite reference_integer_ops::Add) and NumPy broadcasting. */
#ifndef EDGEC_ADD_S8_H
#define EDGEC_ADD_S8_H

#include "edgec_broadcast_s8.h"
#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} edgec_add_s8_params;

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p);

#endif /* EDGEC_ADD_S8_H */
