/* ONNX ScatterND, float32 data, int64 (or int32) indices: the output is the data, then each update row written
 * (or combined: add, mul, max, min) at its index tuple, in order, as ONNX's reference does. An index in [-d, 0)
 * counts from the end; an index tuple outside the data is skipped (nothing is read or written outside the
 * tensors; the compiler refuses such indices when they are constants). */
#ifndef EDGEC_SCATTER_ND_F32_H
#define EDGEC_SCATTER_ND_F32_H

#include "edgec_common.h"

enum { EDGEC_SCATTER_NONE = 0, EDGEC_SCATTER_ADD = 1, EDGEC_SCATTER_MUL = 2, EDGEC_SCATTER_MAX = 3,
       EDGEC_SCATTER_MIN = 4 };

typedef struct {
    int32_t count;                   /* elements of data and output */
    int32_t updates;                 /* index tuples: the product of indices.shape[:-1] */
    int32_t depth;                   /* indices.shape[-1]: how many leading dims of data a tuple indexes */
    int32_t slice;                   /* elements per update: the product of data.shape[depth:] */
    int32_t dims[EDGEC_MAX_RANK];    /* data.shape[:depth] */
    int32_t strides[EDGEC_MAX_RANK]; /* element strides of those dims */
    int32_t index_bytes;             /* 8 (int64) or 4 (int32) */
    int32_t reduction;               /* EDGEC_SCATTER_* */
} edgec_scatter_nd_params;

/* out may be data (in place); updates and indices must not overlap out. */
void edgec_scatter_nd_f32(const float *data, const void *indices, const float *updates, float *out,
                          const edgec_scatter_nd_params *p);

#endif
