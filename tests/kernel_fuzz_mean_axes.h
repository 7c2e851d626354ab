/* The mean's parameters for a mean over some axes of a dense tensor, which the hosted harnesses
 * (tests/kernel_fuzz_common.h) and the Cortex-M firmware (tests/semihost/float_kernel_fuzz.c) both build: no C
 * library, no random numbers. */
#ifndef EDGEC_TESTS_KERNEL_FUZZ_MEAN_AXES_H
#define EDGEC_TESTS_KERNEL_FUZZ_MEAN_AXES_H

#include <stdint.h>

#include "edgec_mean_f32.h"

/* m for the tensor of `rank` dims (shape, element strides) reduced over the axes in mask (bit d: axis d): the kept
 * and the reduced axes each right-aligned in their order. Returns the output's element count. */
static int32_t mean_over_axes(edgec_mean_params *m, int32_t rank, const int32_t *shape, const int32_t *strides,
                              uint32_t mask) {
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) {
        m->out_shape[d] = m->red_shape[d] = 1;
        m->out_strides[d] = m->red_strides[d] = 0;
    }
    int32_t kept = EDGEC_MAX_RANK, reduced = EDGEC_MAX_RANK, n_out = 1;
    m->count = 1;
    for (int32_t d = rank - 1; d >= 0; --d) {
        if (mask >> d & 1) {
            --reduced;
            m->red_shape[reduced] = shape[d];
            m->red_strides[reduced] = strides[d];
            m->count *= shape[d];
        } else {
            --kept;
            m->out_shape[kept] = shape[d];
            m->out_strides[kept] = strides[d];
            n_out *= shape[d];
        }
    }
    return n_out;
}

#endif
