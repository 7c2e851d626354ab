/* Cortex-M twin of reference/edgec_conv2d_add_s8.c: the same row loop, with the convolution's packed DSP kernel
 * (edgec_conv2d_s8_packed) on each row when the compiler packed the weights, else the set's edgec_conv2d_s8. */
#include "edgec_conv2d_add_s8.h"

void edgec_conv2d_add_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                         const int32_t *EDGEC_RESTRICT shift, const int32_t *EDGEC_RESTRICT packed,
                         const int8_t *residual, int8_t *output, const edgec_conv2d_add_s8_params *p,
                         int8_t *EDGEC_RESTRICT rows, void *conv_scratch) {
    const size_t in_row = (size_t)p->conv.in_w * (size_t)p->conv.in_c;
    const int32_t n = p->conv.out_w * p->conv.out_c;
    edgec_conv2d_s8_params row = p->conv;
    row.in_h = row.out_h = 1;
    for (int32_t y = 0; y < p->conv.out_h; ++y) {
        const size_t at = (size_t)y * (size_t)n;
        if (packed != NULL)
            edgec_conv2d_s8_packed(input + (size_t)y * in_row, packed, rows, &row, conv_scratch);
        else
            edgec_conv2d_s8(input + (size_t)y * in_row, weights, bias, multiplier, shift, rows, &row);
        if (p->conv_first)
            edgec_add_s8_row(rows, 1, residual + at, 1, output + at, n, &p->add);
        else
            edgec_add_s8_row(residual + at, 1, rows, 1, output + at, n, &p->add);
    }
}
