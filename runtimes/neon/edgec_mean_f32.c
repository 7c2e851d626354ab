/* Arm NEON: mean over a set of axes, float32, bit-identical to runtimes/reference/edgec_mean_f32.c. When the kept
 * dims' innermost one is long and contiguous (a global average pool over NHWC: 1280 channels kept, 3x3 reduced),
 * edgec_mean_f32_sum_rows walks the input once, adding rows of kept inputs four outputs a vector; otherwise the
 * reference's loops. */
#include "edgec_mean_f32_ref.h"
#include "edgec_neon.h"

static inline void add_row(float *EDGEC_RESTRICT dst, const float *EDGEC_RESTRICT src, int32_t kept,
                           int32_t kept_step) {
    (void)kept_step; /* 1: checked by the caller */
    int32_t j = 0;
    for (; j + 16 <= kept; j += 16) {
        const float32x4x4_t s = edgec_neon_ld4q_f32(src + j);
        vst1q_f32(dst + j, vaddq_f32(vld1q_f32(dst + j), s.val[0]));
        vst1q_f32(dst + j + 4, vaddq_f32(vld1q_f32(dst + j + 4), s.val[1]));
        vst1q_f32(dst + j + 8, vaddq_f32(vld1q_f32(dst + j + 8), s.val[2]));
        vst1q_f32(dst + j + 12, vaddq_f32(vld1q_f32(dst + j + 12), s.val[3]));
    }
    for (; j + 4 <= kept; j += 4) vst1q_f32(dst + j, vaddq_f32(vld1q_f32(dst + j), vld1q_f32(src + j)));
    for (; j < kept; ++j) dst[j] += src[j];
}

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    if (p->out_shape[EDGEC_MAX_RANK - 1] < 8 || p->out_strides[EDGEC_MAX_RANK - 1] != 1) {
        edgec_mean_f32_reference(in, out, p);
        return;
    }
    const size_t total = edgec_mean_f32_sum_rows(in, out, p, add_row);
    const float count = (float)p->count;
    size_t k = 0;
#if defined(__aarch64__)
    for (; k + 4 <= total; k += 4) vst1q_f32(out + k, vdivq_f32(vld1q_f32(out + k), vdupq_n_f32(count)));
#endif
    for (; k < total; ++k) out[k] = out[k] / count;
}
