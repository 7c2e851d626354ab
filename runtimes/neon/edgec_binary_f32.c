/* Arm NEON: element-wise binary float ops with broadcasting, bit-identical to runtimes/reference/edgec_binary_f32.c.
 * The innermost dimension's runs of add, sub, mul (and div on AArch64: FDIV) where both inputs are contiguous or
 * one of them is broadcast go four lanes a step, each lane the scalar operation (IEEE, no fusion), clamped by
 * compare-and-select as edgec_clampf; every other op and stride pattern takes edgec_binary_apply_f32 per element. */
#include "edgec_binary_apply_f32.h"
#include "edgec_neon.h"

EDGEC_INLINE float32x4_t apply4(int32_t op, float32x4_t x, float32x4_t y) {
    switch (op) {
    case EDGEC_ADD: return vaddq_f32(x, y);
    case EDGEC_SUB: return vsubq_f32(x, y);
#if defined(__aarch64__)
    case EDGEC_DIV: return vdivq_f32(x, y);
#endif
    default: return vmulq_f32(x, y);
    }
}

EDGEC_INLINE float32x4_t clamp4(float32x4_t v, float32x4_t lo, float32x4_t hi) {
    v = vbslq_f32(vcgtq_f32(v, hi), hi, v);
    return vbslq_f32(vcltq_f32(v, lo), lo, v);
}

/* o[i] = clamp(x[i * xs] op y[i * ys]) for i < n, xs and ys each 0 or 1 (not both 0), op vectorizable: returns
 * the count done four at a time (the caller finishes the rest). */
static int32_t run4(int32_t op, const float *x, size_t xs, const float *y, size_t ys, float *o, int32_t n, float lo,
                    float hi) {
    const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
    int32_t i = 0;
    if (xs && ys) {
        for (; i + 4 <= n; i += 4) vst1q_f32(o + i, clamp4(apply4(op, vld1q_f32(x + i), vld1q_f32(y + i)), vlo, vhi));
    } else if (xs) {
        const float32x4_t b = vdupq_n_f32(y[0]);
        for (; i + 4 <= n; i += 4) vst1q_f32(o + i, clamp4(apply4(op, vld1q_f32(x + i), b), vlo, vhi));
    } else {
        const float32x4_t a = vdupq_n_f32(x[0]);
        for (; i + 4 <= n; i += 4) vst1q_f32(o + i, clamp4(apply4(op, a, vld1q_f32(y + i)), vlo, vhi));
    }
    return i;
}

void edgec_binary_f32(const float *a, const float *b, float *out, const edgec_binary_params *p) {
    const int32_t *s = p->out_shape;
    const int32_t n = s[EDGEC_MAX_RANK - 1];
    const size_t a_step = (size_t)p->a_strides[EDGEC_MAX_RANK - 1], b_step = (size_t)p->b_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
#if defined(__aarch64__)
    const int vec_op = p->op == EDGEC_ADD || p->op == EDGEC_SUB || p->op == EDGEC_MUL || p->op == EDGEC_DIV;
#else
    const int vec_op = p->op == EDGEC_ADD || p->op == EDGEC_SUB || p->op == EDGEC_MUL;
#endif
    const int vec = vec_op && a_step <= 1 && b_step <= 1 && (a_step | b_step) && n >= 4;
    edgec_strided_iter ia = {{0}, 0}, ib = {{0}, 0};
    float *o = out;
    int more;
    do {
        const float *x = a + ia.offset, *y = b + ib.offset;
        int32_t i = vec ? run4(p->op, x, a_step, y, b_step, o, n, p->act_min, p->act_max) : 0;
        for (; i < n; ++i)
            o[i] = edgec_clampf(edgec_binary_apply_f32(p->op, x[(size_t)i * a_step], y[(size_t)i * b_step]), p->act_min,
                                p->act_max);
        o += n;
        more = edgec_strided_next_outer(&ia, s, p->a_strides);
        (void)edgec_strided_next_outer(&ib, s, p->b_strides);
    } while (more);
}
