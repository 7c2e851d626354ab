/* A pointwise int8 convolution fused with the residual add that reads it (compiler/edgec/passes/fuse_conv_add.py):
 * output = add(conv(input), residual), TFLite's int8 ADD (edgec_add_s8.h), computed one output row at a time.
 * Each row of the convolution goes to `rows` (out_w * out_c bytes), then the add reads that row and the residual's
 * and writes the output's. output may be residual itself (the planner runs the node in place when the residual dies
 * there: memory/inplace.py): element i of the residual is read before element i of the output is written, and the
 * convolution never reads the residual. The result is the unfused pair's, bit for bit: the same kernels, per row. */
#ifndef EDGEC_CONV2D_ADD_S8_H
#define EDGEC_CONV2D_ADD_S8_H

#include "edgec_add_s8.h"
#include "edgec_common.h"
#include "edgec_conv2d_s8.h"

typedef struct {
    edgec_conv2d_s8_params conv; /* the whole layer: 1x1, stride 1, no padding, batch 1 */
    edgec_add_s8_params add;     /* kind ADD; input1 / input2 as in the model's ADD */
    int32_t conv_first;          /* 1: the convolution is the add's first input, 0: its second */
} edgec_conv2d_add_s8_params;

/* weights: OHWI int8 (NULL when packed is given); packed: edgec_conv2d_s8_packed's stream, or NULL. Only the
 * Cortex-M twin takes packed weights (the compiler passes them only when it ships that file and the packed
 * convolution); conv_scratch is the packed kernel's scratch (or NULL). */
void edgec_conv2d_add_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                         const int32_t *EDGEC_RESTRICT shift, const int32_t *EDGEC_RESTRICT packed,
                         const int8_t *residual, int8_t *output, const edgec_conv2d_add_s8_params *p,
                         int8_t *EDGEC_RESTRICT rows, void *conv_scratch);

#endif /* EDGEC_CONV2D_ADD_S8_H */
