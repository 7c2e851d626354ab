/* Cortex-M twin of reference/edgec_lstm_s8.c, bit-identical to it. Per step, the input row and the hidden state
 * (plus their offsets) are widened once into int16 pairs (edgec_matvec_s8.h); then each unit's four gate rows
 * (input, forget, cell, output: one weight row apart by units x input, or units x units) run on SXTB16 + SMLAD,
 * against the input and then the hidden state. The gates' requantisations use rq_apply with each gate's constants
 * prepared once per call (the same bits as edgec_mbqm for any multiplier but INT32_MIN, which takes the reference's
 * lstm_gate_value); activations and the cell update are the reference's (edgec_lstm_s8_cell.h), after all the gates
 * of the step: the recurrent products read the old state. */
#include "edgec_lstm_s8_cell.h"
#include "edgec_matvec_s8.h"

typedef struct {
    rq_channel input[4], recurrent[4];
    int exact; /* no INT32_MIN multiplier: rq_apply is edgec_mbqm */
} gate_requant;

static int16_t gate_value(int32_t acc, int32_t rec, int32_t g, const gate_requant *q, const edgec_lstm_s8_params *p) {
    if (!q->exact) return lstm_gate_value(acc, rec, g, p);
    const int32_t sum = pk_ssat16(rq_apply(acc, q->input[g], 0, INT32_MIN, INT32_MAX)) +
                        pk_ssat16(rq_apply(rec, q->recurrent[g], 0, INT32_MIN, INT32_MAX));
    const int16_t pre = (int16_t)pk_ssat16(sum); /* SSAT: the reference's int16 saturations */
    return g == 2 ? tanh_s16(pre, 3, 0) : sigmoid_q12(pre);
}

/* not inlined: the caller's arrays would cost the loops a frame pointer register */
static __attribute__((noinline)) void step(const int8_t *x, const int8_t *input_weights, const int8_t *recurrent_weights, const int32_t *bias,
                 int8_t *h, int16_t *c, int16_t *gates, uint32_t *xw, uint32_t *hw, const gate_requant *q,
                 const edgec_lstm_s8_params *p) {
    const int32_t units = p->units, input = p->input;
    const size_t n = (size_t)units;
    mv_widen(xw, x, input, p->input_offset);
    mv_widen(hw, h, units, p->hidden_offset);
    for (int32_t u = 0; u < units; ++u) {
        int32_t acc[4] = {bias[u], bias[n + (size_t)u], bias[2 * n + (size_t)u], bias[3 * n + (size_t)u]};
        int32_t rec[4] = {0, 0, 0, 0};
        mv_dot4(xw, x, p->input_offset, input, input_weights + (size_t)u * (size_t)input, n * (size_t)input, acc);
        mv_dot4(hw, h, p->hidden_offset, units, recurrent_weights + (size_t)u * n, n * n, rec);
        for (int32_t g = 0; g < 4; ++g) gates[(size_t)g * n + (size_t)u] = gate_value(acc[g], rec[g], g, q, p);
    }
    const int16_t *ig = gates, *fg = gates + n, *cg = gates + 2 * n, *og = gates + 3 * n;
    for (size_t u = 0; u < n; ++u) lstm_update_unit(ig[u], fg[u], cg[u], og[u], &c[u], &h[u], p);
}

void edgec_lstm_s8(const int8_t *EDGEC_RESTRICT x, const int8_t *EDGEC_RESTRICT input_weights,
                   const int8_t *EDGEC_RESTRICT recurrent_weights, const int32_t *EDGEC_RESTRICT bias,
                   int8_t *EDGEC_RESTRICT hidden, int16_t *EDGEC_RESTRICT cell, int8_t *EDGEC_RESTRICT out,
                   int16_t *EDGEC_RESTRICT scratch, const edgec_lstm_s8_params *p) {
    uint32_t xw[MV_WORDS(p->input)], hw[MV_WORDS(p->units)]; /* 2 bytes per input and unit, on the stack */
    gate_requant q;
    q.exact = 1;
    for (int32_t g = 0; g < 4; ++g) {
        q.input[g] = rq_prepare(p->input_multiplier[g], p->input_shift[g]);
        q.recurrent[g] = rq_prepare(p->recurrent_multiplier[g], p->recurrent_shift[g]);
        q.exact &= p->input_multiplier[g] != INT32_MIN && p->recurrent_multiplier[g] != INT32_MIN;
    }
    for (int32_t b = 0; b < p->batch; ++b) {
        int8_t *h = hidden + (size_t)b * (size_t)p->units;
        int16_t *c = cell + (size_t)b * (size_t)p->units;
        for (int32_t t = 0; t < p->seq; ++t) {
            const size_t row = p->time_major ? (size_t)t * (size_t)p->batch + (size_t)b
                                             : (size_t)b * (size_t)p->seq + (size_t)t;
            step(x + row * (size_t)p->input, input_weights, recurrent_weights, bias, h, c, scratch, xw, hw, &q, p);
            for (int32_t u = 0; u < p->units; ++u) out[row * (size_t)p->units + (size_t)u] = h[u];
        }
    }
}
