/* Reference edgec_fully_connected_s8_dot4: reference/edgec_fully_connected_s8.c's loops with input_offset 0 (it is
 * in the bias), each weight read from its place in the packed blocks (edgec_fully_connected_s8_dot4.h). The
 * compiler emits the packed call only for a kernel set with its own version (runtimes/neon/); this one is its
 * portable twin. */
#include "edgec_fully_connected_s8_dot4.h"

void edgec_fully_connected_s8_dot4(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT packed,
                                   const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                                   const edgec_fully_connected_s8_params *p, int32_t flags) {
    (void)flags; /* what the compiler knows of the weights: nothing changes here */
    const size_t k4 = (size_t)(p->depth + 3) / 4;
    const int32_t head = EDGEC_FC_DOT4_HEAD(p->units); /* the units after it: a half block, 32 bytes a quad */
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * p->depth;
        for (int32_t u = 0; u < p->units; ++u) {
            const int8_t *w = packed + (size_t)(u / 16) * k4 * 64 + (size_t)(u % 16) * 4;
            const size_t quad = u < head ? 64 : 32;
            int32_t acc = 0;
            for (int32_t d = 0; d < p->depth; ++d) acc += (int32_t)w[(size_t)(d / 4) * quad + d % 4] * in[d];
            acc += bias[u];
            acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                      : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
            output[(size_t)b * p->units + u] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}
