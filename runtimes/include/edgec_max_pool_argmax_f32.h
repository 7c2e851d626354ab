/* 2-D max pooling, float32, NCHW, with ONNX MaxPool's second output: each maximum's int64 index into the
 * flattened input (row major, or column major within each plane: storage_order 1). */
#ifndef EDGEC_MAX_POOL_ARGMAX_F32_H
#define EDGEC_MAX_POOL_ARGMAX_F32_H

#include "edgec_common.h"

typedef struct {
    int32_t planes;             /* batch * channels */
    int32_t in_h, in_w, out_h, out_w, k_h, k_w;
    int32_t stride_h, stride_w, pad_top, pad_left, dil_h, dil_w;
    int32_t column_major;       /* storage_order: 1 = an index counts h fastest */
} edgec_max_pool_argmax_params;

/* Padding is not a candidate. On a tie the first maximum in row-major window order wins (as onnxruntime). */
void edgec_max_pool_argmax_f32(const float *EDGEC_RESTRICT input, float *EDGEC_RESTRICT output,
                               int64_t *EDGEC_RESTRICT indices, const edgec_max_pool_argmax_params *p);

#endif
