/* Portable reference: ternary convolution / fully connected layer (runtimes/include/edgec_ternary_s8.h), by
 * adding and subtracting activations: the oracle the Cortex-M twin is tested against, and the kernel every other
 * target runs. p->method is ignored (the look-up kernel is the Cortex-M set's). */
#include "edgec_ternary_s8.h"

/* sum over k < n of (T[k] = 1: u[k], T[k] = -1: 255 - u[k]): decode each trit, add its value or skip. */
static int32_t edgec_ternary_dot_ref(const uint8_t *EDGEC_RESTRICT u, const uint8_t *EDGEC_RESTRICT row, int32_t n,
                                     int32_t format) {
    int32_t acc = 0;
    for (int32_t k = 0; k < n; ++k) {
        const int32_t t = edgec_ternary_trit(row, k, format);
        if (t > 0) acc += u[k];
        else if (t < 0) acc += 255 - u[k];
    }
    return acc;
}

void edgec_ternary_conv_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           const int32_t *scale, const int32_t *EDGEC_RESTRICT bias,
                           const int32_t *EDGEC_RESTRICT multiplier, const int32_t *EDGEC_RESTRICT shift,
                           int8_t *EDGEC_RESTRICT output, const edgec_ternary_s8_params *p, void *scratch) {
    uint8_t *col = (uint8_t *)scratch;
    const int32_t k_total = p->k_h * p->k_w * p->in_c;
    for (int32_t b = 0; b < p->batch; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                edgec_ternary_gather(input, col, p, b, oy, ox);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int32_t acc_t = edgec_ternary_dot_ref(col, packed + (size_t)oc * p->row_bytes, k_total,
                                                                p->format);
                    const int32_t acc = (int32_t)((uint32_t)(scale ? scale[oc] : p->scale_all) * (uint32_t)acc_t + (uint32_t)bias[oc]);
                    out[oc] = (int8_t)edgec_ternary_requant(acc, multiplier[oc], shift[oc], p);
                }
            }
        }
    }
}

void edgec_ternary_sums_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           int32_t *EDGEC_RESTRICT sums, const edgec_ternary_s8_params *p, void *scratch) {
    uint8_t *col = (uint8_t *)scratch;
    const int32_t k_total = p->k_h * p->k_w * p->in_c;
    for (int32_t b = 0; b < p->batch; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                edgec_ternary_gather(input, col, p, b, oy, ox);
                int32_t *acc = sums + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc)
                    acc[oc] = edgec_ternary_dot_ref(col, packed + (size_t)oc * p->row_bytes, k_total, p->format);
            }
        }
    }
}
