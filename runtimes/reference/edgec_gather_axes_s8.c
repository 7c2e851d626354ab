/* Reference table-driven gather: walk the output in order; the outer axes' offsets are summed once per row. */
#include "edgec_gather_axes_s8.h"

void edgec_gather_axes_s8(const int8_t *EDGEC_RESTRICT in, const int32_t *offsets, int8_t *EDGEC_RESTRICT out,
                          const edgec_gather_axes_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t *inner = offsets + p->table_start[EDGEC_MAX_RANK - 1];
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    int32_t index[EDGEC_MAX_RANK - 1] = {0};
    if (edgec_shape_is_empty(s)) return;
    for (;;) {
        int32_t base = 0;
        for (int32_t d = 0; d < EDGEC_MAX_RANK - 1; ++d) base += offsets[p->table_start[d] + index[d]];
        const int8_t *row = in + base;
        for (int32_t i = 0; i < n; ++i) *out++ = row[inner[i]];
        int32_t d = EDGEC_MAX_RANK - 2;
        while (d >= 0 && ++index[d] == s[d]) index[d--] = 0;
        if (d < 0) return;
    }
}
