/* Cortex-M twin of reference/edgec_add_s8.c. Each input's rescaled value is one of 256, so with scratch (free
 * arena space the compiler found for this layer) the kernel first tabulates both, 2 x 256 rescalings, and then
 * spends two loads and the output requantisation per element instead of three requantisations: worth it from
 * a few hundred elements on. The tables hold the reference's own values, so the result is bit-identical. */
#include "edgec_add_s8.h"

/* Elements below which building the tables costs more than it saves. */
#define EDGEC_ADD_TABLE_MIN_ELEMENTS 512

typedef struct {
    const edgec_add_s8_params *p;
    const int32_t *t1, *t2; /* indexed by value + 128 */
} add_tables;

static void add_row_tables(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                           const void *params) {
    const add_tables *t = (const add_tables *)params;
    for (int32_t i = 0; i < n; ++i)
        out[i] = edgec_add_s8_output(t->t1[a[(size_t)i * a_step] + 128] + t->t2[b[(size_t)i * b_step] + 128], t->p);
}

static void combine_row_tables(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                               int32_t n, const void *params) {
    const add_tables *t = (const add_tables *)params;
    for (int32_t i = 0; i < n; ++i)
        out[i] = edgec_add_s8_combine(t->t1[a[(size_t)i * a_step] + 128], t->t2[b[(size_t)i * b_step] + 128], t->p);
}

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch) {
    int32_t elements = 1;
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) elements *= p->shape.out_shape[d];
    if (scratch == NULL || elements < EDGEC_ADD_TABLE_MIN_ELEMENTS) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape,
                                p->kind == EDGEC_ADD_S8_ADD ? edgec_add_s8_row : edgec_add_s8_row_combine, p);
        return;
    }
    for (int32_t v = -128; v < 128; ++v) {
        scratch[v + 128] = edgec_add_s8_rescale(v, p->input1_offset, p->left_shift, p->input1_multiplier,
                                                p->input1_shift);
        scratch[v + 384] = edgec_add_s8_rescale(v, p->input2_offset, p->left_shift, p->input2_multiplier,
                                                p->input2_shift);
    }
    const add_tables t = {p, scratch, scratch + 256};
    edgec_broadcast_rows_s8(a, b, output, &p->shape, p->kind == EDGEC_ADD_S8_ADD ? add_row_tables : combine_row_tables,
                            &t);
}
