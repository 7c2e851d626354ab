/* A data movement whose input offset is a sum of one table per output axis (mirror pad, nearest-neighbour
 * resize, a gather along one axis with irregular indices): out[i0..i5] = in[sum_d offsets[table_start[d] + i_d]].
 * Every table starts with 0, so a leading unit axis may point at any table. Copies that step evenly along every
 * axis use edgec_transpose_s8 instead (no tables). */
#ifndef EDGEC_GATHER_AXES_S8_H
#define EDGEC_GATHER_AXES_S8_H

#include "edgec_common.h"

typedef struct {
    int32_t out_shape[EDGEC_MAX_RANK];   /* right-aligned; leading dims are 1 */
    int32_t table_start[EDGEC_MAX_RANK]; /* where each axis's table begins in offsets */
} edgec_gather_axes_params;

/* in and out must not overlap. */
void edgec_gather_axes_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *offsets, int8_t *EDGEC_RESTRICT out,
                          const edgec_gather_axes_params *p);

#endif
