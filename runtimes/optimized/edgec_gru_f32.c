/* GRU, optimized set: the reference kernel's steps with every group of gate rows computed four rows at a time
 * (edgec_gate_rows_f32.h; fused multiply-adds where the FPU has them): z and r from x and h, then the candidate's
 * W_h x and its R_h product (of r * h, or of h when linear_before_reset) written over the spent r gate. */
#include "edgec_gate_rows_f32.h"
#include "edgec_gru_f32.h"

void edgec_gru_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                   const float *h0, float *y, float *y_h, float *scratch, const edgec_recurrent_params *p) {
    const int32_t H = p->hidden, I = p->input, G = 3 * H;
    float *zr = scratch, *cand = scratch + 2 * H, *rh = scratch + 3 * H;
    for (int32_t d = 0; d < p->directions; ++d) {
        const float *wd = w + (size_t)d * (size_t)G * (size_t)I;
        const float *rd = r + (size_t)d * (size_t)G * (size_t)H;
        const float *w_h = wd + (size_t)2 * (size_t)H * (size_t)I, *r_h = rd + (size_t)2 * (size_t)H * (size_t)H;
        const float *bd = bias ? bias + (size_t)d * 2u * (size_t)G : NULL;
        const int32_t reverse = (p->reverse_mask >> d) & 1;
        const edgec_recurrent_activation *act = p->act[d];
        const float clip = p->clip;
        const int32_t custom = clip > 0.0f || act[0].kind != EDGEC_RNN_SIGMOID || act[1].kind != EDGEC_RNN_TANH;
        for (int32_t b = 0; b < p->batch; ++b) edgec_recurrent_state(y_h, h0, d, b, p);
        for (int32_t step = 0; step < p->seq; ++step) {
            for (int32_t b = 0; b < p->batch; ++b) {
                const int32_t len = edgec_recurrent_len(seq_lens, b, p);
                if (step >= len) { /* this row's sequence has ended: Y is zero from here on */
                    edgec_recurrent_emit_zero(y, step, d, b, p);
                    continue;
                }
                const int32_t t = reverse ? len - 1 - step : step;
                const float *xt = x + (size_t)t * (size_t)p->x_t + (size_t)b * (size_t)p->x_b;
                float *h = y_h + (size_t)d * (size_t)p->s_d + (size_t)b * (size_t)p->s_b;
                edgec_gate_rows_f32(wd, xt, I, rd, h, H, 2 * H, zr);
                for (int32_t j = 0; j < 2 * H; ++j)
                    zr[j] = edgec_recurrent_sigmoid_or(custom, &act[0], bd ? zr[j] + (bd[j] + bd[G + j]) : zr[j], clip);
                edgec_gate_rows_f32(w_h, xt, I, r_h, h, 0, H, cand); /* W_h x */
                if (p->linear_before_reset) {
                    edgec_gate_rows_f32(w_h, xt, 0, r_h, h, H, H, rh); /* R_h h */
                    for (int32_t k = 0; k < H; ++k) {
                        const int32_t j = 2 * H + k;
                        const float wx = cand[k] + (bd ? bd[j] : 0.0f), rb = bd ? bd[G + j] : 0.0f;
                        cand[k] = edgec_recurrent_tanh_or(custom, &act[1], wx + zr[H + k] * (rh[k] + rb), clip);
                    }
                } else {
                    for (int32_t k = 0; k < H; ++k) rh[k] = zr[H + k] * h[k];
                    edgec_gate_rows_f32(w_h, xt, 0, r_h, rh, H, H, zr + H); /* R_h (r * h), over r */
                    for (int32_t k = 0; k < H; ++k) {
                        const int32_t j = 2 * H + k;
                        const float wx = cand[k] + (bd ? bd[j] : 0.0f), rb = bd ? bd[G + j] : 0.0f;
                        cand[k] = edgec_recurrent_tanh_or(custom, &act[1], wx + zr[H + k] + rb, clip);
                    }
                }
                for (int32_t k = 0; k < H; ++k) h[k] = (1.0f - zr[k]) * cand[k] + zr[k] * h[k];
                edgec_recurrent_emit(y, h, t, d, b, p);
            }
        }
    }
}
