/* The recurrent kernels' inner product, register-blocked for the optimized set: out[j] = W[j] . x + R[j] . h for
 * `rows` rows of W [rows][n_x] and R [rows][n_h], four rows at a time so that each loaded x[i] and h[i] feeds
 * four multiply-adds. Each row sums in the reference kernels' order (W . x, then R . h, then the two added). */
#ifndef EDGEC_GATE_ROWS_F32_H
#define EDGEC_GATE_ROWS_F32_H

#include "edgec_common.h"

EDGEC_INLINE void edgec_gate_rows_f32(const float *EDGEC_RESTRICT w, const float *EDGEC_RESTRICT x, int32_t n_x,
                                      const float *EDGEC_RESTRICT r, const float *EDGEC_RESTRICT h, int32_t n_h,
                                      int32_t rows, float *EDGEC_RESTRICT out) {
    int32_t j = 0;
    for (; j + 4 <= rows; j += 4) {
        const float *w0 = w + (size_t)j * (size_t)n_x, *w1 = w0 + n_x, *w2 = w1 + n_x, *w3 = w2 + n_x;
        const float *r0 = r + (size_t)j * (size_t)n_h, *r1 = r0 + n_h, *r2 = r1 + n_h, *r3 = r2 + n_h;
        float x0 = 0.0f, x1 = 0.0f, x2 = 0.0f, x3 = 0.0f, h0 = 0.0f, h1 = 0.0f, h2 = 0.0f, h3 = 0.0f;
        for (int32_t i = 0; i < n_x; ++i) {
            const float v = x[i];
            x0 = EDGEC_FMA(x0, w0[i], v); x1 = EDGEC_FMA(x1, w1[i], v);
            x2 = EDGEC_FMA(x2, w2[i], v); x3 = EDGEC_FMA(x3, w3[i], v);
        }
        for (int32_t i = 0; i < n_h; ++i) {
            const float v = h[i];
            h0 = EDGEC_FMA(h0, r0[i], v); h1 = EDGEC_FMA(h1, r1[i], v);
            h2 = EDGEC_FMA(h2, r2[i], v); h3 = EDGEC_FMA(h3, r3[i], v);
        }
        out[j] = x0 + h0; out[j + 1] = x1 + h1; out[j + 2] = x2 + h2; out[j + 3] = x3 + h3;
    }
    for (; j < rows; ++j) {
        const float *wj = w + (size_t)j * (size_t)n_x, *rj = r + (size_t)j * (size_t)n_h;
        float sx = 0.0f, sh = 0.0f;
        for (int32_t i = 0; i < n_x; ++i) sx = EDGEC_FMA(sx, wj[i], x[i]);
        for (int32_t i = 0; i < n_h; ++i) sh = EDGEC_FMA(sh, rj[i], h[i]);
        out[j] = sx + sh;
    }
}

#endif
