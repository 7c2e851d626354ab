/* TFLite DYNAMIC_UPDATE_SLICE, any element type: the output is the operand with the update written over the
 * window that starts at the run-time start indices, each clamped to [0, operand dim - update dim] as TFLite and
 * TFLite Micro clamp them. Elements are moved as bytes, so int8 is TFLite Micro's raw copy. */
#ifndef EDGEC_DYNAMIC_UPDATE_SLICE_H
#define EDGEC_DYNAMIC_UPDATE_SLICE_H

#include "edgec_common.h"

typedef struct {
    int32_t rank;
    int32_t element_bytes;
    int32_t index_bytes;                 /* start indices: 4 (int32) or 8 (int64) */
    int32_t dims[EDGEC_MAX_RANK];        /* the operand's (and the output's) shape */
    int32_t update_dims[EDGEC_MAX_RANK]; /* the update's shape, same rank */
} edgec_dynamic_update_slice_params;

/* output may be the operand's buffer (then the operand is not copied); update must not overlap output. */
void edgec_dynamic_update_slice(const void *operand, const void *update, const void *start, void *output,
                                const edgec_dynamic_update_slice_params *p);

#endif
