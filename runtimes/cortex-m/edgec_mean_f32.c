/* Cortex-M twin of reference/edgec_mean_f32.c, bit-identical to it. Long kept dims (a global average pool over
 * NHWC: 1280 channels kept, 3x3 reduced) take edgec_mean_f32_sum_rows's single walk of the input; short ones keep
 * the reference's loops. */
#include "edgec_mean_f32_ref.h"

static inline void add_row(float *EDGEC_RESTRICT dst, const float *EDGEC_RESTRICT src, int32_t kept,
                           int32_t kept_step) {
    if (kept_step == 1) {
        for (int32_t j = 0; j < kept; ++j) dst[j] += src[j];
    } else {
        for (int32_t j = 0; j < kept; ++j) dst[j] += src[(size_t)j * kept_step];
    }
}

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    if (p->out_shape[EDGEC_MAX_RANK - 1] < 8) {
        edgec_mean_f32_reference(in, out, p);
        return;
    }
    const size_t total = edgec_mean_f32_sum_rows(in, out, p, add_row);
    for (size_t k = 0; k < total; ++k) out[k] = out[k] / (float)p->count;
}
