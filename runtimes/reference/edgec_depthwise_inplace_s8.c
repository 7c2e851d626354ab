/* In-place int8 depthwise convolution: the depthwise kernel of whichever kernel set ships with the model, called
 * band by band on windows of the input, with a two-slot scratch between it and the buffer (edgec_depthwise_band.h).
 * Kernel-agnostic, so there is one implementation for every kernel set. */
#include "edgec_depthwise_inplace_s8.h"

void edgec_depthwise_inplace_s8(int8_t *data, const int8_t *EDGEC_RESTRICT weights,
                                const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                                const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT scratch,
                                int32_t band_rows, const edgec_conv2d_s8_params *p) {
    const size_t in_row = (size_t)p->in_w * (size_t)p->in_c, out_row = (size_t)p->out_w * (size_t)p->out_c;
    const size_t slot = edgec_dw_slot_bytes(band_rows, p->out_w, p->out_c, 1);
    edgec_conv2d_s8_params q = *p;
    int32_t k = 0, o0 = 0, prev_o0 = 0, prev_rows = 0;
    for (; o0 < p->out_h; ++k, o0 += band_rows) {
        const edgec_dw_band b = edgec_dw_band_of(o0, band_rows, p->out_h, p->in_h, p->stride_h, p->pad_top, p->k_h,
                                                 p->dil_h);
        q.in_h = b.in_rows;
        q.out_h = b.out_rows;
        q.pad_top = b.pad_top;
        edgec_depthwise_conv2d_s8(data + (size_t)b.in_row0 * in_row, weights, bias, multiplier, shift,
                                  scratch + (size_t)(k & 1) * slot, &q);
        if (k > 0) /* band k - 1 to its place: no band from k + 1 on reads those bytes (checked at compile time) */
            edgec_dw_copy(data + (size_t)prev_o0 * out_row, scratch + (size_t)((k - 1) & 1) * slot,
                          (size_t)prev_rows * out_row);
        prev_o0 = o0;
        prev_rows = b.out_rows;
    }
    if (k > 0) edgec_dw_copy(data + (size_t)prev_o0 * out_row, scratch + (size_t)((k - 1) & 1) * slot,
                             (size_t)prev_rows * out_row);
}
