/* All / any over a set of axes of a bool tensor (TFLite REDUCE_ALL / REDUCE_ANY; one byte per element, 0 or 1),
 * with the float reductions' parameters: EDGEC_REDUCE_MIN is all, EDGEC_REDUCE_MAX is any. */
#ifndef EDGEC_REDUCE_BOOL_H
#define EDGEC_REDUCE_BOOL_H

#include "edgec_reduce_f32.h"

/* in and out must not overlap; every reduced dim is >= 1 (an empty reduction is folded by the compiler). */
void edgec_reduce_bool(const uint8_t *EDGEC_RESTRICT in, uint8_t *EDGEC_RESTRICT out, const edgec_reduce_params *p);

#endif
