/* Pointwise int8 convolution + onnxruntime's QLinearAdd (edgec_conv2d_add_q8.h) for x86 hosts: as the reference,
 * but several output rows per call of the convolution (into a stack buffer of up to STACK_ROWS_BYTES, or the
 * arena's one-row scratch), so that the x86 convolution packs its weights once per group of rows rather than
 * once per row. Each row's add reads only its own convolution row and residual row, so the result is the
 * reference's, byte for byte. edgec_conv2d_add_q8_dot4: the same with edgec_conv2d_s8_dot4's packed weights. */
#include "edgec_conv2d_add_q8.h"

#define STACK_ROWS_BYTES 16384

typedef void conv_fn(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                     const edgec_conv2d_s8_params *p);

static void conv_add(conv_fn *conv, const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                     const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                     const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                     const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows) {
    const size_t in_row = (size_t)p->conv.in_w * (size_t)p->conv.in_c;
    const int32_t n = p->conv.out_w * p->conv.out_c;
    int8_t stack_rows[STACK_ROWS_BYTES];
    const int32_t per_call = n > 0 && n <= STACK_ROWS_BYTES ? STACK_ROWS_BYTES / n : 1;
    int8_t *buf = per_call > 1 ? stack_rows : rows;
    edgec_conv2d_s8_params block = p->conv;
    edgec_add_q8_params add = p->add;
    add.count = n;
    for (int32_t y0 = 0; y0 < p->conv.out_h; y0 += per_call) {
        const int32_t count = p->conv.out_h - y0 < per_call ? p->conv.out_h - y0 : per_call;
        block.in_h = block.out_h = count;
        conv(input + (size_t)y0 * in_row, weights, bias, multiplier, shift, buf, &block);
        for (int32_t r = 0; r < count; ++r) {
            const size_t at = (size_t)(y0 + r) * (size_t)n;
            if (p->conv_first)
                edgec_add_q8(buf + (size_t)r * n, residual + at, output + at, &add);
            else
                edgec_add_q8(residual + at, buf + (size_t)r * n, output + at, &add);
        }
    }
}

void edgec_conv2d_add_q8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                         const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                         const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                         const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows) {
    conv_add(edgec_conv2d_s8, input, weights, bias, multiplier, shift, residual, output, p, rows);
}

void edgec_conv2d_add_q8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                              const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                              const int32_t *EDGEC_RESTRICT shift, const int8_t *residual, int8_t *output,
                              const edgec_conv2d_add_q8_params *p, int8_t *EDGEC_RESTRICT rows) {
    conv_add(edgec_conv2d_s8_dot4, input, packed, bias, multiplier, shift, residual, output, p, rows);
}
