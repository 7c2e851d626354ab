/* Reference int8 MAXIMUM / MINIMUM: one broadcast walk, a row function per operator. */
#include "edgec_minmax_s8.h"

static void max_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    (void)params;
    for (int32_t i = 0; i < n; ++i) {
        const int8_t x = a[(size_t)i * a_step], y = b[(size_t)i * b_step];
        out[i] = x > y ? x : y;
    }
}

static void min_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    (void)params;
    for (int32_t i = 0; i < n; ++i) {
        const int8_t x = a[(size_t)i * a_step], y = b[(size_t)i * b_step];
        out[i] = x < y ? x : y;
    }
}

void edgec_minmax_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_minmax_s8_params *p) {
    edgec_broadcast_rows_s8(a, b, output, &p->shape, p->maximum ? max_row : min_row, NULL);
}
