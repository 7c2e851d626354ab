/* Reference 2-D float pooling: edgec_pool2d_f32_ref.h's loop, which the faster twins share. */
#include "edgec_pool2d_f32_ref.h"

void edgec_max_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p) {
    edgec_pool2d_f32_reference(input, output, p, 1);
}

void edgec_avg_pool2d_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output, const edgec_pool2d_params *p) {
    edgec_pool2d_f32_reference(input, output, p, 0);
}
