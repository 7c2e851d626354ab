/* Fully connected, int8 (TFLite reference_integer_ops::FullyConnected): per-tensor weights, int32 bias. */
#ifndef EDGEC_FULLY_CONNECTED_S8_H
#define EDGEC_FULLY_CONNECTED_S8_H

#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    int32_t batches, depth, units;
    int32_t input_offset, filter_offset, output_offset;
    int32_t multiplier, shift;
    int32_t act_min, act_max;
    int32_t single_rounding; /* 0: TFLite Micro's double rounding; 1: LiteRT reference's single rounding */
} edgec_fully_connected_s8_params;

/* input [batches, depth], weights [units, depth], bias [units] (may be NULL), output [batches, units]. */
void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p);

/* The same layer (filter_offset 0) with weights and bias packed at compile time for the Cortex-M kernels
 * (compiler/edgec/ops/quantized_s8.py, pack_fc_s8). Only runtimes/cortex-m/ implements it. scratch: 8 * d4
 * bytes, word-aligned (d4 = packed[0]), or NULL for the stack. */
void edgec_fully_connected_s8_packed(const int8_t *EDGEC_RESTRICT input, const int32_t *EDGEC_RESTRICT packed,
                                     int8_t *EDGEC_RESTRICT output, const edgec_fully_connected_s8_params *p,
                                     void *scratch);

#endif /* EDGEC_FULLY_CONNECTED_S8_H */
