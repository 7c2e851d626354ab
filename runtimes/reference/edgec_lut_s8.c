/* Reference table look-up: one load per element. */
#include "edgec_lut_s8.h"

void edgec_lut_s8(const int8_t *in, const int8_t *EDGEC_RESTRICT table, int8_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) out[i] = table[(int32_t)in[i] + 128];
}
