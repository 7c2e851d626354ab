/* Pointwise int8 convolution + onnxruntime's QLinearAdd, row by row (edgec_conv2d_add_q8.h). Kernel-agnostic: each
 * row is one call of the model's kernel set's edgec_conv2d_s8 and of edgec_add_q8. */
#include "edgec_conv2d_add_q8.h"

void edgec_conv2d_add_q8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                         const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                         const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows) {
    const size_t in_row = (size_t)p->conv.in_w * (size_t)p->conv.in_c;
    const int32_t n = p->conv.out_w * p->conv.out_c;
    edgec_conv2d_s8_params row = p->conv;
    edgec_add_q8_params add = p->add;
    row.in_h = row.out_h = 1;
    add.count = n;
    for (int32_t y = 0; y < p->conv.out_h; ++y) {
        const size_t at = (size_t)y * (size_t)n;
        edgec_conv2d_s8(input + (size_t)y * in_row, weights, bias, multiplier, shift, rows, &row);
        if (p->conv_first)
            edgec_add_q8(rows, residual + at, output + at, &add);
        else
            edgec_add_q8(residual + at, rows, output + at, &add);
    }
}
