#include "edgec_compare.h"

static uint8_t compare(int32_t op, float x, float y) {
    switch (op) {
    case EDGEC_EQUAL: return x == y;
    case EDGEC_LESS: return x < y;
    case EDGEC_LESS_EQUAL: return x <= y;
    case EDGEC_GREATER: return x > y;
    case EDGEC_NOT_EQUAL: return x != y;
    default: return x >= y;
    }
}

static uint8_t logic(int32_t op, uint8_t x, uint8_t y) {
    switch (op) {
    case EDGEC_AND: return (uint8_t)(x & y);
    case EDGEC_OR: return (uint8_t)(x | y);
    default: return (uint8_t)(x ^ y);
    }
}

void edgec_compare_f32(const float *a, const float *b, uint8_t *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    uint8_t *o = out;
    int more;
    do {
        const float *x = a + ia.offset, *y = b + ib.offset;
        for (int32_t i = 0; i < n; ++i) o[i] = compare(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]);
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}

void edgec_logic_u8(const uint8_t *a, const uint8_t *b, uint8_t *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    uint8_t *o = out;
    int more;
    do {
        const uint8_t *x = a + ia.offset, *y = b + ib.offset;
        for (int32_t i = 0; i < n; ++i) o[i] = logic(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]);
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}
