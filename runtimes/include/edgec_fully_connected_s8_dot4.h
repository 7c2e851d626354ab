/* The int8 fully connected layer (filter_offset 0) with its weights packed at compile time as the int8 conv's dot4
 * weights (compiler/edgec/ops/quantized_s8.py, pack_fc_s8_dot4): blocks of 16 units, [ceil(depth / 4)][16][4]
 * bytes, zero padded, the last block a half one, [ceil(depth / 4)][8][4], when it has at most 8 units
 * (EDGEC_FC_DOT4_HEAD); bias: one int32 per unit, padded to whole blocks, with input_offset * each unit's weight sum
 * folded in (p->input_offset is not read). flags: EDGEC_FULLY_CONNECTED_S8_DOT4_SYM when every weight is within
 * [-127, 127] (TFLite's). The compiler emits the call only for a kernel set with its own version (runtimes/neon/);
 * runtimes/reference/ has its portable twin. */
#ifndef EDGEC_FULLY_CONNECTED_S8_DOT4_H
#define EDGEC_FULLY_CONNECTED_S8_DOT4_H

#include "edgec_fully_connected_s8.h"

#define EDGEC_FULLY_CONNECTED_S8_DOT4_SYM 1

/* The units in blocks of 16: all of them, or those before a last half block. */
#define EDGEC_FC_DOT4_HEAD(units) ((int32_t)((uint32_t)(units) % 16u - 1u < 8u ? (units) & ~15 : (units)))

void edgec_fully_connected_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                                   const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                                   const edgec_fully_connected_s8_params *p, int32_t flags);

#endif /* EDGEC_FULLY_CONNECTED_S8_DOT4_H */
