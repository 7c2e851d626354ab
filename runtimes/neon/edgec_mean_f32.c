/* Arm NEON: mean over a set of axes, float32, bit-identical to runtimes/reference/edgec_mean_f32.c. When the kept
 * dims' innermost one is long and contiguous (a global average pool over NHWC: 1280 channels kept, 3x3 reduced),
 * the input is walked once, the reduction outside and the kept dim inside, four outputs a vector, each output
 * summed in the reference's order (runtimes/cortex-m/edgec_mean_f32.c's walk); otherwise the reference's loops. */
#include "edgec_mean_f32_ref.h"
#include "edgec_neon.h"

void edgec_mean_f32(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out, const edgec_mean_params *p) {
    const int32_t kept = p->out_shape[EDGEC_MAX_RANK - 1];
    if (kept < 8 || p->out_strides[EDGEC_MAX_RANK - 1] != 1) {
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
                for (; j + 16 <= kept; j += 16) {
                    const float32x4x4_t s = edgec_neon_ld4q_f32(src + j);
                    vst1q_f32(dst + j, vaddq_f32(vld1q_f32(dst + j), s.val[0]));
                    vst1q_f32(dst + j + 4, vaddq_f32(vld1q_f32(dst + j + 4), s.val[1]));
                    vst1q_f32(dst + j + 8, vaddq_f32(vld1q_f32(dst + j + 8), s.val[2]));
                    vst1q_f32(dst + j + 12, vaddq_f32(vld1q_f32(dst + j + 12), s.val[3]));
                }
                for (; j + 4 <= kept; j += 4) vst1q_f32(dst + j, vaddq_f32(vld1q_f32(dst + j), vld1q_f32(src + j)));
                for (; j < kept; ++j) dst[j] += src[j];
                dst += kept;
            } while (edgec_strided_next_outer(&o, p->out_shape, p->out_strides));
        }
    } while (edgec_strided_next_outer(&r, p->red_shape, p->red_strides));
    const float count = (float)p->count;
    size_t k = 0;
#if defined(__aarch64__)
    for (; k + 4 <= total; k += 4) vst1q_f32(out + k, vdivq_f32(vld1q_f32(out + k), vdupq_n_f32(count)));
#endif
    for (; k < total; ++k) out[k] = out[k] / count;
}
