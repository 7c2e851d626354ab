/* Reference mean: for each output element, sum its reduction window, then divide by the count. The window's
 * innermost reduced dim is a plain loop; the odometer walks the others. */
#include "edgec_mean_f32.h"

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    const int32_t n = p->red_shape[EDGEC_MAX_RANK - 1], step = p->red_strides[EDGEC_MAX_RANK - 1];
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        float acc = 0.0f;
        edgec_strided_iter r = {{0}, 0};
        do {
            const float *src = in + o.offset + r.offset;
            for (int32_t i = 0; i < n; ++i) acc += src[(size_t)i * step];
        } while (edgec_strided_next_outer(&r, p->red_shape, p->red_strides));
        out[k++] = acc / (float)p->count;
    } while (edgec_strided_next(&o, p->out_shape, p->out_strides));
}
