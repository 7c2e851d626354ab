#include "edgec_gru_f32.h"

/* Per step and batch row: the update and reset gates z, r (scratch[0 .. 2H)), then the candidate h~, with the
 * reset gate applied to h before R_h (linear_before_reset = 0, scratch[3H ..) holds r * h) or to R_h h + Rb_h
 * after it (1, PyTorch's GRU). h lives in y_h and is replaced only after every gate has read it. */
void edgec_gru_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                   const float *h0, float *y, float *y_h, float *scratch, const edgec_recurrent_params *p) {
    const int32_t H = p->hidden, I = p->input, G = 3 * H;
    float *zr = scratch, *cand = scratch + 2 * H, *rh = scratch + 3 * H;
    for (int32_t d = 0; d < p->directions; ++d) {
        const float *wd = w + (size_t)d * (size_t)G * (size_t)I;
        const float *rd = r + (size_t)d * (size_t)G * (size_t)H;
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
                for (int32_t j = 0; j < 2 * H; ++j) {
                    const float acc = edgec_dotf(wd + (size_t)j * (size_t)I, xt, I)
                                      + edgec_dotf(rd + (size_t)j * (size_t)H, h, H);
                    zr[j] = edgec_recurrent_sigmoid_or(custom, &act[0], bd ? acc + (bd[j] + bd[G + j]) : acc, clip);
                }
                if (!p->linear_before_reset)
                    for (int32_t k = 0; k < H; ++k) rh[k] = zr[H + k] * h[k];
                for (int32_t k = 0; k < H; ++k) {
                    const int32_t j = 2 * H + k;
                    const float wx = edgec_dotf(wd + (size_t)j * (size_t)I, xt, I) + (bd ? bd[j] : 0.0f);
                    const float rb = bd ? bd[G + j] : 0.0f;
                    const float *rj = rd + (size_t)j * (size_t)H;
                    cand[k] = edgec_recurrent_tanh_or(custom, &act[1], p->linear_before_reset
                                                                    ? wx + zr[H + k] * (edgec_dotf(rj, h, H) + rb)
                                                                    : wx + edgec_dotf(rj, rh, H) + rb, clip);
                }
                for (int32_t k = 0; k < H; ++k) h[k] = (1.0f - zr[k]) * cand[k] + zr[k] * h[k];
                edgec_recurrent_emit(y, h, t, d, b, p);
            }
        }
    }
}
