/* Reference integer LSTM: TFLite Micro's lstm_eval.h / lstm_eval.cc with reference_integer_ops' FullyConnected,
 * MulElementwise and int16 Logistic / Tanh, bit for bit. */
#include "edgec_lstm_s8_cell.h"

/* One gate's row: sat16(FC(x) + bias) + sat16(FC(h)) with int16 saturation, then its activation. */
static void gate(const int8_t *x, const int8_t *h, const int8_t *w, const int8_t *r, const int32_t *bias, int32_t g,
                 int16_t *out, const edgec_lstm_s8_params *p) {
    for (int32_t u = 0; u < p->units; ++u) {
        const int8_t *wu = w + (size_t)u * (size_t)p->input, *ru = r + (size_t)u * (size_t)p->units;
        int32_t acc = 0, rec = 0;
        for (int32_t d = 0; d < p->input; ++d) acc += (int32_t)wu[d] * ((int32_t)x[d] + p->input_offset);
        acc += bias[u];
        for (int32_t d = 0; d < p->units; ++d) rec += (int32_t)ru[d] * ((int32_t)h[d] + p->hidden_offset);
        out[u] = lstm_gate_value(acc, rec, g, p);
    }
}

static void step(const int8_t *x, const int8_t *input_weights, const int8_t *recurrent_weights, const int32_t *bias,
                 int8_t *h, int16_t *c, int16_t *gates, const edgec_lstm_s8_params *p) {
    const size_t n = (size_t)p->units;
    for (int32_t g = 0; g < 4; ++g)
        gate(x, h, input_weights + (size_t)g * n * (size_t)p->input, recurrent_weights + (size_t)g * n * n,
             bias + (size_t)g * n, g, gates + (size_t)g * n, p);
    const int16_t *ig = gates, *fg = gates + n, *cg = gates + 2 * n, *og = gates + 3 * n;
    for (size_t u = 0; u < n; ++u) lstm_update_unit(ig[u], fg[u], cg[u], og[u], &c[u], &h[u], p);
}

void edgec_lstm_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT input_weights,
                   const int8_t *EDGEC_RESTRICT recurrent_weights, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT hidden, int16_t *EDGEC_RESTRICT cell, int8_t *EDGEC_RESTRICT out,
                   int16_t *EDGEC_RESTRICT scratch, const edgec_lstm_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b) {
        int8_t *h = hidden + (size_t)b * (size_t)p->units;
        int16_t *c = cell + (size_t)b * (size_t)p->units;
        for (int32_t t = 0; t < p->seq; ++t) {
            const size_t row = p->time_major ? (size_t)t * (size_t)p->batch + (size_t)b
                                             : (size_t)b * (size_t)p->seq + (size_t)t;
            step(x + row * (size_t)p->input, input_weights, recurrent_weights, bias, h, c, scratch, p);
            for (int32_t u = 0; u < p->units; ++u) out[row * (size_t)p->units + (size_t)u] = h[u];
        }
    }
}
