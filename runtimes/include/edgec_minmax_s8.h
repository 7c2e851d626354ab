/* MAXIMUM / MINIMUM, int8, with NumPy broadcasting: TFLite Micro compares the stored values (both inputs and the
 * output share one quantisation), so no rescaling. */
#ifndef EDGEC_MINMAX_S8_H
#define EDGEC_MINMAX_S8_H

#include "edgec_broadcast_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t maximum; /* 1: MAXIMUM, 0: MINIMUM */
} edgec_minmax_s8_params;

void edgec_minmax_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_minmax_s8_params *p);

#endif
