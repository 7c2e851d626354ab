/* Mean for x86 hosts, bit-identical to runtimes/reference/edgec_mean_f32.c. When the kept dims' innermost one is
 * long (a global average pool over NHWC: 1280 channels kept, 7x7 reduced), the input is walked once, the
 * reduction outside and the kept dim inside (8-float GNU C vectors where it is contiguous), summing into the
 * output in the reference's order for every element; the reference walks both odometers for every output element
 * and reads the window strided (MobileNetV2's pool: about 30 us, this way about 5). Short kept dims keep the
 * reference's loops. */
#include "edgec_mean_f32_ref.h"

typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define STORE8(ptr, v) (*(v8f_unaligned *)(void *)(ptr) = (v))

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    const int32_t kept = p->out_shape[EDGEC_MAX_RANK - 1], kept_step = p->out_strides[EDGEC_MAX_RANK - 1];
    if (edgec_shape_is_empty(p->out_shape)) return;
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
                int32_t j = 0;
                if (kept_step == 1)
                    for (; j + 8 <= kept; j += 8) STORE8(dst + j, LOAD8(dst + j) + LOAD8(src + j));
                for (; j < kept; ++j) dst[j] += src[(size_t)j * kept_step];
                dst += kept;
            } while (edgec_strided_next_outer(&o, p->out_shape, p->out_strides));
        }
    } while (edgec_strided_next_outer(&r, p->red_shape, p->red_strides));
    const float count = (float)p->count;
    for (size_t k = 0; k < total; ++k) out[k] = out[k] / count;
}
