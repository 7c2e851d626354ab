#include "edgec_random_uniform_f32.h"

void edgec_random_uniform_f32(int32_t *state, float *out, const edgec_random_uniform_params *p) {
    uint32_t x = (uint32_t)*state;
    const float span = p->high - p->low;
    for (int32_t i = 0; i < p->count; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        float v = p->low + (float)(x >> 8) * (1.0f / 16777216.0f) * span;
        out[i] = v < p->high ? v : p->low; /* rounding may reach high itself: [low, high) */
    }
    *state = (int32_t)x;
}
