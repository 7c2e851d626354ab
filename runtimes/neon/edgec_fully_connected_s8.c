/* Arm NEON: int8 fully connected (TFLite reference_integer_ops::FullyConnected), bit-exact with
 * runtimes/reference/edgec_fully_connected_s8.c.
 *
 * sum (w + fo)(x + io) = sum w x + io * sum w + fo * sum x + depth * fo * io. sum w x runs on NEON (SDOT, or
 * SMULL + SADALP), four units per pass so that each input vector loaded feeds four weight rows; the sums of w
 * and x only where their offset is not 0 (TFLite's weights are symmetric: fo = 0). All in wrapping uint32, the
 * same bits as the reference's int32 sum; then the reference's requantisation. */
#include "edgec_fully_connected_s8.h"
#include "edgec_neon.h"

void edgec_fully_connected_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                              const int32_t *EDGEC_RESTRICT bias, int8_t *EDGEC_RESTRICT output,
                              const edgec_fully_connected_s8_params *p) {
    const size_t depth = (size_t)p->depth;
    const uint32_t io = (uint32_t)p->input_offset, fo = (uint32_t)p->filter_offset;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        const uint32_t x_sum = fo ? (uint32_t)edgec_neon_sum_s8(in, p->depth) : 0u;
        const uint32_t constant = fo * x_sum + (uint32_t)p->depth * fo * io;
        for (int32_t u = 0; u < p->units;) {
            const int32_t rows = u + 4 <= p->units ? 4 : 1;
            const int8_t *w = weights + (size_t)u * depth;
            int32_t dots[4];
            if (rows == 4) vst1q_s32(dots, edgec_neon_dot4_s8(vdupq_n_s32(0), in, w, depth, p->depth));
            else dots[0] = edgec_neon_dot1_s8(in, w, p->depth);
            for (int32_t j = 0; j < rows; ++j) {
                const uint32_t w_sum = io ? (uint32_t)edgec_neon_sum_s8(w + j * depth, p->depth) : 0u;
                int32_t acc = (int32_t)((uint32_t)dots[j] + io * w_sum + constant);
                if (bias) acc += bias[u + j];
                acc = (p->single_rounding ? edgec_mbqm_single(acc, p->multiplier, p->shift)
                                          : edgec_mbqm(acc, p->multiplier, p->shift)) + p->output_offset;
                output[(size_t)b * p->units + u + j] = (int8_t)edgec_clamp_i32(acc, p->act_min, p->act_max);
            }
            u += rows;
        }
    }
}
