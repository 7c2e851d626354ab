/* Reference hybrid fully connected layer: per-row input quantization, int8 x int8 -> int32, float rescale. */
#include "edgec_fully_connected_hybrid.h"
#include "edgec_hybrid_quantize.h"

void edgec_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                                  const float *EDGEC_RESTRICT w_scale, const float *EDGEC_RESTRICT bias,
                                  float *EDGEC_RESTRICT output, int8_t *EDGEC_RESTRICT qinput,
                                  const edgec_fully_connected_hybrid_params *p) {
    const int32_t total = p->batch * p->input_size;
    int32_t all_zero = 1;
    for (int32_t i = 0; i < total && all_zero; ++i) all_zero = input[i] == 0.0f;
    for (int32_t b = 0; b < p->batch; ++b) {
        float *y = output + (size_t)b * p->units;
        if (all_zero) {
            for (int32_t u = 0; u < p->units; ++u) y[u] = edgec_clampf(bias[u], p->act_min, p->act_max);
            continue;
        }
        int32_t zp = 0;
        const float *x = input + (size_t)b * p->input_size;
        const float in_scale = p->asymmetric ? edgec_quantize_asymmetric_s8(x, p->input_size, qinput, &zp)
                                             : edgec_quantize_symmetric_s8(x, p->input_size, qinput);
        const float scale = in_scale * w_scale[0];
        for (int32_t u = 0; u < p->units; ++u) {
            const int8_t *w = weights + (size_t)u * p->input_size;
            int32_t acc = 0;
            for (int32_t i = 0; i < p->input_size; ++i) acc += ((int32_t)qinput[i] - zp) * (int32_t)w[i];
            y[u] = edgec_clampf(bias[u] + (float)acc * scale, p->act_min, p->act_max);
        }
    }
}
