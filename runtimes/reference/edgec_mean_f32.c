/* Reference mean: for each output element, sum its reduction window, then divide by the count. */
#include "edgec_mean_f32.h"

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    edgec_strided_iter o = {{0}, 0};
    size_t k = 0;
    do {
        float acc = 0.0f;
        edgec_strided_iter r = {{0}, 0};
        do acc += in[o.offset + r.offset];
        while (edgec_strided_next(&r, p->red_shape, p->red_strides));
        out[k++] = acc / (float)p->count;
    } while (edgec_strided_next(&o, p->out_shape, p->out_strides));
}
