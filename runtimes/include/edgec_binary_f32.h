/* Element-wise binary operators (add, sub, mul, div, max, min, pow, prelu, mod) with NumPy broadcasting, float32, and a fused clamp. */
#ifndef EDGEC_BINARY_F32_H
#define EDGEC_BINARY_F32_H

#include "edgec_common.h"

/* EDGEC_MAX / EDGEC_MIN ignore a NaN in b (ONNX Clip's NaN bounds mean "no bound") and keep a NaN in a. */
/* EDGEC_POW is powf(a, b); EDGEC_PRELU is a >= 0 ? a : b * a (b the slope). EDGEC_FMOD is fmodf (ONNX Mod with
 * fmod=1: the sign of a); EDGEC_FLOOR_MOD has the sign of b (fmod=0, NumPy's mod). */
enum { EDGEC_ADD = 0, EDGEC_SUB = 1, EDGEC_MUL = 2, EDGEC_DIV = 3, EDGEC_MAX = 4, EDGEC_MIN = 5, EDGEC_POW = 6,
       EDGEC_PRELU = 7, EDGEC_FMOD = 8, EDGEC_FLOOR_MOD = 9,
       EDGEC_FLOOR_DIV = 10 /* floorf(a / b), TFLite FLOOR_DIV */ };

typedef struct {
    int32_t op;
    int32_t out_shape[EDGEC_MAX_RANK];   /* right-aligned; leading dims are 1 */
    int32_t a_strides[EDGEC_MAX_RANK];   /* element strides of a per output dim; 0 = broadcast */
    int32_t b_strides[EDGEC_MAX_RANK];
    float act_min, act_max;
} edgec_binary_params;

/* out may alias a or b when it has the same shape (in-place). */
void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p);

#endif
