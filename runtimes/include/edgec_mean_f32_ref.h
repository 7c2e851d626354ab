/* The reference float mean as a static inline function: runtimes/reference/edgec_mean_f32.c is this, and each
 * faster twin (cortex-m, x86, neon) calls it for the shapes it does not speed up (short kept dims). For each
 * output element: sum its reduction window, then divide by the count; the window's innermost reduced dim is a
 * plain loop, the odometer walks the others. */
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

#endif
