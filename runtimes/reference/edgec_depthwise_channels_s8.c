/* In-place int8 depthwise convolution, a group of channels at a time (edgec_depthwise_channels_s8.h): the depthwise
 * kernel of whichever kernel set ships with the model, called per group on a gathered copy of its channels.
 * Kernel-agnostic, so there is one implementation for every kernel set. */
#include "edgec_depthwise_channels_s8.h"

void edgec_depthwise_channels_s8(int8_t *data, const int8_t *EDGEC_RESTRICT grouped_weights,
                                 const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                                 const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT scratch, int32_t group,
                                 const edgec_conv2d_s8_params *p) {
    const size_t pixels = (size_t)p->in_h * (size_t)p->in_w, channels = (size_t)p->in_c;
    int8_t *in = scratch;
    int8_t *out = scratch + edgec_dw_channels_slot_bytes(group, p->in_h, p->in_w);
    edgec_conv2d_s8_params q = *p;
    for (int32_t c0 = 0; c0 < p->in_c; c0 += group) {
        const int32_t g = p->in_c - c0 < group ? p->in_c - c0 : group;
        for (size_t i = 0; i < pixels; ++i)
            for (int32_t j = 0; j < g; ++j) in[i * (size_t)g + (size_t)j] = data[i * channels + (size_t)c0 + (size_t)j];
        q.in_c = q.out_c = g;
        edgec_depthwise_conv2d_s8(in, grouped_weights + (size_t)c0 * (size_t)p->k_h * (size_t)p->k_w, bias + c0,
                                  multiplier + c0, shift + c0, out, &q);
        for (size_t i = 0; i < pixels; ++i)
            for (int32_t j = 0; j < g; ++j) data[i * channels + (size_t)c0 + (size_t)j] = out[i * (size_t)g + (size_t)j];
    }
}
