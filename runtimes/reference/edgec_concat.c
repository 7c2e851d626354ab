/* Reference concatenation: a strided block copy per input. */
#include "edgec_concat.h"

#define EDGEC_CONCAT_COPY(T)                                         \
    for (int32_t o = 0; o < p->outer; ++o) {                         \
        const T *src = in + (size_t)o * p->in_row;                   \
        T *dst = out + (size_t)o * p->out_row + p->offset;           \
        for (int32_t j = 0; j < p->in_row; ++j) dst[j] = src[j];     \
    }

void edgec_concat_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_concat_params *p) {
    EDGEC_CONCAT_COPY(float)
}

void edgec_concat_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_concat_params *p) {
    EDGEC_CONCAT_COPY(int8_t)
}
