/* Arm NEON: transpose, float32, the same values as runtimes/reference/edgec_transpose_f32.c (a copy). An
 * interleave (the output's innermost dim of 2, 3 or 4 gathered from planes, the dim outside it contiguous in the
 * input: NCHW -> NHWC of an RGB image) goes four pixels a step by ST2 / ST3 / ST4; everything else walks the output
 * as the reference does. */
#include "edgec_neon.h"
#include "edgec_transpose_f32.h"

/* out[j * n + k] = src[k * plane + j] for j < m, k < n (n in 2..4): returns out past the block. */
static float *interleave(const float *src, size_t plane, int32_t n, int32_t m, float *out) {
    int32_t j = 0;
    if (n == 2) {
        for (; j + 4 <= m; j += 4, out += 8) {
            float32x4x2_t v;
            v.val[0] = vld1q_f32(src + j); v.val[1] = vld1q_f32(src + plane + j);
            vst2q_f32(out, v);
        }
    } else if (n == 3) {
        for (; j + 4 <= m; j += 4, out += 12) {
            float32x4x3_t v;
            v.val[0] = vld1q_f32(src + j); v.val[1] = vld1q_f32(src + plane + j); v.val[2] = vld1q_f32(src + 2 * plane + j);
            vst3q_f32(out, v);
        }
    } else {
        for (; j + 4 <= m; j += 4, out += 16) {
            float32x4x4_t v;
            v.val[0] = vld1q_f32(src + j); v.val[1] = vld1q_f32(src + plane + j);
            v.val[2] = vld1q_f32(src + 2 * plane + j); v.val[3] = vld1q_f32(src + 3 * plane + j);
            vst4q_f32(out, v);
        }
    }
    for (; j < m; ++j)
        for (int32_t k = 0; k < n; ++k) *out++ = src[(size_t)k * plane + j];
    return out;
}

void edgec_transpose_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_transpose_params *p) {
    const int32_t *s = p->out_shape, *st = p->in_strides;
    const int32_t n = s[EDGEC_MAX_RANK - 1], step = st[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter it = {{0}, 0};
    if (n >= 2 && n <= 4 && st[EDGEC_MAX_RANK - 2] == 1 && s[EDGEC_MAX_RANK - 2] >= 4) {
        float *o = out;
        do {
            o = interleave(in + it.offset, (size_t)step, n, s[EDGEC_MAX_RANK - 2], o);
        } while (edgec_strided_next_dims(&it, s, st, EDGEC_MAX_RANK - 2));
        return;
    }
    size_t o = 0;
    do {
        const float *src = in + it.offset;
        for (int32_t i = 0; i < n; ++i) out[o++] = src[(size_t)i * step];
    } while (edgec_strided_next_outer(&it, s, st));
}
