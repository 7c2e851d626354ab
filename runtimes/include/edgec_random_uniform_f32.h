/* ONNX RandomUniform, float32: a new draw on every run, from a xorshift32 generator whose state the model keeps
 * between runs (its initial value comes from the node's seed; <name>_reset_state() starts the sequence over). */
#ifndef EDGEC_RANDOM_UNIFORM_F32_H
#define EDGEC_RANDOM_UNIFORM_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t count;
    float low, high;
} edgec_random_uniform_params;

/* state: one word, never 0 (xorshift32 stays at 0). Each value uses the top 24 bits of one step, so it is one
 * of 2^24 evenly spaced points in [low, high). */
void edgec_random_uniform_f32(int32_t *state, float *out, const edgec_random_uniform_params *p);

#endif
