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

/* The same layer (filter_offset 0) with its weights packed at compile time as the int8 conv's dot4 weights
 * (compiler/edgec/ops/quantized_s8.py, pack_fc_s8_dot4): blocks of 16 units, [ceil(depth / 4)][16][4] bytes, zero
 * padded; bias: one int32 per unit, padded to whole blocks, with input_offset * each unit's weight sum folded in
 * (p->input_offset is not read). flags: EDGEC_FULLY_CONNECTED_S8_DOT4_SYM when every weight is within [-127, 127]
 * (TFLite's). Only runtimes/neon/ implements it. */
#define EDGEC_FULLY_CONNECTED_S8_DOT4_SYM 1
void edgec_fully_connected_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                                   const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                                   const edgec_fully_connected_s8_params *p, int32_t flags);

#endif /* EDGEC_FULLY_CONNECTED_S8_H */
