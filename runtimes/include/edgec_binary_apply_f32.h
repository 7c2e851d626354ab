/* One element of edgec_binary_f32's ops, shared by the reference kernel and its twins, so that every set computes
 * the same bits (edgec_binary_f32.h says what each op means). */
#ifndef EDGEC_BINARY_APPLY_F32_H
#define EDGEC_BINARY_APPLY_F32_H

#include <math.h>

#include "edgec_binary_f32.h"

static inline float edgec_floor_mod_f32(float x, float y) {
    const float r = fmodf(x, y);
    return r != 0.0f && (r < 0.0f) != (y < 0.0f) ? r + y : r;
}

static inline float edgec_binary_apply_f32(int32_t op, float x, float y) {
    switch (op) {
    case EDGEC_ADD: return x + y;
    case EDGEC_SUB: return x - y;
    case EDGEC_MUL: return x * y;
    case EDGEC_DIV: return x / y;
    case EDGEC_MAX: return x < y ? y : x;
    case EDGEC_POW: return powf(x, y);
    case EDGEC_PRELU: return x >= 0.0f ? x : y * x;
    case EDGEC_FMOD: return fmodf(x, y);
    case EDGEC_FLOOR_MOD: return edgec_floor_mod_f32(x, y);
    case EDGEC_FLOOR_DIV: return floorf(x / y);
    default: return y < x ? y : x;
    }
}

#endif
