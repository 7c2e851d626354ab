/* Cortex-M twin of reference/edgec_add_s8.c. Each input's rescaled value is one of 256, so with scratch (free
 * arena space the compiler found for this layer) the kernel first tabulates both, 2 x 256 rescalings, and then
 * spends two loads and the output requantisation per element instead of three requantisations: worth it from
 * a few hundred elements on. The tables hold the reference's own values, so the result is bit-identical.
 * With __ARM_FEATURE_DSP, an ADD whose output requantisation allows it (a right shift 1..22, a multiplier >= 0, sums
 * below 2^29) does that requantisation in three instructions, as the depthwise kernel does (see
 * edgec_depthwise_conv2d_s8.c): the tables hold twice the rescaled values, X = 2 * sum, and
 * out = SMMLAR(X, multiplier, 2^(r-1) + zp 2^r - [X < 0]) >> r is TFLite's two roundings and the zero point. */
#include "edgec_add_s8.h"

/* Elements below which building the tables costs more than it saves. */
#define EDGEC_ADD_TABLE_MIN_ELEMENTS 512

typedef struct {
    const edgec_add_s8_params *p;
    const int32_t *t1, *t2; /* indexed by value + 128 */
} add_tables;

static void add_row_tables(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out, int32_t n,
                           const void *params) {
    const add_tables *t = (const add_tables *)params;
    for (int32_t i = 0; i < n; ++i)
        out[i] = edgec_add_s8_output(t->t1[a[(size_t)i * a_step] + 128] + t->t2[b[(size_t)i * b_step] + 128], t->p);
}

static void combine_row_tables(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step, int8_t *out,
                               int32_t n, const void *params) {
    const add_tables *t = (const add_tables *)params;
    for (int32_t i = 0; i < n; ++i)
        out[i] = edgec_add_s8_combine(t->t1[a[(size_t)i * a_step] + 128], t->t2[b[(size_t)i * b_step] + 128], t->p);
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
typedef struct {
    const int32_t *t1, *t2; /* 2 * the rescaled value, indexed by value + 128 */
    int32_t multiplier, round, shift, lo, hi;
} add_fast;

__attribute__((noinline)) static void add_row_fast(const int8_t *a, size_t a_step, const int8_t *b, size_t b_step,
                                                   int8_t *out, int32_t n, const void *params) {
    const add_fast *f = (const add_fast *)params;
    const int32_t *const t1 = f->t1 + 128, *const t2 = f->t2 + 128;
    const int32_t m = f->multiplier, round = f->round, r = f->shift, lo = f->lo, hi = f->hi;
#ifdef __OPTIMIZE__ /* unoptimised builds keep a frame pointer: too few registers left for this */
    if (a_step == 1 && b_step == 1 && hi == 127 && n > 0) {
        /* the residual add (no activation or ReLU): in assembly, GCC spills this loop's state */
        int32_t x, y;
        __asm__ volatile("1:\n\t"
                         "ldrsb  %[x], [%[a]], #1\n\t"
                         "ldrsb  %[y], [%[b]], #1\n\t"
                         "ldr    %[x], [%[t1], %[x], lsl #2]\n\t"
                         "ldr    %[y], [%[t2], %[y], lsl #2]\n\t"
                         "add    %[x], %[x], %[y]\n\t"
                         "add    %[y], %[round], %[x], asr #31\n\t"
                         "smmlar %[x], %[x], %[m], %[y]\n\t"
                         "asr    %[x], %[x], %[r]\n\t"
                         "ssat   %[x], #8, %[x]\n\t"
                         "cmp    %[x], %[lo]\n\t"
                         "it     lt\n\t"
                         "movlt  %[x], %[lo]\n\t"
                         "strb   %[x], [%[out]], #1\n\t"
                         "cmp    %[out], %[end]\n\t"
                         "bne    1b\n\t"
                         : [a] "+r"(a), [b] "+r"(b), [out] "+r"(out), [x] "=&r"(x), [y] "=&r"(y)
                         : [end] "r"(out + n), [t1] "r"(t1), [t2] "r"(t2), [round] "r"(round), [m] "r"(m),
                           [r] "r"(r), [lo] "r"(lo)
                         : "cc", "memory");
        return;
    }
#endif
    for (int8_t *const end = out + n; out < end; ++out, a += a_step, b += b_step) {
        const int32_t x = t1[*a] + t2[*b];
        int32_t y;
        __asm__("smmlar %0, %1, %2, %3" : "=r"(y) : "r"(x), "r"(m), "r"(round + (x >> 31)));
        y >>= r;
        y = y < lo ? lo : y;
        *out = (int8_t)(y > hi ? hi : y);
    }
}

/* The doubled tables in place of the plain ones and the fast row's parameters; 0 when out of its range. */
static int add_fast_prepare(add_fast *f, int32_t *scratch, const edgec_add_s8_params *p) {
    const int32_t r = -p->output_shift;
    if (p->kind != EDGEC_ADD_S8_ADD || r < 1 || r > 22 || p->output_multiplier < 0) return 0;
    uint32_t max1 = 0, max2 = 0;
    for (int32_t i = 0; i < 256; ++i) {
        const int32_t v1 = scratch[i], v2 = scratch[i + 256];
        const uint32_t a1 = v1 < 0 ? 0u - (uint32_t)v1 : (uint32_t)v1, a2 = v2 < 0 ? 0u - (uint32_t)v2 : (uint32_t)v2;
        max1 = a1 > max1 ? a1 : max1;
        max2 = a2 > max2 ? a2 : max2;
    }
    if (max1 >= (UINT32_C(1) << 29) || max2 >= (UINT32_C(1) << 29) - max1) return 0; /* |sum| < 2^29 */
    for (int32_t i = 0; i < 512; ++i) scratch[i] = (int32_t)((uint32_t)scratch[i] << 1);
    f->t1 = scratch;
    f->t2 = scratch + 256;
    f->multiplier = p->output_multiplier;
    f->round = (1 << (r - 1)) + (int32_t)((uint32_t)p->output_offset << r);
    f->shift = r;
    f->lo = p->act_min;
    f->hi = p->act_max;
    return 1;
}
#endif

void edgec_add_s8(const int8_t *a, const int8_t *b, int8_t *output, const edgec_add_s8_params *p, int32_t *scratch) {
    int32_t elements = 1;
    for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) elements *= p->shape.out_shape[d];
    if (scratch == NULL || elements < EDGEC_ADD_TABLE_MIN_ELEMENTS) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape,
                                p->kind == EDGEC_ADD_S8_ADD ? edgec_add_s8_row : edgec_add_s8_row_combine, p);
        return;
    }
    for (int32_t v = -128; v < 128; ++v) {
        scratch[v + 128] = edgec_add_s8_rescale(v, p->input1_offset, p->left_shift, p->input1_multiplier,
                                                p->input1_shift);
        scratch[v + 384] = edgec_add_s8_rescale(v, p->input2_offset, p->left_shift, p->input2_multiplier,
                                                p->input2_shift);
    }
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    add_fast f;
    if (add_fast_prepare(&f, scratch, p)) {
        edgec_broadcast_rows_s8(a, b, output, &p->shape, add_row_fast, &f);
        return;
    }
#endif
    const add_tables t = {p, scratch, scratch + 256};
    edgec_broadcast_rows_s8(a, b, output, &p->shape, p->kind == EDGEC_ADD_S8_ADD ? add_row_tables : combine_row_tables,
                            &t);
}
