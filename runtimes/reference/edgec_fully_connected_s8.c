/* Portable reference: int8 fully connected, following TFLite's reference_integer_ops exactly. */
#include "edgec_fully_connected_s8.h"

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * p->depth;
        for (int32_t u = 0; u < p->units; ++u) {
            const int8_t *w = weights + (size_t)u * p->depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < p->depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)in[d] + p->input_offset);
            }
            if (bias) acc += bias[u];
            acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                      : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
            output[(size_t)b * p->units + u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}
