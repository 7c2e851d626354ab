/* A pointwise int8 convolution fused with the residual add that reads it, onnxruntime's QLinearAdd semantics
 * (edgec_add_q8 in edgec_qdq_s8.h; the QDQ path): see edgec_conv2d_add_s8.h. Row by row: the convolution's row to
 * `rows` (out_w * out_c bytes), then the add of that row and the residual's into the output's, which may be the
 * residual's own buffer. Bit for bit the unfused pair's. */
#ifndef EDGEC_CONV2D_ADD_Q8_H
#define EDGEC_CONV2D_ADD_Q8_H

#include "edgec_common.h"
#include "edgec_conv2d_s8.h"
#include "edgec_qdq_s8.h"

typedef struct {
    edgec_conv2d_s8_params conv; /* the whole layer: 1x1, stride 1, no padding, batch 1 */
    edgec_add_q8_params add;     /* count: the whole output; a / b as in the model's Add */
    int32_t conv_first;          /* 1: the convolution is the add's a, 0: its b */
} edgec_conv2d_add_q8_params;

void edgec_conv2d_add_q8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                         const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                         const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows);

/* The same with the convolution's weights and bias packed for edgec_conv2d_s8_dot4 (edgec_conv2d_s8.h). Only
 * runtimes/x86/ implements it; the compiler calls it only when it ships that file. */
void edgec_conv2d_add_q8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                              const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows);

#endif /* EDGEC_CONV2D_ADD_Q8_H */
