/* Cortex-M twin of reference/edgec_mean_f32.c, bit-identical to it. When the kept dims' innermost one is long
 * (a global average pool over NHWC: 1280 channels kept, 3x3 reduced), the input is walked once, the reduction
 * outside and the kept dim inside, summing into the output in the reference's order for every element; the
 * reference walked both odometers for every output element. Short kept dims keep the reference's loops. */
#include "edgec_mean_f32_ref.h"

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    const int32_t kept = p->out_shape[EDGEC_MAX_RANK - 1], kept_step = p->out_strides[EDGEC_MAX_RANK - 1];
    if (kept < 8) {
        edgec_mean_f32_reference(in, out, p);
        return;
    }
    size_t total = 1;
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) total *= (size_t)p->out_shape[d];
    for (size_t k = 0; k < total; ++k) out[k] = 0.0f;
    const int32_t n = p->red_shape[EDGEC_MAX_RANK - 1], step = p->red_strides[EDGEC_MAX_RANK - 1];
    edgec_strided_iter r = {{0}, 0};
    do {
        for (int32_t i = 0; i < n; ++i) {
            const float *src_r = in + r.offset + (size_t)i * step;
            edgec_strided_iter o = {{0}, 0};
            float *dst = out;
            do {
                const float *src = src_r + o.offset;
                if (kept_step == 1) {
                    for (int32_t j = 0; j < kept; ++j) dst[j] += src[j];
                } else {
                    for (int32_t j = 0; j < kept; ++j) dst[j] += src[(size_t)j * kept_step];
                }
                dst += kept;
            } while (edgec_strided_next_outer(&o, p->out_shape, p->out_strides));
        }
    } while (edgec_strided_next_outer(&r, p->red_shape, p->red_strides));
    for (size_t k = 0; k < total; ++k) out[k] = out[k] / (float)p->count;
}
