/* ONNX TopK along one axis, float32: the k largest (or smallest) values, sorted, and their int64 indices. */
#ifndef EDGEC_TOPK_F32_H
#define EDGEC_TOPK_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t outer, axis, inner; /* the input viewed as [outer][axis][inner]; the outputs are [outer][k][inner] */
    int32_t k;
    int32_t largest; /* 1: largest first; 0: smallest first */
} edgec_topk_params;

/* Equal values come in the order of their indices (ONNX). No scratch memory: O(k * axis) per line. */
void edgec_topk_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT values, int64_t *EDGEC_RESTRICT indices,
                    const edgec_topk_params *p);

#endif
