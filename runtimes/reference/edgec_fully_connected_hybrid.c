/* Reference hybrid fully connected layer: run-time input quantization, int8 x int8 -> int32, float rescale. */
#include "edgec_fully_connected_hybrid.h"
#include "edgec_hybrid_quantize.h"

void edgec_fully_connected_hybrid(const float *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                                  const float *EDGEC_RESTRICT w_scale, const int32_t *EDGEC_RESTRICT w_zero_point,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  int8_t *EDGEC_RESTRICT qinput, const edgec_fully_connected_hybrid_params *p) {
    const int32_t total = p->batch * p->input_size;
    const int onnx = p->quant == EDGEC_HYBRID_ONNX_U8;
    int32_t all_zero = !onnx;
    for (int32_t i = 0; i < total && all_zero; ++i) all_zero = input[i] == 0.0f;
    int32_t zp = 0;
    float in_scale = 1.0f;
    if (onnx) in_scale = edgec_dynamic_quantize_s8_shifted(input, total, 1, 0, qinput, &zp);
    for (int32_t b = 0; b < p->batch; ++b) {
        float *y = output + (size_t)b * p->units;
        if (all_zero) {
            for (int32_t u = 0; u < p->units; ++u) y[u] = edgec_clampf(bias[u], p->act_min, p->act_max);
            continue;
        }
        const int8_t *q = qinput;
        if (onnx) {
            q = qinput + (size_t)b * p->input_size;
        } else {
            const float *x = input + (size_t)b * p->input_size;
            in_scale = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC
                           ? edgec_quantize_asymmetric_s8(x, p->input_size, qinput, &zp)
                           : edgec_quantize_symmetric_s8(x, p->input_size, qinput);
        }
        for (int32_t u = 0; u < p->units; ++u) {
            const int8_t *w = weights + (size_t)u * p->input_size;
            const int32_t wz = w_zero_point ? w_zero_point[u] : 0;
            const int32_t acc = edgec_hybrid_dot(q, w, p->input_size, zp, wz, 0);
            float v;
            if (onnx) {
                v = (float)acc * (in_scale * w_scale[p->scale_per_channel ? u : 0]);
                v = v + bias[u];
            } else {
                v = bias[u] + (float)acc * (in_scale * w_scale[0]);
            }
            y[u] = edgec_clampf(v, p->act_min, p->act_max);
        }
    }
}
