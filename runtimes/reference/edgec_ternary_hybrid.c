/* Ternary hybrid fully connected layer (edgec_ternary_hybrid.h): one file for every kernel set, the sums come from
 * the set's edgec_ternary_sums_s8. */
#include "edgec_ternary_hybrid.h"
#include "edgec_hybrid_quantize.h"

void edgec_ternary_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                                          const int32_t *scale, const int32_t *EDGEC_RESTRICT consts,
                                          const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                                          float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput, void *scratch,
                                          const edgec_ternary_hybrid_params *p) {
    int32_t zp = 0;
    const float in_scale = edgec_dynamic_quantize_s8_shifted(input, p->batch * p->input_size, 1, 0, qinput, &zp);
    int32_t *sums = (int32_t *)scratch;
    edgec_ternary_sums_s8(qinput, packed, sums, &p->t, (void *)(sums + (size_t)p->batch * p->units));
    const int32_t *offset = consts, *tsum = consts + p->units;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int32_t *acc_t = sums + (size_t)b * p->units;
        float *y = output + (size_t)b * p->units;
        for (int32_t u = 0; u < p->units; ++u) {
            const uint32_t a = (uint32_t)(scale ? scale[u] : p->t.scale_all);
            const uint32_t d = (uint32_t)acc_t[u] - (uint32_t)offset[u] - (uint32_t)zp * (uint32_t)tsum[u];
            const int32_t acc = (int32_t)(a * d); /* the int8 layer's int32 sum, wrapping as it would */
            float v = (float)acc * (in_scale * w_scale[p->scale_per_channel ? u : 0]);
            v = v + bias[u];
            y[u] = edgec_clampf(v, p->act_min, p->act_max);
        }
    }
}
