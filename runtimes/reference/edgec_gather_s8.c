/* Reference int8 GATHER with run-time indices. */
#include "edgec_gather_s8.h"

void edgec_gather_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *indices, int8_t *EDGEC_RESTRICT out,
                     const edgec_gather_s8_params *p) {
    const size_t inner = (size_t)p->inner;
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *block = in + (size_t)o * (size_t)p->axis_size * inner;
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t index = indices[k];
            const int valid = index >= 0 && index < p->axis_size;
            const int8_t *src = block + (size_t)(valid ? index : 0) * inner;
            for (size_t i = 0; i < inner; ++i) *out++ = valid ? src[i] : 0;
        }
    }
}
