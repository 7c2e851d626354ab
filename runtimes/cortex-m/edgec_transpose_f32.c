/* Cortex-M twin of reference/edgec_transpose_f32.c: the two innermost output dims are plain loops, so that a
 * short innermost dim (NCHW -> NHWC of an image: 3 channels) does not advance the odometer every 3 values. */
#include "edgec_transpose_f32.h"

void edgec_transpose_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_transpose_params *p) {
    const int32_t *s = p->out_shape, *st = p->in_strides;
    const int32_t n = s[EDGEC_MAX_RANK - 1], step = st[EDGEC_MAX_RANK - 1];
    const int32_t m = s[EDGEC_MAX_RANK - 2], row_step = st[EDGEC_MAX_RANK - 2];
    if (edgec_shape_is_empty(s)) return;
    edgec_strided_iter it = {{0}, 0};
    float *o = out;
    do {
        for (int32_t j = 0; j < m; ++j) {
            const float *src = in + it.offset + (size_t)j * row_step;
            if (step == 1) {
                for (int32_t i = 0; i < n; ++i) o[i] = src[i];
            } else {
                for (int32_t i = 0; i < n; ++i) o[i] = src[(size_t)i * step];
            }
            o += n;
        }
    } while (edgec_strided_next_dims(&it, s, st, EDGEC_MAX_RANK - 2));
}
