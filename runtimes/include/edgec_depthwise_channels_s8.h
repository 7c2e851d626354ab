/* int8 depthwise convolution written over its own input, a group of channels at a time (TinyEngine's in-place
 * depthwise; compiler/edgec/memory/inplace_depthwise.py). For a layer whose output has the input's shape (stride 1,
 * 'same' padding), output channel c at pixel (y, x) sits where input channel c did, and only input channel c feeds
 * it: so group by group, the group's input channels are gathered into scratch, the model's own depthwise kernel
 * computes the group's output into the other half of scratch, and that is scattered back over the gathered (dead)
 * input. scratch: 2 * edgec_dw_channels_slot_bytes(...) bytes, 16-byte aligned, disjoint from data; far less than
 * the band scheme's two rows when there are more channels than rows. weights: the layer's [1, k_h, k_w, C] weights
 * re-laid out group by group ([1, k_h, k_w, g] each, compiled in); bias, multiplier and shift as the layer's. */
#ifndef EDGEC_DEPTHWISE_CHANNELS_S8_H
#define EDGEC_DEPTHWISE_CHANNELS_S8_H

#include "edgec_depthwise_conv2d_s8.h"

EDGEC_INLINE size_t edgec_dw_channels_slot_bytes(int32_t group, int32_t h, int32_t w) {
    return ((size_t)group * (size_t)h * (size_t)w + 15u) / 16u * 16u;
}

void edgec_depthwise_channels_s8(int8_t *data, const int8_t *EDGEC_RESTRICT grouped_weights,
                                 const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                                 const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT scratch, int32_t group,
                                 const edgec_conv2d_s8_params *p);

#endif /* EDGEC_DEPTHWISE_CHANNELS_S8_H */
