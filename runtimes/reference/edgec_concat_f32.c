/* Reference concatenation: a strided block copy per input. */
#include "edgec_concat_f32.h"

void edgec_concat_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_concat_params *p) {
    for (int32_t o = 0; o < p->outer; ++o) {
        const float *src = in + (size_t)o * p->in_row;
        float *dst = out + (size_t)o * p->out_row + p->offset;
        for (int32_t j = 0; j < p->in_row; ++j) dst[j] = src[j];
    }
}
