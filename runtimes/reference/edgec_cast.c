/* Reference casts. */
#include "edgec_cast.h"

void edgec_cast_to_f32(const void *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, int32_t n, int32_t from) {
    for (int32_t i = 0; i < n; ++i) {
        switch (from) {
        case EDGEC_CAST_FROM_INT32: y[i] = (float)((const int32_t *)x)[i]; break;
        case EDGEC_CAST_FROM_INT64: y[i] = (float)((const int64_t *)x)[i]; break;
        case EDGEC_CAST_FROM_INT16: y[i] = (float)((const int16_t *)x)[i]; break;
        case EDGEC_CAST_FROM_UINT16: y[i] = (float)((const uint16_t *)x)[i]; break;
        case EDGEC_CAST_FROM_UINT32: y[i] = (float)((const uint32_t *)x)[i]; break;
        case EDGEC_CAST_FROM_UINT64: y[i] = (float)((const uint64_t *)x)[i]; break;
        default: y[i] = (float)edgec_load_q8(x, (size_t)i, from == EDGEC_CAST_FROM_INT8); break;
        }
    }
}

static int32_t float_to_i32(float v) {
    if (!(v == v)) return 0;
    if (v >= 2147483648.0f) return INT32_MAX;
    if (v < -2147483648.0f) return INT32_MIN;
    return (int32_t)v;
}

void edgec_cast_to_i32(const void *EDGEC_RESTRICT x, int32_t *EDGEC_RESTRICT y, int32_t n, int32_t from) {
    for (int32_t i = 0; i < n; ++i) {
        if (from == EDGEC_CAST_FROM_FLOAT32)
            y[i] = float_to_i32(((const float *)x)[i]);
        else
            y[i] = (int32_t)(uint32_t)(uint64_t)((const int64_t *)x)[i];
    }
}
