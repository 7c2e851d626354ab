/* Elementwise float binary ops (broadcast by strides) for x86 hosts: the reference's walk over the outer dims, the
 * innermost run 8 lanes at a time (GNU C vectors) for add, sub, mul, div, max and min when each input steps by 1
 * or 0 (broadcast) along it and the output does not overlap an input but in place. The op is chosen once per run,
 * not per element (the reference's switch per element cost ~2 ns each: ResNet's residual adds). Each element is
 * the reference's single IEEE operation, max / min and the clamp the same selects: the same bits. Other ops and
 * strides take the reference's loop. Same signature as runtimes/reference/edgec_binary_f32.c. */
#include "edgec_binary_apply_f32.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define SELECT8(mask, a, b) ((v8f)(((v8i)(a) & (mask)) | ((v8i)(b) & ~(mask))))

/* One run of n outputs, the op a constant after inlining; xs, ys: 1 or 0. */
#define RUN(OP, VEXPR, SEXPR)                                                                           \
    static void run_##OP(const float *x, size_t xs, const float *y, size_t ys, float *o, int32_t n, \
                         float lo, float hi) {                                                          \
        const v8f lo8 = (v8f){0} + lo, hi8 = (v8f){0} + hi;                                             \
        int32_t i = 0;                                                                                  \
        for (; i + 8 <= n; i += 8) {                                                                    \
            const v8f a = xs ? LOAD8(x + i) : (v8f){0} + x[0];                                          \
            const v8f b = ys ? LOAD8(y + i) : (v8f){0} + y[0];                                          \
            v8f v = VEXPR;                                                                              \
            v = SELECT8(v < lo8, lo8, v); /* edgec_clampf */                                            \
            v = SELECT8(v > hi8, hi8, v);                                                               \
            *(v8f_unaligned *)(void *)(o + i) = v;                                                      \
        }                                                                                               \
        for (; i < n; ++i) {                                                                            \
            const float a = x[(size_t)i * xs], b = y[(size_t)i * ys];                                   \
            o[i] = edgec_clampf(SEXPR, lo, hi);                                                         \
        }                                                                                               \
    }
RUN(add, a + b, a + b)
RUN(sub, a - b, a - b)
RUN(mul, a * b, a * b)
RUN(div, a / b, a / b)
RUN(max, SELECT8(a < b, b, a), a < b ? b : a)
RUN(min, SELECT8(b < a, b, a), b < a ? b : a)

/* An input the vector run may read: stepping by 1 and equal to the output or clear of it, or a broadcast
 * scalar outside it. */
static int readable(const float *in, size_t step, const float *o, int32_t n) {
    if (step > 1) return 0;
    const int clear = in + (step ? n : 1) <= o || o + n <= in;
    return clear || (step == 1 && in == o);
}

void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    const float lo = p->act_min, hi = p->act_max;
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    float *o = out;
    int more;
    do {
        const float *x = a + ia.offset, *y = b + ib.offset;
        if (p->op >= EDGEC_ADD && p->op <= EDGEC_MIN && readable(x, a_step, o, n) && readable(y, b_step, o, n)) {
            switch (p->op) {
            case EDGEC_ADD: run_add(x, a_step, y, b_step, o, n, lo, hi); break;
            case EDGEC_SUB: run_sub(x, a_step, y, b_step, o, n, lo, hi); break;
            case EDGEC_MUL: run_mul(x, a_step, y, b_step, o, n, lo, hi); break;
            case EDGEC_DIV: run_div(x, a_step, y, b_step, o, n, lo, hi); break;
            case EDGEC_MAX: run_max(x, a_step, y, b_step, o, n, lo, hi); break;
            default: run_min(x, a_step, y, b_step, o, n, lo, hi); break;
            }
        } else {
            for (int32_t i = 0; i < n; ++i)
                o[i] = edgec_clampf(edgec_binary_apply_f32(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]), lo,
                                    hi);
        }
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}
