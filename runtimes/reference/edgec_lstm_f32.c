#include "edgec_lstm_f32.h"

/* Per step and batch row: the 4 * hidden gate pre-activations W x_t + R h + Wb + Rb, then the cell update.
 * h and c live in y_h and y_c throughout; every gate reads the old h before any element of it is replaced. */
void edgec_lstm_f32(const float *x, const float *w, const float *r, const float *bias, const int32_t *seq_lens,
                    const float *h0, const float *c0, const float *peephole, float *y, float *y_h, float *y_c,
                    float *scratch, const edgec_recurrent_params *p) {
    const int32_t H = p->hidden, I = p->input, G = 4 * H;
    for (int32_t d = 0; d < p->directions; ++d) {
        const float *wd = w + (size_t)d * (size_t)G * (size_t)I;
        const float *rd = r + (size_t)d * (size_t)G * (size_t)H;
        const float *bd = bias ? bias + (size_t)d * 2u * (size_t)G : NULL;
        const float *pd = peephole ? peephole + (size_t)d * 3u * (size_t)H : NULL;
        const int32_t reverse = (p->reverse_mask >> d) & 1;
        const edgec_recurrent_activation *act = p->act[d];
        const float clip = p->clip;
        const int32_t custom = clip > 0.0f || act[0].kind != EDGEC_RNN_SIGMOID || act[1].kind != EDGEC_RNN_TANH
                               || act[2].kind != EDGEC_RNN_TANH;
        for (int32_t b = 0; b < p->batch; ++b) {
            edgec_recurrent_state(y_h, h0, d, b, p);
            edgec_recurrent_state(y_c, c0, d, b, p);
        }
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
                float *c = y_c + (size_t)d * (size_t)p->s_d + (size_t)b * (size_t)p->s_b;
                for (int32_t j = 0; j < G; ++j) {
                    const float acc = edgec_dotf(wd + (size_t)j * (size_t)I, xt, I)
                                      + edgec_dotf(rd + (size_t)j * (size_t)H, h, H);
                    scratch[j] = bd ? acc + (bd[j] + bd[G + j]) : acc;
                }
                for (int32_t k = 0; k < H; ++k) { /* peephole terms before the clip, as onnxruntime */
                    const float c_old = c[k];
                    const float pi = pd ? pd[k] * c_old : 0.0f, pf = pd ? pd[2 * H + k] * c_old : 0.0f;
                    const float i = edgec_recurrent_sigmoid_or(custom, &act[0], scratch[k] + pi, clip);
                    const float f = edgec_recurrent_sigmoid_or(custom, &act[0], scratch[2 * H + k] + pf, clip);
                    const float g = edgec_recurrent_tanh_or(custom, &act[1], scratch[3 * H + k], clip);
                    const float c_new = f * c_old + i * g;
                    const float po = pd ? pd[H + k] * c_new : 0.0f;
                    const float o = edgec_recurrent_sigmoid_or(custom, &act[0], scratch[H + k] + po, clip);
                    c[k] = c_new;
                    h[k] = o * edgec_recurrent_tanh_or(custom, &act[2], c_new, 0.0f);
                }
                edgec_recurrent_emit(y, h, t, d, b, p);
            }
        }
    }
}
