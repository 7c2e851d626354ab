#include "edgec_rnn_f32.h"

/* Per step and batch row: h = tanh(W x_t + R h + Wb + Rb), the new h gathered in scratch first (every row of R
 * reads the old one); h lives in y_h. */
void edgec_rnn_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                   const float *h0, float *y, float *y_h, float *scratch, const edgec_recurrent_params *p) {
    const int32_t H = p->hidden, I = p->input;
    for (int32_t d = 0; d < p->directions; ++d) {
        const float *wd = w + (size_t)d * (size_t)H * (size_t)I;
        const float *rd = r + (size_t)d * (size_t)H * (size_t)H;
        const float *bd = bias ? bias + (size_t)d * 2u * (size_t)H : NULL;
        const int32_t reverse = (p->reverse_mask >> d) & 1;
        const edgec_recurrent_activation *act = p->act[d];
        const float clip = p->clip;
        const int32_t custom = clip > 0.0f || act[0].kind != EDGEC_RNN_TANH;
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
                for (int32_t j = 0; j < H; ++j) {
                    const float acc = edgec_dotf(wd + (size_t)j * (size_t)I, xt, I)
                                      + edgec_dotf(rd + (size_t)j * (size_t)H, h, H);
                    scratch[j] = edgec_recurrent_tanh_or(custom, &act[0], bd ? acc + (bd[j] + bd[H + j]) : acc, clip);
                }
                for (int32_t k = 0; k < H; ++k) h[k] = scratch[k];
                edgec_recurrent_emit(y, h, t, d, b, p);
            }
        }
    }
}
