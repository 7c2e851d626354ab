#include <math.h>

#include "edgec_binary_f32.h"

static float floor_mod(float x, float y) {
    const float r = fmodf(x, y);
    return r != 0.0f && (r < 0.0f) != (y < 0.0f) ? r + y : r;
}

static float apply(int32_t op, float x, float y) {
    switch (op) {
    case EDGEC_ADD: return x + y;
    case EDGEC_SUB: return x - y;
    case EDGEC_MUL: return x * y;
    case EDGEC_DIV: return x / y;
    case EDGEC_MAX: return x < y ? y : x;
    case EDGEC_POW: return powf(x, y);
    case EDGEC_PRELU: return x >= 0.0f ? x : y * x;
    case EDGEC_FMOD: return fmodf(x, y);
    case EDGEC_FLOOR_MOD: return floor_mod(x, y);
    case EDGEC_FLOOR_DIV: return floorf(x / y);
    default: return y < x ? y : x;
    }
}

void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    /* The innermost dimension is the hot loop; the odometers walk the broadcast strides of the outer five. */
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    float *o = out;
    int more;
    do {
        const float *x = a + ia.offset, *y = b + ib.offset;
        for (int32_t i = 0; i < n; ++i)
            o[i] = edgec_clampf(apply(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]), p->act_min, p->act_max);
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}
