/* Mean for x86 hosts, bit-identical to runtimes/reference/edgec_mean_f32.c. Long kept dims (a global average
 * pool over NHWC: 1280 channels kept, 7x7 reduced) take edgec_mean_f32_sum_rows's single walk of the input, 8-float
 * GNU C vectors where the kept dim is contiguous (MobileNetV2's pool: about 30 us in the reference's loops, this
 * way about 5); short ones keep the reference's loops. */
#include "edgec_mean_f32_ref.h"

typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LOAD8(ptr) (*(const v8f_unaligned *)(const void *)(ptr))
#define STORE8(ptr, v) (*(v8f_unaligned *)(void *)(ptr) = (v))

static inline void add_row(float *EDGEC_RESTRICT dst, const float *EDGEC_RESTRICT src, int32_t kept,
                           int32_t kept_step) {
    int32_t j = 0;
    if (kept_step == 1)
        for (; j + 8 <= kept; j += 8) STORE8(dst + j, LOAD8(dst + j) + LOAD8(src + j));
    for (; j < kept; ++j) dst[j] += src[(size_t)j * kept_step];
}

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    if (edgec_shape_is_empty(p->out_shape)) return;
    if (p->out_shape[EDGEC_MAX_RANK - 1] < 8) {
        edgec_mean_f32_reference(in, out, p);
        return;
    }
    const size_t total = edgec_mean_f32_sum_rows(in, out, p, add_row);
    const float count = (float)p->count;
    for (size_t k = 0; k < total; ++k) out[k] = out[k] / count;
}
