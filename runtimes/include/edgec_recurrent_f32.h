/* ONNX RNN, GRU and LSTM, float32: the parameters the three kernels share, and their activations.
 *
 * One call runs the whole sequence, every direction and batch row, with the recurrent state kept in the final
 * state outputs (Y_h, and Y_c for LSTM) and one gate vector of scratch: no per-step buffers. Tensors are
 * addressed through element strides so that both ONNX layouts (0: X [seq][batch][input], Y [seq][dir][batch]
 * [hidden], states [dir][batch][hidden]; 1: batch first) take the same loops. W, R, B, P are in ONNX's own
 * layouts: W [dir][gates * hidden][input], R [dir][gates * hidden][hidden], B [dir][2 * gates * hidden] (Wb then Rb),
 * P [dir][3 * hidden]. Activations per direction (ONNX's f, g, h; sigmoid and tanh by default, or any of the
 * spec's list with its alpha / beta), an optional clip of the gate pre-activations, and optional per-row
 * sequence lengths (sequence_lens): a row runs its first len steps (the last len, backwards, in reverse), Y is
 * zero past them and the final states are those of its last step, as onnxruntime computes them. */
#ifndef EDGEC_RECURRENT_F32_H
#define EDGEC_RECURRENT_F32_H

#include <math.h>

#include "edgec_common.h"

/* ONNX's recurrent activation functions (onnxruntime's definitions: ThresholdedRelu is x > alpha). */
enum {
    EDGEC_RNN_SIGMOID = 0, EDGEC_RNN_TANH, EDGEC_RNN_RELU, EDGEC_RNN_AFFINE, EDGEC_RNN_LEAKY_RELU,
    EDGEC_RNN_THRESHOLDED_RELU, EDGEC_RNN_SCALED_TANH, EDGEC_RNN_HARD_SIGMOID, EDGEC_RNN_ELU, EDGEC_RNN_SOFTSIGN,
    EDGEC_RNN_SOFTPLUS
};

typedef struct {
    int32_t kind; /* EDGEC_RNN_* */
    float alpha, beta;
} edgec_recurrent_activation;

typedef struct {
    int32_t seq, batch, input, hidden, directions;
    int32_t reverse_mask;        /* bit d set: direction d runs from the last step to the first */
    int32_t x_t, x_b;            /* element strides of X along time and batch */
    int32_t y_t, y_d, y_b;       /* element strides of Y along time, direction and batch */
    int32_t s_d, s_b;            /* element strides of the states (initial and final) along direction and batch */
    int32_t linear_before_reset; /* GRU only: apply the reset gate after the recurrent product */
    edgec_recurrent_activation act[2][3]; /* per direction: f, g, h (LSTM); f, g (GRU); f (RNN) */
    float clip;                  /* > 0: every gate pre-activation is clamped to [-clip, clip] first */
} edgec_recurrent_params;

EDGEC_INLINE float edgec_sigmoidf(float x) {
    return 1.0f / (1.0f + expf(-x));
}

/* Activation a of x, the pre-activation clipped first when the node has a clip. */
EDGEC_INLINE float edgec_recurrent_act(const edgec_recurrent_activation *a, float x, float clip) {
    if (clip > 0.0f) x = x < -clip ? -clip : x > clip ? clip : x;
    switch (a->kind) {
    case EDGEC_RNN_SIGMOID: return edgec_sigmoidf(x);
    case EDGEC_RNN_TANH: return tanhf(x);
    case EDGEC_RNN_RELU: return x > 0.0f ? x : 0.0f;
    case EDGEC_RNN_AFFINE: return a->alpha * x + a->beta;
    case EDGEC_RNN_LEAKY_RELU: return x >= 0.0f ? x : a->alpha * x;
    case EDGEC_RNN_THRESHOLDED_RELU: return x > a->alpha ? x : 0.0f;
    case EDGEC_RNN_SCALED_TANH: return a->alpha * tanhf(a->beta * x);
    case EDGEC_RNN_HARD_SIGMOID: {
        const float v = a->alpha * x + a->beta;
        return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
    }
    case EDGEC_RNN_ELU: return x >= 0.0f ? x : a->alpha * (expf(x) - 1.0f);
    case EDGEC_RNN_SOFTSIGN: return x / (1.0f + fabsf(x));
    default: return logf(1.0f + expf(x)); /* EDGEC_RNN_SOFTPLUS */
    }
}

/* Activation a of x where a direction sets `custom` (another function than the default, or a clip), else the
 * default sigmoid / tanh straight away: the default cells pay one test of a register per gate, not a switch. */
EDGEC_INLINE float edgec_recurrent_sigmoid_or(int32_t custom, const edgec_recurrent_activation *a, float x,
                                              float clip) {
    return custom ? edgec_recurrent_act(a, x, clip) : edgec_sigmoidf(x);
}

EDGEC_INLINE float edgec_recurrent_tanh_or(int32_t custom, const edgec_recurrent_activation *a, float x, float clip) {
    return custom ? edgec_recurrent_act(a, x, clip) : tanhf(x);
}

/* The steps batch row b runs: its sequence length, or the whole sequence. */
EDGEC_INLINE int32_t edgec_recurrent_len(const int32_t *seq_lens, int32_t b, const edgec_recurrent_params *p) {
    return seq_lens ? seq_lens[b] : p->seq;
}

EDGEC_INLINE float edgec_dotf(const float *EDGEC_RESTRICT a, const float *EDGEC_RESTRICT b, int32_t n) {
    float acc = 0.0f;
    for (int32_t i = 0; i < n; ++i) acc += a[i] * b[i];
    return acc;
}

/* The state of direction d, batch row b, where the final-state output keeps it; set from the initial state
 * (or zero) before the first step. */
EDGEC_INLINE float *edgec_recurrent_state(float *state, const float *initial, int32_t d, int32_t b,
                                          const edgec_recurrent_params *p) {
    float *s = state + (size_t)d * (size_t)p->s_d + (size_t)b * (size_t)p->s_b;
    const float *from = initial ? initial + (size_t)d * (size_t)p->s_d + (size_t)b * (size_t)p->s_b : NULL;
    for (int32_t k = 0; k < p->hidden; ++k) s[k] = from ? from[k] : 0.0f;
    return s;
}

/* Zeroes Y at step t of a row whose sequence ended before it, if Y is wanted. */
EDGEC_INLINE void edgec_recurrent_emit_zero(float *y, int32_t t, int32_t d, int32_t b,
                                            const edgec_recurrent_params *p) {
    if (!y) return;
    float *dst = y + (size_t)t * (size_t)p->y_t + (size_t)d * (size_t)p->y_d + (size_t)b * (size_t)p->y_b;
    for (int32_t k = 0; k < p->hidden; ++k) dst[k] = 0.0f;
}

/* Copies the hidden state of step t into Y, if Y is wanted. */
EDGEC_INLINE void edgec_recurrent_emit(float *y, const float *h, int32_t t, int32_t d, int32_t b,
                                       const edgec_recurrent_params *p) {
    if (!y) return;
    float *dst = y + (size_t)t * (size_t)p->y_t + (size_t)d * (size_t)p->y_d + (size_t)b * (size_t)p->y_b;
    for (int32_t k = 0; k < p->hidden; ++k) dst[k] = h[k];
}

#endif
