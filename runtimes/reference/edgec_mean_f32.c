/* Reference mean: edgec_mean_f32_ref.h's loops, which the faster twins share. */
#include "edgec_mean_f32_ref.h"

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    edgec_mean_f32_reference(in, out, p);
}
