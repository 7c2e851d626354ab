/* int8 add with rescaling (TFLite reference_integer_ops::Add) for x86 hosts: eight elements at a time on GNU C
 * vectors, both inputs' rescaling and the output's requantisation lane by lane with the fixed-point steps of
 * edgec_x86_requant.h (the same bits as edgec_mbqm). The other kinds (SUB, SQUARED_DIFFERENCE, comparisons), a
 * multiplier of INT32_MIN (the one saturating case) and each row's last elements take the reference's row.
 * From TABLE_MIN elements on, each input's rescaled value is looked up (one of 256, tables on the stack as the
 * Cortex-M kernel keeps them in its scratch) and only the output's requantisation is computed, sixteen lanes at a
 * time (edgec_rq16). Bit-exact with runtimes/reference/edgec_add_s8.c. */
#include "edgec_add_s8.h"
#include "edgec_x86_requant.h"

#define TABLE_MIN 1024 /* elements from which the tables' 512 rescalings pay */

typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
typedef int64_t v8l __attribute__((vector_size(64)));

/* out[j] = edgec_mbqm(x[j], multiplier, shift) (multiplier != INT32_MIN), as edgec_rq8_apply computes it. */
static inline void mbqm8(const int32_t x_in[8], rq_channel c, int32_t out[8]) {
    v8i x;
    __builtin_memcpy(&x, x_in, sizeof x);
    x = (v8i)((v8u)x << (uint32_t)c.left);
    const v8l prod = __builtin_convertvector(x, v8l) * (int64_t)c.multiplier + (INT64_C(1) << 30);
    const v8i h = __builtin_convertvector(prod >> 31, v8i);
    /* a comparison is -1 where true: subtracting it adds the rounding 1 */
    const v8i v = (h >> c.right) - ((h & c.mask) > (c.half - (h >> 31)));
    __builtin_memcpy(out, &v, sizeof v);
}

typedef struct {
    const edgec_add_s8_params *p;
    rq_channel in1, in2, out;
} add_plan;

/* Eight outputs from a[j * a_step], b[j * b_step]. */
static inline void add8(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                        const add_plan *plan) {
    const edgec_add_s8_params *p = plan->p;
    const uint32_t ls = (uint32_t)p->left_shift;
    int32_t xa[8], xb[8], s1[8], s2[8], sum[8], y[8];
    for (int32_t j = 0; j < 8; ++j) {
        xa[j] = (int32_t)((uint32_t)(p->input1_offset + a[(size_t)j * a_step]) << ls);
        xb[j] = (int32_t)((uint32_t)(p->input2_offset + b[(size_t)j * b_step]) << ls);
    }
    mbqm8(xa, plan->in1, s1);
    mbqm8(xb, plan->in2, s2);
    for (int32_t j = 0; j < 8; ++j) sum[j] = s1[j] + s2[j];
    mbqm8(sum, plan->out, y);
    for (int32_t j = 0; j < 8; ++j) out[j] = (int8_t)edgec_clamp_i32(y[j] + p->output_offset, p->act_min, p->act_max);
}

static void add_row(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                    const void *params) {
    const add_plan *plan = (const add_plan *)params;
    int32_t i = 0;
    if (a_step == 1 && b_step == 1) /* the common case, with contiguous loads */
        for (; i + 8 <= n; i += 8) add8(a + i, 1, b + i, 1, out + i, plan);
    else
        for (; i + 8 <= n; i += 8) add8(a + (size_t)i * a_step, a_step, b + (size_t)i * b_step, b_step, out + i, plan);
    if (i < n) edgec_add_s8_row(a + (size_t)i * a_step, a_step, b + (size_t)i * b_step, b_step, out + i, n - i, plan->p);
}

typedef struct {
    const edgec_add_s8_params *p;
    int32_t t1[256], t2[256]; /* input1's, input2's rescaled values, by value + 128 */
    edgec_rq16 out;
} add_tables;

static void add_row_tables(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                           const void *params) {
    const add_tables *t = (const add_tables *)params;
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) {
        edgec_v16i sum;
        for (int32_t j = 0; j < 16; ++j) /* wrapping: the reference's int32 sum, without its overflow */
            sum[j] = (int32_t)((uint32_t)t->t1[a[(size_t)(i + j) * a_step] + 128]
                               + (uint32_t)t->t2[b[(size_t)(i + j) * b_step] + 128]);
        edgec_rq16_apply(&t->out, &sum, out + i, 16);
    }
    for (; i < n; ++i)
        out[i] = edgec_add_s8_output((int32_t)((uint32_t)t->t1[a[(size_t)i * a_step] + 128]
                                               + (uint32_t)t->t2[b[(size_t)i * b_step] + 128]),
                                     t->p);
}

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch) {
    (void)scratch;
    if (p->kind != EDGEC_ADD_S8_ADD) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape, edgec_add_s8_row_combine, p);
        return;
    }
    if (p->input1_multiplier == INT32_MIN || p->input2_multiplier == INT32_MIN || p->output_multiplier == INT32_MIN) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape, edgec_add_s8_row, p);
        return;
    }
    int32_t elements = 1;
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) elements *= p->shape.out_shape[d];
    if (elements >= TABLE_MIN) {
        add_tables t;
        t.p = p;
        for (int32_t v = -128; v < 128; ++v) {
            t.t1[v + 128] = edgec_add_s8_rescale(v, p->input1_offset, p->left_shift, p->input1_multiplier,
                                                 p->input1_shift);
            t.t2[v + 128] = edgec_add_s8_rescale(v, p->input2_offset, p->left_shift, p->input2_multiplier,
                                                 p->input2_shift);
        }
        int32_t m[16], s[16];
        for (int32_t j = 0; j < 16; ++j) {
            m[j] = p->output_multiplier;
            s[j] = p->output_shift;
        }
        edgec_rq16_prepare(&t.out, m, s, 16, p->output_offset, p->act_min, p->act_max);
        edgec_broadcast_rows_s8(a, b, output, &p->shape, add_row_tables, &t);
        return;
    }
    add_plan plan;
    plan.p = p;
    plan.in1 = rq_prepare(p->input1_multiplier, p->input1_shift);
    plan.in2 = rq_prepare(p->input2_multiplier, p->input2_shift);
    plan.out = rq_prepare(p->output_multiplier, p->output_shift);
    edgec_broadcast_rows_or_dense_s8(a, b, output, &p->shape, add_row, &plan);
}
