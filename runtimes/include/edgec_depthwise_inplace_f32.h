/* float32 depthwise convolution written over its own input, band by band (edgec_depthwise_band.h): data holds the
 * input (p->in_h x in_w x in_c) on entry and the output (p->out_h x out_w x out_c) from its first element on
 * return. scratch: 2 * edgec_dw_slot_bytes(band_rows, out_w, out_c, 4) bytes, 16-byte aligned, disjoint from data.
 * Depth multiplier 1, batch 1; the compiler checks the schedule is safe for band_rows. */
#ifndef EDGEC_DEPTHWISE_INPLACE_F32_H
#define EDGEC_DEPTHWISE_INPLACE_F32_H

#include "edgec_depthwise_band.h"
#include "edgec_depthwise_conv2d_f32.h"

void edgec_depthwise_inplace_f32(float *data, const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                                 float *EDGEC_RESTRICT scratch, int32_t band_rows, const edgec_conv2d_params *p);

#endif /* EDGEC_DEPTHWISE_INPLACE_F32_H */
