/* Add, int8, with rescaling of both inputs (TFLite reference_integer_ops::Add) and NumPy broadcasting; and the
 * other TFLite int8 operators that rescale both inputs the same way and then combine them: SUB, SQUARED_DIFFERENCE
 * (left_shift 7, the difference squared before the output requantisation) and the comparisons (left_shift 8,
 * output 0 or 1: a bool tensor). */
#ifndef EDGEC_ADD_S8_H
#define EDGEC_ADD_S8_H

#include "edgec_broadcast_s8.h"
#include "edgec_common.h"
#include "edgec_fixedpoint_s8.h"

typedef struct {
    edgec_broadcast_params shape;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
    int32_t kind; /* EDGEC_ADD_S8_*: what is done with the two rescaled inputs */
} edgec_add_s8_params;

#define EDGEC_ADD_S8_ADD 0
#define EDGEC_ADD_S8_SUB 1
#define EDGEC_ADD_S8_SQUARED_DIFFERENCE 2
#define EDGEC_ADD_S8_EQUAL 3
#define EDGEC_ADD_S8_NOT_EQUAL 4
#define EDGEC_ADD_S8_LESS 5
#define EDGEC_ADD_S8_LESS_EQUAL 6
#define EDGEC_ADD_S8_GREATER 7
#define EDGEC_ADD_S8_GREATER_EQUAL 8

/* scratch: NULL, or room for 2 x 256 int32 (8-byte aligned) that a kernel may use for tables of the rescaled
 * inputs (the Cortex-M one does; the reference ignores it). */
void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch);

/* The two steps of TFLite's int8 add, shared by every implementation: an input value rescaled to the common
 * scale (one of 256 per input), and the sum of two of those requantised to the output. */
EDGEC_INLINE int32_t edgec_add_s8_rescale(int32_t v, int32_t offset, int32_t left_shift, int32_t multiplier,
                                          int32_t shift) {
    return edgec_mbqm((int32_t)((uint32_t)(offset + v) << left_shift), multiplier, shift);
}

EDGEC_INLINE int8_t edgec_add_s8_output(int32_t sum, const edgec_add_s8_params *p) {
    const int32_t y = edgec_mbqm(sum, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)edgec_clamp_i32(y, p->act_min, p->act_max);
}

/* Any kind but ADD: the two rescaled inputs combined into the output value. */
EDGEC_INLINE int8_t edgec_add_s8_combine(int32_t s1, int32_t s2, const edgec_add_s8_params *p) {
    switch (p->kind) {
    case EDGEC_ADD_S8_SUB: return edgec_add_s8_output(s1 - s2, p);
    case EDGEC_ADD_S8_SQUARED_DIFFERENCE: { /* |s1 - s2| <= 2^15 from a real model (TFLite's bound); parameters
                                             * beyond it wrap, as TFLite Micro's int32 product does, without UB */
        const uint32_t d = (uint32_t)s1 - (uint32_t)s2;
        return edgec_add_s8_output((int32_t)(d * d), p);
    }
    case EDGEC_ADD_S8_EQUAL: return (int8_t)(s1 == s2);
    case EDGEC_ADD_S8_NOT_EQUAL: return (int8_t)(s1 != s2);
    case EDGEC_ADD_S8_LESS: return (int8_t)(s1 < s2);
    case EDGEC_ADD_S8_LESS_EQUAL: return (int8_t)(s1 <= s2);
    case EDGEC_ADD_S8_GREATER: return (int8_t)(s1 > s2);
    case EDGEC_ADD_S8_GREATER_EQUAL: return (int8_t)(s1 >= s2);
    default: return edgec_add_s8_output(s1 + s2, p);
    }
}

/* One output row computed directly: the reference's loop, and the Cortex-M twin's for short tensors. A plain
 * static inline (not EDGEC_INLINE): the kernels pass its address to edgec_broadcast_rows_s8. */
static inline void edgec_add_s8_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                                    int32_t n, const void *params) {
    const edgec_add_s8_params *p = (const edgec_add_s8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t s1 = edgec_add_s8_rescale(a[(size_t)i * a_step], p->input1_offset, p->left_shift,
                                                p->input1_multiplier, p->input1_shift);
        const int32_t s2 = edgec_add_s8_rescale(b[(size_t)i * b_step], p->input2_offset, p->left_shift,
                                                p->input2_multiplier, p->input2_shift);
        out[i] = edgec_add_s8_output(s1 + s2, p);
    }
}

/* The same for the other kinds (kept apart so that ADD's loop stays as it is). */
static inline void edgec_add_s8_row_combine(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step,
                                            int8_t *out, int32_t n, const void *params) {
    const edgec_add_s8_params *p = (const edgec_add_s8_params *)params;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t s1 = edgec_add_s8_rescale(a[(size_t)i * a_step], p->input1_offset, p->left_shift,
                                                p->input1_multiplier, p->input1_shift);
        const int32_t s2 = edgec_add_s8_rescale(b[(size_t)i * b_step], p->input2_offset, p->left_shift,
                                                p->input2_multiplier, p->input2_shift);
        out[i] = edgec_add_s8_combine(s1, s2, p);
    }
}

#endif /* EDGEC_ADD_S8_H */
