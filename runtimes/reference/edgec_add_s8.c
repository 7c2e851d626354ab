/* Portable reference: int8 add with rescaling, following TFLite's reference_integer_ops exactly. */
#include "edgec_add_s8.h"

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch) {
    (void)scratch;
    edgec_broadcast_rows_s8(a, b, output, &p->shape,
                            p->kind == EDGEC_ADD_S8_ADD ? edgec_add_s8_row : edgec_add_s8_row_combine, p);
}
