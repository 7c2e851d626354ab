/* TFLite SELECT_V2 on int8: out = cond ? x : y on the stored values (TFLite Micro's select.cc; x, y and the
 * output share one quantisation), with the float Where's broadcasting parameters. */
#ifndef EDGEC_WHERE_S8_H
#define EDGEC_WHERE_S8_H

#include "edgec_where_f32.h"

void edgec_where_s8(const uint8_t *cond, const int8_t *x, const int8_t *y, int8_t *out, const edgec_where_params *p);

#endif
