/* edgec_matmul_f32's product with b constant (b_strides all 0) and packed at compile time for runtimes/x86/
 * (ops/matmul.py pack_matmul_f32_x86: column blocks of 64 while 64 remain, then of 16, the last padded with zero
 * columns, each block [K][width]); ops/matmul.py calls it only where a kernel set has it. */
#ifndef EDGEC_MATMUL_F32_PACKED_H
#define EDGEC_MATMUL_F32_PACKED_H

#include "edgec_matmul_f32.h"

void edgec_matmul_f32_packed(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT packed,
                             const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT out, const edgec_matmul_params *p);

#endif
