/* edgec runtime: the element-wise arithmetic of TFLite Micro's integer LSTM (lstm_eval.h / lstm_eval.cc, with
 * reference_integer_ops' MulElementwise and int16 Logistic / Tanh), shared by the reference kernel
 * (runtimes/reference/edgec_lstm_s8.c) and its Cortex-M twin, which differ only in the gates' matrix-vector
 * products. */
#ifndef EDGEC_LSTM_S8_CELL_H
#define EDGEC_LSTM_S8_CELL_H

#include "edgec_lstm_s8.h"

/* TFLite's sigmoid_table_uint16 (kernels/internal/common.h): sigmoid on [0, 10.7) in 256 steps, Q0.16. */
static const uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

static uint32_t magnitude(int32_t v) { return v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v; }

/* reference_integer_ops::Logistic (int16) with TFLite Micro's LSTM parameters: Q3.12 in, Q0.15 out. */
static int16_t sigmoid_q12(int16_t v) {
    const int32_t x = (int32_t)v * 3;
    const uint32_t a = magnitude(x), uh = a >> 9;
    uint32_t result;
    if (uh >= 255) {
        result = (uint32_t)0x7FFF << 10;
    } else {
        const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1];
        result = (ua << 9) + (a & 0x1ff) * (ub - ua);
    }
    result = x >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
    return (int16_t)(result >> 10);
}

/* reference_integer_ops::Tanh (int16): the input scaled by (x * multiplier + round) >> shift, Q0.15 out. */
static int16_t tanh_s16(int16_t v, int32_t multiplier, int32_t shift) {
    const int32_t round = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
    const int32_t x = ((int32_t)v * multiplier + round) >> shift;
    const uint32_t a = magnitude(x), uh = a >> 8;
    int32_t result;
    if (uh >= 255) {
        result = 0xFFFF << 8;
    } else {
        const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1];
        result = (int32_t)((ua << 8) + (a & 0xFF) * (ub - ua));
    }
    result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(result >> 8);
}

static int32_t sat16(int32_t v) { return edgec_clamp_i32(v, -32768, 32767); }

/* One gate's value from its input FC sum (bias included) and its recurrent FC sum: each requantised to Q3.12 and
 * saturated to int16, added with int16 saturation, then the gate's activation (gate 2, the cell gate: tanh). */
static int16_t lstm_gate_value(int32_t acc, int32_t rec, int32_t g, const edgec_lstm_s8_params *p) {
    const int32_t sum = sat16(edgec_mbqm(acc, p->input_multiplier[g], p->input_shift[g])) +
                        sat16(edgec_mbqm(rec, p->recurrent_multiplier[g], p->recurrent_shift[g]));
    const int16_t pre = (int16_t)sat16(sum);
    return g == 2 ? tanh_s16(pre, 3, 0) : sigmoid_q12(pre); /* the cell gate: tanh of Q3.12 */
}

/* One unit's new cell state and hidden value from its four gate values (input, forget, cell, output). */
static void lstm_update_unit(int16_t ig, int16_t fg, int16_t cg, int16_t og, int16_t *c, int8_t *h,
                             const edgec_lstm_s8_params *p) {
    const int32_t kept = sat16(edgec_mbqm((int32_t)fg * *c, p->forget_multiplier, p->forget_shift));
    const int32_t added = sat16(edgec_mbqm((int32_t)ig * cg, p->input_gate_multiplier, p->input_gate_shift));
    int32_t cu = sat16(kept + added);
    if (p->clip) cu = edgec_clamp_i32(cu, -p->cell_clip, p->cell_clip);
    *c = (int16_t)cu;
    const int16_t t = tanh_s16(*c, p->cell_tanh_multiplier, p->cell_tanh_shift);
    const int32_t hu = edgec_mbqm((int32_t)t * og, p->output_multiplier, p->output_shift) + p->hidden_zero_point;
    *h = (int8_t)edgec_clamp_i32(hu, -128, 127);
}

#endif /* EDGEC_LSTM_S8_CELL_H */
