/* ONNX Gather with indices known only at run time (an embedding lookup): for each of `outer` blocks and each
 * index k, copy row indices[k] (`row_bytes` bytes) of the block's `axis_size` rows to the output. Any dtype:
 * rows are copied as bytes. A negative index counts from the end (ONNX: -axis_size .. -1). An index outside
 * [-axis_size, axis_size) reads nothing: its output row is zero-filled (onnxruntime refuses such an index; a
 * microcontroller must not read outside the table). */
#ifndef EDGEC_GATHER_H
#define EDGEC_GATHER_H

#include "edgec_common.h"

typedef struct {
    int32_t outer;     /* product of the data dims before the axis */
    int32_t axis_size; /* data dim along the axis */
    int32_t count;     /* number of indices */
    int32_t row_bytes; /* bytes of one row: product of the dims after the axis x element size */
} edgec_gather_params;

void edgec_gather_i64(const void *EDGEC_RESTRICT data, const int64_t *EDGEC_RESTRICT indices,
                      void *EDGEC_RESTRICT out, const edgec_gather_params *p);
void edgec_gather_i32(const void *EDGEC_RESTRICT data, const int32_t *EDGEC_RESTRICT indices,
                      void *EDGEC_RESTRICT out, const edgec_gather_params *p);

#endif
