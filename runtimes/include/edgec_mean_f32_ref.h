/* The reference float mean as a static inline function: runtimes/reference/edgec_mean_f32.c is this, and each
 * faster twin (cortex-m, x86, neon) calls it for the shapes it does not speed up (short kept dims). For each
 * output element: sum its reduction window, then divide by the count; the window's innermost reduced dim is a
 * plain loop, the odometer walks the others. The twins' own walk for long kept dims is below. */
#ifndef EDGEC_MEAN_F32_REF_H
#define EDGEC_MEAN_F32_REF_H

#include "edgec_mean_f32.h"

static inline void edgec_mean_f32_reference(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out,
                                            const edgec_mean_params *p) {
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

/* Adds one row of `kept` inputs, `kept_step` apart, into dst[0 .. kept). */
typedef void (*edgec_mean_f32_row_add)(float *EDGEC_RESTRICT dst, const float *EDGEC_RESTRICT src, int32_t kept,
                                       int32_t kept_step);

/* The twins' sums for a long kept dim (a global average pool over NHWC: 1280 channels kept, 7x7 reduced): the
 * input walked once, the reduction outside and the kept dim inside, `add_row` (each twin's vectors) adding a row
 * of kept inputs into the output; each output is summed in the reference's order, so the bits are the same. The
 * reference walks both odometers for every output element and reads the window strided. add_row is a static
 * inline function of the caller: the compiler inlines it, no call per row. Returns the output's element count;
 * the caller divides by p->count. */
static inline size_t edgec_mean_f32_sum_rows(const float *EDGEC_RESTRICT in, float *EDGEC_RESTRICT out,
                                             const edgec_mean_params *p, edgec_mean_f32_row_add add_row) {
    const int32_t kept = p->out_shape[EDGEC_MAX_RANK - 1], kept_step = p->out_strides[EDGEC_MAX_RANK - 1];
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
                add_row(dst, src_r + o.offset, kept, kept_step);
                dst += kept;
            } while (edgec_strided_next_outer(&o, p->out_shape, p->out_strides));
        }
    } while (edgec_strided_next_outer(&r, p->red_shape, p->red_strides));
    return total;
}

#endif
