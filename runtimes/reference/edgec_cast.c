/* Reference Cast to float32. */
#include "edgec_cast.h"

void edgec_cast_to_f32(const void *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, int32_t n, int32_t from) {
    for (int32_t i = 0; i < n; ++i) {
        if (from == EDGEC_CAST_FROM_INT32)
            y[i] = (float)((const int32_t *)x)[i];
        else
            y[i] = (float)edgec_load_q8(x, (size_t)i, from == EDGEC_CAST_FROM_INT8);
    }
}
