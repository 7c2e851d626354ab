/* Pad a dense float32 or int8 tensor of rank <= EDGEC_MAX_RANK: constant, reflect, edge (replicate) or wrap (circular). */
#ifndef EDGEC_PAD_H
#define EDGEC_PAD_H

#include "edgec_common.h"

enum {
    EDGEC_PAD_CONSTANT = 0, /* value outside the input */
    EDGEC_PAD_REFLECT = 1,  /* mirror without repeating the edge: ... c b | a b c | b a ... */
    EDGEC_PAD_EDGE = 2,     /* repeat the edge: a a | a b c | c c */
    EDGEC_PAD_WRAP = 3      /* wrap around: b c | a b c | a b */
};

typedef struct {
    int32_t mode;
    int32_t in_shape[EDGEC_MAX_RANK];  /* right-aligned; leading dims are 1 */
    int32_t out_shape[EDGEC_MAX_RANK];
    int32_t before[EDGEC_MAX_RANK];    /* padding before each dim; negative crops */
    float value;                        /* EDGEC_PAD_CONSTANT only; int8 pads with (int8_t)value */
} edgec_pad_params;

/* out has out_shape; out[i] = in[i - before] where that is inside the input, else as `mode` says.
 * in and out must not overlap. */
void edgec_pad_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_pad_params *p);
void edgec_pad_s8(const int8_t *EDGEC_RESTRICT in, int8_t *EDGEC_RESTRICT out, const edgec_pad_params *p);

#endif
